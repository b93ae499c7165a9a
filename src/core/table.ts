/**
 * Table definitions: the single source of truth for a lake table's columns and types. From one
 * definition come the CSV header and column order, row validation, and (generated elsewhere) the
 * Snowflake raw table, its pipe, its deduplicating view and the DuckDB load.
 */

export type ColumnType = 'string' | 'integer' | 'number' | 'boolean' | 'timestamp' | 'date' | 'json';

export interface Column<N extends string = string, T extends ColumnType = ColumnType, Nl extends boolean = boolean> {
  name: N;
  type: T;
  nullable: Nl;
  description: string;
}

/** A typed value as rows carry it: timestamps are normalised UTC ISO-8601 strings, dates YYYY-MM-DD. */
export type Value = string | number | boolean | null;
/** A row's values in the table's column order (lineage columns are added by the writer). */
export type Row = Value[];

/**
 * A table; `C` keeps each column's name, type and nullability as types, so a record for the table
 * (`RecordOf<typeof table>`) is checked by the compiler: every column by name, no other key, each
 * value of its column's type.
 */
export interface TableDef<C extends readonly Column[] = readonly Column[]> {
  /** Source folder in the lake: raw/{source}/{table}/… */
  source: string;
  name: string;
  description: string;
  columns: C;
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

/** A column; nullable unless `false` is passed. */
export function col<N extends string, T extends ColumnType, Nl extends boolean = true>(name: N, type: T, description: string, nullable?: Nl): Column<N, T, Nl> {
  return { name, type, nullable: (nullable ?? true) as Nl, description };
}

type ValueOfType<T extends ColumnType> = T extends 'integer' | 'number' ? number : T extends 'boolean' ? boolean : string;
type ColumnValue<C extends Column> = ValueOfType<C['type']> | (C['nullable'] extends false ? never : null);

/** A row of a table keyed by column name, each value typed from its column. */
export type RecordOf<T extends TableDef> = { [C in T['columns'][number] as C['name']]: ColumnValue<C> };

/** A row as text, keyed by column name (from a file: parsed and validated by column type). */
export type TextRecordOf<T extends TableDef> = { [C in T['columns'][number] as C['name']]: string | undefined };

/** A text record → its fields in the table's column order. */
export function textFieldsOf<T extends TableDef>(table: T, record: TextRecordOf<T>): (string | undefined)[] {
  const values = record as Record<string, string | undefined>;
  return table.columns.map((c) => values[c.name]);
}

/** A record → the row in the table's column order. */
export function rowOf<T extends TableDef>(table: T, record: RecordOf<T>): Row {
  const values = record as Record<string, Value>;
  return table.columns.map((c) => values[c.name]);
}

export function defineTable<const C extends readonly Column[]>(def: Omit<TableDef<C>, 'dedupeWithinRun'> & { dedupeWithinRun?: boolean }): TableDef<C> {
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
