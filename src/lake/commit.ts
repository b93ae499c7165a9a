import { TaskPool } from '../core/task-pool';
import { stagingKey, stagingPrefix } from './keys';
import type { Store } from './store';

/**
 * Moves a run's staged files to their final keys. Keys carry the run id, so a rerun with the same
 * `--run-id` recommits the same keys: a commit retried after a crash is exactly-once for Snowpipe,
 * which skips a name it has already loaded.
 */
export async function commitStaged(store: Store, runId: string, finalKeys: readonly string[], concurrency: number): Promise<void> {
  const pool = new TaskPool(concurrency);
  for (const key of finalKeys) await pool.add(() => store.move(stagingKey(runId, key), key));
  await pool.drain();
}

/** Deletes whatever a previous attempt of this run id left in `_staging/` (a rerun starts clean). */
export async function clearStaging(store: Store, runId: string): Promise<number> {
  const leftovers = await store.list(stagingPrefix(runId));
  await store.delete(leftovers.map((o) => o.key));
  return leftovers.length;
}
