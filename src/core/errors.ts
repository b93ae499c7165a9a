/**
 * Error classes and the process exit codes they map to (documented in the README and docs/commands.md):
 * 0 success · 1 the run failed · 2 usage or configuration error · 3 a person must act ·
 * 4 the source changed shape · 5 skipped: another run of the job holds its lease or committed first.
 */
export const ExitCode = {
  ok: 0,
  failed: 1,
  usage: 2,
  needsPerson: 3,
  sourceChanged: 4,
  leaseHeld: 5,
} as const;
export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

/** What each exit code means, in the words `run --help` and the deployment's alerts use. */
export const EXIT_CODE_MEANINGS: Readonly<Record<ExitCodeValue, string>> = {
  0: 'success',
  1: 'the run failed',
  2: 'usage or configuration error',
  3: 'a person must act (expired login or token, MFA on a password login, a run package that can never finish)',
  4: 'the source changed shape',
  5: 'skipped: another run of the job holds its lease or committed first (nothing of this run was committed)',
};

/** Base class: every error soundlake raises on purpose says which exit code it ends the run with. */
export class SoundlakeError extends Error {
  readonly exitCode: ExitCodeValue;
  constructor(message: string, exitCode: ExitCodeValue, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.exitCode = exitCode;
  }
}

/** A bad flag, a bad config value or a missing required key: fails before any I/O. */
export class ConfigError extends SoundlakeError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, ExitCode.usage, options);
  }
}

/** Worth retrying: 429, 5xx, timeouts, connection resets. `retryAfterMs` comes from Retry-After. */
export class TransientError extends SoundlakeError {
  readonly retryAfterMs?: number;
  constructor(message: string, options?: { cause?: unknown; retryAfterMs?: number }) {
    super(message, ExitCode.failed, options);
    this.retryAfterMs = options?.retryAfterMs;
  }
}

/** Not worth retrying: bad credentials, other 4xx, broken invariants. The message says what to do. */
export class PermanentError extends SoundlakeError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, ExitCode.failed, options);
  }
}

/** An expired login or token: only a person can fix it (exit 3). */
export class NeedsPersonError extends SoundlakeError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, ExitCode.needsPerson, options);
  }
}

/** The source answered in a shape we do not understand (exit 4): schema drift, a redesigned page. */
export class SourceChangedError extends SoundlakeError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, ExitCode.sourceChanged, options);
  }
}

/** The run was aborted (SIGTERM/SIGINT); nothing was committed. */
export class AbortedError extends SoundlakeError {
  constructor(reason: string) {
    super(`run aborted: ${reason}; nothing was committed`, ExitCode.failed);
  }
}

/** Another run of the same job is working (its lease is live): this one stops before reading anything. */
export class LeaseHeldError extends SoundlakeError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, ExitCode.leaseHeld, options);
  }
}

export function exitCodeOf(error: unknown): ExitCodeValue {
  return error instanceof SoundlakeError ? error.exitCode : ExitCode.failed;
}

export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
