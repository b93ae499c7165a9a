import * as fs from 'node:fs';
import * as net from 'node:net';
import { ExitCode } from '../../src/core/errors';
import { spotifyPlaylistJob } from '../../src/jobs/spotify-playlist';
import * as expected from '../fixtures/spotify/expected';
import { expectFailure } from '../support/expect-failure';
import { lakeWarehouse, LINEAGE, runSpotify, useSpotifyWorld, type SpotifyWorld } from '../support/spotify-scenario';
import { fixturePath } from '../support/temp-dir';

/**
 * Shapes taken from real recorded Spotify responses rather than from our catalogue: a playlist page
 * recorded with `market=…` where Spotify relinked two of three tracks (the ids, ISRCs, albums,
 * lengths and popularity are the recording's), entries under either key, the 404 that apps
 * registered after 2024-11-27 get for Spotify-owned playlists, and a host that cannot be reached.
 */

const RECORDED = '532omIrUJr4iNzwLcVAFz4';
const recordedPage = (): Record<string, unknown> => JSON.parse(fs.readFileSync(fixturePath('spotify', 'recorded-relinked-playlist.json'), 'utf8')) as Record<string, unknown>;
const ONLY_RECORDED = { SPOTIFY_PLAYLIST_PLAYLIST_IDS: RECORDED };
/** A Spotify-owned editorial playlist id ("RapCaviar"): 404 for apps registered after 2024-11-27. */
const EDITORIAL = '37i9dQZF1DX0XUsuxWHRQd';

// Written by hand from the recording: the playlist's own ids are the linked_from ids; the ids
// Spotify answered with (the playable substitutes) sit beside them.
const RELINKED_ITEMS = [
  [RECORDED, 'MTAsYTVkNGQ0', 0n, 'track', '1LdPEMcaQ2YV3qS53CbOVN', 'spotify:track:1LdPEMcaQ2YV3qS53CbOVN', '2017-04-21 17:44:54', '1247970817', '7qk0JiIuL72IDeADaj1nSY'],
  [RECORDED, 'MTAsYTVkNGQ0', 1n, 'track', '3Z7zpPpjEacqPMcB2DGQRu', 'spotify:track:3Z7zpPpjEacqPMcB2DGQRu', '2017-04-21 17:38:58', '1247970817', '3Z7zpPpjEacqPMcB2DGQRu'],
  [RECORDED, 'MTAsYTVkNGQ0', 2n, 'track', '3S0HgYaRFtzkteQ1OsIDhg', 'spotify:track:3S0HgYaRFtzkteQ1OsIDhg', '2017-04-21 17:44:36', '1247970817', '7AXxufpUTufkNE8uXL3ZRr'],
];
const RELINKED_TRACKS = [
  ['1LdPEMcaQ2YV3qS53CbOVN', 'Witness', '3jkf9bFHemgq4Gt46DWBnY', 177005n, true, 35n, 'USATO1700022', 3n, 1n, 'https://open.spotify.com/track/1LdPEMcaQ2YV3qS53CbOVN', '7qk0JiIuL72IDeADaj1nSY'],
  ['3S0HgYaRFtzkteQ1OsIDhg', 'Bad Decisions', '2u9Ey2oXoSagjN7f9WK2lw', 297786n, false, 48n, 'GBAYE1600972', 2n, 1n, 'https://open.spotify.com/track/3S0HgYaRFtzkteQ1OsIDhg', '7AXxufpUTufkNE8uXL3ZRr'],
  ['3Z7zpPpjEacqPMcB2DGQRu', 'Good Look for You', '635tIaLbz7r79C4u8aaFdK', 221341n, false, 22n, 'FR96X1676614', 1n, 1n, 'https://open.spotify.com/track/3Z7zpPpjEacqPMcB2DGQRu', '3Z7zpPpjEacqPMcB2DGQRu'],
];

async function itemsAndTracks(world: SpotifyWorld): Promise<{ items: unknown[][]; tracks: unknown[][] }> {
  const q = await lakeWarehouse(world.s3, world.dir);
  return {
    items: await q(`SELECT * EXCLUDE (${LINEAGE}) REPLACE (CAST(ADDED_AT AS VARCHAR) AS ADDED_AT) FROM RAW.SPOTIFY_PLAYLIST_ITEMS WHERE PLAYLIST_ID = '${RECORDED}' ORDER BY POSITION`),
    tracks: await q(`SELECT * EXCLUDE (${LINEAGE}) FROM RAW.SPOTIFY_TRACKS ORDER BY 1`),
  };
}

describe('track relinking (a recorded page, older surface)', () => {
  const world = useSpotifyWorld('full');

  test('the playlist keeps the ids it holds; the playable substitutes land beside them', async () => {
    world.fake.inject(new RegExp(`^/playlists/${RECORDED}$`), { kind: 'body', body: JSON.stringify(recordedPage()) });
    await runSpotify(spotifyPlaylistJob, world.fake, world.s3, ONLY_RECORDED);
    expect(await itemsAndTracks(world)).toEqual({ items: RELINKED_ITEMS, tracks: RELINKED_TRACKS });
  });
});

describe('entries under `item` or `track`', () => {
  const world = useSpotifyWorld('dev');

  test('a 2026 playlist whose entries still carry `track` (a proxy, an older cache) lands the same rows', async () => {
    const { tracks, ...rest } = recordedPage();
    world.fake.inject(new RegExp(`^/playlists/${RECORDED}$`), { kind: 'body', body: JSON.stringify({ ...rest, items: tracks }) });
    await runSpotify(spotifyPlaylistJob, world.fake, world.s3, ONLY_RECORDED);
    expect(await itemsAndTracks(world)).toEqual({ items: RELINKED_ITEMS, tracks: RELINKED_TRACKS });
  });

  test('entries with neither key are a changed shape (exit 4), never a page of unavailable rows', async () => {
    const { tracks, ...rest } = recordedPage();
    const page = tracks as { items: Record<string, unknown>[] };
    const keyless = page.items.map(({ track: _track, ...entry }) => ({ ...entry, content: _track }));
    world.fake.inject(new RegExp(`^/playlists/${RECORDED}$`), { kind: 'body', body: JSON.stringify({ ...rest, items: { ...page, items: keyless } }) });
    const error = await expectFailure(runSpotify(spotifyPlaylistJob, world.fake, world.s3, ONLY_RECORDED));
    expect(error.exitCode).toBe(ExitCode.sourceChanged);
    expect(error.message).toMatch(/neither "item" nor "track"/);
    const q = await lakeWarehouse(world.s3, world.dir);
    expect(await q('SELECT COUNT(*) FROM RAW.SPOTIFY_PLAYLIST_ITEMS')).toEqual([[0n]]);
  });
});

describe('Spotify-owned playlists (404 since 2024-11-27)', () => {
  const world = useSpotifyWorld('full');

  test('are skipped with a warning naming the id and the reason; the other playlists land', async () => {
    const { result, log } = await runSpotify(spotifyPlaylistJob, world.fake, world.s3, { SPOTIFY_PLAYLIST_PLAYLIST_IDS: `${EDITORIAL},${expected.PL}` });
    const q = await lakeWarehouse(world.s3, world.dir);
    expect(await q(`SELECT * EXCLUDE (${LINEAGE}) FROM RAW.SPOTIFY_PLAYLISTS`)).toEqual(expected.playlists());
    expect(await q(`SELECT DISTINCT PLAYLIST_ID FROM RAW.SPOTIFY_PLAYLIST_ITEMS`)).toEqual([[expected.PL]]);
    const skipped = result.manifest.inputs.find((i) => i.name === `spotify:playlist:${EDITORIAL}`);
    expect(skipped).toMatchObject({ status: 'ignored', rows_in: 0 });
    expect(skipped?.reason).toMatch(/404 for playlist 37i9dQZF1DX0XUsuxWHRQd: apps registered after 2024-11-27 cannot read Spotify-owned editorial/);
    expect(result.manifest.outcome.inputs_ignored).toBe(1);
    expect(log.text).toMatch(/skipping playlist 37i9dQZF1DX0XUsuxWHRQd; the other playlists still land/);
    expect(log.entries().at(-1)).toMatchObject({ message: 'run succeeded', inputs_ignored: 1 });
  });
});

describe('an unreachable Spotify fails within seconds, naming the host and the cause', () => {
  const world = useSpotifyWorld('full');
  // A retry would wait a minute: the test's own timeout fails it if the error is retried.
  const NO_PATIENCE = { SPOTIFY_RETRY_BASE_MS: '60000' };

  test('a host name that does not resolve', async () => {
    const error = await expectFailure(runSpotify(spotifyPlaylistJob, world.fake, world.s3, { ...ONLY_RECORDED, ...NO_PATIENCE, SPOTIFY_ACCOUNTS_URL: 'http://no-such-host.invalid' }));
    expect(error.exitCode).toBe(ExitCode.failed);
    expect(error.message).toMatch(/cannot reach no-such-host\.invalid \((ENOTFOUND|EAI_AGAIN): .*SPOTIFY_ACCOUNTS_URL/);
  }, 20_000);

  test('a port nothing listens on', async () => {
    const closed = await new Promise<number>((resolve) => {
      const server = net.createServer().listen(0, '127.0.0.1', () => {
        const { port } = server.address() as net.AddressInfo;
        server.close(() => resolve(port));
      });
    });
    const error = await expectFailure(runSpotify(spotifyPlaylistJob, world.fake, world.s3, { ...ONLY_RECORDED, ...NO_PATIENCE, SPOTIFY_API_URL: `http://127.0.0.1:${closed}/v1` }));
    expect(error.exitCode).toBe(ExitCode.failed);
    expect(error.message).toMatch(new RegExp(`cannot reach 127\\.0\\.0\\.1:${closed} \\(ECONNREFUSED: .*SPOTIFY_API_URL`));
  }, 20_000);
});
