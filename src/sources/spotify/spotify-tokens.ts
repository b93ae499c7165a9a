import { cliCommand } from '../../core/cli-name';
import { z } from 'zod';
import { NeedsPersonError, PermanentError, TransientError } from '../../core/errors';
import { withRetry } from '../../core/retry';
import { unreachableHost } from '../../core/unreachable-host';
import { registerSecretValue } from '../../core/secrets';
import type { SpotifySettings } from './spotify-settings';

/** Renew this long before the token's stated expiry, in ms. */
const RENEW_EARLY_MS = 60_000;

const howToLogin = () => `run ${cliCommand('spotify login')} (it prints a new refresh token) and set SPOTIFY_REFRESH_TOKEN`;

/** What the accounts service answers; checked where it enters (the values are secrets: never quoted). */
const tokenResponse = z.object({ access_token: z.string(), expires_in: z.number(), refresh_token: z.string().optional() });
type TokenResponse = z.output<typeof tokenResponse>;

function readTokenResponse(value: unknown): TokenResponse {
  const checked = tokenResponse.safeParse(value);
  if (!checked.success) throw new TransientError(`Spotify token response lacks a valid ${checked.error.issues[0].path.join('.') || 'body'}`);
  return checked.data;
}

/** POST {accounts}/api/token with the app's Basic credentials; maps Spotify's errors to what to do. */
export async function requestToken(settings: SpotifySettings, form: Record<string, string>, signal?: AbortSignal): Promise<TokenResponse> {
  let response: Response;
  const url = `${settings.accountsUrl}/api/token`;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: {
        Authorization: `Basic ${Buffer.from(`${settings.clientId}:${settings.clientSecret}`).toString('base64')}`,
        'Content-Type': 'application/x-www-form-urlencoded',
      },
      body: new URLSearchParams(form).toString(),
      signal: signal ? AbortSignal.any([signal, AbortSignal.timeout(settings.requestTimeoutMs)]) : AbortSignal.timeout(settings.requestTimeoutMs),
    });
  } catch (error) {
    const unreachable = unreachableHost(error, url);
    if (unreachable) throw new PermanentError(`Spotify token request: cannot reach ${unreachable}; check SPOTIFY_ACCOUNTS_URL (or [spotify] accounts_url) and the network`, { cause: error });
    throw new TransientError(`Spotify token request failed: ${(error as Error).message}`, { cause: error });
  }
  const text = await response.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    if (response.ok || response.status >= 500) throw new TransientError(`Spotify token endpoint answered ${response.status} with a body that is not JSON`);
  }
  if (response.status === 429 || response.status >= 500) {
    const retryAfter = Number(response.headers.get('retry-after'));
    throw new TransientError(`Spotify token endpoint answered ${response.status}`, { retryAfterMs: Number.isFinite(retryAfter) ? retryAfter * 1000 : undefined });
  }
  if (!response.ok) {
    const error = (body as { error?: unknown; error_description?: unknown } | undefined) ?? {};
    const code = typeof error.error === 'string' ? error.error : `HTTP ${response.status}`;
    const description = typeof error.error_description === 'string' ? `: ${error.error_description}` : '';
    if (code === 'invalid_grant') {
      throw new NeedsPersonError(`Spotify rejected the refresh token (invalid_grant${description}); refresh tokens expire 6 months after consent or when revoked: ${howToLogin()}`);
    }
    if (code === 'invalid_client') {
      throw new PermanentError(`Spotify rejected the app credentials (invalid_client${description}); check SPOTIFY_CLIENT_ID and SPOTIFY_CLIENT_SECRET`);
    }
    throw new PermanentError(`Spotify token request failed (${code}${description})`);
  }
  const token = readTokenResponse(body);
  registerSecretValue(token.access_token);
  registerSecretValue(token.refresh_token);
  return token;
}

/**
 * Access tokens: client credentials, or the refresh-token flow when SPOTIFY_REFRESH_TOKEN is set.
 * Cached, renewed shortly before expiry, renewed once more when the API answers 401.
 */
export class SpotifyTokens {
  private current?: { token: string; expiresAt: number };
  private pending?: Promise<string>;
  requests = 0;

  constructor(
    private readonly settings: SpotifySettings,
    private readonly signal?: AbortSignal,
  ) {}

  get userToken(): boolean {
    return this.settings.refreshToken !== undefined;
  }

  async get(): Promise<string> {
    if (this.current && Date.now() < this.current.expiresAt - RENEW_EARLY_MS) return this.current.token;
    this.pending ??= this.fetch().finally(() => (this.pending = undefined));
    return this.pending;
  }

  /** Forgets `token` (the API refused it); the next get() fetches a new one. */
  invalidate(token: string): void {
    if (this.current?.token === token) this.current = undefined;
  }

  private async fetch(): Promise<string> {
    const form: Record<string, string> = this.settings.refreshToken
      ? { grant_type: 'refresh_token', refresh_token: this.settings.refreshToken }
      : { grant_type: 'client_credentials' };
    const response = await withRetry(
      () => {
        this.requests++;
        return requestToken(this.settings, form, this.signal);
      },
      { attempts: this.settings.maxAttempts, baseDelayMs: this.settings.retryBaseMs, signal: this.signal },
    );
    this.current = { token: response.access_token, expiresAt: Date.now() + response.expires_in * 1000 };
    return response.access_token;
  }
}
