import * as fsp from 'node:fs/promises';
import * as path from 'node:path';
import { killPoint } from '../core/kill-point';
import type { Logger } from '../core/log';
import { TaskPool } from '../core/task-pool';
import { manifestKey, packageKey, stagingPrefix } from '../lake/keys';
import { parseManifest, type RunManifest } from './run-package';
import { writeJobState } from '../lake/state';
import type { Store } from '../lake/store';
import { stagedFileGone } from './abandon-package';
import { runHousekeeping } from './housekeeping';
import { jsonRecord } from '../lake/json-record';

/**
 * Finishes a run package, driven only by its record, so the run itself and any later resume do the
 * same: publish every staged file to its final key (never replacing one: a key already holding the
 * same sha256 counts as done), write the job state, do the housekeeping, write the committed
 * manifest, and only then drop the package record and the staging. Every step is idempotent, so a
 * commit cut anywhere (an S3 error, `kill -9`) is finished by running it again.
 */
export async function commitPackage(lake: Store, pkg: RunManifest, finishedBy: string, concurrency: number, log: Logger): Promise<RunManifest> {
  let published = 0;
  let present = 0;
  const pool = new TaskPool(concurrency);
  try {
    for (const file of pkg.files) {
      await pool.add(async () => {
        let outcome;
        try {
          outcome = await lake.publish(file.staged_key, file.key, file.sha256);
        } catch (error) {
          // Gone from staging and never published: no retry can finish this package.
          if ((await lake.stat(file.staged_key)) === undefined && (await lake.stat(file.key)) === undefined) throw stagedFileGone(pkg, file, lake);
          throw error;
        }
        if (outcome === 'published') published++;
        else present++;
        killPoint('commit');
      });
    }
  } catch {
    // add() refuses once a publish failed; drain() below waits for the ones in flight, then rethrows.
  }
  await pool.drain();
  if (present > 0) log.info('files already in place from an earlier attempt of this commit', { files: present });

  if (pkg.next_state !== null) await writeJobState(lake, pkg.job, pkg.next_state);
  killPoint('state');
  await runHousekeeping(pkg.housekeeping, pkg.run_id, log);
  killPoint('housekeeping');

  const manifest: RunManifest = {
    ...pkg,
    state: 'committed',
    committed_at: new Date().toISOString(),
    commit: { published, already_present: present, finished_by: finishedBy, attempts: (pkg.commit?.attempts ?? 0) + 1 },
  };
  // Written once: a resume after a crash between this write and the package's deletion keeps the
  // manifest of the attempt that published the files (its counts and finisher), and returns it.
  let written = manifest;
  if (!(await lake.putTextIfAbsent(manifestKey(pkg.job, pkg.run_id), jsonRecord(manifest)))) {
    written = parseManifest((await lake.readText(manifestKey(pkg.job, pkg.run_id)))!, lake.describe(manifestKey(pkg.job, pkg.run_id)));
  }
  killPoint('manifest');
  await lake.delete([packageKey(pkg.scope, pkg.run_id)]);
  await clearStaging(lake, pkg.scope, pkg.run_id);
  return written;
}

/** Deletes what is left under a run's `_staging/{scope}/{runId}/` (nothing there is ever loaded). */
export async function clearStaging(lake: Store, scope: string, runId: string): Promise<number> {
  const leftovers = await lake.list(stagingPrefix(scope, runId));
  await lake.delete(leftovers.map((o) => o.key));
  return leftovers.length;
}

/**
 * Drops all a run that never packaged left: its staged objects and its local spool folder (inside
 * the staging folder on a local lake, in the temp folder for an S3 lake). Nothing there was ever
 * visible.
 */
export async function discardRun(lake: Store, scope: string, runId: string): Promise<void> {
  await clearStaging(lake, scope, runId);
  await fsp.rm(path.join(lake.spoolRoot(scope), runId), { recursive: true, force: true });
}
