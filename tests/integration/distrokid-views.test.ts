import * as path from 'node:path';
import { LocalStore } from '../../src/lake/local-store';
import { ALL_TABLES } from '../../src/tables/all-tables';
import { buildWarehouse, queryWarehouse } from '../../src/warehouse/duckdb-warehouse';
import { handMadeDistrokidLake } from '../support/hand-made-lake';
import { tempDir } from '../support/temp-dir';

describe('DistroKid views over a hand-made lake', () => {
  let db: string;
  let cleanup: () => void;
  beforeAll(async () => {
    let dir: string;
    ({ dir, cleanup } = tempDir());
    const lake = path.join(dir, 'lake');
    handMadeDistrokidLake(lake);
    db = path.join(dir, 'w.duckdb');
    await buildWarehouse({ lake: new LocalStore(lake), dbPath: db, tables: ALL_TABLES });
  });
  afterAll(() => cleanup());
  const q = async (sql: string) => (await queryWarehouse(db, sql)).rows;
  const month = (m: string) => new Date(`${m}-01T00:00:00Z`);

  test('DISTROKID_DAILY_STREAMS: platform from the store, no revenue or country at day grain', async () => {
    expect(await q('SELECT DATE, ARTIST_NAME, TRACK_NAME, PLATFORM, STREAMS, REVENUE_USD, COUNTRY FROM ANALYTICS.DISTROKID_DAILY_STREAMS ORDER BY PLATFORM')).toEqual([
      [new Date('2024-06-01T00:00:00Z'), 'Nova', null, 'all', 120n, null, null],
      [new Date('2024-06-01T00:00:00Z'), 'Nova', null, 'spotify', 80n, null, null],
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
