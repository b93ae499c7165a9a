import { spotifyArtistsJob } from '../../src/jobs/spotify-artists';
import { spotifyNewReleasesJob } from '../../src/jobs/spotify-new-releases';
import { spotifyPlaylistJob } from '../../src/jobs/spotify-playlist';
import * as expected from '../fixtures/spotify/expected';
import { FakeSpotify, REFRESH_TOKEN } from '../support/fake-spotify';
import { startS3, type RunningS3 } from '../support/s3rver-harness';
import { lakeWarehouse, LINEAGE, runSpotify, useSpotifyWorld } from '../support/spotify-scenario';
import { tempDir } from '../support/temp-dir';

const PLAYLIST_ENV = { SPOTIFY_PLAYLIST_PLAYLIST_IDS: `https://open.spotify.com/playlist/${expected.PL}?si=abc123` };
const WEEZER = '3jOstUTkEu2JkjvRdBA5Gu';

/** Every Spotify RAW table's own columns, ordered by key. */
async function lakeRows(s3: RunningS3, dir: string): Promise<Record<string, unknown[][]>> {
  const q = await lakeWarehouse(s3, dir);
  const table = (name: string, order: string) => q(`SELECT * EXCLUDE (${LINEAGE}) FROM RAW.SPOTIFY_${name} ORDER BY ${order}`);
  return {
    playlists: await table('PLAYLISTS', '1'),
    playlist_items: await table('PLAYLIST_ITEMS', '1, 2, 3'),
    tracks: await table('TRACKS', '1'),
    track_artists: await table('TRACK_ARTISTS', '1, 3'),
    albums: await table('ALBUMS', '1'),
    album_artists: await table('ALBUM_ARTISTS', '1, 3'),
    artists: await table('ARTISTS', '1'),
    artist_genres: await table('ARTIST_GENRES', '1, 2'),
    new_releases: await q(`SELECT ALBUM_ID, RANK, SOURCE, FIRST_SEEN_AT = _EXTRACTED_AT FROM RAW.SPOTIFY_NEW_RELEASES ORDER BY RANK`),
    audio_features: await table('AUDIO_FEATURES', '1'),
    followed_artists: await table('FOLLOWED_ARTISTS', '1'),
  };
}

/** No single-id request repeats, and no id appears in two batch requests. */
function expectNoIdTwice(fake: FakeSpotify): void {
  const singles = fake.urls.filter((u) => /^\/(albums|artists|tracks|audio-features)\/[A-Za-z0-9]{22}(\?|$)/.test(u)).map((u) => u.split('?')[0]);
  expect(new Set(singles).size).toBe(singles.length);
  for (const kind of ['albums', 'artists', 'tracks', 'audio-features']) {
    const ids = fake.urls.filter((u) => u.startsWith(`/${kind}?`)).flatMap((u) => new URL(`http://x${u}`).searchParams.get('ids')!.split(','));
    expect(new Set(ids).size).toBe(ids.length);
  }
}

const empty = { playlists: [], playlist_items: [], tracks: [], track_artists: [], albums: [], album_artists: [], artists: [], artist_genres: [], new_releases: [], audio_features: [], followed_artists: [] };

describe.each(['full', 'dev'] as const)('Spotify jobs against the %s surface', (mode) => {
  let fake: FakeSpotify;
  let s3: RunningS3;
  let dir: string;
  let cleanup: () => void;
  beforeEach(async () => {
    fake = await new FakeSpotify(mode).start();
    s3 = await startS3();
    ({ dir, cleanup } = tempDir());
  });
  afterEach(async () => {
    await fake.stop();
    await s3.stop();
    cleanup();
  });

  test('spotify-playlist lands the expected rows with the expected requests', async () => {
    const { result } = await runSpotify(spotifyPlaylistJob, fake, s3, PLAYLIST_ENV);
    const tracks = ['0nrRP2bk19rLc0orkWPQk2', '3sBjmBVF2FBmjYxaL1mE0U', '6fHLSJbh1aLbxVZCGOxXxA'];
    expect(await lakeRows(s3, dir)).toEqual({
      ...empty,
      playlists: expected.playlists(),
      playlist_items: expected.playlistItems(),
      tracks: expected.tracks(mode, tracks),
      track_artists: expected.trackArtists(tracks),
      albums: expected.albums(mode, expected.ALL_ALBUMS),
      album_artists: expected.albumArtists(expected.ALL_ALBUMS),
      artists: expected.artists(mode, expected.ALL_ARTISTS),
      artist_genres: expected.artistGenres(expected.ALL_ARTISTS),
    });
    // 8 entries (one null), served 3 a page: GET /playlists/{id} carries the first 3, so entries are
    // fetched from offset 3 (2 pages); 3 albums and 3 artists referenced.
    expect(fake.counts()).toEqual(
      mode === 'full'
        ? { 'GET /playlists/{id}': 1, 'GET /playlists/{id}/items': 1, 'GET /playlists/{id}/tracks': 2, 'GET /albums?ids=': 1, 'GET /artists?ids=': 1 }
        : { 'GET /playlists/{id}': 1, 'GET /playlists/{id}/items': 2, 'GET /albums?ids=': 1, 'GET /albums/{id}': 3, 'GET /artists?ids=': 1, 'GET /artists/{id}': 3 },
    );
    expect(fake.urls.filter((u) => /^\/playlists\/[^/]+\/(items|tracks)/.test(u)).every((u) => !/[?&]offset=0\b/.test(u))).toBe(true);
    expect(result.manifest.io.entries_skipped).toBe(1);
    expectNoIdTwice(fake);
    expect(fake.tokenRequests).toEqual(['client_credentials']);
    // The manifest counts the same requests.
    for (const [template, n] of Object.entries(fake.counts())) expect(result.manifest.io[`spotify_requests ${template}`]).toBe(n);
    expect(result.manifest.io.spotify_token_requests).toBe(1);
    expect(result.manifest.totals.rows_rejected).toBe(0);
  });

  test('spotify-new-releases expands new albums once; a rerun with unchanged releases expands nothing', async () => {
    const first = await runSpotify(spotifyNewReleasesJob, fake, s3);
    const source = mode === 'full' ? 'browse' : 'search';
    expect(await lakeRows(s3, dir)).toEqual({
      ...empty,
      // The listing's null entry is skipped (not fatal), and ranks count albums.
      new_releases: [
        ['2GgpnYHvJYyQWGsJtYGbgh', 1n, source, true],
        ['5zT1JLIj9E57p3e1rFm9Uq', 2n, source, true],
        ['4aawyAB9vmqN3uQ7FjRGTy', 3n, source, true],
        ['7dKSWnUdlpkB2tBx3nwH5G', 4n, source, true],
      ],
      albums: expected.albums(mode, expected.NEW_RELEASE_ALBUMS),
      album_artists: expected.albumArtists(expected.NEW_RELEASE_ALBUMS),
      tracks: expected.tracks(mode, expected.NEW_RELEASE_TRACKS),
      track_artists: expected.trackArtists(expected.NEW_RELEASE_TRACKS),
      artists: expected.artists(mode, expected.ALL_ARTISTS),
      artist_genres: expected.artistGenres(expected.ALL_ARTISTS),
      audio_features: mode === 'full' ? expected.audioFeatures() : [],
    });
    // 5 listing entries (one null) served 2 a page; the Blue Album's third track needs
    // /albums/{id}/tracks; refused audio features cost one probe.
    expect(fake.counts()).toEqual(
      mode === 'full'
        ? { 'GET /browse/new-releases': 3, 'GET /albums?ids=': 1, 'GET /albums/{id}/tracks': 1, 'GET /tracks?ids=': 1, 'GET /artists?ids=': 1, 'GET /audio-features?ids=': 1 }
        : {
            'GET /browse/new-releases': 1,
            'GET /search': 3,
            'GET /albums?ids=': 1,
            'GET /albums/{id}': 4,
            'GET /albums/{id}/tracks': 1,
            'GET /tracks?ids=': 1,
            'GET /tracks/{id}': 7,
            'GET /artists?ids=': 1,
            'GET /artists/{id}': 3,
            'GET /audio-features?ids=': 1,
          },
    );
    expect(first.result.manifest.io.entries_skipped).toBe(1);
    expectNoIdTwice(fake);
    if (mode === 'dev') expect(fake.urls.filter((u) => u.startsWith('/search')).every((u) => /limit=10\b/.test(u))).toBe(true);
    expect(first.result.manifest.totals.rows_out).toBeGreaterThan(0);

    fake.requests.length = 0;
    const second = await runSpotify(spotifyNewReleasesJob, fake, s3);
    expect(fake.counts()).toEqual(mode === 'full' ? { 'GET /browse/new-releases': 3 } : { 'GET /browse/new-releases': 1, 'GET /search': 3 });
    expect(second.result.manifest.totals.rows_out).toBe(0);
    expect(second.result.manifest.files).toEqual([]);
  });

  test('spotify-artists loads configured artists with their albums and tracks', async () => {
    await runSpotify(spotifyArtistsJob, fake, s3, { SPOTIFY_ARTISTS_ARTIST_IDS: `spotify:artist:${WEEZER}` });
    const blueTracks = ['1KvmbGDZpKmHkRNbAkaQwi', '3sBjmBVF2FBmjYxaL1mE0U', '4Ey0PpMLDbVOv6UjYlDGNx'];
    const credited = ['1vCWHaC5f2uS3yhpwWbIA6', WEEZER];
    expect(await lakeRows(s3, dir)).toEqual({
      ...empty,
      albums: expected.albums(mode, ['5zT1JLIj9E57p3e1rFm9Uq']),
      album_artists: expected.albumArtists(['5zT1JLIj9E57p3e1rFm9Uq']),
      tracks: expected.tracks(mode, blueTracks),
      track_artists: expected.trackArtists(blueTracks),
      artists: expected.artists(mode, credited),
      artist_genres: expected.artistGenres(credited),
    });
    expect(fake.counts()).toEqual(
      mode === 'full'
        ? { 'GET /artists/{id}/albums': 1, 'GET /albums?ids=': 1, 'GET /albums/{id}/tracks': 1, 'GET /tracks?ids=': 1, 'GET /artists?ids=': 1 }
        : {
            // limit=50 refused with 400, then 10 for the rest of the run
            'GET /artists/{id}/albums': 2,
            'GET /albums?ids=': 1,
            'GET /albums/{id}': 1,
            'GET /albums/{id}/tracks': 1,
            'GET /tracks?ids=': 1,
            'GET /tracks/{id}': 3,
            'GET /artists?ids=': 1,
            'GET /artists/{id}': 2,
          },
    );
    expectNoIdTwice(fake);
  });
});

describe('spotify-artists from the follow list', () => {
  test('reads /me/following with the refresh token and does not fetch followed artists again', async () => {
    const fake = await new FakeSpotify('full').start();
    const s3 = await startS3();
    const { dir, cleanup } = tempDir();
    try {
      await runSpotify(spotifyArtistsJob, fake, s3, { SPOTIFY_REFRESH_TOKEN: REFRESH_TOKEN });
      const rows = await lakeRows(s3, dir);
      expect(rows.followed_artists).toEqual([
        ['0OdUWJ0sBjDrqHygGUXeCF', new Date('2026-11-21T00:00:00Z')],
        ['1vCWHaC5f2uS3yhpwWbIA6', new Date('2026-11-21T00:00:00Z')],
      ]);
      expect(rows.albums).toEqual(expected.albums('full', ['2GgpnYHvJYyQWGsJtYGbgh', '4aawyAB9vmqN3uQ7FjRGTy']));
      expect(rows.artists).toEqual(expected.artists('full', expected.ALL_ARTISTS));
      // Two follow pages (one artist each), one album listing per artist, one batch each for
      // albums and tracks; of the artists only Weezer (credited on Wake Me Up) is fetched.
      expect(fake.counts()).toEqual({ 'GET /me/following': 2, 'GET /artists/{id}/albums': 2, 'GET /albums?ids=': 1, 'GET /tracks?ids=': 1, 'GET /artists?ids=': 1 });
      expect(fake.urls.find((u) => u.startsWith('/artists?'))).toContain(`ids=${WEEZER}`);
      expect(fake.tokenRequests).toEqual(['refresh_token']);
    } finally {
      await fake.stop();
      await s3.stop();
      cleanup();
    }
  });
});

describe('Development Mode costs and limits, made visible', () => {
  const world = useSpotifyWorld('dev');

  test("a playlist the user does not own lands its playlists row, its entries are skipped with a warning naming it; the others land", async () => {
    const other = '3cEYpjA9oz9GiPac4AsH4n';
    const { result, log } = await runSpotify(spotifyPlaylistJob, world.fake, world.s3, { SPOTIFY_PLAYLIST_PLAYLIST_IDS: `${other},${expected.PL}` });
    const rows = await lakeRows(world.s3, world.dir);
    // Development Mode still answers the playlist's metadata (GET /playlists/{id}), so its row lands.
    expect(rows.playlists).toEqual([
      ...expected.playlists(),
      ['3cEYpjA9oz9GiPac4AsH4n', "Someone Else's Mix", null, 'otheruser', true, false, 'NSxhYmNkZWY=', 1n, 'https://open.spotify.com/playlist/3cEYpjA9oz9GiPac4AsH4n'],
    ]);
    expect(rows.playlist_items).toEqual(expected.playlistItems());
    const skipped = result.manifest.inputs.find((i) => i.name === `spotify:playlist:${other}`);
    expect(skipped).toMatchObject({ status: 'ignored', rows_in: 0 });
    expect(skipped?.reason).toMatch(/refuses the entries of playlist 3cEYpjA9oz9GiPac4AsH4n \(403\): Development Mode apps may read only playlists the user owns/);
    expect(result.manifest.outcome.inputs_ignored).toBe(1);
    expect(result.manifest.io.playlists_skipped).toBe(1);
    expect(log.text).toMatch(/skipping the entries of playlist 3cEYpjA9oz9GiPac4AsH4n \(\\"Someone Else's Mix\\"\), its playlists row still lands; the other playlists still land/);
    expect(log.entries().at(-1)).toMatchObject({ message: 'run succeeded', inputs_ignored: 1 });
  });

  test('album tracks fetched one by one are remembered across runs, and track_details=false skips them', async () => {
    const env = { SPOTIFY_ARTISTS_ARTIST_IDS: `spotify:artist:${WEEZER}` };
    const first = await runSpotify(spotifyArtistsJob, world.fake, world.s3, env);
    expect(world.fake.counts()['GET /tracks/{id}']).toBe(3);
    expect(first.result.manifest.io['spotify_requests GET /tracks/{id}']).toBe(3);
    world.fake.requests.length = 0;
    const second = await runSpotify(spotifyArtistsJob, world.fake, world.s3, env);
    // The Blue Album's three tracks were fetched by the committed first run: not again.
    expect(world.fake.counts()['GET /tracks/{id}']).toBeUndefined();
    expect(world.fake.counts()['GET /tracks?ids=']).toBeUndefined();
    expect(second.result.manifest.tables['spotify/tracks']?.rows ?? 0).toBe(0);

    // Without per-track details: no track requests at all; ISRC and popularity are NULL.
    const fresh = await startS3();
    try {
      world.fake.requests.length = 0;
      await runSpotify(spotifyArtistsJob, world.fake, fresh, { ...env, SPOTIFY_TRACK_DETAILS: 'false' });
      expect(Object.keys(world.fake.counts()).filter((k) => k.includes('/tracks'))).toEqual(['GET /albums/{id}/tracks']);
      const q = await lakeWarehouse(fresh, world.dir);
      expect(await q('SELECT TRACK_ID, NAME, ALBUM_ID, ISRC, POPULARITY FROM RAW.SPOTIFY_TRACKS ORDER BY 1')).toEqual([
        ['1KvmbGDZpKmHkRNbAkaQwi', 'Undone — "The Sweater Song"', '5zT1JLIj9E57p3e1rFm9Uq', null, null],
        ['3sBjmBVF2FBmjYxaL1mE0U', 'Buddy Holly', '5zT1JLIj9E57p3e1rFm9Uq', null, null],
        ['4Ey0PpMLDbVOv6UjYlDGNx', "Say It Ain't So", '5zT1JLIj9E57p3e1rFm9Uq', null, null],
      ]);
    } finally {
      await fresh.stop();
    }
  });
});
