import type { SqlRow, SqlRunner } from '../connections/snowflake';
import { PermanentError } from '../core/errors';
import type { RunManifest } from '../lake/manifest';
import type { Store } from '../lake/store';
import { ALL_TABLES, rawTableName } from '../tables/all-tables';

export type FileState = 'loaded' | 'pending' | 'failed' | 'row_mismatch';

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
 * Reconciles a run's raw files with COPY_HISTORY: each is loaded (with the manifest's row count),
 * pending (not in the history yet), failed (Snowflake's first error), or loaded with other rows.
 */
export async function verifyRun(runner: SqlRunner, manifest: RunManifest): Promise<FileCheck[]> {
  const files = manifest.files.filter((f) => f.zone === 'raw');
  const checks: FileCheck[] = [];
  const byTable = new Map<string, typeof files>();
  for (const file of files) byTable.set(file.table, [...(byTable.get(file.table) ?? []), file]);
  for (const [qualified, tableFiles] of byTable) {
    const table = ALL_TABLES.find((t) => `${t.source}/${t.name}` === qualified);
    if (!table) throw new PermanentError(`manifest names table ${qualified}, which this version of soundlake does not know`);
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
