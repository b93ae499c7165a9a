import { SoundlakeError, ExitCode } from '../core/errors';
import { killPoint } from '../core/kill-point';
import type { Logger } from '../core/log';
import { reasonKey } from '../lake/keys';
import { openStore } from '../lake/open-store';
import { sameVersion, type ObjectVersion } from '../lake/store';
import { jsonRecord } from '../lake/json-record';

/**
 * Work that follows a commit, as data: a run package lists these steps, so that whoever finishes
 * the package (the run itself, or the next run after a crash) can do them. Every step is
 * idempotent: done twice, it has the effect of once. Stores are named by URL (a landing area, the
 * lake, a session's place).
 */
export type HousekeepingStep =
  | {
      /** Move an input that was read to where it belongs (archive/, error/), only if it is still the version read. */
      kind: 'move';
      store: string;
      from: string;
      to: string;
      /** The version that was read. */
      expect: ObjectVersion;
      /** Text for `{to}.reason.json` (why an input went to error/). */
      reason?: string;
      /** Where the input goes instead when it changed after it was read, with the reason written beside it. */
      if_changed: string;
    }
  | {
      /** Copy a private file the run staged in the lake (a refreshed session) to its place, kept private. */
      kind: 'copy-private';
      from_store: string;
      from_key: string;
      to_store: string;
      to_key: string;
    };

function describeStep(step: HousekeepingStep): string {
  return step.kind === 'move' ? `move ${step.from} → ${step.to}` : `copy ${step.from_key} → ${step.to_key}`;
}

async function putReason(storeUrl: string, key: string, reason: Record<string, unknown>): Promise<void> {
  await openStore(storeUrl).putText(reasonKey(key), jsonRecord(reason));
}

/** What one step did: a person is told (a warning) only of the outcomes that need one. */
export type StepOutcome = 'copied' | 'already done' | 'moved' | 'source gone' | 'changed after it was read; moved to error' | 'source changed again; left in place';
const NEEDS_A_LOOK: ReadonlySet<StepOutcome> = new Set(['changed after it was read; moved to error', 'source changed again; left in place']);

/** Does one step; returns what happened, for the log. */
export async function runStep(step: HousekeepingStep, runId: string): Promise<StepOutcome> {
  if (step.kind === 'copy-private') {
    const text = await openStore(step.from_store).readText(step.from_key);
    // Gone from staging means an earlier attempt finished this step and the staging was cleared.
    if (text === undefined) return 'already done';
    await openStore(step.to_store).putText(step.to_key, text, { private: true });
    return 'copied';
  }
  const store = openStore(step.store);
  const outcome = await store.moveIfUnchanged(step.from, step.to, step.expect);
  if (outcome === 'moved') {
    if (step.reason !== undefined) await putReason(step.store, step.to, { file: step.from, reason: step.reason, run_id: runId });
    return 'moved';
  }
  if (outcome === 'gone') return 'source gone';
  // Changed after it was read: the version read is committed, the rest is not. A person decides.
  const now = await store.stat(step.from);
  if (now === undefined) return 'source gone';
  if ((await store.moveIfUnchanged(step.from, step.if_changed, now)) !== 'moved') return 'source changed again; left in place';
  await putReason(step.store, step.if_changed, {
    file: step.from,
    run_id: runId,
    reason:
      `changed after run ${runId} read it (read: ${step.expect.size} bytes${step.expect.etag ? `, ETag ${step.expect.etag}` : ''}; ` +
      `now: ${now.size} bytes). The rows of the version read were committed; the rest were not loaded. ` +
      'Put the rows that were not loaded into a new landing file.',
  });
  return 'changed after it was read; moved to error';
}

/** Runs the steps in order, logging each; a failure leaves the package to be finished by a resume. */
export async function runHousekeeping(steps: readonly HousekeepingStep[], runId: string, log: Logger): Promise<void> {
  for (const step of steps) {
    const outcome = await runStep(step, runId);
    killPoint('housekeeping-step');
    log.debug('housekeeping', { step: describeStep(step), outcome });
    if (NEEDS_A_LOOK.has(outcome)) log.warn(`housekeeping: ${describeStep(step)}: ${outcome}`);
  }
}

/**
 * Before a package is written: every input still is the version that was read. A landing file that
 * grew or was overwritten during the run would otherwise be archived with rows never loaded.
 */
export async function assertInputsUnchanged(steps: readonly HousekeepingStep[]): Promise<void> {
  for (const step of steps) {
    if (step.kind !== 'move') continue;
    const now = await openStore(step.store).stat(step.from);
    if (now !== undefined && !sameVersion(now, step.expect)) {
      throw new SoundlakeError(
        `${openStore(step.store).describe(step.from)} changed while the run read it (${step.expect.size} → ${now.size} bytes); ` +
          'nothing was committed, and the next run reads it again (set [listening-events] settle_seconds so files are taken only once written)',
        ExitCode.failed,
      );
    }
  }
}
