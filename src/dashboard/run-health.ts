import { MANIFESTS_PREFIX } from '../lake/keys';
import { parseManifest } from '../run/run-package';
import type { Store } from '../lake/store';

/** A job's last committed run, as the dashboard page shows it beside the data. */
export interface JobHealth {
  job: string;
  runs: number;
  lastRunId: string;
  committedAt: string;
  rowsOut: number;
  rowsRejected: number;
  inputsInError: number;
}

/**
 * The last committed run of each job, from the manifests in `_manifests/{job}/`. Generated run ids
 * start with their UTC start time, so the greatest key is the latest run; its manifest is read.
 */
export async function runHealth(lake: Store): Promise<JobHealth[]> {
  const byJob = new Map<string, string[]>();
  for (const object of await lake.list(MANIFESTS_PREFIX)) {
    const [, job, file] = object.key.split('/');
    if (!file?.endsWith('.json')) continue;
    const keys = byJob.get(job) ?? [];
    keys.push(object.key);
    byJob.set(job, keys);
  }
  const health: JobHealth[] = [];
  for (const [job, keys] of [...byJob.entries()].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const latest = keys.sort().at(-1)!;
    const manifest = parseManifest((await lake.readText(latest)) ?? '', lake.describe(latest));
    health.push({
      job,
      runs: keys.length,
      lastRunId: manifest.run_id,
      committedAt: manifest.committed_at ?? manifest.packaged_at,
      rowsOut: manifest.totals.rows_out,
      rowsRejected: manifest.totals.rows_rejected,
      inputsInError: manifest.outcome.inputs_in_error,
    });
  }
  return health;
}
