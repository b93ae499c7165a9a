import * as fs from 'node:fs';
import * as path from 'node:path';
import type { RunManifest } from '../../src/run/run-package';
import { runCli } from '../support/cli-run';
import { copyFixtures, fixturePath, tempDir } from '../support/temp-dir';

/** The EMF lines a run printed on stdout (CloudWatch reads any JSON log line holding `_aws`). */
function emfLines(stdout: string): Record<string, unknown>[] {
  return stdout
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>)
    .filter((record) => '_aws' in record);
}

/** Checks the document against the EMF specification's required structure and returns its metric names. */
function metricNames(record: Record<string, unknown>): string[] {
  const aws = record._aws as { Timestamp: unknown; CloudWatchMetrics: { Namespace: string; Dimensions: string[][]; Metrics: { Name: string; Unit?: string }[] }[] };
  expect(typeof aws.Timestamp).toBe('number');
  expect(aws.CloudWatchMetrics).toHaveLength(1);
  const [directive] = aws.CloudWatchMetrics;
  expect(directive.Namespace).toBe('soundlake');
  expect(directive.Dimensions).toEqual([['Job']]);
  // Every dimension and every metric named by the directive is a member of the document.
  for (const name of [...directive.Dimensions.flat(), ...directive.Metrics.map((m) => m.Name)]) expect(record).toHaveProperty([name]);
  return directive.Metrics.map((m) => m.Name).sort();
}

describe('run metrics as CloudWatch Embedded Metric Format', () => {
  const savedEnv = { ...process.env };
  let dir: string;
  let cleanup: () => void;
  beforeEach(() => {
    ({ dir, cleanup } = tempDir());
    copyFixtures(fixturePath('listening-small', 'landing'), path.join(dir, 'landing'));
    process.env = {
      ...savedEnv,
      LAKE_URL: path.join(dir, 'lake'),
      LISTENING_EVENTS_LANDING_URL: path.join(dir, 'landing'),
      LISTENING_EVENTS_SETTLE_SECONDS: '0',
      RUN_LOG_LEVEL: 'error',
    };
  });
  afterEach(() => {
    process.env = { ...savedEnv };
    cleanup();
  });

  test('a successful run prints one EMF line whose figures are the manifest totals', async () => {
    process.env.RUN_METRICS = 'emf';
    const { code, stdout } = await runCli(['run', 'listening-events']);
    expect(code).toBe(0);
    const lines = emfLines(stdout);
    expect(lines).toHaveLength(1);
    const [emf] = lines;
    expect(metricNames(emf)).toEqual(['BytesWritten', 'ExitCode', 'FilesWritten', 'RowsIn', 'RowsOut', 'RowsRejected', 'RunSeconds', 'RunSucceeded']);
    const manifestDir = path.join(dir, 'lake', '_manifests', 'listening-events');
    const [manifestFile] = fs.readdirSync(manifestDir);
    const manifest = JSON.parse(fs.readFileSync(path.join(manifestDir, manifestFile), 'utf8')) as RunManifest;
    expect(emf).toMatchObject({
      Job: 'listening-events',
      RunId: manifest.run_id,
      RunSucceeded: 1,
      ExitCode: 0,
      RowsIn: manifest.totals.rows_in,
      RowsOut: manifest.totals.rows_out,
      RowsRejected: manifest.totals.rows_rejected,
      BytesWritten: manifest.totals.bytes,
      FilesWritten: manifest.totals.files,
    });
    expect(manifest.totals.rows_rejected).toBeGreaterThan(0);
    expect(emf.RunSeconds).toBeGreaterThan(0);
  });

  test('a failed run still reports, with its exit code and RunSucceeded 0', async () => {
    process.env.RUN_METRICS = 'emf';
    // A missing landing folder: configuration, exit 2.
    fs.rmSync(path.join(dir, 'landing'), { recursive: true });
    const { code, stdout } = await runCli(['run', 'listening-events']);
    expect(code).toBe(2);
    const [emf] = emfLines(stdout);
    expect(metricNames(emf)).toEqual(['ExitCode', 'RunSeconds', 'RunSucceeded']);
    expect(emf).toMatchObject({ Job: 'listening-events', RunSucceeded: 0, ExitCode: 2 });
  });

  test('off by default, and a bad value names the key', async () => {
    const quiet = await runCli(['run', 'listening-events']);
    expect(quiet.code).toBe(0);
    expect(emfLines(quiet.stdout)).toEqual([]);
    process.env.RUN_METRICS = 'cloudwatch';
    const bad = await runCli(['run', 'listening-events']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/\[run\] metrics = "cloudwatch".*expected none or emf/);
  });
});
