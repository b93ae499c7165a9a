import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { LocalStore } from '../lake/local-store';
import { ALL_TABLES } from '../tables/all-tables';
import { ANALYTICS_SCHEMA } from '../tables/warehouse-names';
import { buildWarehouse, queryWarehouse } from '../warehouse/duckdb-warehouse';

export interface AnalyticsColumn {
  name: string;
  /** DuckDB's type name: VARCHAR, BIGINT, DOUBLE, BOOLEAN, DATE, TIMESTAMP, TIMESTAMP WITH TIME ZONE… */
  type: string;
}

/**
 * Every ANALYTICS view with its columns, as the model SQL defines them: the same SQL Snowflake runs
 * is run on an empty local DuckDB warehouse and the views are described there. Deterministic, and
 * no Snowflake account needed.
 */
export async function describeAnalytics(): Promise<Map<string, AnalyticsColumn[]>> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'soundlake-looker-'));
  try {
    const db = path.join(dir, 'describe.duckdb');
    await buildWarehouse({ lake: new LocalStore(path.join(dir, 'empty-lake')), dbPath: db, tables: ALL_TABLES });
    const { rows } = await queryWarehouse(
      db,
      `SELECT table_name, column_name, data_type FROM information_schema.columns WHERE table_schema = '${ANALYTICS_SCHEMA}' ORDER BY table_name, ordinal_position`,
    );
    const views = new Map<string, AnalyticsColumn[]>();
    for (const [table, name, type] of rows as [string, string, string][]) {
      views.set(table, [...(views.get(table) ?? []), { name, type }]);
    }
    return views;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
