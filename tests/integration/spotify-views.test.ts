import { spotifyNewReleasesJob } from '../../src/jobs/spotify-new-releases';
import { spotifyPlaylistJob } from '../../src/jobs/spotify-playlist';
import { PL } from '../fixtures/spotify/expected';
import { FakeSpotify } from '../support/fake-spotify';
import { startS3, type RunningS3 } from '../support/s3rver-harness';
import { lakeWarehouse, runSpotify } from '../support/spotify-scenario';
import { tempDir } from '../support/temp-dir';

describe('Spotify views on the local warehouse, over lake files the jobs wrote', () => {
  let fake: FakeSpotify;
  let s3: RunningS3;
  let cleanup: () => void;
  let q: (sql: string) => Promise<unknown[][]>;
  let extractedAt: string;
  beforeAll(async () => {
    fake = await new FakeSpotify('full').start();
    s3 = await startS3();
    let dir: string;
    ({ dir, cleanup } = tempDir());
    await runSpotify(spotifyPlaylistJob, fake, s3, { SPOTIFY_PLAYLIST_PLAYLIST_IDS: PL });
    const releases = await runSpotify(spotifyNewReleasesJob, fake, s3);
    extractedAt = releases.result.manifest.started_at;
    q = await lakeWarehouse(s3, dir);
  });
  afterAll(async () => {
    await fake.stop();
    await s3.stop();
    cleanup();
  });

  test('SPOTIFY_PLAYLIST_CONTENTS lists the current snapshot in order', async () => {
    expect(await q('SELECT POSITION, ITEM_TYPE, TRACK_ID, TRACK_NAME, PRIMARY_ARTIST_NAME, ALBUM_NAME FROM ANALYTICS.SPOTIFY_PLAYLIST_CONTENTS ORDER BY POSITION')).toEqual([
      [0n, 'track', '6fHLSJbh1aLbxVZCGOxXxA', 'The Funeral', 'Band of Horses', 'Everything All the Time'],
      [1n, 'track', '3sBjmBVF2FBmjYxaL1mE0U', 'Buddy Holly', 'Weezer', 'Weezer (Blue Album)'],
      [2n, 'local', null, null, null, null],
      [3n, 'episode', '512ojhOuo1ktJprKbVcKyQ', null, null, null],
      [4n, 'unavailable', null, null, null, null],
      // position 5: a null entry, skipped
      [6n, 'track', '6fHLSJbh1aLbxVZCGOxXxA', 'The Funeral', 'Band of Horses', 'Everything All the Time'],
      [7n, 'track', '0nrRP2bk19rLc0orkWPQk2', 'Wake Me Up', 'Avicii', 'True'],
    ]);
  });

  test('SPOTIFY_TRACKS_ENRICHED joins album, release date and primary artist', async () => {
    expect(await q('SELECT TRACK_ID, ALBUM_NAME, RELEASE_DATE_START, PRIMARY_ARTIST_NAME FROM ANALYTICS.SPOTIFY_TRACKS_ENRICHED ORDER BY TRACK_ID')).toEqual([
      ['0nrRP2bk19rLc0orkWPQk2', 'True', new Date('2013-09-01T00:00:00Z'), 'Avicii'],
      ['1KvmbGDZpKmHkRNbAkaQwi', 'Weezer (Blue Album)', new Date('1994-01-01T00:00:00Z'), 'Weezer'],
      // An album released "0000": its row exists, with no start date.
      ['1pQ3zRiQ0SdbjeT7yiB7YV', 'Basement Demos', null, 'Band of Horses'],
      ['2TpxZ7JUBn3uw46aR7qd6V', 'Everything All the Time', new Date('2006-03-20T00:00:00Z'), 'Band of Horses'],
      ['3sBjmBVF2FBmjYxaL1mE0U', 'Weezer (Blue Album)', new Date('1994-01-01T00:00:00Z'), 'Weezer'],
      ['4Ey0PpMLDbVOv6UjYlDGNx', 'Weezer (Blue Album)', new Date('1994-01-01T00:00:00Z'), 'Weezer'],
      ['6fHLSJbh1aLbxVZCGOxXxA', 'Everything All the Time', new Date('2006-03-20T00:00:00Z'), 'Band of Horses'],
    ]);
  });

  test('SPOTIFY_NEW_RELEASES_WEEKLY lists each new album with its tracks under the Monday of its week', async () => {
    const seen = new Date(extractedAt);
    const monday = new Date(Date.UTC(seen.getUTCFullYear(), seen.getUTCMonth(), seen.getUTCDate() - ((seen.getUTCDay() + 6) % 7)));
    expect(await q('SELECT WEEK_START, RANK, ALBUM_NAME, TRACK_NUMBER, TRACK_NAME, PRIMARY_ARTIST_NAME FROM ANALYTICS.SPOTIFY_NEW_RELEASES_WEEKLY ORDER BY RANK, TRACK_NUMBER')).toEqual([
      [monday, 1n, 'True', 1n, 'Wake Me Up', 'Avicii'],
      [monday, 2n, 'Weezer (Blue Album)', 1n, 'Buddy Holly', 'Weezer'],
      [monday, 2n, 'Weezer (Blue Album)', 2n, "Say It Ain't So", 'Weezer'],
      [monday, 2n, 'Weezer (Blue Album)', 3n, 'Undone — "The Sweater Song"', 'Weezer'],
      [monday, 3n, 'Everything All the Time', 1n, 'The Funeral', 'Band of Horses'],
      [monday, 3n, 'Everything All the Time', 2n, 'The Great Salt Lake', 'Band of Horses'],
      [monday, 4n, 'Basement Demos', 1n, 'Demo Take', 'Band of Horses'],
    ]);
  });
});
