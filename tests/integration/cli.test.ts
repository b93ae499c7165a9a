import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Command } from 'commander';
import { buildProgram } from '../../src/cli';
import { runCli } from '../support/cli-run';
import { tempDir } from '../support/temp-dir';
import { generateListeningEvents, GENERATE_DEFAULTS } from '../../src/generate/listening-events-generator';

/** Every command path of the CLI, e.g. ['generate', 'listening-events']. */
function commandPaths(command: Command, prefix: string[] = []): string[][] {
  return command.commands.flatMap((sub) => [[...prefix, sub.name()], ...commandPaths(sub, [...prefix, sub.name()])]);
}

describe('soundlake CLI', () => {
  const savedEnv = { ...process.env };
  afterEach(() => {
    process.env = { ...savedEnv };
  });

  test('jobs lists every job with a description', async () => {
    const { code, stdout } = await runCli(['jobs']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^listening-events\s+\S.+$/m);
  });

  test('--help works for the program and every command, and exits 0', async () => {
    const paths = [[], ...commandPaths(buildProgram())];
    expect(paths.length).toBeGreaterThanOrEqual(5);
    for (const p of paths) {
      const { code, stdout } = await runCli([...p, '--help']);
      expect(code).toBe(0);
      expect(stdout).toMatch(/Usage: soundlake/);
    }
  });

  test('run --help documents the exit codes', async () => {
    const { stdout } = await runCli(['run', '--help']);
    expect(stdout).toMatch(/Exit codes: 0 success,\s+1 the run failed,\s+2 usage or configuration error/);
    expect(stdout).toMatch(/3 a person must act/);
    expect(stdout).toMatch(/4 the source changed shape/);
    expect(stdout).toMatch(/5 skipped: another run of the job holds its lease/);
  });

  test('usage errors exit 2', async () => {
    expect((await runCli(['run'])).code).toBe(2);
    expect((await runCli(['no-such-command'])).code).toBe(2);
    const unknown = await runCli(['run', 'no-such-job']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/unknown job "no-such-job"; the jobs are: listening-events/);
    expect((await runCli(['run', 'listening-events', '--date', '2024-13-45'])).code).toBe(2);
    // Not a real day: refused, never written as month=02/day=30 (Date.parse rolls it over to March).
    const feb30 = await runCli(['run', 'listening-events', '--date', '2024-02-30']);
    expect(feb30.code).toBe(2);
    expect(feb30.stderr).toMatch(/--date "2024-02-30": expected a real calendar date/);
    expect((await runCli(['snowflake', 'refresh', '--since', '2023-02-29'])).code).toBe(2);
    expect((await runCli(['generate', 'listening-events', '--out', '/tmp/x', '--start', '2024-04-31'])).code).toBe(2);
    expect((await runCli(['generate', 'listening-events', '--out', '/tmp/x', '--events', 'many'])).code).toBe(2);
  });

  test('a bad config value exits 2 before any I/O, naming the key and its source', async () => {
    const { dir, cleanup } = tempDir();
    try {
      process.env.LAKE_GZIP_LEVEL = '11';
      process.env.LAKE_URL = path.join(dir, 'lake');
      const { code, stderr } = await runCli(['run', 'listening-events']);
      expect(code).toBe(2);
      expect(stderr).toMatch(/\[lake\] gzip_level = "11" \(from environment variable LAKE_GZIP_LEVEL/);
      expect(fs.existsSync(path.join(dir, 'lake'))).toBe(false);
    } finally {
      cleanup();
    }
  });

  test('a missing landing folder is configuration: exit 2 with what to do, before the lake or its lease is created', async () => {
    const { dir, cleanup } = tempDir();
    try {
      process.env.LAKE_URL = path.join(dir, 'lake');
      process.env.LISTENING_EVENTS_LANDING_URL = path.join(dir, 'nowhere');
      process.env.RUN_LOG_LEVEL = 'error';
      const { code, stderr } = await runCli(['run', 'listening-events']);
      expect(code).toBe(2);
      expect(stderr).toMatch(/landing folder .*nowhere does not exist .*`npx soundlake generate listening-events --out DIR`/);
      expect(fs.existsSync(path.join(dir, 'lake'))).toBe(false);
    } finally {
      cleanup();
    }
  });

  test('a landing URL that is a file is exit 2 saying so, not a raw ENOTDIR', async () => {
    const { dir, cleanup } = tempDir();
    try {
      fs.writeFileSync(path.join(dir, 'streams.csv'), 'user_id,track_id,listen_time\n');
      process.env.LAKE_URL = path.join(dir, 'lake');
      process.env.LISTENING_EVENTS_LANDING_URL = path.join(dir, 'streams.csv');
      process.env.RUN_LOG_LEVEL = 'error';
      const { code, stderr } = await runCli(['run', 'listening-events']);
      expect({ code, said: /landing folder .*streams\.csv is a file, not a folder \(\[listening-events\] landing_url\)/.test(stderr) }).toEqual({ code: 2, said: true });
      expect(fs.existsSync(path.join(dir, 'lake'))).toBe(false);
    } finally {
      cleanup();
    }
  });

  test.each(['s3:/prod-bucket/lake', 's3//prod-bucket/lake', 'S3:/prod-bucket/lake'])(
    '--lake %s (an s3:// typo) is exit 2 before any I/O, not rows in a local folder named like it',
    async (typo) => {
      const { dir, cleanup } = tempDir();
      const cwd = process.cwd();
      try {
        await generateListeningEvents({ ...GENERATE_DEFAULTS, outDir: path.join(dir, 'landing'), events: 200 });
        process.chdir(dir);
        process.env.LISTENING_EVENTS_LANDING_URL = path.join(dir, 'landing');
        process.env.LISTENING_EVENTS_SETTLE_SECONDS = '0';
        const { code, stderr } = await runCli(['run', 'listening-events', '--lake', typo]);
        expect(code).toBe(2);
        expect(stderr).toContain('did you mean s3://prod-bucket/lake?');
        // Nothing written anywhere: no folder named like the URL, every input still in landing.
        expect(fs.readdirSync(dir)).toEqual(['landing']);
        expect(fs.readdirSync(path.join(dir, 'landing')).every((f) => f.endsWith('.csv'))).toBe(true);
      } finally {
        process.chdir(cwd);
        cleanup();
      }
    },
  );

  test('an environment variable named like a setting but naming none is exit 2 with the setting meant', async () => {
    process.env.LISTENING_EVENTS_SETLE_SECONDS = '0';
    const { code, stderr } = await runCli(['run', 'listening-events', '--dry-run']);
    expect(code).toBe(2);
    expect(stderr).toMatch(/environment variable LISTENING_EVENTS_SETLE_SECONDS names no setting \(did you mean LISTENING_EVENTS_SETTLE_SECONDS\?\)/);
  });

  test('a run that left every file to settle succeeds but says nothing was loaded, why, and what to do', async () => {
    const { dir, cleanup } = tempDir();
    try {
      await generateListeningEvents({ ...GENERATE_DEFAULTS, outDir: path.join(dir, 'landing'), events: 200 });
      process.env.LAKE_URL = path.join(dir, 'lake');
      process.env.LISTENING_EVENTS_LANDING_URL = path.join(dir, 'landing');
      process.env.LISTENING_EVENTS_SETTLE_SECONDS = '600';
      const { code, stderr } = await runCli(['run', 'listening-events']);
      expect(code).toBe(0);
      const warning = stderr.split('\n').find((line) => line.includes('nothing was loaded'));
      expect(warning).toMatch(/"level":"warn".*nothing was loaded: 9 of 9 input\(s\) were modified too recently .*settle_seconds.*LISTENING_EVENTS_SETTLE_SECONDS=0/);
    } finally {
      cleanup();
    }
  });

  test('on a terminal, run ends with the per-table, per-input summary and the reject reasons (stdout; logs stay on stderr)', async () => {
    const { dir, cleanup } = tempDir();
    const wasTty = process.stdout.isTTY;
    try {
      await generateListeningEvents({ ...GENERATE_DEFAULTS, outDir: path.join(dir, 'landing'), events: 300, badRate: 0.05 });
      process.env.LAKE_URL = path.join(dir, 'lake');
      process.env.LISTENING_EVENTS_LANDING_URL = path.join(dir, 'landing');
      process.env.LISTENING_EVENTS_SETTLE_SECONDS = '0';
      process.stdout.isTTY = true;
      const { code, stdout } = await runCli(['run', 'listening-events']);
      expect(code).toBe(0);
      expect(stdout).toMatch(/^ {2}table +files +rows +rejects +gzip bytes$/m);
      expect(stdout).toMatch(/^ {2}listening\/streams +\d+ +[\d,]+ +[\d,]+ +[\d,]+$/m);
      expect(stdout).toMatch(/^ {4}streams\S*\.csv +[\d,]+ in = [\d,]+ out \+ [\d,]+ rejected$/m);
      expect(stdout).toMatch(/reject reasons:\n {4} +[\d,]+ {2}\S/);
      expect(stdout).toMatch(/^ {2}manifest +.*_manifests\/listening-events\/.*\.json$/m);
    } finally {
      process.stdout.isTTY = wasTty;
      cleanup();
    }
  });

  test('missing AWS credentials are exit 2 naming what to set, not the SDK sentence alone', async () => {
    const { startS3 } = await import('../support/s3rver-harness');
    const s3 = await startS3();
    const { dir, cleanup } = tempDir();
    try {
      const { AWS_ACCESS_KEY_ID: _id, AWS_SECRET_ACCESS_KEY: _secret, ...withoutKeys } = s3.env;
      for (const name of Object.keys(process.env)) if (/^AWS_/.test(name)) delete process.env[name];
      Object.assign(process.env, withoutKeys, {
        LAKE_URL: `s3://${s3.bucket}/lake`,
        LISTENING_EVENTS_LANDING_URL: dir,
        // No other source of credentials either: no profile files, no instance metadata.
        AWS_SHARED_CREDENTIALS_FILE: path.join(dir, 'none'),
        AWS_CONFIG_FILE: path.join(dir, 'none'),
        AWS_EC2_METADATA_DISABLED: 'true',
      });
      const { code, stderr } = await runCli(['run', 'listening-events']);
      expect(code).toBe(2);
      expect(stderr).toMatch(/no AWS credentials found\. Set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY/);
    } finally {
      cleanup();
      await s3.stop();
    }
  });
});

describe('signals', () => {
  test('SIGTERM during a run aborts it cleanly: exit 1, nothing committed, landing untouched', async () => {
    const { withAbortOnSignals } = await import('../../src/commands/abort-on-signals');
    const { runListening } = await import('../support/listening-scenario');
    const { dir, cleanup } = tempDir();
    try {
      const landing = path.join(dir, 'landing');
      await generateListeningEvents({ ...GENERATE_DEFAULTS, outDir: landing, events: 50_000 });
      const setup = { lakeUrl: path.join(dir, 'lake'), landingUrl: landing, env: {} };
      const error = await withAbortOnSignals((signal) =>
        runListening(setup, { signal, onBatch: (rows) => (rows > 10_000 ? void process.emit('SIGTERM') : undefined) }),
      ).then(
        () => undefined,
        (e: unknown) => e as Error & { exitCode: number },
      );
      expect(error?.message).toMatch(/run aborted: received SIGTERM; nothing was committed/);
      expect(error?.exitCode).toBe(1);
      const lakeFiles = fs.existsSync(path.join(dir, 'lake')) ? fs.readdirSync(path.join(dir, 'lake')) : [];
      // The released lease record stays; it holds no data.
      expect(lakeFiles.filter((f) => f !== '_staging' && f !== '_locks')).toEqual([]);
      expect(fs.readdirSync(landing).sort()).toEqual(fs.readdirSync(landing).filter((f) => f.endsWith('.csv')).sort());
      expect(fs.readdirSync(landing)).toHaveLength(9);
    } finally {
      cleanup();
    }
  });
});
