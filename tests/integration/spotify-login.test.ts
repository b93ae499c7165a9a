import * as net from 'node:net';
import { loadConfig } from '../../src/core/config';
import { spotifyLogin } from '../../src/sources/spotify/spotify-login';
import { readSpotifySettings } from '../../src/sources/spotify/spotify-settings';
import { FakeSpotify, REFRESH_TOKEN } from '../support/fake-spotify';

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('soundlake spotify login (authorization-code flow)', () => {
  let fake: FakeSpotify;
  beforeEach(async () => (fake = await new FakeSpotify('full').start()));
  afterEach(() => fake.stop());

  async function login(browser: (authorizeUrl: URL, redirect: string) => Promise<void>): Promise<string> {
    const redirect = `http://127.0.0.1:${await freePort()}/callback`;
    const settings = readSpotifySettings(loadConfig({ env: fake.env({ SPOTIFY_REDIRECT_URI: redirect }), dotenvDir: null }));
    let visit: Promise<void> = Promise.resolve();
    const token = spotifyLogin(settings, { timeoutMs: 10_000, onAuthorizeUrl: (url) => (visit = browser(new URL(url), redirect)) });
    const [result] = await Promise.all([token, token.then(() => visit, () => visit)]);
    return result;
  }

  test('prints an authorize URL with the scopes, receives the code, returns the refresh token', async () => {
    const token = await login(async (url, redirect) => {
      expect(url.origin + url.pathname).toBe(`${fake.url}/authorize`);
      expect(url.searchParams.get('scope')).toBe('user-follow-read playlist-read-private playlist-read-collaborative');
      expect(url.searchParams.get('redirect_uri')).toBe(redirect);
      expect(url.searchParams.get('response_type')).toBe('code');
      // What the browser does after the person approves: Spotify redirects with the code and state.
      const answer = await fetch(`${redirect}?code=good-code&state=${url.searchParams.get('state')}`);
      expect(answer.status).toBe(200);
    });
    expect(token).toBe(REFRESH_TOKEN);
    expect(fake.tokenRequests).toEqual(['authorization_code']);
  });

  test('a redirect with another state is refused', async () => {
    await expect(login(async (_url, redirect) => void (await fetch(`${redirect}?code=good-code&state=forged`)))).rejects.toThrow(/another state/);
    expect(fake.tokenRequests).toEqual([]);
  });

  test('a refusal by the person is reported', async () => {
    await expect(login(async (url, redirect) => void (await fetch(`${redirect}?error=access_denied&state=${url.searchParams.get('state')}`)))).rejects.toThrow(/refused: access_denied/);
  });
});
