import type { Logger } from '../core/log';
import { readSecret, type SecretName } from '../core/secrets';
import type { Store } from '../lake/store';
import type { InputLedger } from './input-ledger';
import type { IoCounters } from './io-counters';

/** Incremental state: what the last committed run left, and what this run will leave once committed. */
export class JobState {
  private nextValue: unknown;
  private changed = false;

  constructor(readonly previous: unknown) {}

  set(next: unknown): void {
    this.nextValue = next;
    this.changed = true;
  }

  /** The state to write after the commit, or undefined when the job set none. */
  pending(): unknown {
    return this.changed ? this.nextValue : undefined;
  }
}

/** Everything a job sees of the run. */
export interface RunContext {
  job: string;
  runId: string;
  /** The day the run is for (`--date`, default today in UTC), YYYY-MM-DD. */
  logicalDate: string;
  /** When the run started, UTC ISO-8601; written to every row as `_extracted_at`. */
  extractedAt: string;
  dryRun: boolean;
  log: Logger;
  /** Fires on SIGTERM/SIGINT: extract loops stop and the run ends without committing. */
  signal: AbortSignal;
  lake: Store;
  inputs: InputLedger;
  io: IoCounters;
  state: JobState;
  /**
   * Work to do once the run's files are committed (never on a dry run or a failed run), e.g. saving
   * a refreshed login session. Runs after the manifest and state are written.
   */
  onCommitted(task: () => Promise<void>): void;
  /** A secret from the environment; its value is registered for redaction from every log line. */
  secret(name: SecretName): string | undefined;
}

export const secretFromEnv = (name: SecretName): string | undefined => readSecret(name);
