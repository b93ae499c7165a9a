import * as fs from 'node:fs';
import * as path from 'node:path';
import { committedRows, generateLanding, putLanding, rowCounts, type LakeRows } from './lake-rows';
import { runListening, stores, type Setup } from './listening-scenario';
import type { RunningS3 } from './s3rver-harness';

/**
 * Trials of one landing set under faults (crash.test, fencing.test): each trial on a fresh lake and
 * landing area of either kind, checked against a reference run of the same set on a clean lake.
 */
export interface Trials {
  landingDir: string;
  reference: LakeRows;
  fresh(kind: 'local' | 's3'): Promise<Setup>;
}

export async function prepareTrials(options: { workDir: string; s3: RunningS3; date: string; events: number; seed: number }): Promise<Trials> {
  const landingDir = path.join(options.workDir, 'landing-source');
  await generateLanding(landingDir, options.events, options.seed);
  const ref = { lakeUrl: path.join(options.workDir, 'ref-lake'), landingUrl: path.join(options.workDir, 'ref-landing'), env: {} };
  fs.cpSync(landingDir, ref.landingUrl, { recursive: true });
  await runListening(ref, { date: options.date });
  const reference = await committedRows((await stores(ref)).lake);
  let trial = 0;
  return {
    landingDir,
    reference,
    async fresh(kind) {
      trial++;
      const setup: Setup =
        kind === 'local'
          ? { lakeUrl: path.join(options.workDir, `lake-${trial}`), landingUrl: path.join(options.workDir, `landing-${trial}`), env: {} }
          : { lakeUrl: `s3://${options.s3.bucket}/lake-${trial}`, landingUrl: `s3://${options.s3.bucket}/landing-${trial}`, env: options.s3.env };
      if (kind === 'local') fs.mkdirSync(setup.landingUrl);
      await putLanding(landingDir, (await stores(setup)).landing);
      return setup;
    },
  };
}

/**
 * The environment of a trial's run in a child process: only what it needs, settled files taken at
 * once, and a 1-second lease (a killed or frozen run cannot release it: the next run takes it over soon).
 */
export function trialRunEnv(setup: Setup, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    LAKE_URL: setup.lakeUrl,
    LISTENING_EVENTS_LANDING_URL: setup.landingUrl,
    LISTENING_EVENTS_SETTLE_SECONDS: '0',
    RUN_LEASE_SECONDS: '1',
    RUN_LOG_LEVEL: 'warn',
    ...setup.env,
    ...extra,
  };
}

/**
 * Every row of the reference exactly once, no package left (a void marker may stay: it only names
 * a run that can never commit, src/run/commit-slots.ts), no staging, no local spool, every input
 * moved out of the landing area's top level.
 */
export async function expectExactlyOnce(setup: Setup, reference: LakeRows): Promise<void> {
  const { lake, landing } = await stores(setup);
  const rows = await committedRows(lake);
  expect(rowCounts(rows)).toEqual(rowCounts(reference));
  expect(rows.digest).toBe(reference.digest);
  for (const p of await lake.list('_packages/')) expect(await lake.readText(p.key)).toMatch(/"state": ?"void"/);
  expect(await lake.list('_staging/')).toEqual([]);
  const spool = lake.spoolRoot('listening-events');
  expect(fs.existsSync(spool) ? fs.readdirSync(spool) : []).toEqual([]);
  expect((await landing.list('', { recursive: false })).map((o) => o.key)).toEqual([]);
}
