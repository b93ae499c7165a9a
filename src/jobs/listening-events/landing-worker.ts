/**
 * Worker thread of `[run] workers`: reads landing files the main thread hands it, one at a time,
 * and posts their rows validated and serialised (ShapedOps), a batch per chunk read. After WINDOW
 * batches not yet taken by the main thread it waits, so memory stays bounded whatever the order
 * in which files finish. Nothing here touches the lake, the ledger or the log.
 */
import { parentPort } from 'node:worker_threads';
import { exitCodeOf, messageOf } from '../../core/errors';
import { qualifiedName } from '../../core/table';
import { transformListeningRecord } from './listening-events-job';
import { RowShaper } from '../../run/row-shaper';
import { ShapedBatchBuilder } from '../../run/shaped-batch';
import { listeningTables } from '../../tables/listening';
import type { FileTask, MainMessage, WorkerMessage } from './landing-worker-protocol';
import { parseLandingFile } from '../../sources/listening-events/read-landing-file';

/** Batches posted and not yet acknowledged before the worker waits. */
const WINDOW = 4;

const port = parentPort;
if (!port) throw new Error('landing-worker runs as a worker thread');
const post = (message: WorkerMessage) => port.postMessage(message);

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
  void shapeFile(message.task);
});

async function shapeFile(task: FileTask): Promise<void> {
  const table = listeningTables.find((t) => qualifiedName(t) === task.table)!;
  const builder = new ShapedBatchBuilder();
  const shaper = new RowShaper(task.logicalDate, (op) => builder.add(op));
  current = task.id;
  acked = -1;
  let seq = 0;
  try {
    const batches = parseLandingFile({ name: task.name, table, path: task.path, size: task.size, described: task.described }, task.maxFieldChars);
    for (;;) {
      const next = await batches.next();
      if (next.done) {
        post({ type: 'done', id: task.id, outcome: next.value });
        return;
      }
      for (const record of next.value) transformListeningRecord(record, shaper);
      const batch = builder.build(task.name, next.value.length);
      post({ type: 'ops', id: task.id, seq, batch });
      seq++;
      while (seq - 1 - acked >= WINDOW) await new Promise<void>((resolve) => (wakeOnAck = resolve));
    }
  } catch (error) {
    post({ type: 'failed', id: task.id, message: messageOf(error), exitCode: exitCodeOf(error) });
  }
}
