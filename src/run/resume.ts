import * as fsp from 'node:fs/promises';
import { exitCodeOf, messageOf, NeedsPersonError, SoundlakeError } from '../core/errors';
import type { Logger } from '../core/log';
import { manifestKey, packageKey, packagePrefix, stagingRoot } from '../lake/keys';
import { parseManifest, type RunManifest } from './run-package';
import type { Store } from '../lake/store';
import { commitPackage, discardRun } from './commit-package';
import { isVoidMarker, voidOrCommitted } from './commit-slots';

/**
 * Finishes every run package of the scope left in state `committing` (a run killed or failed
 * during its commit), oldest first, so packages commit in run order. Called by a run that holds
 * the scope's lease, before it extracts anything; `soundlake resume` calls it by hand.
 */
export async function resumePackages(
  lake: Store,
  scope: string,
  options: { finishedBy: string; concurrency: number; log: Logger; runId?: string },
): Promise<RunManifest[]> {
  const keys = options.runId
    ? [packageKey(scope, options.runId)]
    : (await lake.list(packagePrefix(scope))).map((o) => o.key).filter((key) => key.endsWith('.json'));
  const finished: RunManifest[] = [];
  for (const key of keys) {
    const text = await lake.readText(key);
    // A void marker: that run may never package (run/commit-slots.ts); nothing to finish.
    if (text === undefined || isVoidMarker(text)) continue;
    let pkg: RunManifest;
    try {
      pkg = parseManifest(text, lake.describe(key));
    } catch (error) {
      throw new NeedsPersonError(`${messageOf(error)}; a person must look at it (move it aside to let runs go on)`);
    }
    options.log.warn('finishing the commit of a run that stopped after packaging (its rows are not extracted again)', {
      resumed_run: pkg.run_id,
      files: pkg.files.length,
    });
    try {
      finished.push(await commitPackage(lake, pkg, options.finishedBy, options.concurrency, options.log));
    } catch (error) {
      // Say what is being finished: the same bare error on every run would read like this run's own.
      if (error instanceof NeedsPersonError) throw error;
      throw new SoundlakeError(
        `finishing the commit of run ${pkg.run_id} (packaged by an earlier run of ${pkg.job}, started ${pkg.started_at}; its rows are not extracted again) failed: ${messageOf(error)}`,
        exitCodeOf(error),
        { cause: error },
      );
    }
  }
  return finished;
}

/**
 * Deletes staging and local spool folders of runs of this scope that have no package: nothing there
 * was ever visible. Such a run may only be stalled, not dead, whatever the lease says: it is voided
 * first (run/commit-slots.ts), so it can never write a package that points at deleted staging; a
 * run whose package got in first is left alone.
 */
export async function collectAbandonedStaging(lake: Store, scope: string, job: string, currentRunId: string, log: Logger): Promise<string[]> {
  const voided: string[] = [];
  const root = stagingRoot(scope);
  const staged = new Map<string, number>();
  for (const object of await lake.list(root)) {
    const runId = object.key.slice(root.length).split('/')[0];
    staged.set(runId, (staged.get(runId) ?? 0) + 1);
  }
  const spooled = await fsp.readdir(lake.spoolRoot(scope)).catch(() => [] as string[]);
  for (const runId of new Set([...staged.keys(), ...spooled])) {
    if (runId === currentRunId) continue;
    const text = await lake.readText(packageKey(scope, runId));
    if (text !== undefined && !isVoidMarker(text)) continue;
    // A committed run's leftovers (its package was finished by a resume): nothing to fence.
    if ((await lake.readText(manifestKey(job, runId))) !== undefined) {
      await discardRun(lake, scope, runId);
      continue;
    }
    if ((await voidOrCommitted(lake, scope, job, runId, currentRunId, 'left staging without a package; voided before its staging was removed')) !== 'void') continue;
    voided.push(runId);
    await discardRun(lake, scope, runId);
    log.warn('removed the staging of a run that stopped before packaging (nothing of it was committed)', { stopped_run: runId, files: staged.get(runId) ?? 0 });
  }
  return voided;
}
