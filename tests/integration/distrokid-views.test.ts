import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { LocalStore } from '../../src/lake/local-store';
import { ALL_TABLES } from '../../src/tables/all-tables';
import { buildWarehouse, queryWarehouse } from '../../src/warehouse/duckdb-warehouse';
import { tempDir } from '../support/temp-dir';

function put(lake: string, key: string, lines: string[]): void {
  const file = path.join(lake, key);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, zlib.gzipSync(`${lines.join('\n')}\n`));
}

const HEADER =
  'row_hash,reporting_date,sale_month,store,artist,title,isrc,upc,quantity,team_percentage,item_type,country,songwriter_royalties_withheld_usd,earnings_usd,date_inserted,recoup_usd,extra,report_file,report_line,_run_id,_extracted_at';
/** One earnings row as the writer would serialise it. */
const e = (hash: string, month: string, store: string, artist: string, country: string, qty: number, usd: number, run = 'r1') =>
  `"${hash}",2024-08-31,${month},"${store}","${artist}","Song",,,${qty},100,"Song","${country}",0,${usd},,,,"r.tsv",1,"${run}",2024-09-0${run === 'r1' ? 1 : 2}T00:00:00Z`;

describe('DistroKid views over a hand-made lake', () => {
  let db: string;
  let cleanup: () => void;
  beforeAll(async () => {
    let dir: string;
    ({ dir, cleanup } = tempDir());
    const lake = path.join(dir, 'lake');
    put(lake, 'raw/distrokid/earnings/year=2024/month=09/day=01/earnings_r1_00000.csv.gz', [
      HEADER,
      e('h1', '2024-04-01', 'Spotify', 'Nova', 'SE', 100, 1.0),
      e('h2', '2024-04-01', 'Apple Music', 'Nova', 'US', 50, 0.8),
      e('h3', '2024-05-01', 'Spotify', 'Nova', 'SE', 200, 2.0),
      e('h4', '2024-05-01', 'Spotify', 'Nova', 'US', 100, 1.0),
      e('h5', '2024-05-01', 'Apple Music', 'Nova', 'US', 100, 1.5),
      e('h6', '2024-07-01', 'YouTube', 'Nova', 'BR', 10, 0.1),
      e('h7', '2024-05-01', 'Spotify', 'Kai', 'US', 10, 0.05),
    ]);
    // The same report downloaded again by a later run: the views count each row once.
    put(lake, 'raw/distrokid/earnings/year=2024/month=09/day=02/earnings_r2_00000.csv.gz', [HEADER, e('h3', '2024-05-01', 'Spotify', 'Nova', 'SE', 200, 2.0, 'r2')]);
    put(lake, 'raw/distrokid/streams_daily/year=2024/month=06/day=01/streams_daily_r1_00000.csv.gz', [
      'date,store,artist,track,streams,_run_id,_extracted_at',
      '2024-06-01,"spotify","Nova",,80,"r1",2024-09-01T00:00:00Z',
      '2024-06-01,"all","Nova",,120,"r1",2024-09-01T00:00:00Z',
    ]);
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
