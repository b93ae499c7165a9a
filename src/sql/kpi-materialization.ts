import { splitStatements } from './split-statements';
import { ANALYTICS_SCHEMA, analyticsObject, storedKpi } from '../tables/warehouse-names';

/**
 * The listening KPIs recompute over all raw history on every query when they are views. They can
 * instead be materialized from the same model SQL: as Snowflake dynamic tables (refreshed
 * incrementally within a target lag) or, locally, as DuckDB tables. Each KPI is then stored as
 * `{NAME}_DT` and `{NAME}` stays a view over it, so queries and Looker never change, and setup can
 * switch either way with `CREATE OR REPLACE` of the same kinds of object (never a view replaced by a
 * table). The deduplicating views stay views.
 */
export const KPI_VIEWS = ['LISTENING_GENRE_DAILY', 'LISTENING_TOP_SONGS_DAILY', 'LISTENING_TOP_GENRES_DAILY'] as const;

export type KpiMaterialization = 'view' | 'dynamic_table' | 'table';

/**
 * The model SQL with each KPI view stored: `CREATE OR REPLACE TABLE ANALYTICS.{NAME}_DT AS <select>`
 * (DuckDB) or `CREATE OR REPLACE DYNAMIC TABLE … TARGET_LAG = '${KPI_TARGET_LAG}' WAREHOUSE =
 * ${WAREHOUSE} AS <select>` (Snowflake; setup fills the variables), each followed by the view
 * `{NAME}` over it. The SELECT is untouched: one model, two forms.
 */
export function materializeKpis(sql: string, mode: KpiMaterialization): string {
  if (mode === 'view') return sql;
  const found = new Set<string>();
  const statements = splitStatements(sql).flatMap((statement) => {
    const m = /CREATE OR REPLACE VIEW ANALYTICS\.([A-Z_]+) AS/.exec(statement);
    const name = m?.[1];
    if (!name || !(KPI_VIEWS as readonly string[]).includes(name)) return [statement];
    found.add(name);
    const header =
      mode === 'table'
        ? `CREATE OR REPLACE TABLE ${analyticsObject(storedKpi(name))} AS`
        : `CREATE OR REPLACE DYNAMIC TABLE ${analyticsObject(storedKpi(name))}\n  TARGET_LAG = '\${KPI_TARGET_LAG}'\n  WAREHOUSE = \${WAREHOUSE}\n  REFRESH_MODE = AUTO\nAS`;
    return [statement.replace(m[0], header), `CREATE OR REPLACE VIEW ${analyticsObject(name)} AS SELECT * FROM ${analyticsObject(storedKpi(name))}`];
  });
  const missing = KPI_VIEWS.filter((name) => !found.has(name));
  if (missing.length > 0) throw new Error(`the model SQL has no view ${ANALYTICS_SCHEMA}.${missing.join(', ')} to materialize`);
  return `${statements.join(';\n\n')};\n`;
}
