import type { RowEmitter } from './row-emitter';

/**
 * What a file job's shaping module exports for `shapeFilesOnThreads`: reads one local file
 * described by `task`, hands its rows to `emit` (validated and serialised where it runs), yields
 * the number of records read after each chunk, and returns the file's outcome (settled on the
 * main thread, in file order). Must need no lake, no ledger and no log: it runs on any thread.
 */
export type ShapeFile<T, O> = (task: T, emit: RowEmitter) => AsyncGenerator<number, O>;

export interface FileShaperModule {
  shapeFile: ShapeFile<unknown, unknown>;
}
