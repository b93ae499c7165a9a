import * as fs from 'node:fs';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { AbortedError, PermanentError, SoundlakeError, type ExitCodeValue } from '../core/errors';
import { lineageColumns } from '../lake/partitioned-writer';
import type { FileTask, MainMessage, ThreadMessage } from './file-shaping-protocol';
import type { RunContext } from './run-context';
import { batchShapingSink, type ShapeFile } from './file-shaper';
import { ShapedBatchBuilder, type ShapedBatch } from './shaped-batch';

/**
 * A thread's V8 heap limits (MiB). Its live data is one chunk's records and the batches not yet
 * taken; a small young generation makes it collect that garbage often instead of growing (each
 * thread's heap counts in the task's memory).
 */
const THREAD_LIMITS = { maxYoungGenerationSizeMb: 16, maxOldGenerationSizeMb: 256 };

/**
 * The compiled thread script and a file job's compiled shaping module (`module` without its
 * extension, beside the job); undefined when running from TypeScript sources (ts-jest), where the
 * run stays on the main thread.
 */
export function compiledShaper(jobDir: string, module: string): { script: string; module: string } | undefined {
  const script = path.join(__dirname, 'file-shaping-worker.js');
  const shaper = path.join(jobDir, `${module}.js`);
  return fs.existsSync(script) && fs.existsSync(shaper) ? { script, module: shaper } : undefined;
}

/**
 * Under `[run] workers = auto`, inputs smaller than this in all are shaped on the main thread.
 * Starting threads costs 60 ms for one and 105 ms for three (a 2,000-stream run, 2 cores:
 * 73 → 133 → 180 ms), and the main thread alone shapes ~45 MB of landing files a second end to
 * end: below 32 MiB (~0.7 s of work) threads would have to be 1.2× faster just to break even.
 */
export const AUTO_THREADS_MIN_BYTES = 32 * 1024 * 1024;

/**
 * How many threads a file job shapes its files on (1: the main thread): none for a single file, and
 * under `workers = auto` none for inputs below AUTO_THREADS_MIN_BYTES; else `[run] workers`.
 */
export function shapingThreads(ctx: Pick<RunContext, 'workers' | 'workersAuto'>, fileBytes: readonly number[]): number {
  if (ctx.workers <= 1 || fileBytes.length <= 1) return 1;
  if (ctx.workersAuto && fileBytes.reduce((n, b) => n + b, 0) < AUTO_THREADS_MIN_BYTES) return 1;
  return ctx.workers;
}

/** What the pool asks of a file job about each of its files, on the main thread. */
export interface FileHooks<F> {
  /** What the files are, for the log (`landing files`). */
  noun: string;
  /** The ledger's name for the file. */
  input(file: F): string;
  /** Makes the file readable by a thread (a download) and describes it for the shaping module. */
  prepare(file: F): Promise<{ task: unknown; done: () => Promise<void> }>;
  /** The file's turn has come (logged and counted as on the main thread). */
  start(file: F): void;
  /** The file was read to the end: its outcome, as the shaping module returned it. */
  settle(file: F, outcome: unknown): void;
}

/**
 * The same work on this thread: each file shaped with the job's `shapeFile`, batch by batch, so a
 * run writes the same bytes whether it uses threads or not.
 */
export async function* shapeFilesInProcess<F>(
  shapeFile: ShapeFile<unknown, unknown>,
  files: readonly F[],
  hooks: FileHooks<F>,
  ctx: RunContext,
): AsyncGenerator<ShapedBatch> {
  const lineageSuffix = lineageColumns(ctx.runId, ctx.extractedAt);
  for (const file of files) {
    hooks.start(file);
    const input = hooks.input(file);
    const ready = await hooks.prepare(file);
    const builder = new ShapedBatchBuilder();
    const chunks = shapeFile(ready.task, batchShapingSink(ctx.logicalDate, builder), { lineageSuffix, logicalDate: ctx.logicalDate });
    try {
      for (;;) {
        const next = await chunks.next();
        if (next.done) {
          hooks.settle(file, next.value);
          break;
        }
        ctx.inputs.read(input, next.value);
        yield builder.take(input, next.value);
      }
    } finally {
      // Stopped early (an aborted run): close the reader and its stream too.
      await chunks.return(undefined);
      await ready.done();
    }
  }
}

/** A file's messages, in the order its thread posted them, or the error that ends the run. */
class FileChannel {
  private readonly messages: (ThreadMessage | Error)[] = [];
  private wake: (() => void) | undefined;

  push(message: ThreadMessage | Error): void {
    this.messages.push(message);
    this.wake?.();
  }

  async next(): Promise<ThreadMessage | Error> {
    while (this.messages.length === 0) await new Promise<void>((resolve) => (this.wake = resolve));
    this.wake = undefined;
    return this.messages.shift()!;
  }
}

/**
 * "Shape each input file on a thread", for any file job: shapes `files` on `threads` worker
 * threads with the job's compiled module, one file per thread at a time, and yields their rows in
 * file order and, within a file, in line order, so the run writes the same rows in the same files
 * as on one thread. Each file's outcome is settled in the same order. A file is prepared (e.g.
 * downloaded) just before a thread takes it, at most one per thread ahead.
 */
export async function* shapeFilesOnThreads<F>(
  shaper: { script: string; module: string },
  files: readonly F[],
  hooks: FileHooks<F>,
  threadCount: number,
  ctx: RunContext,
): AsyncGenerator<ShapedBatch> {
  const threads = Array.from({ length: Math.min(threadCount, files.length) }, () => new Worker(shaper.script, { resourceLimits: THREAD_LIMITS }));
  ctx.log.info(`reading ${hooks.noun} on worker threads`, { threads: threads.length, files: files.length });
  const channels = files.map(() => new FileChannel());
  const lineageSuffix = lineageColumns(ctx.runId, ctx.extractedAt);
  const owner = new Map<number, Worker>();
  const prepared: { done: () => Promise<void> }[] = [];
  let nextFile = 0;
  let stopping = false;
  // Files are handed out in order, one at a time (a download may come first).
  let dispatching: Promise<void> = Promise.resolve();
  const dispatch = (thread: Worker) => {
    dispatching = dispatching.then(async () => {
      if (nextFile >= files.length || ctx.signal.aborted) return;
      const id = nextFile++;
      let task: unknown;
      try {
        const ready = await hooks.prepare(files[id]);
        prepared[id] = ready;
        task = ready.task;
      } catch (error) {
        // Fails the run as it would on the main thread, when this file's turn comes.
        channels[id].push(error instanceof Error ? error : new Error(String(error)));
        return;
      }
      owner.set(id, thread);
      const file: FileTask = { id, input: hooks.input(files[id]), module: shaper.module, task, logicalDate: ctx.logicalDate, lineageSuffix };
      thread.postMessage({ type: 'file', file } satisfies MainMessage);
    });
  };
  for (const thread of threads) {
    thread.on('message', (message: ThreadMessage) => {
      channels[message.id].push(message);
      if (message.type !== 'ops') dispatch(thread);
    });
    const fail = (why: string) => {
      // A thread that crashed or ended fails the run: every file still waited for says so.
      for (const channel of channels) channel.push(new PermanentError(`a worker thread ${why}`));
    };
    thread.on('error', (error) => fail(`failed: ${error.message}`));
    thread.on('exit', (code) => {
      if (!stopping) fail(`ended with exit code ${code}`);
    });
    dispatch(thread);
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
      hooks.start(file);
      for (;;) {
        const message = await channels[id].next();
        if (message instanceof Error) throw message;
        if (message.type === 'failed') throw new SoundlakeError(message.message, message.exitCode as ExitCodeValue);
        if (message.type === 'done') {
          hooks.settle(file, message.outcome);
          break;
        }
        ctx.inputs.read(message.batch.input, message.batch.records);
        yield message.batch;
        // Taken: the thread may read further ahead.
        owner.get(id)?.postMessage({ type: 'ack', id, seq: message.seq } satisfies MainMessage);
      }
      await prepared[id]?.done();
    }
  } finally {
    ctx.signal.removeEventListener('abort', onAbort);
    stopping = true;
    await Promise.all(threads.map((t) => t.terminate()));
    await dispatching.catch(() => undefined);
    await Promise.all(prepared.map((p) => p?.done()));
  }
}
