/**
 * npm run bench -- --events 1000000 [--days 7] [--users 50000] [--songs 100000] [--stray-quote] [--keep]
 * npm run bench -- --events 1000000 --compare [--rounds 3]
 *
 * --compare runs our job and DuckDB doing the same work (bench/duckdb-peer.ts) on the same landing
 * set, alternating, each in a child process, and prints each side's median wall time, CPU time
 * and peak RSS, the ratio, and gzip -6 over our output as the single-core floor.
 *
 * Generates a landing set (not timed), runs listening-events into a local lake in a child process
 * (timed; its peak RSS measured there), then times `gzip -6` over the same uncompressed CSV output
 * and prints the ratio. Targets (2-core machine, docs/benchmarks.md): wall time ≤ 0.5× DuckDB's at 1M
 * and 5M streams, ≤ 1.5× (gzip -6 time ÷ cores), peak RSS < 250 MB at 5M.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { generateListeningEvents } from '../src/generate/listening-events-generator';
import { listeningEventsJob } from '../src/jobs/listening-events/listening-events-job';
import type { RunManifest } from '../src/run/run-package';
import { runJob } from '../src/runner/run-job';
import { runDuckdbPeer } from './duckdb-peer';

interface ChildResult {
  seconds: number;
  /** User + system CPU of the whole child process (every thread), seconds. */
  cpuSeconds: number;
  maxRssMb: number;
  manifest: RunManifest;
}

const cpuSeconds = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6;
};

function flag(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

/** The run's settings the bench's caller set in the environment. */
function passedSettings(): Record<string, string> {
  return Object.fromEntries(Object.entries(process.env).filter((e): e is [string, string] => /^(RUN|LAKE)_/.test(e[0]) && e[1] !== undefined));
}

async function child(landing: string, lake: string): Promise<void> {
  const started = process.hrtime.bigint();
  const { manifest } = await runJob(listeningEventsJob, {
    lake,
    dotenvDir: null,
    // RUN_* and LAKE_* settings from the bench's environment (RUN_WORKERS, LAKE_GZIP_LEVEL, …).
    env: { RUN_LOG_LEVEL: 'warn', ...passedSettings(), LISTENING_EVENTS_LANDING_URL: landing, LISTENING_EVENTS_SETTLE_SECONDS: '0' },
    date: '2024-07-01',
  });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const result: ChildResult = { seconds, cpuSeconds: cpuSeconds(), maxRssMb: process.resourceUsage().maxRSS / 1024, manifest };
  process.stdout.write(JSON.stringify(result));
}

async function duckdbChild(landing: string, out: string): Promise<void> {
  const started = process.hrtime.bigint();
  await runDuckdbPeer(landing, out);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  process.stdout.write(JSON.stringify({ seconds, cpuSeconds: cpuSeconds(), maxRssMb: process.resourceUsage().maxRSS / 1024 }));
}

function runChild(mode: '--child' | '--child-duckdb', landing: string, out: string): ChildResult {
  const run = spawnSync(process.execPath, [__filename, mode, landing, out], {
    encoding: 'utf8',
    maxBuffer: 64 << 20,
    // Our side gets the thread pool bin/soundlake.js gives every run (one thread per core).
    env: {
      ...process.env,
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      ...(mode === '--child' ? { UV_THREADPOOL_SIZE: process.env.UV_THREADPOOL_SIZE ?? String(Math.max(2, os.availableParallelism())) } : {}),
    },
  });
  if (run.status !== 0) throw new Error(`${mode} failed: ${run.stderr}`);
  return JSON.parse(run.stdout) as ChildResult;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/** Ours and DuckDB, alternating, on fresh copies of one landing set; medians, ratio, gzip floor. */
function compare(work: string, landing: string, rounds: number): void {
  const ours: ChildResult[] = [];
  const peer: ChildResult[] = [];
  let lastLake = '';
  for (let round = 1; round <= rounds; round++) {
    const copy = path.join(work, `landing-${round}`);
    fs.cpSync(landing, copy, { recursive: true }); // our job archives its inputs: a fresh copy each round (not timed)
    lastLake = path.join(work, `lake-${round}`);
    ours.push(runChild('--child', copy, lastLake));
    peer.push(runChild('--child-duckdb', landing, path.join(work, `duckdb-${round}`)));
    console.log(`round ${round}: ours ${ours[round - 1].seconds.toFixed(2)} s, duckdb ${peer[round - 1].seconds.toFixed(2)} s`);
  }
  const gzipSeconds = gzipFloor(work, lastLake, ours[ours.length - 1].manifest);
  const cores = os.availableParallelism();
  const row = (name: string, r: ChildResult[]) =>
    `${name.padEnd(8)} ${median(r.map((x) => x.seconds)).toFixed(2).padStart(8)} ${median(r.map((x) => x.cpuSeconds)).toFixed(2).padStart(8)} ${median(r.map((x) => x.maxRssMb)).toFixed(0).padStart(10)}`;
  console.log(`\n${'side'.padEnd(8)} ${'wall s'.padStart(8)} ${'CPU s'.padStart(8)} ${'peak RSS MB'.padStart(10)}   (median of ${rounds}, ${os.availableParallelism()} cores)`);
  console.log(row('ours', ours));
  console.log(row('duckdb', peer));
  const ratio = median(ours.map((x) => x.seconds)) / median(peer.map((x) => x.seconds));
  console.log(`\nours / duckdb wall time: ${ratio.toFixed(2)} (target ≤ 0.5)`);
  const wall = median(ours.map((x) => x.seconds));
  console.log(`gzip -6 over our output: ${gzipSeconds.toFixed(2)} s (one core); ours / gzip: ${(wall / gzipSeconds).toFixed(2)}; ours / (gzip ÷ ${cores} cores): ${(wall / (gzipSeconds / cores)).toFixed(2)} (target ≤ 1.5)`);
}

/** gzip -6 over the same uncompressed CSV our run wrote: the single-core floor for gzip CSV. */
function gzipFloor(work: string, lake: string, manifest: RunManifest): number {
  const plain = path.join(work, 'output.csv');
  const out = fs.openSync(plain, 'w');
  for (const file of manifest.files) execFileSync('sh', ['-c', `gzip -dc '${path.join(lake, file.key)}'`], { stdio: ['ignore', out, 'inherit'] });
  fs.closeSync(out);
  const started = process.hrtime.bigint();
  execFileSync('sh', ['-c', `gzip -6 -c '${plain}' > /dev/null`]);
  return Number(process.hrtime.bigint() - started) / 1e9;
}

async function main(): Promise<void> {
  if (process.argv.includes('--child')) return child(process.argv[3], process.argv[4]);
  if (process.argv.includes('--child-duckdb')) return duckdbChild(process.argv[3], process.argv[4]);
  const events = flag('--events', 1_000_000);
  const days = flag('--days', 7);
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'soundlake-bench-'));
  const landing = path.join(work, 'landing');
  const lake = path.join(work, 'lake');
  try {
    console.log(`generating ${events.toLocaleString('en-US')} streams over ${days} days (not timed) …`);
    const users = flag('--users', 50_000);
    const songs = flag('--songs', 100_000);
    console.log(`… with ${users.toLocaleString('en-US')} users and ${songs.toLocaleString('en-US')} songs (deduplicated within the run)`);
    await generateListeningEvents({ outDir: landing, users, songs, events, days, startDate: '2024-06-24', seed: 1, badRate: 0.001 });
    const inputBytes = fs.readdirSync(landing).reduce((n, f) => n + fs.statSync(path.join(landing, f)).size, 0);
    const strayQuote = process.argv.includes('--stray-quote');
    if (strayQuote) {
      // Hostile input: one stray quote on line 3 of the first streams file turns the rest of that
      // file into one field. It must cost linear time and bounded memory, and the file go to error/.
      const name = fs.readdirSync(landing).filter((f) => f.startsWith('streams_')).sort()[0];
      const file = path.join(landing, name);
      const text = fs.readFileSync(file, 'utf8');
      let at = -1;
      for (let i = 0; i < 2; i++) at = text.indexOf('\n', at + 1);
      fs.writeFileSync(file, `${text.slice(0, at + 1)}"${text.slice(at + 1)}`);
      console.log(`stray quote put on line 3 of ${name} (${(text.length / 1024 / 1024).toFixed(0)} MB)`);
    }

    if (process.argv.includes('--compare')) return compare(work, landing, flag('--rounds', 3));
    const result = runChild('--child', landing, lake);
    const m = result.manifest;
    const gzipSeconds = gzipFloor(work, lake, m);

    const streams = m.tables['listening/streams'] ?? { rows: 0, rejects: 0 };
    const mb = (bytes: number) => bytes / 1024 / 1024;
    const rows = m.totals.rows_in;
    const lines = [
      ['streams in', streams.rows + streams.rejects],
      ['rows in (all tables)', rows],
      ['job seconds', result.seconds.toFixed(2)],
      ['rows/s', Math.round(rows / result.seconds).toLocaleString('en-US')],
      ['input MB/s', (mb(inputBytes) / result.seconds).toFixed(1)],
      ['uncompressed output MB', mb(m.totals.uncompressed_bytes).toFixed(1)],
      ['uncompressed MB/s', (mb(m.totals.uncompressed_bytes) / result.seconds).toFixed(1)],
      ['compressed MB/s', (mb(m.totals.bytes) / result.seconds).toFixed(1)],
      ['CPU seconds (all threads)', result.cpuSeconds.toFixed(2)],
      ['peak RSS MB', result.maxRssMb.toFixed(0)],
      ['gzip -6 seconds (same output)', gzipSeconds.toFixed(2)],
      ['job / gzip ratio', (result.seconds / gzipSeconds).toFixed(2)],
    ];
    if (strayQuote) lines.push(['inputs moved to error/', m.inputs.filter((i) => i.status === 'error').map((i) => i.name).join(', ')]);
    for (const [name, value] of lines) console.log(`${String(name).padEnd(32)} ${value}`);
  } finally {
    if (!process.argv.includes('--keep')) fs.rmSync(work, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
