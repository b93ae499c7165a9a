/**
 * Table definitions: the single source of truth for a lake table's columns and types. From one
 * definition come the CSV header and column order, row validation, and (generated elsewhere) the
 * Snowflake raw table, its pipe, its deduplicating view and the DuckDB load.
 */

export type ColumnType = 'string' | 'integer' | 'number' | 'boolean' | 'timestamp' | 'date' | 'json';

export interface Column {
  name: string;
  type: ColumnType;
  nullable: boolean;
  description: string;
}

/** A typed value as rows carry it: timestamps are normalised UTC ISO-8601 strings, dates YYYY-MM-DD. */
export type Value = string | number | boolean | null;
/** A row's values in the table's column order (lineage columns are added by the writer). */
export type Row = Value[];

export interface TableDef {
  /** Source folder in the lake: raw/{source}/{table}/… */
  source: string;
  name: string;
  description: string;
  columns: readonly Column[];
  /** Columns that identify a row (NULL is a value here); the warehouse views keep the latest row per key. */
  primaryKey: readonly string[];
  /** A timestamp or date column whose day partitions the files; null: the run's logical date. */
  partitionBy: string | null;
  /** Keep only the last row per primary key within one run (memory grows with distinct keys). */
  dedupeWithinRun: boolean;
}

/** Added to every row of every table, in this order, after the table's own columns. */
export const LINEAGE_COLUMNS: readonly Column[] = [
  { name: '_run_id', type: 'string', nullable: false, description: 'Run that wrote the row.' },
  { name: '_extracted_at', type: 'timestamp', nullable: false, description: 'When that run started (UTC).' },
];

export const col = (name: string, type: ColumnType, description: string, nullable = true): Column => ({
  name,
  type,
  nullable,
  description,
});

export function defineTable(def: Omit<TableDef, 'dedupeWithinRun'> & { dedupeWithinRun?: boolean }): TableDef {
  const names = new Set(def.columns.map((c) => c.name));
  if (names.size !== def.columns.length) throw new Error(`table ${def.name}: duplicate column names`);
  for (const key of def.primaryKey) {
    const column = def.columns.find((c) => c.name === key);
    // A nullable key column is allowed: NULL counts as one value when rows are deduplicated.
    if (!column) throw new Error(`table ${def.name}: primary key column ${key} is not a column`);
  }
  if (def.partitionBy !== null) {
    const column = def.columns.find((c) => c.name === def.partitionBy);
    if (!column || (column.type !== 'timestamp' && column.type !== 'date') || column.nullable) {
      throw new Error(`table ${def.name}: partition column must be a NOT NULL timestamp or date column`);
    }
  }
  return { ...def, dedupeWithinRun: def.dedupeWithinRun ?? false };
}

/** The CSV header: the table's columns, then the lineage columns. */
export function csvColumns(table: TableDef): readonly Column[] {
  return [...table.columns, ...LINEAGE_COLUMNS];
}

export function columnIndex(table: TableDef, name: string): number {
  const index = table.columns.findIndex((c) => c.name === name);
  if (index < 0) throw new Error(`table ${table.name} has no column ${name}`);
  return index;
}

export const qualifiedName = (table: TableDef) => `${table.source}/${table.name}`;

/**
 * The rejects table of a table: the input's values as text (they failed to parse, so they keep no
 * type), where they came from, and why they were rejected. Loses nothing: fields beyond the header
 * go to `_extra_fields` as a JSON array.
 */
export function rejectsTable(table: TableDef): TableDef {
  return {
    source: table.source,
    name: table.name,
    description: `Rows of ${table.name} that failed validation, as read.`,
    columns: [
      col('_reject_reason', 'string', 'Why the row was rejected.', false),
      col('_source_file', 'string', 'Input the row came from.'),
      col('_source_line', 'integer', 'Line of the input where the row starts.'),
      ...table.columns.map((c) => col(c.name, 'string', c.description)),
      col('_extra_fields', 'json', 'Fields beyond the header, as a JSON array.'),
    ],
    primaryKey: [],
    partitionBy: null,
    dedupeWithinRun: false,
  };
}
