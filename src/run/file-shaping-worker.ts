/**
 * A shaping thread (see file-shaping-pool.ts): shapes the files the main thread hands it, one at
 * a time, with the file job's module, and posts their rows validated and serialised, a batch per
 * chunk read. After WINDOW batches not yet taken by the main thread it waits, so memory stays
 * bounded whatever the order in which files finish. Nothing here touches the lake, the ledger or
 * the log.
 */
import { parentPort } from 'node:worker_threads';
import { exitCodeOf, messageOf } from '../core/errors';
import { batchShapingSink, type FileShaperModule } from './file-shaper';
import type { FileTask, MainMessage, ThreadMessage } from './file-shaping-protocol';
import { ShapedBatchBuilder, transferList } from './shaped-batch';

/** Batches posted and not yet acknowledged before the thread waits. */
const WINDOW = 4;

const port = parentPort;
if (!port) throw new Error('file-shaping-worker runs as a worker thread');
const post = (message: ThreadMessage, transfer: ArrayBuffer[] = []) => port.postMessage(message, transfer);

let current = -1;
let acked = -1;
let wakeOnAck: (() => void) | undefined;

port.on('message', (message: MainMessage) => {
  if (message.type === 'ack') {
    if (message.id !== current) return; // a late ack of a file already finished
    acked = Math.max(acked, message.seq);
    wakeOnAck?.();
    return;
  }
  // The pool hands a thread its next file only once this one is done or failed.
  void shapeOne(message.file);
});

async function shapeOne(file: FileTask): Promise<void> {
  const builder = new ShapedBatchBuilder();
  const sink = batchShapingSink(file.logicalDate, builder);
  current = file.id;
  acked = -1;
  let seq = 0;
  try {
    // A file job's compiled module, named by the job (never by data).
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { shapeFile } = require(file.module) as FileShaperModule;
    const chunks = shapeFile(file.task, sink, { lineageSuffix: file.lineageSuffix, logicalDate: file.logicalDate });
    for (;;) {
      const next = await chunks.next();
      if (next.done) {
        post({ type: 'done', id: file.id, outcome: next.value });
        return;
      }
      const batch = builder.build(file.input, next.value);
      post({ type: 'ops', id: file.id, seq, batch }, transferList(batch));
      seq++;
      while (seq - 1 - acked >= WINDOW) await new Promise<void>((resolve) => (wakeOnAck = resolve));
    }
  } catch (error) {
    post({ type: 'failed', id: file.id, message: messageOf(error), exitCode: exitCodeOf(error) });
  }
}
