import type { Store } from '../lake/store';
import { lakeFlag, loadConfig } from '../core/config';
import { textTable } from '../core/text-table';
import { configureS3 } from '../connections/s3';
import { openStore } from '../lake/open-store';
import { readRunSettings } from '../runner/run-settings';
import { ALL_TABLES } from '../tables/all-tables';
import { buildWarehouse } from '../warehouse/duckdb-warehouse';

/** What the local commands (warehouse, dashboard, demo) share: the lake they read and their default places. */

/** Default folder of the dashboard page. */
export const DEFAULT_DASHBOARD_DIR = 'dashboard';
export const DEFAULT_WAREHOUSE = 'warehouse.duckdb';

/** The lake `--lake` or [lake] url names, S3 configured when it is one. */
export async function openLake(lake: string | undefined, env?: NodeJS.ProcessEnv): Promise<Store> {
  const settings = readRunSettings(loadConfig({ env, flags: lakeFlag(lake) }));
  await configureS3(settings.s3);
  return openStore(settings.lakeUrl);
}

/** Builds the local warehouse from the configured lake (or `lake`); returns the summary table text. */
export async function buildLocalWarehouse(options: { lake?: string; db: string; env?: NodeJS.ProcessEnv; kpiTables?: boolean }): Promise<string> {
  const summary = await buildWarehouse({ lake: await openLake(options.lake, options.env), dbPath: options.db, tables: ALL_TABLES, kpis: options.kpiTables ? 'table' : 'view' });
  return textTable(
    ['table', 'files', 'rows'],
    summary.tables.map((t) => [t.table, t.files, t.rows]),
  );
}

