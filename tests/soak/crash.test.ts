import { execFileSync, spawn } from 'node:child_process';
import * as path from 'node:path';
import { expectExactlyOnce as expectExactlyOnceOf, prepareTrials, trialRunEnv, type Trials } from '../support/landing-trials';
import type { Setup } from '../support/listening-scenario';
import { startS3, type RunningS3 } from '../support/s3rver-harness';
import { tempDir } from '../support/temp-dir';
import { KILL_POINTS, type KillPointName } from '../../src/core/run-phase';

/**
 * `kill -9` for real: the CLI runs in a child process and is killed with SIGKILL — by itself at a
 * named point (SOUNDLAKE_KILL_AT, see src/core/kill-point.ts) in extract, stage, package, commit
 * and housekeeping, or by this test after a random delay. Then the next ordinary run. Every trial
 * checks, against a clean run of the same landing set: no row lost, none twice, no package or
 * staging left behind, every input archived.
 */

const ROOT = path.join(__dirname, '..', '..');
const DATE = '2026-11-21';
/** Where the CLI is killed: `name` or `name:n` (the n-th pass). */
const POINTS: (KillPointName | `${KillPointName}:${number}`)[] = [
  'extract:1',
  'extract:3',
  'stage:1',
  'stage:4',
  'package',
  'commit:1',
  'commit:4',
  'housekeeping-step:1',
  'housekeeping-step:4',
  'housekeeping',
  'manifest',
];
/** Random kills per lake kind: delays drawn from a fixed seed, so a failure can be replayed. */
const RANDOM_TRIALS = 4;

let s3: RunningS3;
let work: { dir: string; cleanup: () => void };
let landingTrials: Trials;
let trials = 0;

interface ChildOutcome {
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
}

function runChild(setup: Setup, env: Record<string, string>, killAfterMs?: number): Promise<ChildOutcome> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path.join(ROOT, 'bin', 'soundlake.js'), 'run', 'listening-events', '--date', DATE], {
      cwd: work.dir,
      env: trialRunEnv(setup, env),
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = killAfterMs === undefined ? undefined : setTimeout(() => child.kill('SIGKILL'), killAfterMs);
    child.on('exit', (code, signal) => {
      if (timer) clearTimeout(timer);
      resolve({ code, signal, stderr });
    });
  });
}

/** The next ordinary run; one that meets the dead run's lease (exit 5) waits for it to expire and runs again. */
async function recover(setup: Setup): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    const outcome = await runChild(setup, {});
    if (outcome.code === 0) return;
    if (outcome.code !== 5 || attempt >= 4) throw new Error(`recovery run ended with ${outcome.code}: ${outcome.stderr}`);
    await new Promise((resolve) => setTimeout(resolve, 1100));
  }
}

const freshSetup = (kind: 'local' | 's3') => landingTrials.fresh(kind);
const expectExactlyOnce = (setup: Setup) => expectExactlyOnceOf(setup, landingTrials.reference);

beforeAll(async () => {
  // The child runs the built CLI, as the image does.
  execFileSync(process.execPath, [path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', path.join(ROOT, 'tsconfig.build.json')], { cwd: ROOT });
  s3 = await startS3();
  work = tempDir();
  landingTrials = await prepareTrials({ workDir: work.dir, s3, date: DATE, events: 4000, seed: 23 });
}, 120_000);

afterAll(async () => {
  await s3?.stop();
  work?.cleanup();
  // Read by the README's crash figures; printed so a CI log shows how many trials ran.
  console.log(`crash trials: ${trials}`);
});

test('the kill points chosen cover every phase of a run that has one', () => {
  const phaseOf = (point: string) => KILL_POINTS[point.split(':')[0] as KillPointName];
  expect(new Set(POINTS.map(phaseOf))).toEqual(new Set(Object.values(KILL_POINTS)));
});

describe.each(['local', 's3'] as const)('kill -9 on a %s lake, then the next run', (kind) => {
  test.each(POINTS)('killed at %s', async (point) => {
    const setup = await freshSetup(kind);
    const killed = await runChild(setup, { SOUNDLAKE_KILL_AT: point });
    expect({ signal: killed.signal, stderr: killed.stderr }).toEqual({ signal: 'SIGKILL', stderr: '' });
    await recover(setup);
    await expectExactlyOnce(setup);
    trials++;
  });

  test(`killed at ${RANDOM_TRIALS} random moments`, async () => {
    let seed = kind === 'local' ? 7 : 13;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (let i = 0; i < RANDOM_TRIALS; i++) {
      const setup = await freshSetup(kind);
      await runChild(setup, {}, 150 + Math.floor(random() * 900));
      await recover(setup);
      await expectExactlyOnce(setup);
      trials++;
    }
  });

  test('killed during the commit, then again while the next run resumes it', async () => {
    const setup = await freshSetup(kind);
    expect((await runChild(setup, { SOUNDLAKE_KILL_AT: 'commit:2' })).signal).toBe('SIGKILL');
    await new Promise((resolve) => setTimeout(resolve, 1100));
    // The second run resumes the first one's package and is killed in that commit too.
    expect((await runChild(setup, { SOUNDLAKE_KILL_AT: 'commit:2' })).signal).toBe('SIGKILL');
    await recover(setup);
    await expectExactlyOnce(setup);
    trials++;
  });
});
