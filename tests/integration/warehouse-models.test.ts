import * as path from 'node:path';
import { LocalStore } from '../../src/lake/local-store';
import { ALL_TABLES } from '../../src/tables/all-tables';
import { buildWarehouse, queryWarehouse } from '../../src/warehouse/duckdb-warehouse';
import { handMadeLake, put, R1 } from '../support/hand-made-lake';
import { tempDir } from '../support/temp-dir';

const day = (d: string) => new Date(`${d}T00:00:00Z`);

// The KPIs as views, and stored as tables (as Snowflake's dynamic tables store them): same figures.
describe.each(['view', 'table'] as const)('the local warehouse runs the model SQL over a hand-made lake (KPIs as %s)', (kpis) => {
  let dir: string;
  let db: string;
  let cleanup: () => void;
  beforeAll(async () => {
    ({ dir, cleanup } = tempDir());
    handMadeLake(path.join(dir, 'lake'));
    db = path.join(dir, 'warehouse.duckdb');
    const summary = await buildWarehouse({ lake: new LocalStore(path.join(dir, 'lake')), dbPath: db, tables: ALL_TABLES, kpis });
    expect(summary.tables.filter((t) => t.table.startsWith('RAW.LISTENING_'))).toEqual([
      { table: 'RAW.LISTENING_USERS', files: 2, rows: 2 },
      { table: 'RAW.LISTENING_SONGS', files: 2, rows: 4 },
      { table: 'RAW.LISTENING_STREAMS', files: 3, rows: 10 },
    ]);
    // Every other table exists, empty: the views over them still work.
    expect(summary.tables.filter((t) => !t.table.startsWith('RAW.LISTENING_')).every((t) => t.files === 0 && t.rows === 0)).toBe(true);
  });
  afterAll(() => cleanup());

  const rows = async (sql: string) => (await queryWarehouse(db, sql)).rows;

  test('raw tables carry the lineage columns Snowpipe would fill', async () => {
    expect(await rows("SELECT _FILE_NAME, _FILE_ROW, _RUN_ID FROM RAW.LISTENING_STREAMS WHERE _RUN_ID = 'r2' ORDER BY _FILE_NAME, _FILE_ROW")).toEqual([
      ['listening/streams/year=2024/month=06/day=24/streams_r2_00000.csv.gz', 1n, 'r2'],
      ['listening/streams/year=2024/month=06/day=24/streams_r2_00000.csv.gz', 2n, 'r2'],
      ['listening/streams/year=2024/month=06/day=25/streams_r2_00000.csv.gz', 1n, 'r2'],
      ['listening/streams/year=2024/month=06/day=25/streams_r2_00000.csv.gz', 2n, 'r2'],
      ['listening/streams/year=2024/month=06/day=25/streams_r2_00000.csv.gz', 3n, 'r2'],
    ]);
  });

  test('deduplicated views keep the latest row per key', async () => {
    expect(await rows('SELECT TRACK_ID, TRACK_NAME, TRACK_GENRE, DURATION_MS FROM ANALYTICS.SONGS ORDER BY TRACK_ID')).toEqual([
      ['s1', 'Song One', 'pop', 200000n],
      ['s2', 'Song Two (Remaster)', 'rock', 120000n],
      ['s3', 'Song Three', 'rock', 300000n],
    ]);
    expect(await rows('SELECT USER_ID, USER_NAME, USER_AGE FROM ANALYTICS.USERS')).toEqual([['u1', 'Ann B', 31n]]);
    expect(await rows('SELECT COUNT(*) FROM ANALYTICS.STREAMS')).toEqual([[9n]]);
  });

  test('LISTENING_GENRE_DAILY matches the figures worked out by hand', async () => {
    expect(
      await rows(
        'SELECT LISTEN_DATE, TRACK_GENRE, LISTEN_COUNT, UNIQUE_LISTENERS, TOTAL_LISTENING_MS, AVG_LISTENING_MS FROM ANALYTICS.LISTENING_GENRE_DAILY ORDER BY LISTEN_DATE, TRACK_GENRE',
      ),
    ).toEqual([
      // s1 by u1 and u2 (u1's 08:00 listen arrived twice and counts once)
      [day('2024-06-24'), 'pop', 2n, 2n, 400000n, 200000],
      // s2 (now rock, 120 000 ms) by u1 and u2, s3 (300 000 ms) by u3
      [day('2024-06-24'), 'rock', 3n, 3n, 540000n, 180000],
      // s9 is not a known song: counted, no duration
      [day('2024-06-24'), 'unknown', 1n, 1n, null, null],
      [day('2024-06-25'), 'rock', 3n, 2n, 900000n, 300000],
    ]);
  });

  test('LISTENING_TOP_SONGS_DAILY ranks songs within genre and day', async () => {
    expect(await rows('SELECT LISTEN_DATE, TRACK_GENRE, RANK, TRACK_ID, TRACK_NAME, LISTEN_COUNT FROM ANALYTICS.LISTENING_TOP_SONGS_DAILY ORDER BY LISTEN_DATE, TRACK_GENRE, RANK')).toEqual([
      [day('2024-06-24'), 'pop', 1n, 's1', 'Song One', 2n],
      [day('2024-06-24'), 'rock', 1n, 's2', 'Song Two (Remaster)', 2n],
      [day('2024-06-24'), 'rock', 2n, 's3', 'Song Three', 1n],
      [day('2024-06-24'), 'unknown', 1n, 's9', null, 1n],
      [day('2024-06-25'), 'rock', 1n, 's3', 'Song Three', 3n],
    ]);
  });

  test('LISTENING_TOP_GENRES_DAILY ranks genres per day', async () => {
    expect(await rows('SELECT LISTEN_DATE, RANK, TRACK_GENRE, LISTEN_COUNT FROM ANALYTICS.LISTENING_TOP_GENRES_DAILY ORDER BY LISTEN_DATE, RANK')).toEqual([
      [day('2024-06-24'), 1n, 'rock', 3n],
      [day('2024-06-24'), 2n, 'pop', 2n],
      [day('2024-06-24'), 3n, 'unknown', 1n],
      [day('2024-06-25'), 1n, 'rock', 3n],
    ]);
  });

  test('the top-3 and top-5 limits cut where they should', async () => {
    const { dir: d2, cleanup: c2 } = tempDir();
    try {
      const lake = path.join(d2, 'lake');
      const genres = ['g1', 'g2', 'g3', 'g4', 'g5', 'g6'];
      put(lake, 'raw/listening/songs/year=2024/month=07/day=01/songs_r1_00000.csv.gz', [
        'track_id,track_name,artists,album_name,track_genre,duration_ms,popularity,explicit,_run_id,_extracted_at',
        ...genres.map((g, i) => `"t${i}","T${i}",,,"${g}",1000,,${R1}`),
        `"x1","X1",,,"g1",1000,,${R1}`,
        `"x2","X2",,,"g1",1000,,${R1}`,
        `"x3","X3",,,"g1",1000,,${R1}`,
      ]);
      // Genre gN gets N listens of tN; g1 also has x1 (3 listens), x2 (2), x3 (1).
      const listens: string[] = [];
      genres.forEach((_, i) => {
        for (let k = 0; k <= i; k++) listens.push(`"u${k}","t${i}",2024-06-24T0${k}:00:00Z${R1}`);
      });
      for (const [track, count] of [['x1', 3], ['x2', 2], ['x3', 1]] as const) {
        for (let k = 0; k < count; k++) listens.push(`"u${k}","${track}",2024-06-24T1${k}:00:00Z${R1}`);
      }
      put(lake, 'raw/listening/streams/year=2024/month=06/day=24/streams_r1_00000.csv.gz', ['user_id,track_id,listen_time,_run_id,_extracted_at', ...listens]);
      const db2 = path.join(d2, 'w.duckdb');
      await buildWarehouse({ lake: new LocalStore(lake), dbPath: db2, tables: ALL_TABLES, kpis });
      // g1: 1 (t0) + 3 + 2 + 1 = 7 listens; g6: 6; g5: 5; g4: 4; g3: 3; g2: 2 → top 5 leaves g2 out.
      expect((await queryWarehouse(db2, 'SELECT TRACK_GENRE, LISTEN_COUNT FROM ANALYTICS.LISTENING_TOP_GENRES_DAILY ORDER BY RANK')).rows).toEqual([
        ['g1', 7n],
        ['g6', 6n],
        ['g5', 5n],
        ['g4', 4n],
        ['g3', 3n],
      ]);
      // g1's songs: x1 3, x2 2, then t0 1 and x3 1 tie → track_id order keeps t0 and drops x3.
      expect((await queryWarehouse(db2, "SELECT TRACK_ID, LISTEN_COUNT FROM ANALYTICS.LISTENING_TOP_SONGS_DAILY WHERE TRACK_GENRE = 'g1' ORDER BY RANK")).rows).toEqual([
        ['x1', 3n],
        ['x2', 2n],
        ['t0', 1n],
      ]);
    } finally {
      c2();
    }
  });
});

test('with KPIs as tables, each KPI is stored once and its view reads the stored rows', async () => {
  const { dir, cleanup } = tempDir();
  try {
    handMadeLake(path.join(dir, 'lake'));
    const db = path.join(dir, 'w.duckdb');
    await buildWarehouse({ lake: new LocalStore(path.join(dir, 'lake')), dbPath: db, tables: ALL_TABLES, kpis: 'table' });
    const kinds = await queryWarehouse(
      db,
      "SELECT table_name, table_type FROM information_schema.tables WHERE table_schema = 'ANALYTICS' AND table_name LIKE 'LISTENING_%' ORDER BY 1",
    );
    expect(kinds.rows).toEqual([
      ['LISTENING_GENRE_DAILY', 'VIEW'],
      ['LISTENING_GENRE_DAILY_DT', 'BASE TABLE'],
      ['LISTENING_TOP_GENRES_DAILY', 'VIEW'],
      ['LISTENING_TOP_GENRES_DAILY_DT', 'BASE TABLE'],
      ['LISTENING_TOP_SONGS_DAILY', 'VIEW'],
      ['LISTENING_TOP_SONGS_DAILY_DT', 'BASE TABLE'],
    ]);
  } finally {
    cleanup();
  }
});
