import { qualifiedName, type TableDef } from '../core/table';
import type { RowEmitter } from './row-emitter';
import { RowShaper } from './row-shaper';
import type { RowRun, ShapedBatchBuilder } from './shaped-batch';

/** Where a file job's shaping module puts a file's rows: validated rows, rejects, and byte-level runs. */
export interface FileShapingSink extends RowEmitter {
  /** Rows of `table` already shaped at the byte level (see RowRun), in their place among the others. */
  run(table: TableDef, run: RowRun): void;
}

/** What a shaping module knows of the run. */
export interface ShapeContext {
  /** `,"run id",extracted at`: what byte-level rows end with before their line end. */
  lineageSuffix: string;
  /** The run's logical date (YYYY-MM-DD): the partition day of tables without a partition column. */
  logicalDate: string;
}

/**
 * What a file job's shaping module exports for `shapeFilesOnThreads` (and the main thread uses
 * alike): reads one local file described by `task`, hands its rows to `out`, yields the number of
 * records read after each chunk, and returns the file's outcome (settled on the main thread, in
 * file order). Must need no lake, no ledger and no log: it runs on any thread.
 */
export type ShapeFile<T, O> = (task: T, out: FileShapingSink, context: ShapeContext) => AsyncGenerator<number, O>;

export interface FileShaperModule {
  shapeFile: ShapeFile<unknown, unknown>;
}

/** A FileShapingSink whose rows and rejects go through `shaper`, and whose byte-level runs go to `run`. */
export function shapingSink(shaper: RowShaper, run: FileShapingSink['run']): FileShapingSink {
  return {
    row: (table, row, origin) => shaper.row(table, row, origin),
    record: (table, record, origin) => shaper.record(table, record, origin),
    text: (table, fields, origin, checks) => shaper.text(table, fields, origin, checks),
    reject: (table, reason, fields, origin, extra) => shaper.reject(table, reason, fields, origin, extra),
    run,
  };
}

/** A FileShapingSink that packs everything into `builder` (then built per chunk into a ShapedBatch). */
export function batchShapingSink(logicalDate: string, builder: ShapedBatchBuilder): FileShapingSink {
  return shapingSink(new RowShaper(logicalDate, (op) => builder.add(op)), (table, run) => builder.addRun(qualifiedName(table), run));
}
