import type { ShapedBatch } from '../../run/shaped-batch';
import type { LandingOutcome } from '../../sources/listening-events/read-landing-file';

/** One landing file for a worker: a local copy of exactly the listed version. */
export interface FileTask {
  id: number;
  name: string;
  /** `source/name` of its table. */
  table: string;
  path: string;
  size: number;
  /** How messages name the file (the landing store's description). */
  described: string;
  maxFieldChars: number;
  logicalDate: string;
}

/** Main thread → worker. */
export type MainMessage = { type: 'file'; task: FileTask } | { type: 'ack'; id: number; seq: number };

/** Worker → main thread: a batch of a file's rows, its outcome, or why it could not be read. */
export type WorkerMessage =
  | { type: 'ops'; id: number; seq: number; batch: ShapedBatch }
  | { type: 'done'; id: number; outcome: LandingOutcome }
  | { type: 'failed'; id: number; message: string; exitCode: number };
