import type { Store } from '../lake/store';
import * as path from 'node:path';
import type { Command } from 'commander';
import { lakeFlag, loadConfig } from '../core/config';
import { csvTable, textTable } from '../core/text-table';
import { configureS3 } from '../connections/s3';
import { openStore } from '../lake/open-store';
import { readRunSettings } from '../runner/run-settings';
import { ALL_TABLES } from '../tables/all-tables';
import { buildWarehouse, queryWarehouse } from '../warehouse/duckdb-warehouse';

export const DEFAULT_WAREHOUSE = 'warehouse.duckdb';

/** Builds the local warehouse from the configured lake (or `lakeUrl`); returns the summary table text. */
/** The lake `--lake` or [lake] url names, S3 configured when it is one. */
export async function openLake(lake: string | undefined, env?: NodeJS.ProcessEnv): Promise<Store> {
  const settings = readRunSettings(loadConfig({ env, flags: lakeFlag(lake) }));
  await configureS3(settings.s3);
  return openStore(settings.lakeUrl);
}

export async function buildLocalWarehouse(options: { lake?: string; db: string; env?: NodeJS.ProcessEnv; kpiTables?: boolean }): Promise<string> {
  const summary = await buildWarehouse({ lake: await openLake(options.lake, options.env), dbPath: options.db, tables: ALL_TABLES, kpis: options.kpiTables ? 'table' : 'view' });
  return textTable(
    ['table', 'files', 'rows'],
    summary.tables.map((t) => [t.table, t.files, t.rows]),
  );
}

export function addWarehouseCommand(program: Command): void {
  const warehouse = program.command('warehouse').description('a local DuckDB warehouse over the lake, running the same model SQL as Snowflake');
  warehouse
    .command('build')
    .description('load every committed lake file into RAW tables and create the ANALYTICS views (rebuilt from scratch)')
    .option('--lake <url>', 'lake folder or s3://bucket/prefix; default [lake] url')
    .option('--db <path>', 'DuckDB file to write', DEFAULT_WAREHOUSE)
    .option('--kpi-tables', 'store the listening KPIs as tables with views over them (as kpi_materialization = dynamic_table does in Snowflake)')
    .action(async (flags: { lake?: string; db: string; kpiTables?: boolean }) => {
      console.log(await buildLocalWarehouse({ lake: flags.lake, db: flags.db, kpiTables: flags.kpiTables }));
      console.log(`warehouse: ${path.resolve(flags.db)}`);
    });
  warehouse
    .command('query')
    .argument('<sql>', 'SQL to run, e.g. "SELECT * FROM ANALYTICS.LISTENING_TOP_GENRES_DAILY"')
    .description('run one query against the local warehouse and print the result')
    .option('--db <path>', 'DuckDB file to read', DEFAULT_WAREHOUSE)
    .option('--csv', 'print CSV instead of a table')
    .action(async (sql: string, flags: { db: string; csv?: boolean }) => {
      const { columns, rows } = await queryWarehouse(flags.db, sql);
      console.log(flags.csv ? csvTable(columns, rows) : textTable(columns, rows));
    });
}
