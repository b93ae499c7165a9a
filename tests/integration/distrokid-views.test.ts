import * as path from 'node:path';
import { LocalStore } from '../../src/lake/local-store';
import { ALL_TABLES } from '../../src/tables/all-tables';
import { buildWarehouse, queryWarehouse } from '../../src/warehouse/duckdb-warehouse';
import { handMadeDistrokidLake, put } from '../support/hand-made-lake';
import { tempDir } from '../support/temp-dir';

describe('DistroKid views over a hand-made lake', () => {
  let db: string;
  let cleanup: () => void;
  beforeAll(async () => {
    let dir: string;
    ({ dir, cleanup } = tempDir());
    const lake = path.join(dir, 'lake');
    handMadeDistrokidLake(lake);
    // The Spotify track of one of the two ISRCs (listed twice by Spotify: the lower id is kept).
    put(lake, 'raw/spotify/tracks/year=2024/month=09/day=03/tracks_s1_00000.csv.gz', [
      'track_id,name,album_id,duration_ms,explicit,popularity,isrc,track_number,disc_number,url,playable_track_id,_run_id,_extracted_at',
      '"5sp0tifyTrackB0000000B","Midnight Échos (remaster)","alb",200000,false,10,"QZAAA2500001",1,1,,,"s1",2024-09-03T00:00:00Z',
      '"1sp0tifyTrackA0000000A","Midnight Échos","alb",200000,false,12,"QZAAA2500001",1,1,,,"s1",2024-09-03T00:00:00Z',
    ]);
    db = path.join(dir, 'w.duckdb');
    await buildWarehouse({ lake: new LocalStore(lake), dbPath: db, tables: ALL_TABLES });
  });
  afterAll(() => cleanup());
  const q = async (sql: string) => (await queryWarehouse(db, sql)).rows;
  const month = (m: string) => new Date(`${m}-01T00:00:00Z`);

  test('DISTROKID_DAILY_STREAMS: account totals only (a later snapshot revises a day), no revenue or country at day grain', async () => {
    expect(await q('SELECT DATE, ARTIST_NAME, TRACK_NAME, PLATFORM, STREAMS, REVENUE_USD, COUNTRY FROM ANALYTICS.DISTROKID_DAILY_STREAMS ORDER BY DATE, PLATFORM')).toEqual([
      [new Date('2024-06-01T00:00:00Z'), 'Nova', null, 'all', 120n, null, null],
      [new Date('2024-06-01T00:00:00Z'), 'Nova', null, 'spotify', 80n, null, null],
      // r1 said 60, r3's snapshot 65: one row, the latest; the track and album rows are not added.
      [new Date('2024-06-02T00:00:00Z'), 'Nova', null, 'spotify', 65n, null, null],
    ]);
  });

  test('DISTROKID_TRACK_DAILY_STREAMS: per track, joined to the Spotify track of its ISRC', async () => {
    expect(await q('SELECT DATE, PLATFORM, DISTROKID_TRACK_ID, ISRC, UPC, TRACK_LABEL, SPOTIFY_TRACK_ID, SPOTIFY_TRACK_NAME, STREAMS FROM ANALYTICS.DISTROKID_TRACK_DAILY_STREAMS ORDER BY DISTROKID_TRACK_ID')).toEqual([
      [new Date('2024-06-02T00:00:00Z'), 'spotify', '70000001', 'QZAAA2500001', null, 'Nova - Midnight Échos - Single', '1sp0tifyTrackA0000000A', 'Midnight Échos', 40n],
      [new Date('2024-06-02T00:00:00Z'), 'spotify', '70000002', 'QZAAA2500009', '198000000042', 'Nova - First Light', null, null, 25n],
    ]);
  });

  test('DISTROKID_SALES_MONTHLY: totals, revenue per unit, top platform and country', async () => {
    expect(
      await q('SELECT MONTH, ARTIST_NAME, ROUND(TOTAL_REVENUE_USD, 4), TOTAL_STREAMS, ROUND(AVG_REVENUE_PER_STREAM, 6), TOP_PLATFORM, TOP_COUNTRY FROM ANALYTICS.DISTROKID_SALES_MONTHLY ORDER BY ARTIST_NAME, MONTH'),
    ).toEqual([
      [month('2024-05'), 'Kai', 0.05, 10n, 0.005, 'Spotify', 'US'],
      // April: Spotify 1.00 (SE) beats Apple Music 0.80 (US).
      [month('2024-04'), 'Nova', 1.8, 150n, 0.012, 'Spotify', 'SE'],
      // May: Spotify 3.00 vs Apple 1.50; by country US 2.50 vs SE 2.00.
      [month('2024-05'), 'Nova', 4.5, 400n, 0.01125, 'Spotify', 'US'],
      [month('2024-07'), 'Nova', 0.1, 10n, 0.01, 'YouTube', 'BR'],
    ]);
  });

  test('DISTROKID_ARTIST_PERFORMANCE: growth against the calendar month before, platforms, top share', async () => {
    expect(
      await q(
        'SELECT MONTH, ARTIST_NAME, ROUND(REVENUE_USD, 4), ROUND(PREVIOUS_MONTH_REVENUE_USD, 4), ROUND(REVENUE_GROWTH, 4), STREAMS, ROUND(STREAMS_GROWTH, 4), PLATFORMS, ROUND(TOP_PLATFORM_SHARE, 4) FROM ANALYTICS.DISTROKID_ARTIST_PERFORMANCE ORDER BY ARTIST_NAME, MONTH',
      ),
    ).toEqual([
      [month('2024-05'), 'Kai', 0.05, null, null, 10n, null, 1n, 1],
      [month('2024-04'), 'Nova', 1.8, null, null, 150n, null, 2n, 0.5556],
      // (4.50 − 1.80) / 1.80 = 1.5; streams (400 − 150) / 150 = 1.6667; Spotify 3.00 of 4.50.
      [month('2024-05'), 'Nova', 4.5, 1.8, 1.5, 400n, 1.6667, 2n, 0.6667],
      // June had no sales: no growth figure for July.
      [month('2024-07'), 'Nova', 0.1, null, null, 10n, null, 1n, 1],
    ]);
  });
});
