import * as os from 'node:os';
import { LeaseHeldError, messageOf } from '../core/errors';
import type { Logger } from '../core/log';
import { leaseKey, leasePrefix } from '../lake/keys';
import type { Store } from '../lake/store';
import { jsonRecord } from '../lake/json-record';
import { leaseRecordSchema, parseRecord, type ReadLease } from './durable-records';

/** What a lease object says: who holds the scope, and until when unless renewed. */
export interface LeaseRecord {
  scope: string;
  run_id: string;
  host: string;
  pid: number;
  started_at: string;
  renewed_at: string;
  expires_at: string;
  released?: boolean;
}

const GENERATION = /(\d{10})\.json$/;

/** A lease generation as written; anything else (not JSON, another shape) is no lease. */
const parseLease = (text: string | undefined): ReadLease | undefined => parseRecord(leaseRecordSchema, text);

const isLive = (lease: ReadLease | undefined, now: number) => lease !== undefined && !lease.released && Date.parse(lease.expires_at) > now;

/**
 * One run of a scope (a job) at a time. The lease is a series of generations,
 * `_locks/{scope}/{generation}.json`; the highest one rules. A run takes the lease by creating the
 * next generation with a conditional write (S3 If-None-Match: *, locally a no-replace link), which
 * exactly one contender wins, and only when the highest generation is released or expired. The
 * holder renews its own generation on a heartbeat; a run that finds a higher generation than its
 * own has lost the lease and aborts. No compare-and-swap on one object is needed, so the same
 * protocol works on a local folder and on S3.
 */
export class JobLease {
  private readonly controller = new AbortController();
  private timer: NodeJS.Timeout | undefined;
  private record: LeaseRecord;
  private released = false;

  private constructor(
    private readonly lake: Store,
    private readonly generation: number,
    record: LeaseRecord,
    private readonly ttlMs: number,
    private readonly log: Logger,
    /** The run whose expired lease this one took over, if any (its package is resumed first). */
    readonly tookOverFrom: ReadLease | undefined,
  ) {
    this.record = record;
  }

  /** Fires when the lease is lost (taken over after it expired, or not renewable): the run must stop. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  static async acquire(lake: Store, scope: string, runId: string, ttlMs: number, log: Logger): Promise<JobLease> {
    const highest = await highestGeneration(lake, scope);
    let previous: ReadLease | undefined;
    if (highest !== undefined) {
      previous = parseLease(await lake.readText(leaseKey(scope, highest)));
      if (isLive(previous, Date.now())) throw heldError(scope, previous!);
    }
    const now = new Date();
    const record: LeaseRecord = {
      scope,
      run_id: runId,
      host: os.hostname(),
      pid: process.pid,
      started_at: now.toISOString(),
      renewed_at: now.toISOString(),
      expires_at: new Date(now.getTime() + ttlMs).toISOString(),
    };
    const generation = (highest ?? 0) + 1;
    if (!(await lake.putTextIfAbsent(leaseKey(scope, generation), jsonRecord(record)))) {
      const winner = parseLease(await lake.readText(leaseKey(scope, generation)));
      throw heldError(scope, winner ?? { ...record, run_id: 'another run' });
    }
    const tookOver = previous && !previous.released ? previous : undefined;
    if (tookOver) log.warn('took over an expired lease of a run that stopped without releasing it', { previous_run: tookOver.run_id, host: tookOver.host, expired_at: tookOver.expires_at });
    const lease = new JobLease(lake, generation, record, ttlMs, log, tookOver);
    await lease.dropOlderGenerations();
    lease.timer = setInterval(() => void lease.heartbeat(), Math.max(500, Math.floor(ttlMs / 3)));
    lease.timer.unref();
    return lease;
  }

  /**
   * Throws when another run has taken the lease, or this run's lease object is gone or no longer
   * its own (deleted by hand, then taken by another run under the same generation). The runner asks
   * right before it packages; correctness does not rest on it (run/commit-slots.ts).
   */
  async assertHeld(): Promise<void> {
    if (this.signal.aborted) throw new LeaseHeldError(String(this.signal.reason));
    const taken = await this.whoTookIt();
    if (taken) this.lose(taken);
    if (this.signal.aborted) throw new LeaseHeldError(String(this.signal.reason));
  }

  /**
   * Why another run holds this scope now (a higher generation, this generation rewritten by
   * another run, or this run's lease object gone), or undefined. A lease object that cannot be
   * parsed says nothing, and one found missing is read again a moment later before it counts:
   * some S3-compatible servers replace an object by deleting it first.
   */
  private async whoTookIt(): Promise<string | undefined> {
    const highest = await highestGeneration(this.lake, this.record.scope);
    if (highest !== undefined && highest > this.generation) return `another run took over the lease of ${this.record.scope} (generation ${highest}); this run stops without committing`;
    const key = leaseKey(this.record.scope, this.generation);
    let text = await this.lake.readText(key);
    if (text === undefined) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      text = await this.lake.readText(key);
      if (text === undefined) return `this run's lease object ${key} was deleted; this run stops without committing`;
    }
    const current = parseLease(text);
    if (current && current.run_id !== this.record.run_id) {
      return `another run took over the lease of ${this.record.scope} (run ${current.run_id}) after this run's lease object was deleted; this run stops without committing`;
    }
    return undefined;
  }

  /** Why another run holds this scope now, or undefined: still this run's, or the lake could not be asked. */
  async takenBy(): Promise<string | undefined> {
    try {
      return await this.whoTookIt();
    } catch {
      // The lake cannot answer: the run's own failure stands.
      return undefined;
    }
  }

  async release(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    if (this.released || this.signal.aborted) return;
    this.released = true;
    try {
      await this.write({ ...this.record, released: true });
    } catch (error) {
      // It expires by itself; the next run waits at most one lease period.
      this.log.warn(`could not release the job lease: ${messageOf(error)}`);
    }
  }

  private async heartbeat(): Promise<void> {
    if (this.released || this.signal.aborted) return;
    try {
      // Renew only a lease that is still this run's: never recreate one deleted or taken meanwhile.
      await this.assertHeld();
      if (this.released) return;
      const now = new Date();
      await this.write({ ...this.record, renewed_at: now.toISOString(), expires_at: new Date(now.getTime() + this.ttlMs).toISOString() });
    } catch (error) {
      if (this.signal.aborted || this.released) return;
      if (Date.now() >= Date.parse(this.record.expires_at)) this.lose(`the job lease could not be renewed before it expired: ${messageOf(error)}`);
      else this.log.warn(`could not renew the job lease (will retry): ${messageOf(error)}`);
    }
  }

  /** Lease writes one after another: a renewal still in flight can never land after the release. */
  private writes: Promise<void> = Promise.resolve();

  private write(record: LeaseRecord): Promise<void> {
    const next = this.writes.then(async () => {
      if (this.released && !record.released) return;
      await this.lake.putText(leaseKey(record.scope, this.generation), jsonRecord(record));
      this.record = record;
    });
    this.writes = next.catch(() => undefined);
    return next;
  }

  private lose(reason: string): void {
    if (this.timer) clearInterval(this.timer);
    if (!this.signal.aborted) this.controller.abort(reason);
  }

  private async dropOlderGenerations(): Promise<void> {
    try {
      const older = (await this.lake.list(leasePrefix(this.record.scope))).filter((o) => generationOf(o.key) < this.generation);
      await this.lake.delete(older.map((o) => o.key));
    } catch (error) {
      this.log.debug(`could not delete older lease generations: ${messageOf(error)}`);
    }
  }
}

function generationOf(key: string): number {
  const m = GENERATION.exec(key);
  return m ? Number(m[1]) : -1;
}

async function highestGeneration(lake: Store, scope: string): Promise<number | undefined> {
  const generations = (await lake.list(leasePrefix(scope))).map((o) => generationOf(o.key)).filter((g) => g >= 0);
  return generations.length > 0 ? Math.max(...generations) : undefined;
}

function heldError(scope: string, holder: ReadLease): LeaseHeldError {
  return new LeaseHeldError(
    `another run of ${scope} holds the lease: run ${holder.run_id} on ${holder.host} (pid ${holder.pid}), started ${holder.started_at}, ` +
      `lease valid until ${holder.expires_at} unless renewed; this run read nothing and stops (exit 5)`,
  );
}
