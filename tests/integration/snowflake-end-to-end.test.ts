import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { closeAllConnections } from '../../src/connections/connection';
import { csvColumns } from '../../src/core/table';
import { generateListeningEvents } from '../../src/generate/listening-events-generator';
import { distrokidJob } from '../../src/jobs/distrokid';
import { listeningEventsJob } from '../../src/jobs/listening-events/listening-events-job';
import { spotifyPlaylistJob } from '../../src/jobs/spotify-playlist';
import { openStore } from '../../src/lake/open-store';
import { runJob, type RunResult } from '../../src/runner/run-job';
import { streams } from '../../src/tables/listening';
import * as expected from '../fixtures/spotify/expected';
import { runCli } from '../support/cli-run';
import { FakeDistrokid } from '../support/fake-distrokid';
import { FakeSpotify } from '../support/fake-spotify';
import { LogCapture } from '../support/log-capture';
import { startS3, type RunningS3 } from '../support/s3rver-harness';
import { attachAutoIngest } from '../support/snowflake/auto-ingest';
import { SnowflakeEmulator } from '../support/snowflake/emulator';
import { s3ObjectSource } from '../support/snowflake/object-sources';
import { lakeWarehouse, runSpotify } from '../support/spotify-scenario';
import { tempDir } from '../support/temp-dir';

/**
 * The whole way from a run to Snowflake, on the emulator: runs commit into an S3 lake (s3rver); each
 * committed object produces the S3 event the stack's bucket notification sends (its filter read from
 * ecs/soundlake.template.json); the pipes that `snowflake setup` created take the files their
 * location and PATTERN select and COPY them into RAW; the ANALYTICS views over RAW must then equal
 * the local warehouse's, row for row, and `snowflake verify` must find every file loaded.
 */
describe('lake → bucket notification → Snowpipe → RAW → ANALYTICS, on the Snowflake emulator', () => {
  const saved = { ...process.env };
  let s3: RunningS3;
  let emulator: SnowflakeEmulator;
  let spotify: FakeSpotify;
  let site: FakeDistrokid;
  let dir: string;
  let cleanup: () => void;
  let delivered: string[];
  const runs: RunResult[] = [];
  const lakeUrl = () => `s3://${s3.bucket}/lake`;

  beforeAll(async () => {
    ({ dir, cleanup } = tempDir('e2e-'));
    s3 = await startS3();
    emulator = await SnowflakeEmulator.open(s3ObjectSource(s3.endpoint));
    delivered = attachAutoIngest(s3, emulator);
    spotify = await new FakeSpotify('full').start();
    site = await new FakeDistrokid().start();
    process.env = { ...saved, ...emulator.env({ LAKE_URL: lakeUrl() }), ...s3.env, RUN_LOG_LEVEL: 'error' };
    const setup = await runCli(['snowflake', 'setup']);
    expect(setup.stderr).toBe('');
    expect(setup.code).toBe(0);

    // What `npm start` does, smaller: generated listening data (with bad rows), one run.
    const landing = path.join(dir, 'landing');
    await generateListeningEvents({ outDir: landing, users: 200, songs: 300, events: 4_000, days: 3, startDate: '2024-06-24', seed: 7, badRate: 0.01 });
    const env = { ...s3.env, LAKE_URL: lakeUrl(), RUN_LOG_LEVEL: 'error' };
    runs.push(await runJob(listeningEventsJob, { dotenvDir: null, logStream: new LogCapture(), env: { ...env, LISTENING_EVENTS_LANDING_URL: landing, LISTENING_EVENTS_SETTLE_SECONDS: '0' } }));
    // A Spotify run on the fake Web API.
    runs.push((await runSpotify(spotifyPlaylistJob, spotify, s3, { SPOTIFY_PLAYLIST_PLAYLIST_IDS: expected.PL, RUN_LOG_LEVEL: 'error' })).result);
    // A DistroKid run on the fake site, with a saved session in the lake.
    await openStore(lakeUrl()).putText('_sessions/distrokid.json', JSON.stringify(site.issueSession().state), { private: true });
    runs.push(await runJob(distrokidJob, { dotenvDir: null, date: '2026-11-21', logStream: new LogCapture(), env: { ...env, DISTROKID_BASE_URL: site.url, DISTROKID_CHALLENGE_BACKOFF_MS: '10' } }));
    await emulator.drain();
  }, 180_000);

  afterAll(async () => {
    process.env = { ...saved };
    await closeAllConnections();
    await emulator.stop();
    await spotify.stop();
    await site.stop();
    await s3.stop();
    cleanup();
  });

  test('the bucket notification carried exactly the committed data files, and every pipe loaded what its run wrote', async () => {
    const written = runs.flatMap((r) => r.manifest.files.filter((f) => f.zone === 'raw').map((f) => `lake/${f.key}`));
    expect(written.length).toBeGreaterThan(10);
    // Nothing from _staging/, rejects/, _manifests/ or the session reached Snowflake's queue.
    expect([...delivered].sort()).toEqual([...written].sort());
    for (const run of runs) {
      const { code, stdout, stderr } = await runCli(['snowflake', 'verify', '--run', run.manifest.run_id]);
      expect(stderr).toBe('');
      expect(code).toBe(0);
      const files = run.manifest.files.filter((f) => f.zone === 'raw').length;
      expect(stdout).toContain(`${files} loaded, 0 pending, 0 failed, 0 with other row counts, 0 laid out for another table version, of ${files} files`);
    }
  });

  test('RAW holds every written row once, and the ANALYTICS views equal the local warehouse’s row for row', async () => {
    const local = await lakeWarehouse(s3, dir);
    for (const [table, counts] of Object.entries(runs.reduce<Record<string, number>>((all, r) => {
      for (const f of r.manifest.files.filter((x) => x.zone === 'raw')) all[f.table] = (all[f.table] ?? 0) + f.rows;
      return all;
    }, {}))) {
      const raw = `RAW.${table.replace('/', '_').toUpperCase()}`;
      expect([table, (await emulator.query(`SELECT COUNT(*) FROM ${raw}`)).rows[0][0]]).toEqual([table, BigInt(counts)]);
    }
    const views = [...emulator.objects.values()].filter((o) => o.kind === 'VIEW').map((o) => o.name.split('.').slice(1).join('.'));
    expect(views.length).toBeGreaterThanOrEqual(20);
    let compared = 0;
    for (const view of views) {
      const ours = await emulator.query(`SELECT * FROM ${view}`);
      // _LOADED_AT is when each side loaded the file; everything else must agree.
      const keep = ours.columns.map((c, i) => (c === '_LOADED_AT' ? -1 : i)).filter((i) => i >= 0);
      const pick = (rows: unknown[][]) => rows.map((r) => JSON.stringify(keep.map((i) => r[i]), (_k, v: unknown) => (typeof v === 'bigint' ? Number(v) : v))).sort();
      const theirs = await local(`SELECT * FROM ${view}`);
      expect([view, pick(ours.rows)]).toEqual([view, pick(theirs)]);
      compared += ours.rows.length;
    }
    expect(compared).toBeGreaterThan(1_000);
  });

  test('a file laid out for another table version is refused by its pipe, shown in COPY_HISTORY, and reported by verify', async () => {
    // A newer soundlake's streams file (a column more) lands before `snowflake migrate`.
    const key = 'raw/listening/streams/year=2024/month=06/day=24/streams_listening-events_newer_00000.csv.gz';
    const header = [...csvColumns(streams).map((c) => c.name)];
    header.splice(3, 0, 'device');
    const file = path.join(dir, 'newer.csv.gz');
    fs.writeFileSync(file, zlib.gzipSync(`${header.join(',')}\n"u1","t1",2024-06-24T08:00:00Z,"phone","newer",2024-07-01T00:00:00Z\n`));
    const lake = openStore(lakeUrl());
    await lake.putFile(key, file);
    const manifest = { manifest_version: 2, state: 'committed', job: 'listening-events', run_id: 'newer', files: [{ key, zone: 'raw', table: 'listening/streams', rows: 1 }] };
    await lake.putText('_manifests/listening-events/newer.json', JSON.stringify(manifest));
    await emulator.drain();
    const history = emulator.account.copyHistory.get('SOUNDLAKE.RAW.LISTENING_STREAMS')!;
    const attempt = history.find((h) => h.FILE_NAME === key.slice('raw/'.length));
    expect(attempt).toMatchObject({ STATUS: 'Load failed', ROW_COUNT: 0, FIRST_ERROR_MESSAGE: 'NULL result in a non-nullable column' });
    expect((await emulator.query("SELECT COUNT(*) FROM RAW.LISTENING_STREAMS WHERE _RUN_ID = 'newer'")).rows).toEqual([[0n]]);
    const { code, stdout } = await runCli(['snowflake', 'verify', '--run', 'newer']);
    expect(code).toBe(1);
    expect(stdout).toMatch(/streams_listening-events_newer_00000\.csv\.gz\s+header_mismatch/);
  });

  test('a committed file announced twice (S3 delivers at least once) loads once', async () => {
    const before = (await emulator.query('SELECT COUNT(*) FROM RAW.LISTENING_USERS')).rows[0][0];
    const users = runs[0].manifest.files.find((f) => f.zone === 'raw' && f.table === 'listening/users')!;
    emulator.deliver(`${lakeUrl()}/${users.key}`);
    await emulator.drain();
    expect((await emulator.query('SELECT COUNT(*) FROM RAW.LISTENING_USERS')).rows[0][0]).toBe(before);
  });
});
