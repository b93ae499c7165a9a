import type { SqlRow, SqlRunner } from '../connections/snowflake';
import type { TableDef } from '../core/table';
import { qualifiedPipe } from '../tables/warehouse-names';

/** A column of a result row, whatever case the driver gave its name (SHOW/DESC use lower case). */
export const rowField = (row: SqlRow, name: string): unknown => row[name] ?? row[name.toUpperCase()] ?? row[name.toLowerCase()];

/** The first column of a row (single-value queries such as SYSTEM$ functions). */
export const firstValue = (row: SqlRow | undefined): unknown => (row ? Object.values(row)[0] : undefined);

/** A table's pipe's COPY statement as Snowflake holds it (DESC PIPE … definition); '' when it shows none. */
export async function pipeDefinition(runner: SqlRunner, table: TableDef): Promise<string> {
  const [row] = await runner.query(`DESC PIPE ${qualifiedPipe(table)}`);
  return String((row && rowField(row, 'definition')) ?? '');
}
