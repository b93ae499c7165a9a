import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';

/** Writes a hand-made lake file (CSV text as the writer would produce it) gzipped at `key`. */
export function put(lake: string, key: string, lines: string[]): void {
  const file = path.join(lake, key);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, zlib.gzipSync(`${lines.join('\n')}\n`));
}

export const R1 = ',"r1",2024-07-01T00:00:00Z';
const R2 = ',"r2",2024-07-02T00:00:00Z';

/**
 * A small listening lake written by hand: two runs, a song re-released under another genre, a
 * repeated stream, an unknown song, and files that must never load (staging, rejects). The KPI
 * figures over it are worked out by hand in tests/integration/warehouse-models.test.ts.
 */
export function handMadeLake(lake: string): void {
  const songsHeader = 'track_id,track_name,artists,album_name,track_genre,duration_ms,popularity,explicit,_run_id,_extracted_at';
  put(lake, 'raw/listening/songs/year=2024/month=07/day=01/songs_r1_00000.csv.gz', [
    songsHeader,
    `"s1","Song One","A",,"pop",200000,10,false${R1}`,
    `"s2","Song Two","B",,"pop",100000,20,true${R1}`,
    `"s3","Song Three","C",,"rock",300000,30,false${R1}`,
  ]);
  put(lake, 'raw/listening/songs/year=2024/month=07/day=02/songs_r2_00000.csv.gz', [
    songsHeader,
    `"s2","Song Two (Remaster)","B",,"rock",120000,25,true${R2}`,
  ]);
  const usersHeader = 'user_id,user_name,user_age,user_country,created_at,_run_id,_extracted_at';
  put(lake, 'raw/listening/users/year=2024/month=07/day=01/users_r1_00000.csv.gz', [usersHeader, `"u1","Ann",30,"SE",${R1}`]);
  put(lake, 'raw/listening/users/year=2024/month=07/day=02/users_r2_00000.csv.gz', [usersHeader, `"u1","Ann B",31,"SE",${R2}`]);
  const streamsHeader = 'user_id,track_id,listen_time,_run_id,_extracted_at';
  put(lake, 'raw/listening/streams/year=2024/month=06/day=24/streams_r1_00000.csv.gz', [
    streamsHeader,
    `"u1","s1",2024-06-24T08:00:00Z${R1}`,
    `"u2","s1",2024-06-24T09:00:00Z${R1}`,
    `"u1","s2",2024-06-24T10:00:00Z${R1}`,
    `"u3","s3",2024-06-24T11:00:00Z${R1}`,
    `"u1","s9",2024-06-24T12:00:00Z${R1}`,
  ]);
  put(lake, 'raw/listening/streams/year=2024/month=06/day=24/streams_r2_00000.csv.gz', [
    streamsHeader,
    `"u1","s1",2024-06-24T08:00:00Z${R2}`,
    `"u2","s2",2024-06-24T13:00:00Z${R2}`,
  ]);
  put(lake, 'raw/listening/streams/year=2024/month=06/day=25/streams_r2_00000.csv.gz', [
    streamsHeader,
    `"u1","s3",2024-06-25T00:30:00Z${R2}`,
    `"u2","s3",2024-06-25T01:00:00Z${R2}`,
    `"u2","s3",2024-06-25T02:00:00Z${R2}`,
  ]);
  // Never loaded: uncommitted staging files and rejects.
  put(lake, '_staging/r3/raw/listening/streams/year=2024/month=06/day=24/streams_r3_00000.csv.gz', [streamsHeader, `"u9","s1",2024-06-24T08:00:00Z${R2}`]);
  put(lake, 'rejects/listening/streams/year=2024/month=07/day=02/streams_r2_00000.csv.gz', ['_reject_reason', '"bad"']);
}

const HEADER =
  'row_hash,reporting_date,sale_month,store,artist,title,isrc,upc,quantity,team_percentage,item_type,country,songwriter_royalties_withheld_usd,earnings_usd,date_inserted,recoup_usd,extra,report_file,report_line,_run_id,_extracted_at';
/** One earnings row as the writer would serialise it. */
const e = (hash: string, month: string, store: string, artist: string, country: string, qty: number, usd: number, run = 'r1') =>
  `"${hash}",2024-08-31,${month},"${store}","${artist}","Song",,,${qty},100,"Song","${country}",0,${usd},,,,"r.tsv",1,"${run}",2024-09-0${run === 'r1' ? 1 : 2}T00:00:00Z`;

/**
 * DistroKid earnings and daily streams written by hand: two artists over April, May and July, one
 * row repeated by a later run. The figures over it are worked out in
 * tests/integration/distrokid-views.test.ts.
 */
export function handMadeDistrokidLake(lake: string): void {
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
  // Written before per-track streams existed (no item columns): account rows.
  put(lake, 'raw/distrokid/streams_daily/year=2024/month=06/day=01/streams_daily_r1_00000.csv.gz', [
    'date,store,artist,track,streams,_run_id,_extracted_at',
    '2024-06-01,"spotify","Nova",,80,"r1",2024-09-01T00:00:00Z',
    '2024-06-01,"all","Nova",,120,"r1",2024-09-01T00:00:00Z',
    '2024-06-02,"spotify","Nova",,60,"r1",2024-09-01T00:00:00Z',
  ]);
  // A later run's snapshot, one file: 2024-06-02 revised (replaces r1's row), and two tracks' rows
  // and an album's, which are part of those totals (never added to them).
  put(lake, 'raw/distrokid/streams_daily/year=2024/month=09/day=03/streams_daily_r3_00000.csv.gz', [
    'date,store,artist,track,streams,item_type,item_id,album,isrc,upc,_run_id,_extracted_at',
    '2024-06-02,"spotify","Nova",,65,,,,,,"r3",2024-09-03T00:00:00Z',
    '2024-06-02,"spotify","Nova","Nova - Midnight Échos - Single",40,"track","70000001",,"QZAAA2500001",,"r3",2024-09-03T00:00:00Z',
    '2024-06-02,"spotify","Nova","Nova - First Light",25,"track","70000002",,"QZAAA2500009","198000000042","r3",2024-09-03T00:00:00Z',
    '2024-06-02,"spotify","Nova",,25,"album","80000002","Nova - First Light",,"198000000042","r3",2024-09-03T00:00:00Z',
  ]);
}

/**
 * Spotify new releases written by hand: albums first seen in two ISO weeks (Monday 2024-07-01:
 * a1 and a2; Monday 2024-07-08: a3), a1 listed again by a later run (one album, its first week).
 */
export function handMadeNewReleasesLake(lake: string): void {
  const header = 'album_id,first_seen_at,rank,source,_run_id,_extracted_at';
  put(lake, 'raw/spotify/new_releases/year=2024/month=07/day=01/new_releases_r1_00000.csv.gz', [
    header,
    `"a1",2024-07-01T06:00:00Z,1,"browse"${R1}`,
    `"a2",2024-07-03T06:00:00Z,2,"browse"${R1}`,
  ]);
  put(lake, 'raw/spotify/new_releases/year=2024/month=07/day=08/new_releases_r2_00000.csv.gz', [
    header,
    `"a1",2024-07-01T06:00:00Z,3,"browse","r2",2024-07-08T06:00:00Z`,
    `"a3",2024-07-08T06:00:00Z,1,"search","r2",2024-07-08T06:00:00Z`,
  ]);
}
