import * as path from 'node:path';
import { configureS3, readS3Settings } from '../../src/connections/s3';
import { loadConfig } from '../../src/core/config';
import type { Job } from '../../src/run/job';
import { openStore } from '../../src/lake/open-store';
import { runJob, type RunOptions, type RunResult } from '../../src/runner/run-job';
import { ALL_TABLES } from '../../src/tables/all-tables';
import { buildWarehouse, queryWarehouse } from '../../src/warehouse/duckdb-warehouse';
import { FakeSpotify } from './fake-spotify';
import { LogCapture } from './log-capture';
import { startS3, type RunningS3 } from './s3rver-harness';
import { tempDir } from './temp-dir';

export interface SpotifyRun {
  result: RunResult;
  log: LogCapture;
}

/** Runs a Spotify job against the fake, into the s3rver lake. */
export async function runSpotify<C, R>(job: Job<C, R>, fake: FakeSpotify, s3: RunningS3, env: Record<string, string> = {}, options: RunOptions = {}): Promise<SpotifyRun> {
  const log = new LogCapture();
  const result = await runJob(job, {
    dotenvDir: null,
    date: '2026-11-21',
    ...options,
    logStream: log,
    env: { RUN_LOG_LEVEL: 'debug', LAKE_URL: `s3://${s3.bucket}/lake`, ...s3.env, ...fake.env(), ...env },
  });
  return { result, log };
}

/** Loads the s3rver lake into a DuckDB file and returns a query function over it. */
export async function lakeWarehouse(s3: RunningS3, dir: string): Promise<(sql: string) => Promise<unknown[][]>> {
  await configureS3(readS3Settings(loadConfig({ env: s3.env, dotenvDir: null })));
  const db = path.join(dir, `w-${Date.now()}-${Math.random().toString(16).slice(2)}.duckdb`);
  await buildWarehouse({ lake: openStore(`s3://${s3.bucket}/lake`), dbPath: db, tables: ALL_TABLES });
  return async (sql: string) => (await queryWarehouse(db, sql)).rows;
}

/** The table's own columns, without lineage: `SELECT … FROM RAW.X ORDER BY …`. */
export const LINEAGE = '_RUN_ID, _EXTRACTED_AT, _FILE_NAME, _FILE_ROW, _LOADED_AT';

/** A fake Spotify of one surface, an S3 server and a temp folder, new for every test of the block. */
export interface SpotifyWorld {
  fake: FakeSpotify;
  s3: RunningS3;
  dir: string;
}

/** Registers beforeEach/afterEach that give each test a fresh world; read its fields inside tests. */
export function useSpotifyWorld(mode: 'full' | 'dev'): SpotifyWorld {
  const world = {} as SpotifyWorld;
  let cleanup = () => undefined as void;
  beforeEach(async () => {
    world.fake = await new FakeSpotify(mode).start();
    world.s3 = await startS3();
    ({ dir: world.dir, cleanup } = tempDir());
  });
  afterEach(async () => {
    await world.fake.stop();
    await world.s3.stop();
    cleanup();
  });
  return world;
}
