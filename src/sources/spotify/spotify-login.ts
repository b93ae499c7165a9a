import { randomBytes } from 'node:crypto';
import * as http from 'node:http';
import { PermanentError } from '../../core/errors';
import type { SpotifySettings } from './spotify-settings';
import { requestToken } from './spotify-tokens';

export const LOGIN_SCOPES = ['user-follow-read', 'playlist-read-private', 'playlist-read-collaborative'];

/**
 * The authorization-code flow, once, by a person: builds the authorize URL, receives the code on
 * the local redirect URI, exchanges it, and returns the refresh token (valid 6 months).
 */
export async function spotifyLogin(settings: SpotifySettings, options: { onAuthorizeUrl: (url: string) => void; timeoutMs: number }): Promise<string> {
  const redirect = new URL(settings.redirectUri);
  if (redirect.protocol !== 'http:' || !['127.0.0.1', 'localhost', '[::1]'].includes(redirect.hostname)) {
    throw new PermanentError(`[spotify] redirect_uri must be a loopback http:// URL for the login command, e.g. http://127.0.0.1:8888/callback (got ${settings.redirectUri})`);
  }
  const state = randomBytes(16).toString('hex');
  const authorize = new URL(`${settings.accountsUrl}/authorize`);
  authorize.search = new URLSearchParams({
    client_id: settings.clientId,
    response_type: 'code',
    redirect_uri: settings.redirectUri,
    scope: LOGIN_SCOPES.join(' '),
    state,
    show_dialog: 'true',
  }).toString();

  const code = await new Promise<string>((resolve, reject) => {
    const server = http.createServer((req, res) => {
      const url = new URL(req.url ?? '/', settings.redirectUri);
      if (url.pathname !== redirect.pathname) {
        res.writeHead(404).end();
        return;
      }
      const finish = (status: number, message: string, outcome: () => void) => {
        res.writeHead(status, { 'content-type': 'text/html; charset=utf-8' }).end(`<!doctype html><title>soundlake</title><p>${message}</p>`);
        clearTimeout(timer);
        server.close();
        outcome();
      };
      if (url.searchParams.get('state') !== state) return finish(400, 'State mismatch: start again with soundlake spotify login.', () => reject(new PermanentError('Spotify login: the redirect carried another state (a stale or forged request); run the command again')));
      const error = url.searchParams.get('error');
      if (error) return finish(400, `Spotify said: ${error}.`, () => reject(new PermanentError(`Spotify login refused: ${error}`)));
      const received = url.searchParams.get('code');
      if (!received) return finish(400, 'No code in the redirect.', () => reject(new PermanentError('Spotify login: the redirect had no code')));
      finish(200, 'soundlake has the authorization. You can close this window.', () => resolve(received));
    });
    const timer = setTimeout(() => {
      server.close();
      reject(new PermanentError(`Spotify login: no answer within ${Math.round(options.timeoutMs / 1000)} s`));
    }, options.timeoutMs);
    server.on('error', (error) => {
      clearTimeout(timer);
      reject(new PermanentError(`Spotify login: cannot listen on ${settings.redirectUri}: ${error.message}`));
    });
    server.listen(Number(redirect.port || 80), redirect.hostname.replace(/^\[|\]$/g, ''), () => options.onAuthorizeUrl(authorize.toString()));
  });

  const token = await requestToken(settings, { grant_type: 'authorization_code', code, redirect_uri: settings.redirectUri });
  if (!token.refresh_token) throw new PermanentError('Spotify login: the token answer had no refresh_token');
  return token.refresh_token;
}
