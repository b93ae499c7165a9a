import { MANIFESTS_PREFIX, zonePrefix } from '../lake/keys';
import { cliCommand } from '../core/cli-name';
import type { SqlRunner } from '../connections/snowflake';
import { PermanentError } from '../core/errors';
import type { RunManifest } from '../run/run-package';
import { qualifiedName, type TableDef } from '../core/table';
import { readCsvHeader } from '../lake/csv-header';
import type { Store } from '../lake/store';
import { LOAD_COLUMNS } from '../sql/column-types';
import { ALL_TABLES } from '../tables/all-tables';
import { pipeDefinition, rowField } from './sql-rows';
import { rawTable, qualifiedPipe } from '../tables/warehouse-names';

export type FileState = 'loaded' | 'pending' | 'failed' | 'row_mismatch' | 'header_mismatch';

export interface FileCheck {
  key: string;
  table: string;
  state: FileState;
  expectedRows: number;
  loadedRows: number | null;
  error: string | null;
}

/** Finds a run's manifest under `_manifests/{job}/{runId}.json`, whatever the job. */
export async function findManifest(lake: Store, runId: string): Promise<RunManifest> {
  const match = (await lake.list(MANIFESTS_PREFIX)).find((o) => o.key.endsWith(`/${runId}.json`));
  if (!match) throw new PermanentError(`no manifest for run ${runId} under ${lake.describe(MANIFESTS_PREFIX)}; was the run committed?`);
  const text = await lake.readText(match.key);
  return JSON.parse(text ?? '{}') as RunManifest;
}

/**
 * The file layout the table's pipe loads now: the column list of its COPY (by position) without
 * the load columns. ALTER TABLE appends columns at the end, so the table's own order says nothing.
 */
async function pipeLayout(runner: SqlRunner, table: TableDef): Promise<string[]> {
  const load = LOAD_COLUMNS.map((c) => c.name.toUpperCase());
  const definition = await pipeDefinition(runner, table);
  const columns = /COPY INTO [A-Za-z0-9_$.]+\s*\(([^)]*)\)/i.exec(definition);
  if (!columns) throw new PermanentError(`DESC PIPE ${qualifiedPipe(table)} shows no COPY INTO column list: ${definition.slice(0, 200)}`);
  return columns[1].split(',').map((name) => name.trim().toUpperCase()).filter((name) => !load.includes(name));
}

/** A run's raw files per table (a table this version does not know is an error). */
function rawFilesByTable(manifest: RunManifest): [TableDef, RunManifest['files']][] {
  const byTable = new Map<string, RunManifest['files']>();
  for (const file of manifest.files.filter((f) => f.zone === 'raw')) byTable.set(file.table, [...(byTable.get(file.table) ?? []), file]);
  return [...byTable].map(([qualified, files]) => {
    const table = ALL_TABLES.find((t) => qualifiedName(t) === qualified);
    if (!table) throw new PermanentError(`manifest names table ${qualified}, which this version of soundlake does not know`);
    return [table, files];
  });
}

/**
 * Each raw file of the run whose header is not the layout its pipe loads (a file laid out for
 * another version of the table, which the pipe refuses), with what to run. Read once per verify:
 * headers do not change while it waits.
 */
export async function layoutMismatches(runner: SqlRunner, manifest: RunManifest, lake: Store): Promise<Map<string, string>> {
  const mismatches = new Map<string, string>();
  for (const [table, files] of rawFilesByTable(manifest)) {
    const layout = await pipeLayout(runner, table);
    for (const file of files) {
      const header = (await readCsvHeader(await lake.read(file.key), lake.describe(file.key))).map((name) => name.toUpperCase());
      if (header.join(',') !== layout.join(',')) {
        mismatches.set(
          file.key,
          `the file's columns (${header.join(', ')}) are not the ones ${qualifiedPipe(table)} loads (${layout.join(', ')}): run ${cliCommand('snowflake migrate --since <when this layout was deployed>')}`,
        );
      }
    }
  }
  return mismatches;
}

/**
 * Reconciles a run's raw files with COPY_HISTORY: each is loaded (with the manifest's row count),
 * pending (not in the history yet), failed (Snowflake's first error), or loaded with other rows;
 * a file in `mismatches` (see layoutMismatches) is header_mismatch.
 */
export async function verifyRun(runner: SqlRunner, manifest: RunManifest, mismatches: ReadonlyMap<string, string> = new Map()): Promise<FileCheck[]> {
  const checks: FileCheck[] = [];
  for (const [table, tableFiles] of rawFilesByTable(manifest)) {
    const qualified = qualifiedName(table);
    const history = await runner.query(
      `SELECT FILE_NAME, STATUS, ROW_COUNT, FIRST_ERROR_MESSAGE, LAST_LOAD_TIME FROM TABLE(INFORMATION_SCHEMA.COPY_HISTORY(` +
        `TABLE_NAME => '${rawTable(table)}', START_TIME => DATEADD(DAY, -14, CURRENT_TIMESTAMP()))) ORDER BY LAST_LOAD_TIME`,
    );
    for (const file of tableFiles) {
      // FILE_NAME is the path under the stage on raw/; take the latest attempt for the file.
      const stagePath = file.key.slice(zonePrefix('raw').length);
      const attempts = history.filter((row) => String(rowField(row, 'FILE_NAME')).endsWith(stagePath));
      const last = attempts[attempts.length - 1];
      const base = { key: file.key, table: qualified, expectedRows: file.rows };
      const mismatch = mismatches.get(file.key);
      if (mismatch !== undefined) {
        checks.push({ ...base, state: 'header_mismatch', loadedRows: null, error: mismatch });
        continue;
      }
      if (!last) {
        checks.push({ ...base, state: 'pending', loadedRows: null, error: null });
        continue;
      }
      const status = String(rowField(last, 'STATUS'));
      const loadedRows = rowField(last, 'ROW_COUNT') === null || rowField(last, 'ROW_COUNT') === undefined ? null : Number(rowField(last, 'ROW_COUNT'));
      if (status.toLowerCase() !== 'loaded') {
        checks.push({ ...base, state: 'failed', loadedRows, error: `${status}: ${String(rowField(last, 'FIRST_ERROR_MESSAGE') ?? 'no error message')}` });
      } else if (loadedRows !== file.rows) {
        checks.push({ ...base, state: 'row_mismatch', loadedRows, error: null });
      } else {
        checks.push({ ...base, state: 'loaded', loadedRows, error: null });
      }
    }
  }
  return checks;
}
