import * as path from 'node:path';
import { closeAllConnections } from '../../src/connections/connection';
import { configureSnowflake, readSnowflakeSettings, snowflakeRunner } from '../../src/connections/snowflake';
import { loadConfig } from '../../src/core/config';
import { col, csvColumns, defineTable, type TableDef } from '../../src/core/table';
import type { RunManifest } from '../../src/run/run-package';
import { LocalStore } from '../../src/lake/local-store';
import { applyMigration, planMigration } from '../../src/snowflake/migrate';
import { layoutMismatches, verifyRun } from '../../src/snowflake/verify-run';
import { pipeCopy } from '../../src/sql/pipes';
import { ALL_TABLES } from '../../src/tables/all-tables';
import { streams } from '../../src/tables/listening';
import { buildWarehouse, queryWarehouse } from '../../src/warehouse/duckdb-warehouse';
import { runCli } from '../support/cli-run';
import type { SnowflakeEmulator } from '../support/snowflake/emulator';
import { useSnowflakeEmulator } from '../support/snowflake/use-emulator';
import { put, R1 } from '../support/hand-made-lake';

/** The next version of the streams table: it gains a column (before the lineage columns, as any new column does). */
const streamsV2: TableDef = defineTable({ ...streams, columns: [...streams.columns, col('device', 'string', 'Device the stream played on.')] });
const V2 = ALL_TABLES.map((t) => (t === streams ? streamsV2 : t));
const STREAMS_PIPE = 'PIPE SOUNDLAKE.RAW.LISTENING_STREAMS_PIPE';

describe('a table definition that gains a column: snowflake migrate, the pipe guard, verify and the local warehouse', () => {
  // Before the emulator stops (afterEach hooks run in the order they are declared).
  afterEach(() => closeAllConnections());
  // The emulated bucket: s3://music-lake/lake/… is <dir>/lake/….
  const world = useSnowflakeEmulator({ env: true });
  let fake: SnowflakeEmulator;
  let dir: string;
  beforeEach(async () => {
    ({ fake, dir } = world);
    expect((await runCli(['snowflake', 'setup'])).code).toBe(0);
    await configureSnowflake(readSnowflakeSettings(loadConfig({ dotenvDir: null })));
  });


  test('right after setup there is nothing to migrate; a pipe created by an older soundlake (no guard) is replaced', async () => {
    const quiet = await runCli(['snowflake', 'migrate']);
    expect(quiet.stdout).toMatch(/match the table definitions \(\d+ tables\); nothing to migrate/);
    // What setup created before the guard existed: _extracted_at taken as plain $5.
    const pipe = fake.objects.get(STREAMS_PIPE)!;
    pipe.definition = pipe.definition!.replace('IFF($6 IS NULL, $5, NULL)', '$5');
    const dry = await runCli(['snowflake', 'migrate', '--dry-run']);
    expect(dry.stdout).toMatch(/RAW\.LISTENING_STREAMS\s+-\s+replace/);
    expect(dry.stdout).toContain('nothing was changed (--dry-run)');
    expect(fake.objects.get(STREAMS_PIPE)!.replaced).toBe(0);
    const { code, stdout } = await runCli(['snowflake', 'migrate']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/RAW\.LISTENING_STREAMS\s+-\s+replaced/);
    expect(fake.objects.get(STREAMS_PIPE)).toMatchObject({ replaced: 1, paused: false, definition: pipeCopy(streams).replace(/\s+/g, ' ') });
    // Only that pipe changed.
    for (const [key, object] of fake.objects) if (object.kind === 'PIPE' && key !== STREAMS_PIPE) expect(object.replaced).toBe(0);
  });

  test('migrate pauses the pipe, adds the column, then replaces the pipe and queues what it missed; twice changes nothing', async () => {
    const plan = await planMigration(snowflakeRunner, V2);
    expect(plan.filter((p) => p.addColumns.length > 0 || p.recreatePipe)).toEqual([
      { table: 'RAW.LISTENING_STREAMS', pipe: 'RAW.LISTENING_STREAMS_PIPE', addColumns: [{ name: 'DEVICE', type: 'VARCHAR' }], recreatePipe: true },
    ]);
    const before = fake.statements.length;
    const deployed = new Date(Date.now() - 3_600_000);
    const done = await applyMigration(snowflakeRunner, V2, plan, { waitSeconds: 5, pollMs: 10, since: deployed });
    expect(done).toEqual([{ table: 'RAW.LISTENING_STREAMS', added: ['DEVICE'], pipe: 'replaced', refreshedFrom: deployed.toISOString(), filesQueued: 0 }]);
    const issued = fake.statements.slice(before).map((s) => s.replace(/\s+/g, ' ').trim());
    const at = (re: RegExp) => issued.findIndex((s) => re.test(s));
    expect(at(/^ALTER PIPE RAW\.LISTENING_STREAMS_PIPE SET PIPE_EXECUTION_PAUSED = TRUE$/)).toBeGreaterThanOrEqual(0);
    expect(at(/^ALTER PIPE RAW\.LISTENING_STREAMS_PIPE SET PIPE_EXECUTION_PAUSED = TRUE$/)).toBeLessThan(at(/^ALTER TABLE RAW\.LISTENING_STREAMS ADD COLUMN IF NOT EXISTS DEVICE VARCHAR$/));
    // The fake compiles the COPY when the pipe is created, as Snowflake does: before the column existed it would fail.
    expect(at(/^ALTER TABLE RAW\.LISTENING_STREAMS ADD/)).toBeLessThan(at(/^CREATE OR REPLACE PIPE RAW\.LISTENING_STREAMS_PIPE /));
    expect(at(/^CREATE OR REPLACE PIPE/)).toBeLessThan(at(new RegExp(`^ALTER PIPE RAW\\.LISTENING_STREAMS_PIPE REFRESH MODIFIED_AFTER = '${deployed.toISOString()}'$`)));
    expect(fake.objects.get('TABLE SOUNDLAKE.RAW.LISTENING_STREAMS')!.columns!.map((c) => c.name)).toContain('DEVICE');
    expect(fake.objects.get(STREAMS_PIPE)).toMatchObject({ paused: false, definition: pipeCopy(streamsV2).replace(/\s+/g, ' ') });
    // The new COPY takes DEVICE as $4 and guards _extracted_at, now $6, with $7.
    expect(pipeCopy(streamsV2)).toContain('SELECT $1, $2, $3, $4, $5, IFF($7 IS NULL, $6, NULL), METADATA$FILENAME');
    expect((await planMigration(snowflakeRunner, V2)).every((p) => p.addColumns.length === 0 && !p.recreatePipe)).toBe(true);
    // Going back is a person's decision: the old definition meets a column it does not know.
    await expect(planMigration(snowflakeRunner, ALL_TABLES)).rejects.toThrow(/RAW\.LISTENING_STREAMS has column\(s\) DEVICE that the table definition lacks: renames and drops are not migrated automatically/);
  });

  test('a pipe that does not drain in time is resumed and nothing is changed', async () => {
    // Three files reach the pipe while it is paused (by an operator): they wait, pending.
    await fake.account.execute('ALTER PIPE SOUNDLAKE.RAW.LISTENING_STREAMS_PIPE SET PIPE_EXECUTION_PAUSED = TRUE', { user: 'SOUNDLAKE', role: 'SOUNDLAKE_LOADER' });
    const header = csvColumns(streams).map((c) => c.name).join(',');
    for (const day of ['24', '25', '26']) {
      const key = `raw/listening/streams/year=2024/month=06/day=${day}/streams_listening-events_r${day}_00000.csv.gz`;
      put(path.join(dir, 'lake'), key, [header, `"u${day}","s1",2024-06-${day}T08:00:00Z${R1}`]);
      fake.deliver(`s3://music-lake/lake/${key}`);
    }
    await fake.drain();
    const plan = await planMigration(snowflakeRunner, V2);
    await expect(applyMigration(snowflakeRunner, V2, plan, { waitSeconds: 0, pollMs: 10 })).rejects.toThrow(/RAW\.LISTENING_STREAMS_PIPE still had 3 pending files .* it runs again, nothing was changed/);
    expect(fake.objects.get(STREAMS_PIPE)).toMatchObject({ paused: false, replaced: 0 });
    expect(fake.objects.get('TABLE SOUNDLAKE.RAW.LISTENING_STREAMS')!.columns!.map((c) => c.name)).not.toContain('DEVICE');
    // Resumed, the pipe loads what waited.
    await fake.drain();
    expect((await fake.query('SELECT USER_ID FROM RAW.LISTENING_STREAMS ORDER BY 1')).rows).toEqual([['u24'], ['u25'], ['u26']]);
  });

  test('verify names a file of the new layout before migrate; the local warehouse loads both layouts by name, nothing shifted', async () => {
    const lake = path.join(dir, 'lake');
    const header = (t: TableDef) => csvColumns(t).map((c) => c.name).join(',');
    // Run 1 wrote the old layout; run 2, after the deploy, the new one (writer order: columns, then lineage).
    const oldKey = 'raw/listening/streams/year=2024/month=06/day=24/streams_listening-events_r1_00000.csv.gz';
    const newKey = 'raw/listening/streams/year=2024/month=06/day=25/streams_listening-events_r2_00000.csv.gz';
    put(lake, oldKey, [header(streams), `"u1","s1",2024-06-24T08:00:00Z${R1}`]);
    put(lake, newKey, [header(streamsV2), '"u2","s2",2024-06-25T09:00:00Z,"phone","r2",2024-07-02T00:00:00Z']);
    const manifest = { files: [{ zone: 'raw', table: 'listening/streams', key: newKey, rows: 1 }] } as unknown as RunManifest;
    const store = new LocalStore(lake);
    const [before] = await verifyRun(snowflakeRunner, manifest, await layoutMismatches(snowflakeRunner, manifest, store));
    expect(before.state).toBe('header_mismatch');
    expect(before.error).toMatch(/the file's columns \(USER_ID, TRACK_ID, LISTEN_TIME, DEVICE, _RUN_ID, _EXTRACTED_AT\) are not the ones RAW\.LISTENING_STREAMS_PIPE loads \(USER_ID, TRACK_ID, LISTEN_TIME, _RUN_ID, _EXTRACTED_AT\): run `npx soundlake snowflake migrate/);
    await applyMigration(snowflakeRunner, V2, await planMigration(snowflakeRunner, V2), { waitSeconds: 5, pollMs: 10 });
    const [after] = await verifyRun(snowflakeRunner, manifest, await layoutMismatches(snowflakeRunner, manifest, store));
    expect(after.state).toBe('pending');

    const db = path.join(dir, 'w.duckdb');
    await buildWarehouse({ lake: store, dbPath: db, tables: V2 });
    const rows = await queryWarehouse(db, 'SELECT USER_ID, TRACK_ID, DEVICE, _RUN_ID, CAST(_EXTRACTED_AT AS VARCHAR) FROM RAW.LISTENING_STREAMS ORDER BY USER_ID');
    expect(rows.rows).toEqual([
      ['u1', 's1', null, 'r1', '2024-07-01 00:00:00'],
      ['u2', 's2', 'phone', 'r2', '2024-07-02 00:00:00'],
    ]);
    // The old definition meets a file with a column it does not know: an error naming it, never a shift.
    await expect(buildWarehouse({ lake: store, dbPath: path.join(dir, 'w1.duckdb'), tables: ALL_TABLES })).rejects.toThrow(/has column "device", which table listening\/streams does not define/);
  });
});
