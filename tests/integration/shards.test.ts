import * as fs from 'node:fs';
import * as path from 'node:path';
import { generateListeningEvents, GENERATE_DEFAULTS } from '../../src/generate/listening-events-generator';
import { parseShard, shardOf } from '../../src/run/shard';
import { runCli } from '../support/cli-run';
import { committedRows, putLanding, rowCounts, type LakeRows } from '../support/lake-rows';
import { runListening, stores, type Setup } from '../support/listening-scenario';
import { startS3, type RunningS3 } from '../support/s3rver-harness';
import { tempDir } from '../support/temp-dir';

/**
 * `--shard i/n`: n ordinary runs, each taking the landing files whose name hashes to its shard,
 * together commit exactly the rows one unsharded run commits — every file once, in one shard.
 */

let work: { dir: string; cleanup: () => void };
let landingDir: string;
let files: string[];
let reference: LakeRows;
let s3: RunningS3;

beforeAll(async () => {
  work = tempDir();
  landingDir = path.join(work.dir, 'landing-source');
  // 12 days of streams: 14 files, so 3 and 7 shards each get several (and some shard may get none).
  await generateListeningEvents({ ...GENERATE_DEFAULTS, outDir: landingDir, users: 150, songs: 200, events: 6000, days: 12, seed: 31, badRate: 0.01 });
  files = fs.readdirSync(landingDir).sort();
  const ref = { lakeUrl: path.join(work.dir, 'ref-lake'), landingUrl: path.join(work.dir, 'ref-landing'), env: {} };
  fs.cpSync(landingDir, ref.landingUrl, { recursive: true });
  await runListening(ref, { date: '2026-11-21' });
  reference = await committedRows((await stores(ref)).lake);
  s3 = await startS3();
});

afterAll(async () => {
  await s3.stop();
  work.cleanup();
});

async function runShards(setup: Setup, count: number) {
  // All shards at once: each has its own lease, staging and package; nothing coordinates them.
  return Promise.all(Array.from({ length: count }, (_, i) => runListening(setup, { date: '2026-11-21', shard: { index: i + 1, count } })));
}

describe.each([
  ['local', 1],
  ['local', 3],
  ['local', 7],
  ['s3', 3],
] as const)('on a %s lake, %i shard(s)', (kind, count) => {
  test('commit the rows of one unsharded run, each landing file read by exactly one shard', async () => {
    const name = `${kind}-${count}`;
    const setup: Setup =
      kind === 'local'
        ? { lakeUrl: path.join(work.dir, `lake-${name}`), landingUrl: path.join(work.dir, `landing-${name}`), env: {} }
        : { lakeUrl: `s3://${s3.bucket}/lake-${name}`, landingUrl: `s3://${s3.bucket}/landing-${name}`, env: s3.env };
    if (kind === 'local') fs.mkdirSync(setup.landingUrl);
    const { lake, landing } = await stores(setup);
    await putLanding(landingDir, landing);

    const results = await runShards(setup, count);
    const rows = await committedRows(lake);
    expect(rowCounts(rows)).toEqual(rowCounts(reference));
    expect(rows.digest).toBe(reference.digest);

    // Every file processed by exactly the shard its name hashes to.
    const processed = results.flatMap(({ result }) => result.manifest.inputs.filter((i) => i.status === 'processed').map((i) => i.name));
    expect([...processed].sort()).toEqual(files);
    results.forEach(({ result }, i) => {
      expect(result.manifest.shard).toBe(`${i + 1}/${count}`);
      expect(result.manifest.scope).toBe(`listening-events.shard-${i + 1}-of-${count}`);
      for (const input of result.manifest.inputs) if (input.status === 'processed') expect(shardOf(input.name, count)).toBe(i + 1);
    });
    expect((await landing.list('', { recursive: false })).map((o) => o.key)).toEqual([]);
    expect(await lake.list('_staging/')).toEqual([]);
  });
});

test('--shard is checked: i/n with 1 ≤ i ≤ n, and only for jobs that can split their inputs', async () => {
  expect(parseShard('2/3')).toEqual({ index: 2, count: 3 });
  for (const bad of ['0/3', '4/3', '3', 'a/b', '1/0']) expect(() => parseShard(bad)).toThrow(/expected i\/n/);
  expect((await runCli(['run', 'listening-events', '--shard', '4/3'])).code).toBe(2);
  const refused = await runCli(['run', 'spotify-playlist', '--shard', '1/2']);
  expect(refused.code).toBe(2);
  expect(refused.stderr).toMatch(/--shard: spotify-playlist cannot split its inputs into shards/);
});

test('--since/--until take only the landing files of those days; the rest wait in the landing area', async () => {
  const setup: Setup = { lakeUrl: path.join(work.dir, 'lake-window'), landingUrl: path.join(work.dir, 'landing-window'), env: {} };
  fs.cpSync(landingDir, setup.landingUrl, { recursive: true });
  const { result } = await runListening(setup, { date: '2026-11-21', since: '2024-06-26', until: '2024-06-27' });
  const processed = result.manifest.inputs.filter((i) => i.status === 'processed').map((i) => i.name).sort();
  expect(processed).toEqual(['streams_2024-06-26.csv', 'streams_2024-06-27.csv']);
  const ignored = Object.fromEntries(result.manifest.inputs.filter((i) => i.status === 'ignored').map((i) => [i.name, i.reason]));
  expect(ignored['users.csv']).toBe('no day in its name; --since/--until take only dated files');
  expect(ignored['streams_2024-06-24.csv']).toBe('its day 2024-06-24 is outside --since/--until');
  expect(fs.readdirSync(setup.landingUrl).filter((n) => n.endsWith('.csv')).length).toBe(files.length - 2);
  // Only those two days' streams are committed (rejects aside).
  const rows = await committedRows((await stores(setup)).lake);
  expect([...rows.rows.keys()].filter((k) => k.startsWith('raw/'))).toEqual(['raw/listening/streams']);
});

test('--since/--until are checked: real days, in order, for jobs with dated inputs', async () => {
  expect((await runCli(['run', 'listening-events', '--since', '2024-06-27', '--until', '2024-06-26'])).code).toBe(2);
  expect((await runCli(['run', 'listening-events', '--since', '2024-02-30'])).code).toBe(2);
  const refused = await runCli(['run', 'spotify-playlist', '--since', '2024-06-01']);
  expect(refused.code).toBe(2);
  expect(refused.stderr).toMatch(/--since\/--until: spotify-playlist has no dated inputs/);
});
