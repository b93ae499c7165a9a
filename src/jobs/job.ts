import type { Config } from '../core/config';
import type { ColumnChecks } from '../core/row-validation';
import type { Row, TableDef } from '../core/table';
import type { RunContext } from '../run/run-context';

/** Where a row came from: an input name (file key, endpoint) and, for files, the line. */
export interface Origin {
  input: string;
  line?: number;
}

/** What a transform hands its output to. */
export interface RowEmitter {
  /** A typed row in the table's column order; validated against the table definition. */
  row(table: TableDef, row: Row, origin: Origin): void;
  /**
   * Text fields in the table's column order (from a file): parsed and validated by the column
   * types and `checks`; a field that fails makes the row a reject.
   */
  text(table: TableDef, fields: readonly (string | undefined)[], origin: Origin, checks?: ColumnChecks): void;
  /**
   * A row that cannot be loaded: kept in rejects/ with the reason, its fields as read (in the table's
   * column order) and any fields beyond the expected ones.
   */
  reject(table: TableDef, reason: string, fields: readonly (string | undefined)[], origin: Origin, extraFields?: readonly string[]): void;
}

/**
 * A job is data, not a subclass: the runner composes these parts; only the lake knows about S3.
 * `C` is the job's parsed settings, `R` its raw record.
 */
export interface Job<C, R> {
  name: string;
  /** One line for `soundlake jobs`. */
  description: string;
  tables: readonly TableDef[];
  /** Reads and validates every setting the job needs; throws ConfigError before any I/O. */
  parseConfig(config: Config): C;
  /**
   * Raw records in batches (one batch per chunk read, so the runner awaits per chunk, not per row).
   * Counts rows read per input in `ctx.inputs`; housekeeping for after the commit (archiving
   * inputs, saving a session) goes to `ctx.onCommitted`.
   */
  extract(config: C, ctx: RunContext): AsyncIterable<readonly R[]>;
  /** Pure and synchronous: one raw record → rows and rejects. */
  transform(record: R, emit: RowEmitter, ctx: RunContext): void;
}
