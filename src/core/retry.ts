import { AbortedError, TransientError } from './errors';

export interface RetryOptions {
  /** Attempts in all, the first included. Default 5. */
  attempts?: number;
  /** First backoff in ms; doubles each retry. Default 500 ms. */
  baseDelayMs?: number;
  /** Upper bound of one backoff in ms (Retry-After may ask for longer and is honoured). Default 30 000 ms. */
  maxDelayMs?: number;
  signal?: AbortSignal;
  /** Called before each wait, e.g. to log or count retries. */
  onRetry?: (info: { attempt: number; delayMs: number; error: TransientError }) => void;
  /** Injected for tests; defaults to a real timer that the signal cancels. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

/** Waits `ms`, or rejects with AbortedError as soon as the signal fires. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new AbortedError(String(signal.reason ?? 'aborted')));
    const onAbort = () => {
      clearTimeout(timer);
      reject(new AbortedError(String(signal?.reason ?? 'aborted')));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Exponential backoff with full jitter, never shorter than a server's Retry-After. */
export function backoffDelay(attempt: number, error: TransientError, base: number, max: number): number {
  const exponential = Math.min(max, base * 2 ** (attempt - 1));
  const jittered = exponential / 2 + Math.random() * (exponential / 2);
  return Math.max(jittered, error.retryAfterMs ?? 0);
}

/**
 * The one retry helper every client uses: retries TransientError, rethrows anything else at once.
 */
export async function withRetry<T>(fn: (attempt: number) => Promise<T>, options: RetryOptions = {}): Promise<T> {
  const attempts = options.attempts ?? 5;
  const base = options.baseDelayMs ?? 500;
  const max = options.maxDelayMs ?? 30_000;
  const wait = options.sleep ?? sleep;
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (error) {
      if (!(error instanceof TransientError) || attempt >= attempts) throw error;
      const delayMs = backoffDelay(attempt, error, base, max);
      options.onRetry?.({ attempt, delayMs, error });
      await wait(delayMs, options.signal);
    }
  }
}
