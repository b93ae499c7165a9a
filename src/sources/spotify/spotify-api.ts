import { AbortedError, NeedsPersonError, PermanentError, TransientError } from '../../core/errors';
import type { Logger } from '../../core/log';
import { unreachableHost } from '../../core/unreachable-host';
import { sleep, withRetry } from '../../core/retry';
import { Semaphore } from '../../core/semaphore';
import type { IoCounters } from '../../run/io-counters';
import type { SpotifySettings } from './spotify-settings';
import type { SpotifyTokens } from './spotify-tokens';

/** An HTTP answer the caller may handle (403/404 on batch and deprecated endpoints), else permanent. */
export class SpotifyHttpError extends PermanentError {
  constructor(
    readonly status: number,
    readonly endpoint: string,
    spotifyMessage: string,
  ) {
    super(`Spotify ${endpoint} answered ${status}: ${spotifyMessage}`);
  }
}

function spotifyMessage(body: unknown): string {
  const error = (body as { error?: unknown } | null)?.error;
  if (typeof error === 'string') return error;
  const message = (error as { message?: unknown; reason?: unknown } | undefined)?.message;
  return typeof message === 'string' ? message : 'no message';
}

/**
 * 403s only a person can clear, by Spotify's own words: a user missing from a Development Mode
 * app's allowlist ("… the user may not be registered."), and an app whose owner has no Premium
 * ("Active premium subscription required for the owner of the app."). Retrying, or treating the
 * endpoint as gone, cannot help.
 */
function whoMustAct(message: string): string | undefined {
  if (/user may not be registered/i.test(message)) {
    return "the Spotify user is not on the app's allowlist: in the Spotify Developer Dashboard open the app's User Management, add the user's name and e-mail, then run again";
  }
  if (/premium subscription required/i.test(message)) {
    return "the Spotify account that owns the app has no active Premium subscription, which Development Mode apps need: renew it (or move the app to an account that has one), then run again";
  }
  return undefined;
}

function isQuotaExceeded(body: unknown): boolean {
  const error = (body as { error?: { reason?: unknown } } | null)?.error;
  return JSON.stringify(error ?? '').includes('QUOTA_EXCEEDED');
}

/**
 * GET requests to the Web API through the shared retry helper: bounded concurrency, a timeout per
 * request, 429 pauses every worker for Retry-After, QUOTA_EXCEEDED stops the run, 5xx / resets /
 * timeouts / malformed bodies back off and retry, 401 renews the token once.
 */
export class SpotifyApi {
  readonly tokens: SpotifyTokens;
  private readonly gate: Semaphore;
  private pausedUntil = 0;

  constructor(
    private readonly settings: SpotifySettings,
    tokens: SpotifyTokens,
    private readonly io: IoCounters,
    private readonly log: Logger,
    private readonly signal: AbortSignal,
  ) {
    this.tokens = tokens;
    this.gate = new Semaphore(settings.concurrency);
  }

  /** `endpoint` is the path template used in messages and request counts, e.g. `GET /albums/{id}`. */
  async get(path: string, query: Record<string, string | number> = {}, endpoint = `GET ${path}`): Promise<unknown> {
    const url = new URL(`${this.settings.apiUrl}${path}`);
    for (const [key, value] of Object.entries(query)) url.searchParams.set(key, String(value));
    let renewedToken = false;
    return withRetry(
      async () => {
        const { status, body, token, retryAfterMs } = await this.gate.use(() => this.send(url, endpoint));
        if (status === 401 && !renewedToken) {
          // The token expired early or was revoked: renew it once and try again at once.
          renewedToken = true;
          this.tokens.invalidate(token);
          this.io.add('spotify_token_renewals_on_401');
          throw new TransientError(`${endpoint}: 401, renewing the access token`, { retryAfterMs: 0 });
        }
        if (status === 401) throw new PermanentError(`Spotify ${endpoint} refused a fresh access token (401): check the app's credentials and the token's scopes`);
        if (status === 429) {
          if (isQuotaExceeded(body)) {
            throw new PermanentError(`Spotify ${endpoint}: the app's quota is exceeded (429 QUOTA_EXCEEDED); stopping instead of retrying. Wait for the quota window or ask Spotify for extended quota`);
          }
          return this.throttled(endpoint, retryAfterMs);
        }
        if (status >= 500) throw new TransientError(`Spotify ${endpoint} answered ${status}`);
        const mustAct = status === 403 ? whoMustAct(spotifyMessage(body)) : undefined;
        if (mustAct) throw new NeedsPersonError(`Spotify ${endpoint} answered 403 "${spotifyMessage(body)}": ${mustAct}`);
        if (status >= 400) throw new SpotifyHttpError(status, endpoint, spotifyMessage(body));
        if (body === undefined) throw new TransientError(`Spotify ${endpoint} answered ${status} with a body that is not JSON`);
        return body;
      },
      {
        attempts: this.settings.maxAttempts,
        baseDelayMs: this.settings.retryBaseMs,
        signal: this.signal,
        onRetry: ({ error, delayMs }) => {
          this.io.add('spotify_retries');
          this.log.debug('retrying Spotify request', { endpoint, reason: error.message, wait_ms: Math.round(delayMs) });
        },
        sleep: (ms, signal) => sleep(Math.max(ms, this.pausedUntil - Date.now()), signal),
      },
    );
  }

  private throttled(endpoint: string, waitMs: number): never {
    this.pausedUntil = Math.max(this.pausedUntil, Date.now() + waitMs);
    this.io.add('spotify_429');
    this.io.add('spotify_wait_seconds', waitMs / 1000);
    this.log.warn('Spotify rate limit: every request waits', { endpoint, retry_after_s: waitMs / 1000 });
    throw new TransientError(`Spotify ${endpoint} answered 429`, { retryAfterMs: waitMs });
  }

  private async send(url: URL, endpoint: string): Promise<{ status: number; body: unknown; token: string; retryAfterMs: number }> {
    // A 429 anywhere pauses every worker, not only the one that received it.
    const pause = this.pausedUntil - Date.now();
    if (pause > 0) await sleep(pause, this.signal);
    const token = await this.tokens.get();
    this.io.add(`spotify_requests ${endpoint}`);
    let response: Response;
    try {
      response = await fetch(url, {
        headers: { Authorization: `Bearer ${token}`, Accept: 'application/json' },
        signal: AbortSignal.any([this.signal, AbortSignal.timeout(this.settings.requestTimeoutMs)]),
      });
    } catch (error) {
      if (this.signal.aborted) throw new AbortedError(String(this.signal.reason ?? 'aborted'));
      const unreachable = unreachableHost(error, url);
      if (unreachable) throw new PermanentError(`Spotify ${endpoint}: cannot reach ${unreachable}; check SPOTIFY_API_URL (or [spotify] api_url) and the network`, { cause: error });
      const e = error as Error & { cause?: { code?: string } };
      const reason = e.name === 'TimeoutError' ? `timed out after ${this.settings.requestTimeoutMs} ms` : `${e.message}${e.cause?.code ? ` (${e.cause.code})` : ''}`;
      throw new TransientError(`Spotify ${endpoint}: ${reason}`, { cause: error });
    }
    let text: string;
    try {
      text = await response.text();
    } catch (error) {
      throw new TransientError(`Spotify ${endpoint}: the connection dropped while reading the answer`, { cause: error });
    }
    let body: unknown;
    try {
      body = text === '' ? null : JSON.parse(text);
    } catch {
      body = undefined;
    }
    // Retry-After is in seconds; without one, wait a second.
    const seconds = Number(response.headers.get('retry-after') ?? 1);
    const retryAfterMs = (Number.isFinite(seconds) && seconds >= 0 ? seconds : 1) * 1000;
    return { status: response.status, body, token, retryAfterMs };
  }
}
