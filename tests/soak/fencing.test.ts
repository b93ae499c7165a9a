import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { buildCli, builtCliArgs } from '../support/built-cli';
import { commitSlotPrefix, leasePrefix } from '../../src/lake/keys';
import { expectExactlyOnce as expectExactlyOnceOf, prepareTrials, trialRunEnv, type Trials } from '../support/landing-trials';
import { stores, type Setup } from '../support/listening-scenario';
import { startS3, type RunningS3 } from '../support/s3rver-harness';
import { skewedClockEnv } from '../support/skewed-clock';
import { tempDir } from '../support/temp-dir';

/**
 * Exactly once without trusting the lease. Two runs that both believe they hold the lease: the
 * first is really paused (SIGSTOP, as a frozen container or a long GC pause) at a chosen point with
 * a 1-second lease, the second takes the lease over and commits, then the first is resumed
 * (SIGCONT). Whatever the pause, every row lands exactly once, no package or staging is left, and
 * the next run succeeds (no wedge). Each scenario failed before the commit slots
 * (src/run/commit-slots.ts): the late run committed a second copy, or left a package that could
 * never commit.
 */
const ROOT = path.join(__dirname, '..', '..');
const BUILD = path.join(ROOT, 'test-output', 'build-fencing');
const DATE = '2026-11-21';

let s3: RunningS3;
let work: { dir: string; cleanup: () => void };
let trials: Trials;

function spawnRun(setup: Setup, env: Record<string, string> = {}): { child: ChildProcess; done: Promise<{ code: number | null; stderr: string }> } {
  const child = spawn(process.execPath, builtCliArgs(BUILD, ['run', 'listening-events', '--date', DATE]), {
    cwd: work.dir,
    env: trialRunEnv(setup, { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', RUN_WORKERS: '1', ...env }),
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const done = new Promise<{ code: number | null; stderr: string }>((resolve) => child.on('exit', (code) => resolve({ code, stderr })));
  return { child, done };
}

/** Resolves once the child has stopped itself (SIGSTOP): its state in /proc is T. */
async function stopped(child: ChildProcess): Promise<void> {
  for (let i = 0; i < 600; i++) {
    const stat = fs.existsSync(`/proc/${child.pid}/stat`) ? fs.readFileSync(`/proc/${child.pid}/stat`, 'utf8') : '';
    if (/^\d+ \([^)]*\) T /.test(stat)) return;
    if (child.exitCode !== null) throw new Error(`the run ended (exit ${child.exitCode}) before reaching its stop point`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error('the run never reached its stop point');
}

const freshSetup = (kind: 'local' | 's3') => trials.fresh(kind);
const expectExactlyOnce = (setup: Setup) => expectExactlyOnceOf(setup, trials.reference);

/** The next ordinary run after the dust settles: it must succeed (no wedge). */
async function nextRunSucceeds(setup: Setup): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, 1100));
  const { code, stderr } = await spawnRun(setup).done;
  expect({ code, stderr: stderr.split('\n').filter((l) => /"level":"error"|^soundlake:/.test(l)) }).toEqual({ code: 0, stderr: [] });
}

beforeAll(async () => {
  buildCli(BUILD);
  s3 = await startS3();
  work = tempDir('fencing-');
  trials = await prepareTrials({ workDir: work.dir, s3, date: DATE, events: 2000, seed: 31 });
}, 180_000);

afterAll(async () => {
  await s3?.stop();
  work?.cleanup();
});

describe.each(['local', 's3'] as const)('a run paused past its lease on a %s lake, then resumed after another run committed', (kind) => {
  test.each([
    // After its last lease check, before its commit slot: the late run must find the slot taken.
    ['before-claim'],
    // Between its commit slot and its package: the next run voids it; its package write must fail.
    ['claimed'],
    // In the middle of reading the inputs: the next run removes its staging (voiding it first).
    ['extract:2'],
  ])('paused at %s: every row exactly once, the late run commits nothing, the next run succeeds', async (point) => {
    const setup = await freshSetup(kind);
    const late = spawnRun(setup, { SOUNDLAKE_STOP_AT: point });
    await stopped(late.child);
    // Its lease expires (1 s) while it is frozen; another run takes over and commits everything.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const other = await spawnRun(setup).done;
    expect({ code: other.code, errors: other.stderr.split('\n').filter((l) => /"level":"error"/.test(l)) }).toEqual({ code: 0, errors: [] });
    late.child.kill('SIGCONT');
    const resumed = await late.done;
    // The late run learns it lost and stops: exit 5, like a run that met a held lease.
    expect({ code: resumed.code, said: /nothing of this run was committed|another run took over the lease/.test(resumed.stderr) }).toEqual({ code: 5, said: true });
    await expectExactlyOnce(setup);
    await nextRunSucceeds(setup);
    await expectExactlyOnce(setup);
  }, 120_000);
});

test("deleting a live run's lease file (an operator 'clearing' exit 5) lets a second run start, but never a second copy", async () => {
  const setup = await freshSetup('s3');
  const first = spawnRun(setup, { SOUNDLAKE_STOP_AT: 'extract:2', RUN_LEASE_SECONDS: '60' });
  await stopped(first.child);
  const { lake } = await stores(setup);
  await lake.delete((await lake.list(leasePrefix('listening-events'))).map((o) => o.key));
  const second = await spawnRun(setup, { RUN_LEASE_SECONDS: '60' }).done;
  expect(second.code).toBe(0);
  first.child.kill('SIGCONT');
  expect((await first.done).code).toBe(5);
  await expectExactlyOnce(setup);
  // One commit slot: the second run's.
  expect(await lake.list(commitSlotPrefix('listening-events'))).toHaveLength(1);
}, 120_000);

test('a run whose clock is 15 s ahead takes over a live 10-second lease (it reads it as expired), yet the rows land once and the holder commits nothing', async () => {
  const setup = await freshSetup('s3');
  const holder = spawnRun(setup, { SOUNDLAKE_STOP_AT: 'extract:2', RUN_LEASE_SECONDS: '10' });
  await stopped(holder.child);
  // On this machine's clock the holder's lease has ~10 s left; the skewed run reads it as expired.
  const skewed = await spawnRun(setup, { RUN_LEASE_SECONDS: '10', ...skewedClockEnv(15) }).done;
  expect({ code: skewed.code, errors: skewed.stderr.split('\n').filter((l) => /"level":"error"/.test(l)) }).toEqual({ code: 0, errors: [] });
  holder.child.kill('SIGCONT');
  expect((await holder.done).code).toBe(5);
  await expectExactlyOnce(setup);
}, 120_000);

test('a SIGTERM that comes before the worker threads start ends the run (nothing committed), it does not hang', async () => {
  const setup = await freshSetup('local');
  // Stopped just before it lists the landing area; the SIGTERM is handled once it continues,
  // while the listing is under way, so the worker pool starts on an aborted run.
  const run = spawnRun(setup, { SOUNDLAKE_STOP_AT: 'landing-list', RUN_WORKERS: '2' });
  await stopped(run.child);
  run.child.kill('SIGTERM');
  run.child.kill('SIGCONT');
  let timer: NodeJS.Timeout | undefined;
  const ended = await Promise.race([run.done, new Promise<'hung'>((resolve) => (timer = setTimeout(() => resolve('hung'), 30_000)))]);
  clearTimeout(timer);
  if (ended === 'hung') run.child.kill('SIGKILL');
  expect(ended === 'hung' ? 'hung' : { code: ended.code, aborted: /run aborted: received SIGTERM/.test(ended.stderr) }).toEqual({ code: 1, aborted: true });
  const { lake } = await stores(setup);
  expect(await lake.list('_staging/')).toEqual([]);
  await nextRunSucceeds(setup);
  await expectExactlyOnce(setup);
}, 120_000);
