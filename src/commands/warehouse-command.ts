import * as path from 'node:path';
import type { Command } from 'commander';
import { csvTable, textTable } from '../core/text-table';
import { queryWarehouse } from '../warehouse/duckdb-warehouse';
import { buildLocalWarehouse, DEFAULT_WAREHOUSE } from './local-lake';

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
