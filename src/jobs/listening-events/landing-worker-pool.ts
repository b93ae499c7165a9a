import * as fs from 'node:fs';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { AbortedError, PermanentError, SoundlakeError, type ExitCodeValue } from '../../core/errors';
import { qualifiedName } from '../../core/table';
import type { Store } from '../../lake/store';
import type { RunContext } from '../../run/run-context';
import type { ShapedBatch } from '../../run/shaped-batch';
import type { MainMessage, WorkerMessage } from './landing-worker-protocol';
import { localBytes, settleLandingFile, startLandingFile, type LandingFile } from '../../sources/listening-events/read-landing-file';

/**
 * A worker's V8 heap limits (MiB). Its live data is one chunk's records and the batches not yet
 * taken; a small young generation makes it collect that garbage often instead of growing (each
 * thread's heap counts in the task's memory).
 */
const WORKER_LIMITS = { maxYoungGenerationSizeMb: 16, maxOldGenerationSizeMb: 256 };

/**
 * The compiled worker script beside this module; undefined when running from TypeScript sources
 * (ts-jest), where the run stays on the main thread.
 */
export function workerScript(): string | undefined {
  const script = path.join(__dirname, 'landing-worker.js');
  return fs.existsSync(script) ? script : undefined;
}

/** A file's messages, in the order its worker posted them, or the error that ends the run. */
class FileChannel {
  private readonly messages: (WorkerMessage | Error)[] = [];
  private wake: (() => void) | undefined;

  push(message: WorkerMessage | Error): void {
    this.messages.push(message);
    this.wake?.();
  }

  async next(): Promise<WorkerMessage | Error> {
    while (this.messages.length === 0) await new Promise<void>((resolve) => (this.wake = resolve));
    this.wake = undefined;
    return this.messages.shift()!;
  }
}

/**
 * Reads landing files on `workers` threads, one file per thread at a time, and yields their rows
 * in file order and, within a file, in line order: the run writes the same rows in the same files
 * as on one thread. A file's outcome (archive or error/) is settled in the same order. Files of
 * an S3 landing area are downloaded here first (at most one per thread ahead).
 */
export async function* shapeInWorkers(
  script: string,
  landing: Store,
  files: readonly LandingFile[],
  options: { workers: number; maxFieldChars: number; spoolDir: string },
  ctx: RunContext,
): AsyncGenerator<ShapedBatch[]> {
  const threads = Array.from({ length: Math.min(options.workers, files.length) }, () => new Worker(script, { resourceLimits: WORKER_LIMITS }));
  ctx.log.info('reading landing files on worker threads', { threads: threads.length, files: files.length });
  const channels = files.map(() => new FileChannel());
  const owner = new Map<number, Worker>();
  const locals: { path: string; size: number; done: () => Promise<void> }[] = [];
  let nextFile = 0;
  let stopping = false;
  // Files are handed out in order, one at a time (a download may come first).
  let dispatching: Promise<void> = Promise.resolve();
  const dispatch = (worker: Worker) => {
    dispatching = dispatching.then(async () => {
      if (nextFile >= files.length || ctx.signal.aborted) return;
      const id = nextFile++;
      const file = files[id];
      try {
        locals[id] = await localBytes(landing, file, options.spoolDir);
      } catch (error) {
        // Fails the run as it would on the main thread, when this file's turn comes.
        channels[id].push(error instanceof Error ? error : new Error(String(error)));
        return;
      }
      owner.set(id, worker);
      const task = {
        id,
        name: file.name,
        table: qualifiedName(file.table),
        path: locals[id].path,
        size: locals[id].size,
        described: landing.describe(file.name),
        maxFieldChars: options.maxFieldChars,
        logicalDate: ctx.logicalDate,
      };
      worker.postMessage({ type: 'file', task } satisfies MainMessage);
    });
  };
  for (const worker of threads) {
    worker.on('message', (message: WorkerMessage) => {
      channels[message.id].push(message);
      if (message.type !== 'ops') dispatch(worker);
    });
    const fail = (why: string) => {
      // A thread that crashed or ended fails the run: every file still waited for says so.
      for (const channel of channels) channel.push(new PermanentError(`a worker thread ${why}`));
    };
    worker.on('error', (error) => fail(`failed: ${error.message}`));
    worker.on('exit', (code) => {
      if (!stopping) fail(`ended with exit code ${code}`);
    });
    dispatch(worker);
  }
  // An abort (SIGTERM, a lost lease) may come before a file was handed out, or while the main
  // thread waits for one that never will be: every wait ends with it instead of hanging.
  const onAbort = () => {
    for (const channel of channels) channel.push(new AbortedError(String(ctx.signal.reason ?? 'aborted')));
  };
  if (ctx.signal.aborted) onAbort();
  else ctx.signal.addEventListener('abort', onAbort, { once: true });
  try {
    for (const [id, file] of files.entries()) {
      startLandingFile(file, ctx);
      for (;;) {
        const message = await channels[id].next();
        if (message instanceof Error) throw message;
        if (message.type === 'failed') throw new SoundlakeError(message.message, message.exitCode as ExitCodeValue);
        if (message.type === 'done') {
          settleLandingFile(landing, file, message.outcome, ctx);
          break;
        }
        ctx.inputs.read(file.name, message.batch.records);
        yield [message.batch];
        // Taken: the worker may read further ahead.
        owner.get(id)?.postMessage({ type: 'ack', id, seq: message.seq } satisfies MainMessage);
      }
      await locals[id]?.done();
    }
  } finally {
    ctx.signal.removeEventListener('abort', onAbort);
    stopping = true;
    await Promise.all(threads.map((t) => t.terminate()));
    await dispatching.catch(() => undefined);
    await Promise.all(locals.map((l) => l?.done()));
  }
}
