import type { TableDef } from '../core/table';
import { rawTable, viewName, analyticsObject } from '../tables/warehouse-names';

/**
 * ANALYTICS.{TABLE}: the latest row per primary key across all loads (raw tables are append-only).
 * Portable: Snowflake and DuckDB both run it.
 */
export function dedupView(table: TableDef): string {
  const key = table.primaryKey.map((k) => k.toUpperCase()).join(', ');
  return [
    `CREATE OR REPLACE VIEW ${analyticsObject(viewName(table))} AS`,
    `SELECT * FROM ${rawTable(table)}`,
    `QUALIFY ROW_NUMBER() OVER (PARTITION BY ${key} ORDER BY _EXTRACTED_AT DESC, _FILE_NAME DESC, _FILE_ROW DESC) = 1;`,
  ].join('\n');
}
