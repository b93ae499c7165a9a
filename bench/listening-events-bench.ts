/**
 * npm run bench -- --events 1000000 [--days 7] [--stray-quote] [--keep]
 *
 * Generates a landing set (not timed), runs listening-events into a local lake in a child process
 * (timed; its peak RSS measured there), then times `gzip -6` over the same uncompressed CSV output
 * and prints the ratio. Targets (2-core machine): ≥ 300 000 stream rows/s for 1M streams, job time
 * ≤ 3× the gzip time, peak RSS < 200 MB for 1M and 5M streams.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { generateListeningEvents } from '../src/generate/listening-events-generator';
import { listeningEventsJob } from '../src/jobs/listening-events';
import type { RunManifest } from '../src/lake/manifest';
import { runJob } from '../src/run/run-job';

interface ChildResult {
  seconds: number;
  maxRssMb: number;
  manifest: RunManifest;
}

function flag(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

async function child(landing: string, lake: string): Promise<void> {
  const started = process.hrtime.bigint();
  const { manifest } = await runJob(listeningEventsJob, {
    lake,
    dotenvDir: null,
    env: { LISTENING_EVENTS_LANDING_URL: landing, LISTENING_EVENTS_SETTLE_SECONDS: '0', RUN_LOG_LEVEL: 'warn' },
    date: '2024-07-01',
  });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const result: ChildResult = { seconds, maxRssMb: process.resourceUsage().maxRSS / 1024, manifest };
  process.stdout.write(JSON.stringify(result));
}

async function main(): Promise<void> {
  if (process.argv.includes('--child')) return child(process.argv[3], process.argv[4]);
  const events = flag('--events', 1_000_000);
  const days = flag('--days', 7);
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'soundlake-bench-'));
  const landing = path.join(work, 'landing');
  const lake = path.join(work, 'lake');
  try {
    console.log(`generating ${events.toLocaleString('en-US')} streams over ${days} days (not timed) …`);
    await generateListeningEvents({ outDir: landing, users: 50_000, songs: 100_000, events, days, startDate: '2024-06-24', seed: 1, badRate: 0.001 });
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

    const run = spawnSync(process.execPath, [__filename, '--child', landing, lake], {
      encoding: 'utf8',
      maxBuffer: 64 << 20,
      env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    });
    if (run.status !== 0) throw new Error(`job failed: ${run.stderr}`);
    const result = JSON.parse(run.stdout) as ChildResult;
    const m = result.manifest;

    // The same uncompressed output, through gzip -6, for the ratio.
    const plain = path.join(work, 'output.csv');
    const out = fs.openSync(plain, 'w');
    for (const file of m.files) execFileSync('sh', ['-c', `gzip -dc '${path.join(lake, file.key)}'`], { stdio: ['ignore', out, 'inherit'] });
    fs.closeSync(out);
    const gzipStarted = process.hrtime.bigint();
    execFileSync('sh', ['-c', `gzip -6 -c '${plain}' > /dev/null`]);
    const gzipSeconds = Number(process.hrtime.bigint() - gzipStarted) / 1e9;

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
