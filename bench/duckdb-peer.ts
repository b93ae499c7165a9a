import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * The peer the benchmark measures us against: DuckDB (`@duckdb/node-api`, all cores) doing the same
 * work as the listening-events job — read the landing CSVs as text, validate ids and timestamps,
 * keep the last row per user and song, write valid rows as day-partitioned gzip CSV and the rest
 * as rejects. Not the same code path, the same job: what a general-purpose engine costs. (Rows
 * DuckDB's reader cannot parse, a wrong field count, are skipped by `ignore_errors` rather than kept
 * as rejects: a little less work than ours does.)
 */
export async function runDuckdbPeer(landing: string, out: string): Promise<void> {
  const { DuckDBInstance } = require('@duckdb/node-api') as typeof import('@duckdb/node-api');
  fs.mkdirSync(out, { recursive: true });
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  const q = (s: string) => `'${s.replace(/'/g, "''")}'`;
  const csv = (glob: string) =>
    `read_csv(${q(path.join(landing, glob))}, all_varchar = true, header = true, filename = true, ignore_errors = true)`;
  const gz = (name: string) => q(path.join(out, name));
  const ts = `COALESCE(TRY_CAST(listen_time AS TIMESTAMPTZ), TRY_CAST(listen_time AS TIMESTAMP))`;
  const statements = [
    // Streams: valid rows partitioned by the UTC day of listen_time; the rest to rejects.
    `CREATE TEMP TABLE streams AS SELECT user_id, track_id, listen_time, ${ts} AS t FROM ${csv('streams*.csv')}`,
    `COPY (SELECT user_id, track_id, strftime(t, '%Y-%m-%dT%H:%M:%SZ') AS listen_time, strftime(t, '%Y-%m-%d') AS day
           FROM streams WHERE user_id <> '' AND track_id <> '' AND t IS NOT NULL)
       TO ${gz('streams')} (FORMAT CSV, COMPRESSION GZIP, HEADER, PARTITION_BY (day), OVERWRITE_OR_IGNORE)`,
    `COPY (SELECT * EXCLUDE (t) FROM streams WHERE user_id IS NULL OR user_id = '' OR track_id IS NULL OR track_id = '' OR t IS NULL)
       TO ${gz('streams_rejects.csv.gz')} (FORMAT CSV, COMPRESSION GZIP, HEADER)`,
    // Users and songs: typed, the last row per key kept (by file name and row order).
    `COPY (SELECT user_id, user_name, TRY_CAST(user_age AS INTEGER) AS user_age, user_country, TRY_CAST(created_at AS TIMESTAMP) AS created_at
           FROM ${csv('users*.csv')} WHERE user_id <> ''
           QUALIFY ROW_NUMBER() OVER (PARTITION BY user_id ORDER BY filename DESC) = 1)
       TO ${gz('users.csv.gz')} (FORMAT CSV, COMPRESSION GZIP, HEADER)`,
    `COPY (SELECT track_id, track_name, artists, album_name, track_genre, TRY_CAST(TRY_CAST(duration_ms AS DOUBLE) AS BIGINT) AS duration_ms,
                  TRY_CAST(popularity AS INTEGER) AS popularity, TRY_CAST(explicit AS BOOLEAN) AS explicit
           FROM ${csv('songs*.csv')} WHERE track_id <> ''
           QUALIFY ROW_NUMBER() OVER (PARTITION BY track_id ORDER BY filename DESC) = 1)
       TO ${gz('songs.csv.gz')} (FORMAT CSV, COMPRESSION GZIP, HEADER)`,
  ];
  try {
    for (const sql of statements) await connection.run(sql);
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}
