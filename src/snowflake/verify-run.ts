import type { SqlRow, SqlRunner } from '../connections/snowflake';
import { PermanentError } from '../core/errors';
import type { RunManifest } from '../lake/manifest';
import type { TableDef } from '../core/table';
import { readCsvHeader } from '../lake/csv-header';
import type { Store } from '../lake/store';
import { LOAD_COLUMNS } from '../sql/column-types';
import { pipeName } from '../sql/pipes';
import { ALL_TABLES, rawTableName } from '../tables/all-tables';

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
  const match = (await lake.list('_manifests/')).find((o) => o.key.endsWith(`/${runId}.json`));
  if (!match) throw new PermanentError(`no manifest for run ${runId} under ${lake.describe('_manifests/')}; was the run committed?`);
  const text = await lake.readText(match.key);
  return JSON.parse(text ?? '{}') as RunManifest;
}

const field = (row: SqlRow, name: string): unknown => row[name] ?? row[name.toLowerCase()];

/**
 * The file layout the table's pipe loads now: the column list of its COPY (by position) without
 * the load columns. ALTER TABLE appends columns at the end, so the table's own order says nothing.
 */
async function pipeLayout(runner: SqlRunner, table: TableDef): Promise<string[]> {
  const load = LOAD_COLUMNS.map((c) => c.name.toUpperCase());
  const definition = String(field((await runner.query(`DESC PIPE RAW.${pipeName(table)}`))[0] ?? {}, 'definition') ?? '');
  const columns = /COPY INTO [A-Za-z0-9_$.]+\s*\(([^)]*)\)/i.exec(definition);
  if (!columns) throw new PermanentError(`DESC PIPE RAW.${pipeName(table)} shows no COPY INTO column list: ${definition.slice(0, 200)}`);
  return columns[1].split(',').map((name) => name.trim().toUpperCase()).filter((name) => !load.includes(name));
}

/**
 * Reconciles a run's raw files with COPY_HISTORY: each is loaded (with the manifest's row count),
 * pending (not in the history yet), failed (Snowflake's first error), or loaded with other rows.
 * With the lake at hand, each file's header is first compared with the columns its pipe loads: a file laid out for another version of the table (the pipe refuses it) is
 * header_mismatch, with what to run.
 */
export async function verifyRun(runner: SqlRunner, manifest: RunManifest, lake?: Store): Promise<FileCheck[]> {
  const files = manifest.files.filter((f) => f.zone === 'raw');
  const checks: FileCheck[] = [];
  const byTable = new Map<string, typeof files>();
  for (const file of files) byTable.set(file.table, [...(byTable.get(file.table) ?? []), file]);
  for (const [qualified, tableFiles] of byTable) {
    const table = ALL_TABLES.find((t) => `${t.source}/${t.name}` === qualified);
    if (!table) throw new PermanentError(`manifest names table ${qualified}, which this version of soundlake does not know`);
    const layout = lake ? await pipeLayout(runner, table) : undefined;
    const history = await runner.query(
      `SELECT FILE_NAME, STATUS, ROW_COUNT, FIRST_ERROR_MESSAGE, LAST_LOAD_TIME FROM TABLE(INFORMATION_SCHEMA.COPY_HISTORY(` +
        `TABLE_NAME => 'RAW.${rawTableName(table)}', START_TIME => DATEADD(DAY, -14, CURRENT_TIMESTAMP()))) ORDER BY LAST_LOAD_TIME`,
    );
    for (const file of tableFiles) {
      // FILE_NAME is the path under the stage on raw/; take the latest attempt for the file.
      const stagePath = file.key.slice('raw/'.length);
      const attempts = history.filter((row) => String(field(row, 'FILE_NAME')).endsWith(stagePath));
      const last = attempts[attempts.length - 1];
      const base = { key: file.key, table: qualified, expectedRows: file.rows };
      if (lake && layout) {
        const header = (await readCsvHeader(await lake.read(file.key), lake.describe(file.key))).map((name) => name.toUpperCase());
        if (header.join(',') !== layout.join(',')) {
          checks.push({
            ...base,
            state: 'header_mismatch',
            loadedRows: null,
            error: `the file's columns (${header.join(', ')}) are not the ones RAW.${pipeName(table)} loads (${layout.join(', ')}): run \`soundlake snowflake migrate --since <when this layout was deployed>\``,
          });
          continue;
        }
      }
      if (!last) {
        checks.push({ ...base, state: 'pending', loadedRows: null, error: null });
        continue;
      }
      const status = String(field(last, 'STATUS'));
      const loadedRows = field(last, 'ROW_COUNT') === null || field(last, 'ROW_COUNT') === undefined ? null : Number(field(last, 'ROW_COUNT'));
      if (status.toLowerCase() !== 'loaded') {
        checks.push({ ...base, state: 'failed', loadedRows, error: `${status}: ${String(field(last, 'FIRST_ERROR_MESSAGE') ?? 'no error message')}` });
      } else if (loadedRows !== file.rows) {
        checks.push({ ...base, state: 'row_mismatch', loadedRows, error: null });
      } else {
        checks.push({ ...base, state: 'loaded', loadedRows, error: null });
      }
    }
  }
  return checks;
}
