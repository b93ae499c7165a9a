import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { configureS3, readS3Settings } from '../../src/connections/s3';
import { loadConfig } from '../../src/core/config';
import { listeningEventsJob } from '../../src/jobs/listening-events/listening-events-job';
import { openStore } from '../../src/lake/open-store';
import type { Store } from '../../src/lake/store';
import { runJob, type RunOptions, type RunResult } from '../../src/runner/run-job';
import { LogCapture } from './log-capture';
import { fixturePath } from './temp-dir';

/** A lake and a landing area (folders or S3 prefixes) plus the environment a run needs for them. */
export interface Setup {
  lakeUrl: string;
  landingUrl: string;
  env: Record<string, string>;
}

export async function stores(setup: Setup): Promise<{ lake: Store; landing: Store }> {
  await configureS3(readS3Settings(loadConfig({ env: setup.env, dotenvDir: null })));
  return { lake: openStore(setup.lakeUrl), landing: openStore(setup.landingUrl) };
}

/** Puts the hand-written landing files of `tests/fixtures/listening-small/landing` in place. */
export async function putSmallLanding(setup: Setup): Promise<void> {
  const { landing } = await stores(setup);
  const dir = fixturePath('listening-small', 'landing');
  const uploads = fs.mkdtempSync(path.join(os.tmpdir(), 'soundlake-upload-'));
  for (const name of fs.readdirSync(dir)) {
    // A private copy: putFile consumes it, and test files running in parallel share the fixtures.
    const tmp = path.join(uploads, name);
    fs.copyFileSync(path.join(dir, name), tmp);
    await landing.putFile(name, tmp); // consumes the copy
  }
  fs.rmSync(uploads, { recursive: true, force: true });
}

export async function runListening(setup: Setup, options: RunOptions = {}): Promise<{ result: RunResult; log: LogCapture }> {
  const log = new LogCapture();
  const result = await runJob(listeningEventsJob, {
    dotenvDir: null,
    date: '2026-11-21',
    ...options,
    logStream: log,
    env: {
      RUN_LOG_LEVEL: 'debug',
      LAKE_URL: setup.lakeUrl,
      LISTENING_EVENTS_LANDING_URL: setup.landingUrl,
      // Fixture files were written a moment ago; the settle check has its own test.
      LISTENING_EVENTS_SETTLE_SECONDS: '0',
      ...setup.env,
      ...options.env,
    },
  });
  return { result, log };
}

export function readExpected(name: string): string {
  return fs.readFileSync(fixturePath('listening-small', 'expected', name), 'utf8');
}
