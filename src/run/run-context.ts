import type { Logger } from '../core/log';
import { readSecret, type SecretName } from '../core/secrets';
import type { Store } from '../lake/store';
import type { HousekeepingStep } from './housekeeping';
import type { InputLedger } from './input-ledger';
import type { IoCounters } from './io-counters';
import type { Shard } from './shard';

/** Incremental state: what the last committed run left, and what this run will leave once committed. */
export class JobState {
  private nextValue: unknown;
  private changed = false;

  constructor(readonly previous: unknown) {}

  set(next: unknown): void {
    this.nextValue = next;
    this.changed = true;
  }

  /** The state to write with the commit, or undefined when the job set none. */
  pending(): unknown {
    return this.changed ? this.nextValue : undefined;
  }
}

/** `--since`/`--until`: the days (inclusive, YYYY-MM-DD) whose inputs a run takes; either end may be open. */
export interface DateWindow {
  since?: string;
  until?: string;
}

export const inWindow = (date: string, window: DateWindow) => (!window.since || date >= window.since) && (!window.until || date <= window.until);

/** Everything a job sees of the run. */
export interface RunContext {
  job: string;
  runId: string;
  /** The day the run is for (`--date`, default today in UTC), YYYY-MM-DD. */
  logicalDate: string;
  /** When the run started, UTC ISO-8601 with milliseconds; written to every row as `_extracted_at`. */
  extractedAt: string;
  dryRun: boolean;
  log: Logger;
  /** Fires on SIGTERM/SIGINT or a lost lease: extract loops stop and the run ends without committing. */
  signal: AbortSignal;
  lake: Store;
  /** `--since`/`--until`: only the inputs of these days (jobs marked `dated`). */
  window?: DateWindow;
  /** `--shard i/n`: this run takes only the inputs whose key hashes to shard i (see run/shard.ts). */
  shard?: Shard;
  /** A local folder for this run's temporary files (downloads); cleared with the run's staging, also after a crash. */
  spoolDir: string;
  /** `[run] workers`: threads a job may shape rows on (1: the main thread only). */
  workers: number;
  /** `[run] workers = auto`: the count came from the cores, so small inputs stay on the main thread (file-shaping-pool.ts `shapingThreads`). */
  workersAuto: boolean;
  inputs: InputLedger;
  io: IoCounters;
  state: JobState;
  /**
   * A step to do once the run's files are committed (never on a dry run or a failed run): archiving
   * an input, saving a refreshed session. Recorded in the run package, so a resumed commit does it too.
   */
  afterCommit(step: HousekeepingStep): void;
  /**
   * Stages a private text (a refreshed login session) with the run; returns its store URL and key,
   * for a `copy-private` step. Never written on a dry run.
   */
  stagePrivate(name: string, text: string): Promise<{ store: string; key: string }>;
  /** A secret from the environment; its value is registered for redaction from every log line. */
  secret(name: SecretName): string | undefined;
}

export const secretFromEnv = (name: SecretName): string | undefined => readSecret(name);
