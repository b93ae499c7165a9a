import { cliCommand } from '../core/cli-name';
import * as fs from 'node:fs';
import * as fsp from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { DuckDBConnection } from '@duckdb/node-api';
import { dataFilePattern, zonePrefix } from '../lake/keys';
import { materializeKpis } from '../sql/kpi-materialization';
import { PermanentError, messageOf } from '../core/errors';
import type { Logger } from '../core/log';
import { csvColumns, qualifiedName, type Column, type TableDef } from '../core/table';
import { LocalStore } from '../lake/local-store';
import { readCsvHeader } from '../lake/csv-header';
import type { Store } from '../lake/store';
import { DUCKDB_TYPES } from '../sql/column-types';
import { modelScript } from '../sql/model-statements';
import { createRawTable } from '../sql/raw-tables';
import { splitStatements } from '../sql/split-statements';
import { RAW_SCHEMA, ANALYTICS_SCHEMA, rawTableName, rawTable } from '../tables/warehouse-names';

const sqlString = (text: string) => `'${text.replace(/'/g, "''")}'`;

/** Loaded on first use: a native module the jobs never need, kept out of every CLI start. */
const duckdb = () => (require('@duckdb/node-api') as typeof import('@duckdb/node-api')).DuckDBInstance;

/**
 * Same options as the Snowflake file format (see sql/snowflake/10_storage.sql), with the columns the
 * file's header names, typed from the table definition.
 */
function readCsv(file: string, columnsInFile: readonly Column[]): string {
  const columns = columnsInFile.map((c) => `${sqlString(c.name.toUpperCase())}: ${sqlString(DUCKDB_TYPES[c.type])}`).join(', ');
  return (
    `read_csv(${sqlString(file)}, header = true, delim = ',', quote = '"', escape = '"', nullstr = '', ` +
    `allow_quoted_nulls = false, auto_detect = false, strict_mode = true, compression = 'gzip', hive_partitioning = false, ` +
    `columns = {${columns}})`
  );
}

export interface WarehouseSummary {
  tables: { table: string; files: number; rows: number }[];
}

/** A committed data file's key under raw/ for this table (never _staging/, never rejects/). */
function isCommittedDataFile(key: string, table: TableDef): boolean {
  return new RegExp(`^raw/${dataFilePattern(table.source, table.name)}$`).test(key);
}

/**
 * Builds a DuckDB file from the lake: every committed file into RAW.{SOURCE}_{TABLE} with the
 * lineage columns Snowpipe would fill (_file_name relative to the stage on raw/, _file_row,
 * _loaded_at), then the same model SQL as Snowflake. Rebuilt from scratch each time.
 */
export async function buildWarehouse(options: {
  lake: Store;
  dbPath: string;
  tables: readonly TableDef[];
  log?: Logger;
  /** The listening KPIs as views (default) or materialized as tables, as Snowflake's dynamic tables are. */
  kpis?: 'view' | 'table';
}): Promise<WarehouseSummary> {
  const { lake, dbPath, tables, log } = options;
  await fsp.rm(dbPath, { force: true });
  await fsp.rm(`${dbPath}.wal`, { force: true });
  await fsp.mkdir(path.dirname(path.resolve(dbPath)), { recursive: true });
  const instance = await duckdb().create(dbPath);
  const connection = await instance.connect();
  const downloads = fs.mkdtempSync(path.join(os.tmpdir(), 'soundlake-warehouse-'));
  try {
    await connection.run(`CREATE SCHEMA IF NOT EXISTS ${RAW_SCHEMA}`);
    await connection.run(`CREATE SCHEMA IF NOT EXISTS ${ANALYTICS_SCHEMA}`);
    const keys = (await lake.list(zonePrefix('raw'))).map((o) => o.key);
    const summary: WarehouseSummary = { tables: [] };
    for (const table of tables) {
      await connection.run(createRawTable(table, 'duckdb'));
      const files = keys.filter((key) => isCommittedDataFile(key, table));
      let rows = 0;
      for (const key of files) rows += await loadFile(connection, lake, key, table, downloads);
      summary.tables.push({ table: `${rawTable(table)}`, files: files.length, rows });
      log?.debug('loaded', { table: rawTableName(table), files: files.length, rows });
    }
    for (const statement of splitStatements(materializeKpis(modelScript(tables), options.kpis ?? 'view'))) {
      try {
        await connection.run(statement);
      } catch (error) {
        throw new PermanentError(`model SQL failed on DuckDB: ${messageOf(error)}\n${statement}`);
      }
    }
    return summary;
  } finally {
    connection.closeSync();
    instance.closeSync();
    fs.rmSync(downloads, { recursive: true, force: true });
  }
}

async function loadFile(connection: DuckDBConnection, lake: Store, key: string, table: TableDef, downloads: string): Promise<number> {
  let local: string;
  if (lake instanceof LocalStore) {
    local = lake.describe(key);
  } else {
    local = path.join(downloads, key.replace(/\//g, '__'));
    await pipeline(await lake.read(key), fs.createWriteStream(local));
  }
  const fileName = key.slice(zonePrefix('raw').length); // METADATA$FILENAME: the path under the stage on raw/
  // By the header's names, not by position: a file written before the table gained a column loads
  // with NULL there, as its rows stay in Snowflake after `snowflake migrate`. A column the
  // definition does not know is an error, never a shift.
  const header = await readCsvHeader(fs.createReadStream(local), lake.describe(key));
  const known = csvColumns(table);
  const inFile = header.map((name) => {
    const column = known.find((c) => c.name === name);
    if (!column) throw new PermanentError(`${lake.describe(key)} has column "${name}", which table ${qualifiedName(table)} does not define (its columns: ${known.map((c) => c.name).join(', ')})`);
    return column;
  });
  const names = inFile.map((c) => c.name.toUpperCase());
  // DuckDB answers an INSERT with one row: the number of rows inserted.
  const inserted = await connection.runAndReadAll(
    `INSERT INTO ${rawTable(table)} (${[...names, '_FILE_NAME', '_FILE_ROW', '_LOADED_AT'].join(', ')}) ` +
      `SELECT ${names.join(', ')}, ${sqlString(fileName)}, ROW_NUMBER() OVER (), current_timestamp FROM ${readCsv(local, inFile)}`,
  );
  return Number(inserted.getRowsJS()[0][0]);
}

/** Runs one query against a warehouse file; values as JS (bigint, Date…). */
export async function queryWarehouse(dbPath: string, sql: string): Promise<{ columns: string[]; rows: unknown[][] }> {
  if (!fs.existsSync(dbPath)) throw new PermanentError(`no warehouse at ${dbPath}; build one with ${cliCommand('warehouse build')}`);
  const instance = await duckdb().create(dbPath, { access_mode: 'READ_ONLY' });
  const connection = await instance.connect();
  try {
    const reader = await connection.runAndReadAll(sql);
    return { columns: reader.columnNames(), rows: reader.getRowsJS() };
  } catch (error) {
    throw new PermanentError(`query failed: ${messageOf(error)}`);
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}
