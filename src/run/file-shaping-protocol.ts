import type { ShapedBatch } from './shaped-batch';

/**
 * One input file for a shaping thread. `module` is the compiled file job module that shapes it
 * (it exports `shapeFile`, see FileShaperModule); `task` is that module's own description of the
 * file, passed through as it is (structured clone).
 */
export interface FileTask {
  id: number;
  /** How the ledger names the input (its rows are counted against it). */
  input: string;
  module: string;
  task: unknown;
  /** The run's logical date: the partition day of rows with no date column. */
  logicalDate: string;
  /** What byte-level rows end with (ShapeContext). */
  lineageSuffix: string;
}

/** Main thread → thread. */
export type MainMessage = { type: 'file'; file: FileTask } | { type: 'ack'; id: number; seq: number };

/** Thread → main thread: a batch of a file's rows, its outcome, or why it could not be read. */
export type ThreadMessage =
  | { type: 'ops'; id: number; seq: number; batch: ShapedBatch }
  | { type: 'done'; id: number; outcome: unknown }
  | { type: 'failed'; id: number; message: string; exitCode: number };
