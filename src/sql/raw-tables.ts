import { csvColumns, type TableDef } from '../core/table';
import { DUCKDB_TYPES, LOAD_COLUMNS, SNOWFLAKE_TYPES } from './column-types';
import { rawTable } from '../tables/warehouse-names';

export type Dialect = 'snowflake' | 'duckdb';

/** Columns of a raw table: the CSV columns (table + _run_id, _extracted_at), then the load columns. */
export function rawColumns(table: TableDef, dialect: Dialect): { name: string; type: string; notNull: boolean }[] {
  const types = dialect === 'snowflake' ? SNOWFLAKE_TYPES : DUCKDB_TYPES;
  return [
    ...csvColumns(table).map((c) => ({ name: c.name.toUpperCase(), type: types[c.type], notNull: !c.nullable })),
    ...LOAD_COLUMNS.map((c) => ({ name: c.name.toUpperCase(), type: c[dialect], notNull: false })),
  ];
}

export function createRawTable(table: TableDef, dialect: Dialect): string {
  const columns = rawColumns(table, dialect)
    .map((c) => `  ${c.name} ${c.type}${c.notNull ? ' NOT NULL' : ''}`)
    .join(',\n');
  const comment = dialect === 'snowflake' ? `\nCOMMENT = '${table.description.replace(/'/g, "''")}'` : '';
  return `CREATE TABLE IF NOT EXISTS ${rawTable(table)} (\n${columns}\n)${comment};`;
}
