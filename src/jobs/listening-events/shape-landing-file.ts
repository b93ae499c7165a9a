/**
 * The listening-events job's shaping module (see run/file-shaper.ts): one local landing file →
 * rows and rejects, on whichever thread runs it.
 */
import { qualifiedName } from '../../core/table';
import type { ShapeFile } from '../../run/file-shaper';
import { parseLandingFile, type LandingOutcome } from '../../sources/listening-events/read-landing-file';
import { listeningTables } from '../../tables/listening';
import { transformListeningRecord } from './transform-listening-record';

/** A landing file as a thread sees it: a local copy of exactly the listed version. */
export interface LandingTask {
  name: string;
  /** `source/name` of its table. */
  table: string;
  path: string;
  size: number;
  /** How messages name the file (the landing store's description). */
  described: string;
  maxFieldChars: number;
}

export const shapeFile: ShapeFile<LandingTask, LandingOutcome> = async function* (task, emit) {
  const table = listeningTables.find((t) => qualifiedName(t) === task.table);
  if (!table) throw new Error(`a landing task names table ${task.table}, which listening-events does not write`);
  const batches = parseLandingFile({ name: task.name, table, path: task.path, size: task.size, described: task.described }, task.maxFieldChars);
  for (;;) {
    const next = await batches.next();
    if (next.done) return next.value;
    for (const record of next.value) transformListeningRecord(record, emit);
    yield next.value.length;
  }
};
