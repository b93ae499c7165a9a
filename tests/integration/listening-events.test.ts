import * as path from 'node:path';
import { ExitCode, SoundlakeError } from '../../src/core/errors';
import { csvRecords, normalised, readObject, withoutLineage } from '../support/lake-files';
import { putSmallLanding, readExpected, runListening, stores, type Setup } from '../support/listening-scenario';
import { startS3, type RunningS3 } from '../support/s3rver-harness';
import { tempDir } from '../support/temp-dir';

const RUN_ID = 'test-run-1';

/** Every committed key under raw/, rejects/ and _manifests/ of the lake. */
async function committedKeys(setup: Setup): Promise<string[]> {
  const { lake } = await stores(setup);
  return (await lake.list('')).map((o) => o.key).filter((key) => !key.startsWith('_staging/') && !key.startsWith('_locks/'));
}

async function expectFile(setup: Setup, key: string, expectedName: string, runId = RUN_ID): Promise<void> {
  const { lake } = await stores(setup);
  const actual = normalised(withoutLineage(csvRecords(await readObject(lake, key)), runId));
  const expected = normalised(csvRecords(readExpected(expectedName).replace(/\n$/, '')));
  expect(actual).toEqual(expected);
}

function describeLake(kind: 'local folder' | 's3rver', makeSetup: () => Promise<{ setup: Setup; done: () => Promise<void> }>) {
  describe(`listening-events on a ${kind}`, () => {
    let setup: Setup;
    let done: () => Promise<void>;
    beforeEach(async () => {
      ({ setup, done } = await makeSetup());
      await putSmallLanding(setup);
    });
    afterEach(async () => done());

    test('lands exactly the hand-written expected rows, rejects, and moves inputs', async () => {
      const { result } = await runListening(setup, { runId: RUN_ID });
      const p = (zone: string, table: string, day: string) =>
        `${zone}/listening/${table}/year=${day.slice(0, 4)}/month=${day.slice(5, 7)}/day=${day.slice(8)}/${table}_listening-events_${RUN_ID}_00000.csv.gz`;
      expect(await committedKeys(setup)).toEqual(
        [
          // The first commit slot of the job, claimed by this run's package (run/commit-slots.ts).
          '_commits/listening-events/0000000001.json',
          '_manifests/listening-events/test-run-1.json',
          p('raw', 'songs', '2026-11-21'),
          p('raw', 'streams', '2024-06-24'),
          p('raw', 'streams', '2024-06-25'),
          p('raw', 'users', '2026-11-21'),
          p('rejects', 'songs', '2026-11-21'),
          p('rejects', 'streams', '2026-11-21'),
          p('rejects', 'users', '2026-11-21'),
        ].sort(),
      );
      await expectFile(setup, p('raw', 'users', '2026-11-21'), 'users.csv');
      await expectFile(setup, p('raw', 'songs', '2026-11-21'), 'songs.csv');
      await expectFile(setup, p('raw', 'streams', '2024-06-24'), 'streams-day-24.csv');
      await expectFile(setup, p('raw', 'streams', '2024-06-25'), 'streams-day-25.csv');
      await expectFile(setup, p('rejects', 'users', '2026-11-21'), 'users-rejects.csv');
      await expectFile(setup, p('rejects', 'songs', '2026-11-21'), 'songs-rejects.csv');
      await expectFile(setup, p('rejects', 'streams', '2026-11-21'), 'streams-rejects.csv');

      // Row conservation per input, as counted by hand from the fixture files.
      const inputs = Object.fromEntries(result.manifest.inputs.map((i) => [i.name, i]));
      expect(inputs['users.csv']).toMatchObject({ status: 'processed', rows_in: 7, rows_out: 4, rows_rejected: 3 });
      expect(inputs['songs.csv']).toMatchObject({ status: 'processed', rows_in: 5, rows_out: 3, rows_rejected: 2 });
      expect(inputs['streams_2024-06-24.csv']).toMatchObject({ status: 'processed', rows_in: 9, rows_out: 5, rows_rejected: 4 });
      expect(inputs['streams_2024-06-25.csv']).toMatchObject({ status: 'processed', rows_in: 2, rows_out: 2, rows_rejected: 0 });
      expect(inputs['streams_bad.csv']).toMatchObject({ status: 'error', rows_in: 0 });
      expect(inputs['streams_bad.csv'].reason).toContain('user_id');
      expect(inputs['readme.txt']).toMatchObject({ status: 'ignored' });
      expect(result.manifest.totals).toMatchObject({ rows_in: 23, rows_out: 14, rows_rejected: 9 });

      // Manifest file entries match the objects.
      const { lake, landing } = await stores(setup);
      for (const file of result.manifest.files) {
        const text = await readObject(lake, file.key);
        expect(csvRecords(text.replace(/\n$/, '')).length - 1).toBe(file.rows);
      }

      // Landing: processed files archived, the bad file in error/ with its reason, the unknown file left.
      const landingKeys = (await landing.list('')).map((o) => o.key).sort();
      expect(landingKeys).toEqual(
        [
          `archive/${RUN_ID}/songs.csv`,
          `archive/${RUN_ID}/streams_2024-06-24.csv`,
          `archive/${RUN_ID}/streams_2024-06-25.csv`,
          `archive/${RUN_ID}/users.csv`,
          `error/${RUN_ID}/streams_bad.csv`,
          `error/${RUN_ID}/streams_bad.csv.reason.json`,
          'readme.txt',
        ].sort(),
      );
      const reason = JSON.parse((await landing.readText(`error/${RUN_ID}/streams_bad.csv.reason.json`))!) as { reason: string };
      expect(reason.reason).toMatch(/lacks required column user_id/);
    });

    test('a run aborted mid-way commits nothing and leaves the landing area as it was', async () => {
      const controller = new AbortController();
      const { landing } = await stores(setup);
      const before = (await landing.list('')).map((o) => o.key).sort();
      await expect(
        runListening(setup, { runId: 'aborted-run', signal: controller.signal, onBatch: () => controller.abort('SIGTERM (test)') }),
      ).rejects.toThrow(/aborted/);
      expect(await committedKeys(setup)).toEqual([]);
      expect((await landing.list('')).map((o) => o.key).sort()).toEqual(before);
      const { lake } = await stores(setup);
      expect(await lake.list('_staging/listening-events/aborted-run/')).toEqual([]);
    });

    test('rerunning a committed --run-id is refused (exit 2) and overwrites nothing, even with other input', async () => {
      await runListening(setup, { runId: 'rerun-1' });
      const { lake } = await stores(setup);
      const snapshot = async () =>
        Object.fromEntries(await Promise.all((await committedKeys(setup)).map(async (key) => [key, await readObject(lake, key)] as const)));
      const before = await snapshot();
      // Other input under the same names, as in the reported case (1 row where 3 were committed).
      const { landing } = await stores(setup);
      await landing.putText('streams_2024-06-24.csv', 'user_id,track_id,listen_time\nu1,t1,2024-06-24T01:00:00Z\n');
      const error = await runListening(setup, { runId: 'rerun-1' }).then(
        () => undefined,
        (e: unknown) => e as SoundlakeError,
      );
      expect(error?.exitCode).toBe(ExitCode.usage);
      expect(error?.message).toMatch(/rerun-1 is a committed run of listening-events/);
      expect(await snapshot()).toEqual(before);
      expect((await landing.list('')).map((o) => o.key)).toContain('streams_2024-06-24.csv');
    });

    test('--dry-run counts everything and writes nothing', async () => {
      const { landing } = await stores(setup);
      const before = (await landing.list('')).map((o) => o.key).sort();
      const { result } = await runListening(setup, { runId: 'dry', dryRun: true });
      expect(result.manifest.totals).toMatchObject({ rows_in: 23, rows_out: 14, rows_rejected: 9 });
      expect(result.manifestUrl).toBeUndefined();
      expect(await committedKeys(setup)).toEqual([]);
      expect((await landing.list('')).map((o) => o.key).sort()).toEqual(before);
    });
  });
}

describeLake('local folder', async () => {
  const { dir, cleanup } = tempDir();
  return {
    setup: { lakeUrl: path.join(dir, 'lake'), landingUrl: path.join(dir, 'landing'), env: {} },
    done: async () => cleanup(),
  };
});

describeLake('s3rver', async () => {
  const s3: RunningS3 = await startS3();
  return {
    setup: { lakeUrl: `s3://${s3.bucket}/lake`, landingUrl: `s3://${s3.bucket}/landing`, env: s3.env },
    done: () => s3.stop(),
  };
});

test('an unreachable S3 endpoint fails fast with a message naming the endpoint', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const setup: Setup = {
      lakeUrl: 's3://music-lake/lake',
      landingUrl: dir,
      env: { S3_ENDPOINT: 'http://127.0.0.1:9', S3_MAX_ATTEMPTS: '1', AWS_ACCESS_KEY_ID: 'x', AWS_SECRET_ACCESS_KEY: 'unreachable-secret' },
    };
    const error = await runListening(setup).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(SoundlakeError);
    expect((error as SoundlakeError).exitCode).toBe(ExitCode.failed);
    expect((error as Error).message).toMatch(/cannot reach http:\/\/127\.0\.0\.1:9/);
    expect((error as Error).message).not.toContain('unreachable-secret');
  } finally {
    cleanup();
  }
});
