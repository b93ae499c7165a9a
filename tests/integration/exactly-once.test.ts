import * as fs from 'node:fs';
import * as path from 'node:path';
import { ExitCode, SoundlakeError } from '../../src/core/errors';
import type { Store } from '../../src/lake/store';
import { committedRows, generateLanding, putLanding, rowCounts, type LakeRows } from '../support/lake-rows';
import { runListening, stores, type Setup } from '../support/listening-scenario';
import type { FaultRule, S3Op } from '../support/s3-front';
import { startS3, type RunningS3 } from '../support/s3rver-harness';
import { tempDir } from '../support/temp-dir';

/**
 * Exactly once, proven by injecting faults for real: S3 requests fail (500, 503 SlowDown, a
 * connection reset before or after S3 did the work) through the front before a real S3 server;
 * then at most one more run. Every committed row is read back and compared, as a multiset, with a
 * clean run of the same landing set: nothing lost, nothing twice.
 */

let s3: RunningS3;
let work: { dir: string; cleanup: () => void };
let landingDir: string;
let reference: LakeRows;
let lakeNo = 0;

const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (error: unknown) => error as SoundlakeError,
  );

/** A fresh lake and landing prefix on the S3 server, with the generated landing set in place. */
async function freshS3Setup(): Promise<Setup & { lake: Store; landing: Store }> {
  lakeNo++;
  const setup: Setup = {
    lakeUrl: `s3://${s3.bucket}/lake-${lakeNo}`,
    landingUrl: `s3://${s3.bucket}/landing-${lakeNo}`,
    // Few attempts, so a persistent fault ends the run quickly; a short lease, so a lease the failed
    // run could not release (its PutObject failing too) expires before the next run.
    // A short request timeout: a request the front leaves unanswered under load fails and is retried.
    env: { ...s3.env, S3_MAX_ATTEMPTS: '3', RUN_LEASE_SECONDS: '1', S3_REQUEST_TIMEOUT_MS: '5000' },
  };
  const { lake, landing } = await stores(setup);
  await putLanding(landingDir, landing);
  return { ...setup, lake, landing };
}

async function expectExactlyOnce(setup: { lake: Store; landing: Store }): Promise<void> {
  const rows = await committedRows(setup.lake);
  expect(rowCounts(rows)).toEqual(rowCounts(reference));
  expect(rows.digest).toBe(reference.digest);
  // Nothing half-done is left: no package, no staging; every input archived.
  expect(await setup.lake.list('_packages/')).toEqual([]);
  expect(await setup.lake.list('_staging/')).toEqual([]);
  const left = (await setup.landing.list('', { recursive: false })).map((o) => o.key);
  expect(left).toEqual([]);
}

beforeAll(async () => {
  s3 = await startS3();
  work = tempDir();
  landingDir = path.join(work.dir, 'landing');
  await generateLanding(landingDir);
  // The reference: one clean run on a local lake.
  const refLanding = path.join(work.dir, 'ref-landing');
  fs.cpSync(landingDir, refLanding, { recursive: true });
  const refSetup = { lakeUrl: path.join(work.dir, 'ref-lake'), landingUrl: refLanding, env: {} };
  await runListening(refSetup, { date: '2026-11-21' });
  reference = await committedRows((await stores(refSetup)).lake);
  expect(reference.rows.get('raw/listening/streams')!.length).toBeGreaterThan(2500);
});

afterAll(async () => {
  await s3.stop();
  work.cleanup();
});

afterEach(() => s3.front.clearFaults());

// Each scenario is one or two runs (about 1 s each); the margin is for a loaded CI machine.
jest.setTimeout(180_000);

const OPS: S3Op[] = ['PutObject', 'CopyObject', 'DeleteObject', 'GetObject', 'HeadObject', 'ListObjects'];

describe('a fault that passes: the run retries and succeeds, exactly once', () => {
  const cases = OPS.flatMap((op) => (['reset', 'reset-after', 500, 503] as const).map((fault) => ({ op, fault })));
  test.each(cases)('$op answered $fault twice', async ({ op, fault }) => {
    const setup = await freshS3Setup();
    const injectedBefore = s3.front.injected;
    s3.front.addFault({ op, fault, after: 2, times: 2 });
    await runListening(setup, { date: '2026-11-21' });
    // The run makes more than 2 requests of every listed operation, so both faults were met.
    expect(s3.front.injected - injectedBefore).toBe(2);
    await expectExactlyOnce(setup);
  });
});

describe('a fault that persists: the run fails cleanly, the next run leaves every row exactly once', () => {
  const cases = OPS.flatMap((op) => (['reset-after', 500] as const).flatMap((fault) => [1, 6].map((after) => ({ op, fault, after }))));
  test.each(cases)('$op answers $fault from request $after on', async ({ op, fault, after }) => {
    const setup = await freshS3Setup();
    const rule: FaultRule = { op, fault, after };
    s3.front.addFault(rule);
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      const error = await failure(runListening(setup, { date: '2026-11-21' }));
      // Some faults hit only requests the run no longer needed: then it succeeded.
      if (error !== undefined) {
        expect(error).toBeInstanceOf(SoundlakeError);
        expect(error.exitCode).toBe(ExitCode.failed);
      }
      await new Promise((resolve) => setImmediate(resolve));
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
    s3.front.clearFaults();
    const next = await failure(runListening(setup, { date: '2026-11-21' }));
    if (next !== undefined) {
      // The failed run could not release its lease (the fault hit that write too): it expires.
      expect(next.exitCode).toBe(ExitCode.leaseHeld);
      await new Promise((resolve) => setTimeout(resolve, 1100));
      await runListening(setup, { date: '2026-11-21' });
    }
    await expectExactlyOnce(setup);
  });
});

describe('batch deletes (DeleteObjects, 1000 keys a request)', () => {
  /** Keys put, not listed: s3rver answers a listing of more than 1000 keys with InternalError. */
  async function storeWithKeys(count: number): Promise<{ lake: Store; keys: string[] }> {
    const { lake } = await freshS3Setup();
    const keys = Array.from({ length: count }, (_, i) => `_staging/x/run/k${String(i).padStart(4, '0')}`);
    await Promise.all(keys.map((key) => lake.putText(key, 'x')));
    return { lake, keys };
  }

  test('1001 keys are deleted in two requests, through faults the SDK retries', async () => {
    const { lake, keys } = await storeWithKeys(1001);
    const before = s3.front.counts.get('DeleteObjects') ?? 0;
    const injectedBefore = s3.front.injected;
    s3.front.addFault({ op: 'DeleteObjects', fault: 503, times: 2 });
    await lake.delete(keys);
    expect(s3.front.injected - injectedBefore).toBe(2);
    expect((s3.front.counts.get('DeleteObjects') ?? 0) - before).toBe(4); // 2 batches + 2 retried answers
    expect(await lake.list('_staging/')).toEqual([]);
  });

  test('a DeleteObjects that keeps failing fails the call naming the operation and a key, and the keys stay', async () => {
    const { lake, keys } = await storeWithKeys(3);
    s3.front.addFault({ op: 'DeleteObjects', fault: 500 });
    const error = await failure(lake.delete(keys));
    expect(error).toBeInstanceOf(SoundlakeError);
    expect(error!.message).toMatch(/S3 DeleteObjects s3:\/\/music-lake\/lake-\d+\/_staging\/x\/run\/k0000 failed/);
    s3.front.clearFaults();
    expect(await lake.list('_staging/')).toHaveLength(3);
  });
});

test('a stalled S3 request times out and is retried instead of hanging the run', async () => {
  const setup = await freshS3Setup();
  // One PutObject is never answered; the run's requests give up after 1 s and are retried. (Before,
  // the SDK only logged a warning at the timeout and the run waited for ever.)
  const injectedBefore = s3.front.injected;
  s3.front.addFault({ op: 'PutObject', fault: 'hang', after: 2, times: 1 });
  await runListening({ ...setup, env: { ...setup.env, S3_REQUEST_TIMEOUT_MS: '1000' } }, { date: '2026-11-21' });
  expect(s3.front.injected - injectedBefore).toBe(1);
  await expectExactlyOnce(setup);
});

test('a response body that stops after a few bytes fails the run within the request timeout instead of hanging it; the next run lands every row once', async () => {
  const setup = await freshS3Setup();
  const injectedBefore = s3.front.injected;
  // A landing file's GetObject answers its headers and 16 bytes, then nothing, the connection open.
  s3.front.addFault({ op: 'GetObject', fault: 'stall-body', times: 1, key: /landing/ });
  const env = { ...setup.env, S3_REQUEST_TIMEOUT_MS: '1000' };
  const outcome = await runListening({ ...setup, env }, { date: '2026-11-21' }).then(
    () => 'succeeded',
    (error: Error) => error.message,
  );
  expect(s3.front.injected - injectedBefore).toBe(1);
  expect(outcome).toMatch(/succeeded|the response body stopped arriving \(no data for 1000 ms/);
  if (outcome !== 'succeeded') await runListening(setup, { date: '2026-11-21' });
  await expectExactlyOnce(setup);
});

test('a commit cut halfway is finished by the next run from its package, never extracted again', async () => {
  const setup = await freshS3Setup();
  // The 4th CopyObject of the commit fails for good: part of the run is published.
  s3.front.addFault({ op: 'CopyObject', fault: 500, after: 3 });
  const error = await failure(runListening(setup, { date: '2026-11-21', runId: 'cut-run' }));
  expect(error?.message).toMatch(/run cut-run is packaged but its commit stopped.*next run of listening-events finishes this commit/);
  expect((await setup.lake.list('_packages/listening-events/')).map((o) => o.key)).toEqual(['_packages/listening-events/cut-run.json']);
  const published = (await setup.lake.list('raw/')).length + (await setup.lake.list('rejects/')).length;
  expect(published).toBe(3);
  // The landing files are still there: they are archived only by the commit's housekeeping.
  expect((await setup.landing.list('', { recursive: false })).length).toBe(5);
  // While the fault lasts, every run fails the same way, and says it is finishing the earlier commit.
  const again = await failure(runListening(setup, { date: '2026-11-21' }));
  expect(again?.message).toMatch(/^finishing the commit of run cut-run \(packaged by an earlier run of listening-events, started [0-9T:.Z-]+; its rows are not extracted again\) failed: S3 /);
  s3.front.clearFaults();

  const { result } = await runListening(setup, { date: '2026-11-21' });
  // The new run found no input left: the package's housekeeping archived it.
  expect(result.manifest.totals.rows_in).toBe(0);
  const resumed = JSON.parse((await setup.lake.readText('_manifests/listening-events/cut-run.json'))!) as {
    state: string;
    commit: { already_present: number; finished_by: string };
  };
  expect(resumed.state).toBe('committed');
  expect(resumed.commit.already_present).toBe(published);
  expect(resumed.commit.finished_by).toBe(result.manifest.run_id);
  await expectExactlyOnce(setup);
  expect((await setup.landing.list('archive/cut-run/')).length).toBe(5);
});

test('a package whose staged files are gone (expired, deleted) is no wedge: exit 3 names the command, --abandon ends it with nothing loaded twice', async () => {
  const setup = await freshS3Setup();
  s3.front.addFault({ op: 'CopyObject', fault: 500, after: 3 });
  await failure(runListening(setup, { date: '2026-11-21', runId: 'expired-run' }));
  s3.front.clearFaults();
  const published = [...(await setup.lake.list('raw/')), ...(await setup.lake.list('rejects/'))].length;
  expect(published).toBe(3);
  // What a lifecycle rule or a person did to the staging while the package waited.
  await setup.lake.delete((await setup.lake.list('_staging/')).map((o) => o.key));

  for (let attempt = 0; attempt < 2; attempt++) {
    const stuck = await failure(runListening(setup, { date: '2026-11-21' }));
    expect(stuck?.exitCode).toBe(ExitCode.needsPerson);
    expect(stuck?.message).toMatch(/run expired-run's package cannot be committed: its staged file .* is gone .*`npx soundlake resume listening-events --abandon expired-run`/);
  }
  const { resumeJob } = await import('../../src/runner/resume-job');
  const { LogCapture } = await import('../support/log-capture');
  const [abandoned] = await resumeJob('listening-events', { abandon: 'expired-run', dotenvDir: null, logStream: new LogCapture(), env: { LAKE_URL: setup.lakeUrl, ...setup.env, RUN_LEASE_SECONDS: '1' } });
  // The manifest keeps the 3 published files; the rest are recorded as lost, with their rows.
  expect(abandoned.files).toHaveLength(published);
  expect(abandoned.abandoned!.lost_files.length).toBeGreaterThan(0);
  expect(abandoned.abandoned!.lost_rows).toBeGreaterThan(0);
  // What was published stays once; nothing is there twice.
  const rows = await committedRows(setup.lake);
  for (const [table, list] of rows.rows) {
    const ref = reference.rows.get(table)!;
    const counts = (xs: string[]) => xs.reduce((m, x) => m.set(x, (m.get(x) ?? 0) + 1), new Map<string, number>());
    const theirs = counts(ref);
    for (const [row, n] of counts(list)) expect([table, row, n <= (theirs.get(row) ?? 0)]).toEqual([table, row, true]);
  }
  // The inputs are set aside with a reason, never read again.
  const setAside = (await setup.landing.list('error/expired-run/')).map((o) => o.key);
  expect(setAside.filter((k) => !k.endsWith('.reason.json'))).toHaveLength(5);
  expect(await setup.landing.readText(setAside.find((k) => k.endsWith('.reason.json'))!)).toMatch(/Loaded: 3 file\(s\).*not loaded: \d+ file\(s\).*Re-land only the rows that were not loaded/);
  const { result } = await runListening(setup, { date: '2026-11-21' });
  expect(result.manifest.totals.rows_in).toBe(0);
  expect(await setup.lake.list('_packages/')).toEqual([]);
});

/** Starts two runs of the job together; returns what each did. */
async function twoRunsAtOnce(setup: Setup) {
  return Promise.all(
    [1, 2].map(() =>
      runListening(setup, { date: '2026-11-21' }).then(
        ({ result }) => ({ rowsIn: result.manifest.totals.rows_in, error: undefined }),
        (error: unknown) => ({ rowsIn: 0, error: error as SoundlakeError }),
      ),
    ),
  );
}

describe.each(['s3', 'local'] as const)('two runs of a job started together on a %s lake', (kind) => {
  test('exactly one does the work; the other exits 5 having read nothing, or starts after the first ended and finds nothing left', async () => {
    let setup: Setup & { lake: Store; landing: Store };
    const { dir, cleanup } = tempDir();
    try {
      if (kind === 's3') setup = await freshS3Setup();
      else {
        const landing = path.join(dir, 'landing');
        fs.cpSync(landingDir, landing, { recursive: true });
        const local = { lakeUrl: path.join(dir, 'lake'), landingUrl: landing, env: {} };
        setup = { ...local, ...(await stores(local)) };
      }
      const outcomes = await twoRunsAtOnce(setup);
      for (const o of outcomes) if (o.error) expect(o.error.exitCode).toBe(ExitCode.leaseHeld);
      // Every input row was read by exactly one of the two.
      const readRows = outcomes.map((o) => o.rowsIn).sort((a, b) => a - b);
      expect(readRows[0]).toBe(0);
      expect(readRows[1]).toBeGreaterThan(0);
      await expectExactlyOnce(setup);
    } finally {
      cleanup();
    }
  });
});

test('a run that meets a live lease exits 5 at once: it reads nothing, stages nothing, and says who holds it', async () => {
  const setup = await freshS3Setup();
  const { JobLease } = await import('../../src/run/job-lease');
  const { createLogger } = await import('../../src/core/log');
  const { LogCapture } = await import('../support/log-capture');
  const holder = await JobLease.acquire(setup.lake, 'listening-events', 'the-holder', 60_000, createLogger({ stream: new LogCapture() }));
  try {
    const error = await failure(runListening(setup, { date: '2026-11-21' }));
    expect(error?.exitCode).toBe(ExitCode.leaseHeld);
    expect(error?.message).toMatch(/another run of listening-events holds the lease: run the-holder on \S+ \(pid \d+\)/);
    expect((await setup.landing.list('', { recursive: false })).length).toBe(5);
    expect(await setup.lake.list('_staging/')).toEqual([]);
    expect(await setup.lake.list('raw/')).toEqual([]);
  } finally {
    await holder.release();
  }
  // Released: the next run works.
  await runListening(setup, { date: '2026-11-21' });
  await expectExactlyOnce(setup);
});

test('a landing object overwritten while the run reads it fails the run; nothing is committed and the next run loads the new version', async () => {
  const setup = await freshS3Setup();
  let overwritten = false;
  const error = await failure(
    runListening(setup, {
      date: '2026-11-21',
      onBatch: () => {
        if (overwritten) return;
        overwritten = true;
        // Another version: one more row.
        void setup.landing.putText('users.csv', `${fs.readFileSync(path.join(landingDir, 'users.csv'), 'utf8')}u-late,Late Comer,30,SE,2024-06-01T00:00:00Z\n`);
      },
    }),
  );
  expect(error?.message).toMatch(/users\.csv changed while the run read it.*nothing was committed/);
  expect(await setup.lake.list('raw/')).toEqual([]);
  await runListening(setup, { date: '2026-11-21' });
  // The new version's extra row is loaded with the rest.
  const rows = await committedRows(setup.lake);
  expect(rows.rows.get('raw/listening/users')!.length).toBe(reference.rows.get('raw/listening/users')!.length + 1);
  expect(rows.rows.get('raw/listening/users')!.some((r) => r.startsWith('"u-late","Late Comer",30'))).toBe(true);
});

test('a local landing file that grows during the run fails the run before anything is visible', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const landing = path.join(dir, 'landing');
    fs.cpSync(landingDir, landing, { recursive: true });
    const setup = { lakeUrl: path.join(dir, 'lake'), landingUrl: landing, env: {} };
    const streamsFile = fs.readdirSync(landing).find((n) => n.startsWith('streams_'))!;
    let grown = false;
    const error = await failure(
      runListening(setup, {
        date: '2026-11-21',
        onBatch: () => {
          if (grown) return;
          grown = true;
          fs.appendFileSync(path.join(landing, streamsFile), 'u1,t1,2024-06-24T05:00:00Z\n');
        },
      }),
    );
    expect(error?.message).toMatch(/changed while the run read it/);
    const { lake } = await stores(setup);
    expect(await lake.list('raw/')).toEqual([]);
    expect(await lake.list('_staging/')).toEqual([]);
  } finally {
    cleanup();
  }
});

test('a run id is refused by a second job and when reused; nothing is overwritten', async () => {
  const setup = await freshS3Setup();
  await runListening(setup, { date: '2026-11-21', runId: 'shared-id' });
  const before = await committedRows(setup.lake);
  const { findJob } = await import('../../src/runner/job-registry');
  const { runRegistered } = await import('../../src/runner/run-job');
  const { LogCapture } = await import('../support/log-capture');
  const error = await failure(
    runRegistered(findJob('spotify-playlist')!, {
      runId: 'shared-id',
      dotenvDir: null,
      logStream: new LogCapture(),
      env: {
        ...setup.env,
        LAKE_URL: setup.lakeUrl,
        SPOTIFY_PLAYLIST_PLAYLIST_IDS: '37i9dQZF1DXcBWIGoYBM5M',
        SPOTIFY_CLIENT_ID: 'id',
        SPOTIFY_CLIENT_SECRET: 'client-secret-value',
        SPOTIFY_API_URL: 'http://127.0.0.1:9',
        SPOTIFY_ACCOUNTS_URL: 'http://127.0.0.1:9',
      },
    }),
  );
  expect(error?.exitCode).toBe(ExitCode.usage);
  expect(error?.message).toMatch(/shared-id is a committed run of listening-events/);
  expect((await committedRows(setup.lake)).digest).toBe(before.digest);
  expect(await setup.lake.list('_staging/')).toEqual([]);
});

describe('multipart staging uploads (parts of 8 MiB) under faults', () => {
  const cases: FaultRule[] = [
    { op: 'UploadPart', fault: 500, times: 2 },
    { op: 'UploadPart', fault: 'reset', times: 1 },
    { op: 'CompleteMultipartUpload', fault: 503, times: 1 },
    { op: 'CompleteMultipartUpload', fault: 'reset-after', times: 1 },
  ];
  test.each(cases)('$op answering $fault is retried; the staged object holds exactly the file', async (rule) => {
    const setup = await freshS3Setup();
    const { createHash, randomBytes } = await import('node:crypto');
    const bytes = randomBytes(9 * 1024 * 1024);
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    const local = path.join(work.dir, `big-${lakeNo}.bin`);
    fs.writeFileSync(local, bytes);
    s3.front.addFault(rule);
    await setup.lake.putFile('_staging/x/run/big.csv.gz', local, { sha256 });
    expect(s3.front.injected).toBeGreaterThan(0);
    expect(await setup.lake.publish('_staging/x/run/big.csv.gz', 'raw/x/big.csv.gz', sha256)).toBe('published');
    const chunks: Buffer[] = [];
    for await (const chunk of await setup.lake.read('raw/x/big.csv.gz')) chunks.push(chunk as Buffer);
    expect(createHash('sha256').update(Buffer.concat(chunks)).digest('hex')).toBe(sha256);
    // Publishing again (a resumed commit) finds the same bytes: done, nothing replaced.
    expect(await setup.lake.publish('_staging/x/run/big.csv.gz', 'raw/x/big.csv.gz', sha256)).toBe('present');
  });

  test('a persistent UploadPart failure fails the upload cleanly and leaves no object', async () => {
    const setup = await freshS3Setup();
    const { randomBytes } = await import('node:crypto');
    const local = path.join(work.dir, `big-fail-${lakeNo}.bin`);
    fs.writeFileSync(local, randomBytes(9 * 1024 * 1024));
    s3.front.addFault({ op: 'UploadPart', fault: 500 });
    await expect(setup.lake.putFile('_staging/x/run/big.csv.gz', local, { sha256: 'x' })).rejects.toThrow(/S3 Upload .* failed/);
    expect(await setup.lake.stat('_staging/x/run/big.csv.gz')).toBeUndefined();
  });
});

test('publishing over a final key with other bytes stops and names the key', async () => {
  const setup = await freshS3Setup();
  await setup.lake.putText('raw/x/taken.csv.gz', 'other bytes');
  const local = path.join(work.dir, 'mine.bin');
  fs.writeFileSync(local, 'my bytes');
  await setup.lake.putFile('_staging/x/r/taken.csv.gz', local, { sha256: 'f'.repeat(64) });
  await expect(setup.lake.publish('_staging/x/r/taken.csv.gz', 'raw/x/taken.csv.gz', 'f'.repeat(64))).rejects.toThrow(
    /raw\/x\/taken\.csv\.gz already exists with other contents .* a final key is never replaced/,
  );
  expect(await setup.lake.readText('raw/x/taken.csv.gz')).toBe('other bytes');
});
