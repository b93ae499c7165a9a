import type { Config } from '../../core/config';
import { ConfigError } from '../../core/errors';
import { readSecret } from '../../core/secrets';

export interface SpotifySettings {
  apiUrl: string;
  accountsUrl: string;
  market: string;
  concurrency: number;
  requestTimeoutMs: number;
  maxAttempts: number;
  retryBaseMs: number;
  redirectUri: string;
  audioFeatures: boolean;
  /**
   * Fetch each album track's full object (for ISRC and popularity). In Development Mode that is one
   * request per track; tracks fetched by earlier committed runs are remembered in the job's state.
   */
  trackDetails: boolean;
  clientId: string;
  clientSecret: string;
  /** Set for user data (followed artists, own playlists on Development Mode apps). */
  refreshToken?: string;
}

const url = (config: Config, key: string): string => config.httpUrl('spotify', key)!;

/** `[spotify]` settings and the credentials, which come from the environment only. */
export function readSpotifySettings(config: Config, options: { requireCredentials?: boolean } = {}): SpotifySettings {
  const market = config.string('spotify', 'market').toUpperCase();
  if (!/^[A-Z]{2}$/.test(market)) config.fail('spotify', 'market', 'a two-letter country code such as US or SE');
  const clientId = config.env.SPOTIFY_CLIENT_ID ?? '';
  const clientSecret = readSecret('SPOTIFY_CLIENT_SECRET', config.env) ?? '';
  if ((options.requireCredentials ?? true) && (!clientId || !clientSecret)) {
    throw new ConfigError('Spotify needs SPOTIFY_CLIENT_ID and SPOTIFY_CLIENT_SECRET in the environment (from the app at developer.spotify.com)');
  }
  return {
    apiUrl: url(config, 'api_url'),
    accountsUrl: url(config, 'accounts_url'),
    market,
    concurrency: config.int('spotify', 'concurrency', { min: 1, max: 32 }),
    requestTimeoutMs: config.int('spotify', 'request_timeout_ms', { min: 100, max: 300_000, unit: 'milliseconds' }),
    maxAttempts: config.int('spotify', 'max_attempts', { min: 1, max: 20 }),
    retryBaseMs: config.int('spotify', 'retry_base_ms', { min: 1, max: 60_000, unit: 'milliseconds' }),
    redirectUri: url(config, 'redirect_uri'),
    audioFeatures: config.bool('spotify', 'audio_features'),
    trackDetails: config.bool('spotify', 'track_details'),
    clientId,
    clientSecret,
    refreshToken: readSecret('SPOTIFY_REFRESH_TOKEN', config.env),
  };
}
