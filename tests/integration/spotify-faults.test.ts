import { ExitCode } from '../../src/core/errors';
import { expectFailure } from '../support/expect-failure';
import { spotifyArtistsJob } from '../../src/jobs/spotify-artists';
import { spotifyPlaylistJob } from '../../src/jobs/spotify-playlist';
import { spotifyNewReleasesJob } from '../../src/jobs/spotify-new-releases';
import { configureS3, readS3Settings } from '../../src/connections/s3';
import { loadConfig } from '../../src/core/config';
import { openStore } from '../../src/lake/open-store';
import * as expected from '../fixtures/spotify/expected';
import { EXPIRED_REFRESH_TOKEN, FakeSpotify, type Fault } from '../support/fake-spotify';
import { startS3, type RunningS3 } from '../support/s3rver-harness';
import { lakeWarehouse, LINEAGE, runSpotify } from '../support/spotify-scenario';
import { tempDir } from '../support/temp-dir';
import { createLogger } from '../../src/core/log';
import { IoCounters } from '../../src/run/io-counters';
import { SpotifyApi } from '../../src/sources/spotify/spotify-api';
import { readSpotifySettings } from '../../src/sources/spotify/spotify-settings';
import { SpotifyTokens } from '../../src/sources/spotify/spotify-tokens';

const PLAYLIST_ENV = { SPOTIFY_PLAYLIST_PLAYLIST_IDS: expected.PL };
const PLAYLIST_TRACKS = ['0nrRP2bk19rLc0orkWPQk2', '3sBjmBVF2FBmjYxaL1mE0U', '6fHLSJbh1aLbxVZCGOxXxA'];

let fake: FakeSpotify;
let s3: RunningS3;
let dir: string;
let cleanup: () => void;
beforeEach(async () => {
  fake = await new FakeSpotify('full').start();
  s3 = await startS3();
  ({ dir, cleanup } = tempDir());
});
afterEach(async () => {
  await fake.stop();
  await s3.stop();
  cleanup();
});

/** The playlist job's rows, which every recovered fault must reproduce exactly. */
async function expectPlaylistRows(): Promise<void> {
  const q = await lakeWarehouse(s3, dir);
  const rows = async (table: string, order: string) => q(`SELECT * EXCLUDE (${LINEAGE}) FROM RAW.SPOTIFY_${table} ORDER BY ${order}`);
  expect(await rows('PLAYLISTS', '1')).toEqual(expected.playlists());
  expect(await rows('PLAYLIST_ITEMS', '1, 2, 3')).toEqual(expected.playlistItems());
  expect(await rows('TRACKS', '1')).toEqual(expected.tracks('full', PLAYLIST_TRACKS));
  expect(await rows('TRACK_ARTISTS', '1, 3')).toEqual(expected.trackArtists(PLAYLIST_TRACKS));
  expect(await rows('ALBUMS', '1')).toEqual(expected.albums('full', expected.ALL_ALBUMS));
  expect(await rows('ARTISTS', '1')).toEqual(expected.artists('full', expected.ALL_ARTISTS));
  expect(await rows('ARTIST_GENRES', '1, 2')).toEqual(expected.artistGenres(expected.ALL_ARTISTS));
}

async function committedKeys(): Promise<string[]> {
  await configureS3(readS3Settings(loadConfig({ env: s3.env, dotenvDir: null })));
  return (await openStore(`s3://${s3.bucket}/lake`).list('')).map((o) => o.key).filter((k) => !k.startsWith('_staging/') && !k.startsWith('_locks/'));
}

describe('recovered faults give identical output', () => {
  test.each<[string, RegExp, Fault, number, Record<string, number>]>([
    ['a 429 with Retry-After', /^\/albums$/, { kind: '429', retryAfter: 1 }, 1, { spotify_429: 1, spotify_wait_seconds: 1 }],
    ['two 500s', /^\/artists$/, { kind: '500' }, 2, { spotify_retries: 2 }],
    ['a dropped connection', /^\/playlists\/[^/]+\/tracks$/, { kind: 'drop' }, 1, { spotify_retries: 1 }],
    ['a malformed body', /^\/albums$/, { kind: 'malformed' }, 1, { spotify_retries: 1 }],
    ['a token that expires mid-run (401)', /^\/artists$/, { kind: 'expire-token' }, 1, { spotify_token_renewals_on_401: 1, spotify_token_requests: 2 }],
  ])('%s', async (_name, match, fault, times, io) => {
    fake.inject(match, fault, times);
    const { result } = await runSpotify(spotifyPlaylistJob, fake, s3, PLAYLIST_ENV);
    await expectPlaylistRows();
    expect(result.manifest.io).toMatchObject(io);
  });

  test('a 429 pauses every worker for Retry-After, not only the one that received it', async () => {
    // Four workers, each fetching artists one after another; the fourth request overall gets a 429.
    const settings = readSpotifySettings(loadConfig({ env: fake.env(), dotenvDir: null }));
    const api = new SpotifyApi(settings, new SpotifyTokens(settings), new IoCounters(), createLogger({ level: 'error' }), new AbortController().signal);
    let n = 0;
    // Each worker sends a request every 100 ms or so, so without a shared pause the others would
    // keep sending during the Retry-After second.
    const worker = async () => {
      for (let i = 0; i < 6; i++) {
        if (++n === 4) fake.inject(/^\/artists\//, { kind: '429', retryAfter: 1 });
        await api.get(`/artists/${expected.ALL_ARTISTS[i % 3]}`, {}, 'GET /artists/{id}');
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    };
    await Promise.all([worker(), worker(), worker(), worker()]);
    const throttledAt = fake.times.find((t, i) => i >= 3 && t.template === 'GET /artists/{id}')!.at;
    // Requests already on the wire may still land shortly after the 429 (more so on a loaded
    // machine); every request sent after it was answered waits out the second. Without the shared
    // pause the other workers would send about seven requests inside that window.
    const inWindow = fake.times.filter((t) => t.at - throttledAt > 300 && t.at - throttledAt < 990);
    expect(inWindow).toEqual([]);
    expect(fake.times.filter((t) => t.at - throttledAt >= 990).length).toBeGreaterThan(4);
  });
});

describe('faults that end the run as documented, committing nothing', () => {
  test('QUOTA_EXCEEDED stops at once with a clear message (exit 1)', async () => {
    fake.inject(/^\/albums$/, { kind: 'quota' }, 5);
    const error = await expectFailure(runSpotify(spotifyPlaylistJob, fake, s3, PLAYLIST_ENV));
    expect(error.exitCode).toBe(ExitCode.failed);
    expect(error.message).toMatch(/quota is exceeded \(429 QUOTA_EXCEEDED\); stopping instead of retrying/);
    expect(fake.count('GET /albums?ids=')).toBe(1);
    expect(await committedKeys()).toEqual([]);
  });

  test('an expired refresh token (invalid_grant) asks a person to log in again (exit 3)', async () => {
    const error = await expectFailure(runSpotify(spotifyArtistsJob, fake, s3, { SPOTIFY_REFRESH_TOKEN: EXPIRED_REFRESH_TOKEN }));
    expect(error.exitCode).toBe(ExitCode.needsPerson);
    expect(error.message).toMatch(/invalid_grant.*expire 6 months after consent.*soundlake spotify login/);
    expect(error.message).not.toContain(EXPIRED_REFRESH_TOKEN);
    expect(await committedKeys()).toEqual([]);
  });

  test("a user missing from a Development Mode app's allowlist (403) asks a person to add them (exit 3)", async () => {
    fake.inject(/^\/playlists\//, { kind: '403', message: 'Check settings on developer.spotify.com/dashboard, the user may not be registered.' }, 5);
    const error = await expectFailure(runSpotify(spotifyPlaylistJob, fake, s3, PLAYLIST_ENV));
    expect(error.exitCode).toBe(ExitCode.needsPerson);
    expect(error.message).toMatch(/answered 403 "Check settings on developer\.spotify\.com\/dashboard, the user may not be registered\.": .*User Management/);
    expect(await committedKeys()).toEqual([]);
  });

  test('an app owner without Premium (403) is exit 3, and new-releases does not take it for a missing endpoint', async () => {
    fake.inject(/^\/browse\/new-releases/, { kind: '403', message: 'Active premium subscription required for the owner of the app.' }, 5);
    const error = await expectFailure(runSpotify(spotifyNewReleasesJob, fake, s3, {}));
    expect(error.exitCode).toBe(ExitCode.needsPerson);
    expect(error.message).toMatch(/no active Premium subscription/);
    expect(fake.count('GET /search')).toBe(0);
    expect(await committedKeys()).toEqual([]);
  });

  test('wrong app credentials (invalid_client) say which variables to check (exit 1)', async () => {
    const error = await expectFailure(runSpotify(spotifyPlaylistJob, fake, s3, { ...PLAYLIST_ENV, SPOTIFY_CLIENT_SECRET: 'wrong-secret-value' }));
    expect(error.exitCode).toBe(ExitCode.failed);
    expect(error.message).toMatch(/invalid_client.*check SPOTIFY_CLIENT_ID and SPOTIFY_CLIENT_SECRET/);
    expect(error.message).not.toContain('wrong-secret-value');
  });

  test('a response of another shape names the endpoint and the field (exit 4)', async () => {
    fake.inject(/^\/albums$/, { kind: 'body', body: '{"albums": [{"id": "4aawyAB9vmqN3uQ7FjRGTy"}, null, null]}' });
    const error = await expectFailure(runSpotify(spotifyPlaylistJob, fake, s3, PLAYLIST_ENV));
    expect(error.exitCode).toBe(ExitCode.sourceChanged);
    expect(error.message).toMatch(/Spotify GET \/albums\?ids=: response\.albums\[0\]\.name should be a string, missing/);
    expect(await committedKeys()).toEqual([]);
  });

  test('5xx that outlast the attempts fail the run (exit 1)', async () => {
    fake.inject(/^\/artists$/, { kind: '500' }, 10);
    const error = await expectFailure(runSpotify(spotifyPlaylistJob, fake, s3, { ...PLAYLIST_ENV, SPOTIFY_MAX_ATTEMPTS: '3' }));
    expect(error.exitCode).toBe(ExitCode.failed);
    expect(error.message).toMatch(/Spotify GET \/artists\?ids= answered 500/);
    expect(fake.count('GET /artists?ids=')).toBe(3);
    expect(await committedKeys()).toEqual([]);
  });

  test('a playlist id that is not one is a configuration error (exit 2) before any request', async () => {
    const error = await expectFailure(runSpotify(spotifyPlaylistJob, fake, s3, { SPOTIFY_PLAYLIST_PLAYLIST_IDS: 'https://open.spotify.com/album/4aawyAB9vmqN3uQ7FjRGTy' }));
    expect(error.exitCode).toBe(ExitCode.usage);
    expect(error.message).toMatch(/\[spotify-playlist\] playlist_ids: .* is not a Spotify playlist id/);
    expect(fake.requests).toEqual([]);
  });
});
