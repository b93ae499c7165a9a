import { LeaseHeldError } from '../core/errors';
import type { Logger } from '../core/log';
import { commitSlotKey, commitSlotOf, commitSlotPrefix, manifestKey, packageKey } from '../lake/keys';
import { jsonRecord } from '../lake/json-record';
import type { Store } from '../lake/store';

import { parseRecord, slotRecordSchema, voidMarkerSchema } from './durable-records';
/**
 * Fencing that does not trust the lease, the clocks, or `_locks/` being left alone. The lease keeps
 * one run working at a time; correctness rests on two create-only writes (S3 If-None-Match: *, a
 * no-replace link locally), each of which exactly one writer wins:
 *
 * - **Commit slots.** A run's package takes slot `base + 1` of its scope, where `base` is the
 *   highest slot the run saw settled when it took over. Two runs that read the same inputs had the
 *   same base, so only one of them can package; the other stops before anything of it is visible.
 *   A run that stalled for many commits finds its slot taken, or a higher one present, and stops.
 * - **Void markers.** Written at a run's package key, a marker makes that run's package write fail:
 *   it can never commit. The next run writes one for a run that claimed a slot but left no package
 *   (it died, or is stalled between the two writes) and for a run whose staging it is about to
 *   delete, so no package can ever point at deleted staging. One of the marker and the package
 *   wins; the other writer learns it.
 */
export interface SlotRecord {
  scope: string;
  seq: number;
  run_id: string;
  claimed_at: string;
}

export interface VoidMarker {
  state: 'void';
  run_id: string;
  voided_by: string;
  voided_at: string;
  reason: string;
}

export function isVoidMarker(text: string | undefined): boolean {
  return parseRecord(voidMarkerSchema, text) !== undefined;
}

async function slots(lake: Store, scope: string): Promise<number[]> {
  return (await lake.list(commitSlotPrefix(scope)))
    .map((o) => commitSlotOf(o.key))
    .filter((n): n is number => n !== undefined)
    .sort((a, b) => a - b);
}

async function slotOwner(lake: Store, scope: string, seq: number): Promise<string | undefined> {
  return parseRecord(slotRecordSchema, await lake.readText(commitSlotKey(scope, seq)))?.run_id;
}

/** What became of a run that may still try to package: it committed (or will: a real package exists), or it never can. */
export type Fate = 'committed' | 'void';

/**
 * Makes sure `runId` either has a real package / manifest, or never will: writes a void marker at
 * its package key unless its package got there first. Checks the manifest after the marker, since a
 * finished commit deletes its package only after writing its manifest.
 */
export async function voidOrCommitted(lake: Store, scope: string, job: string, runId: string, by: string, reason: string): Promise<Fate> {
  const marker: VoidMarker = { state: 'void', run_id: runId, voided_by: by, voided_at: new Date().toISOString(), reason };
  const wrote = await lake.putTextIfAbsent(packageKey(scope, runId), jsonRecord(marker));
  if (!wrote && !isVoidMarker(await lake.readText(packageKey(scope, runId)))) return 'committed';
  return (await lake.readText(manifestKey(job, runId))) !== undefined ? 'committed' : 'void';
}

/**
 * At takeover, after every real package was finished: settles the slots above the last one whose
 * run committed (a run that claimed and then died or stalled is voided) and returns the base a new
 * package builds on, the highest slot.
 */
export async function settleSlots(lake: Store, scope: string, job: string, runId: string, log: Logger): Promise<number> {
  const taken = await slots(lake, scope);
  for (const seq of taken.slice().reverse()) {
    const owner = await slotOwner(lake, scope, seq);
    if (owner === undefined || (await lake.readText(manifestKey(job, owner))) !== undefined) break;
    const fate = await voidOrCommitted(lake, scope, job, owner, runId, `claimed commit slot ${seq} and left no package; voided by the next run`);
    if (fate === 'void') log.warn('a run claimed a commit slot and stopped before packaging; it can never commit now', { stopped_run: owner, slot: seq });
    else break;
  }
  return taken.length > 0 ? taken[taken.length - 1] : 0;
}

/** Refusal: another run took this run's place. Nothing of this run was visible; exit 5, like a held lease. */
function lost(what: string): LeaseHeldError {
  return new LeaseHeldError(`${what}; nothing of this run was committed, and its inputs stay for the next run`);
}

/**
 * Claims slot `base + 1` for `runId`, or throws (exit 5) when another run got there: a slot taken
 * by a run that committed or holds a real package means the inputs may overlap, so this run stops;
 * a slot whose owner is (or can be made) void is skipped. The claim must be the highest slot.
 */
export async function claimSlot(lake: Store, scope: string, job: string, runId: string, base: number): Promise<number> {
  let seq = base + 1;
  for (;;) {
    const record: SlotRecord = { scope, seq, run_id: runId, claimed_at: new Date().toISOString() };
    if (await lake.putTextIfAbsent(commitSlotKey(scope, seq), jsonRecord(record))) break;
    const owner = await slotOwner(lake, scope, seq);
    if (owner === undefined) throw lost(`commit slot ${seq} of ${scope} is taken by an unreadable record`);
    const fate = await voidOrCommitted(lake, scope, job, owner, runId, `claimed commit slot ${seq} while run ${runId} also wanted it, and had not packaged`);
    if (fate === 'committed') throw lost(`run ${owner} committed (or is committing) in slot ${seq} while this run worked: another run held the lease too`);
    seq++;
  }
  const highest = (await slots(lake, scope)).pop() ?? seq;
  if (highest > seq) throw lost(`commit slot ${highest} of ${scope} is above this run's slot ${seq}: the run stalled while others committed`);
  return seq;
}

/**
 * After this run committed in its slot: the void markers it wrote for runs that only left staging
 * are no longer needed — such a run took over before this one, so its slot could only be this
 * run's or a lower one, and a claim that is not the highest fails. A run that owns a slot keeps its
 * marker (its claim once was the highest).
 */
export async function dropRedundantVoids(lake: Store, scope: string, voided: readonly string[]): Promise<void> {
  if (voided.length === 0) return;
  const owners = new Set<string>();
  for (const seq of await slots(lake, scope)) {
    const owner = await slotOwner(lake, scope, seq);
    if (owner) owners.add(owner);
  }
  await lake.delete(voided.filter((runId) => !owners.has(runId)).map((runId) => packageKey(scope, runId)));
}

/** Keeps the newest `keep` slots: the highest always stays, so a stalled run can never reuse a slot number. */
export async function pruneSlots(lake: Store, scope: string, keep = 16): Promise<void> {
  const taken = await slots(lake, scope);
  await lake.delete(taken.slice(0, Math.max(0, taken.length - keep)).map((seq) => commitSlotKey(scope, seq)));
}
