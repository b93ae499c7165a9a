import type { ColumnChecks } from '../core/row-validation';
import type { RecordOf, Row, TableDef } from '../core/table';

/** Where a row came from: an input name (file key, endpoint) and, for files, the line. */
export interface Origin {
  input: string;
  line?: number;
}

/** What a transform hands its output to. */
export interface RowEmitter {
  /** A typed row in the table's column order; validated against the table definition. */
  row(table: TableDef, row: Row, origin: Origin): void;
  /** A row keyed by column name, typed from the table definition (preferred: no column can be swapped). */
  record<T extends TableDef>(table: T, record: RecordOf<T>, origin: Origin): void;
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
