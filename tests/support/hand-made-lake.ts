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
