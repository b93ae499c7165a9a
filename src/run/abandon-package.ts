import { cliCommand } from '../core/cli-name';
import * as path from 'node:path';
import { NeedsPersonError } from '../core/errors';
import type { Logger } from '../core/log';
import { jsonRecord } from '../lake/json-record';
import { landingErrorKey, manifestKey, packageKey, reasonKey } from '../lake/keys';
import type { RunManifest } from './run-package';
import { openStore } from '../lake/open-store';
import type { Store } from '../lake/store';
import { clearStaging } from './commit-package';

/** The exit-3 error of a package that can never finish: a staged file is gone and its final key was never written. */
export function stagedFileGone(pkg: RunManifest, file: RunManifest['files'][number], lake: Store): NeedsPersonError {
  return new NeedsPersonError(
    `run ${pkg.run_id}'s package cannot be committed: its staged file ${lake.describe(file.staged_key)} is gone and ${file.key} was never published, ` +
      `so part of that run can never load. A person decides: ${cliCommand(`resume ${pkg.job} --abandon ${pkg.run_id}`)} keeps what was published, ` +
      `sets the run's inputs aside in error/${pkg.run_id}/ with what loaded and what did not, and lets the next runs go on (docs/exactly-once.md)`,
  );
}

/**
 * `soundlake resume <job> --abandon <run>`: ends a package that can never finish, safely whatever
 * was published. Published files stay (Snowpipe has loaded them); the others are recorded as lost.
 * The run's inputs go to the landing area's error/{run}/ (never to archive/, never back to be read
 * again: part of their rows are loaded), each with a reason that says which tables loaded and which
 * did not, so a person can re-land only what is missing. The job state is left as it was. The
 * manifest lists the published files only, with `abandoned` saying what was lost.
 */
export async function abandonPackage(lake: Store, pkg: RunManifest, by: string, log: Logger): Promise<RunManifest> {
  const published: RunManifest['files'] = [];
  const lost: RunManifest['files'] = [];
  for (const file of pkg.files) ((await lake.stat(file.key)) !== undefined ? published : lost).push(file);
  const rows = (files: RunManifest['files']) => files.reduce((n, f) => n + f.rows, 0);
  const tables = (files: RunManifest['files']) => [...new Set(files.map((f) => f.table))].join(', ') || 'none';
  const lostRows = rows(lost);
  const reason =
    `run ${pkg.run_id} was abandoned by ${by}: its package could not be committed (staged files gone). ` +
    `Loaded: ${published.length} file(s), ${rows(published)} rows (tables ${tables(published)}); ` +
    `not loaded: ${lost.length} file(s), ${lostRows} rows (tables ${tables(lost)}). ` +
    'Re-land only the rows that were not loaded; landing this file again whole would load the rest twice.';
  for (const step of pkg.housekeeping) {
    if (step.kind !== 'move') continue;
    const store = openStore(step.store);
    const to = landingErrorKey(pkg.run_id, path.posix.basename(step.from));
    const outcome = await store.moveIfUnchanged(step.from, to, step.expect);
    if (outcome === 'moved') await store.putText(reasonKey(to), jsonRecord({ file: step.from, run_id: pkg.run_id, reason }));
    log.warn('abandoned run: input set aside', { file: step.from, to: store.describe(to), outcome });
  }
  const manifest: RunManifest = {
    ...pkg,
    state: 'committed',
    committed_at: new Date().toISOString(),
    files: published,
    abandoned: { by, at: new Date().toISOString(), lost_files: lost.map((f) => f.key), lost_rows: lostRows, reason },
  };
  await lake.putTextIfAbsent(manifestKey(pkg.job, pkg.run_id), jsonRecord(manifest));
  await lake.delete([packageKey(pkg.scope, pkg.run_id)]);
  await clearStaging(lake, pkg.scope, pkg.run_id);
  return manifest;
}
