import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { buildCli, builtCliArgs } from '../support/built-cli';
import { generateListeningEvents, GENERATE_DEFAULTS } from '../../src/generate/listening-events-generator';
import type { RunManifest } from '../../src/run/run-package';
import { tempDir } from '../support/temp-dir';

/**
 * `[run] workers`: the landing files are read, validated and serialised on worker threads. The
 * committed files must not depend on how many: same names, same rows in the same order, byte for
 * byte after decompression, for 1, 2 and 4 workers — hostile files included.
 *
 * Worker threads run compiled JavaScript, so this test builds the CLI into its own folder (not
 * dist/, which the crash test rebuilds at the same time) and runs it as a child process.
 */
const ROOT = path.join(__dirname, '..', '..');
const BUILD = path.join(ROOT, 'test-output', 'build-workers');
let work: { dir: string; cleanup: () => void };
let landing: string;

beforeAll(() => {
  buildCli(BUILD);
  work = tempDir();
  landing = path.join(work.dir, 'landing');
}, 120_000);
afterAll(() => work?.cleanup());

/** Every file of a lake under raw/ and rejects/, decompressed, with the run's own lineage values blanked. */
function lakeFiles(lake: string, runId: string): Map<string, string> {
  const files = new Map<string, string>();
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name.endsWith('.csv.gz')) {
        const text = zlib.gunzipSync(fs.readFileSync(full)).toString('utf8');
        // _extracted_at is the run's start time: the only value that differs between two runs.
        files.set(path.relative(lake, full).replace(runId, 'RUN'), text.replaceAll(`"${runId}",`, '"RUN",').replace(/,\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z(?=\n)/g, ',T'));
      }
    }
  };
  for (const zone of ['raw', 'rejects']) if (fs.existsSync(path.join(lake, zone))) walk(path.join(lake, zone));
  return files;
}

function run(workers: number): { files: Map<string, string>; manifest: RunManifest } {
  const copy = path.join(work.dir, `landing-${workers}`);
  const lake = path.join(work.dir, `lake-${workers}`);
  fs.cpSync(landing, copy, { recursive: true });
  const runId = `workers-${workers}`;
  const result = spawnSync(process.execPath, builtCliArgs(BUILD, ['run', 'listening-events', '--lake', lake, '--run-id', runId, '--date', '2024-07-01']), {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, RUN_WORKERS: String(workers), LISTENING_EVENTS_LANDING_URL: copy, LISTENING_EVENTS_SETTLE_SECONDS: '0', RUN_LOG_LEVEL: 'info' },
  });
  expect({ workers, status: result.status, stderr: result.stderr.split('\n').filter((l) => /"level":"error"|^soundlake:/.test(l)) }).toEqual({ workers, status: 0, stderr: [] });
  // Threads were used when asked for (and not with 1).
  const line = result.stderr.split('\n').find((l) => l.includes('"reading landing files on worker threads"'));
  expect(line && (JSON.parse(line) as { threads: number }).threads).toBe(workers === 1 ? undefined : workers);
  const manifest = JSON.parse(fs.readFileSync(path.join(lake, '_manifests', 'listening-events', `${runId}.json`), 'utf8')) as RunManifest;
  return { files: lakeFiles(lake, runId), manifest };
}

test('1, 2 and 4 workers commit the same files, byte for byte, and the same balance per input', async () => {
  // Users and songs with duplicates and bad rows, 6 days of streams, and hostile files.
  await generateListeningEvents({ ...GENERATE_DEFAULTS, outDir: landing, users: 400, songs: 600, events: 40_000, days: 6, seed: 5, badRate: 0.02 });
  const first = fs.readdirSync(landing).find((f) => f.startsWith('streams_'))!;
  const text = fs.readFileSync(path.join(landing, first), 'utf8');
  fs.writeFileSync(path.join(landing, 'streams_2024-07-20.csv'), `${text.split('\n').slice(0, 5).join('\n')}\nu1,"t1,2024-07-20T00:00:00Z\n`); // a quote never closed: the whole file to error/
  fs.writeFileSync(path.join(landing, 'streams_2024-07-21.csv'), 'user_id,listen_time\nu1,2024-07-21T00:00:00Z\n'); // no track_id column
  fs.writeFileSync(path.join(landing, 'users_extra.csv'), 'user_id,user_name,user_age,user_country,created_at\nu0001,Later Name,40,SE,2024-02-01 00:00:00\n');

  const one = run(1);
  expect(one.files.size).toBeGreaterThan(8);
  expect(one.manifest.inputs.filter((i) => i.status === 'error').map((i) => i.name).sort()).toEqual(['streams_2024-07-20.csv', 'streams_2024-07-21.csv']);
  for (const workers of [2, 4]) {
    const other = run(workers);
    expect([...other.files.keys()].sort()).toEqual([...one.files.keys()].sort());
    for (const [name, content] of one.files) expect({ name, same: other.files.get(name) === content }).toEqual({ name, same: true });
    const balance = (m: RunManifest) => m.inputs.map(({ name, status, rows_in, rows_out, rows_rejected, reason }) => ({ name, status, rows_in, rows_out, rows_rejected, reason }));
    expect(balance(other.manifest)).toEqual(balance(one.manifest));
    const { bytes: _a, ...totals } = other.manifest.totals;
    const { bytes: _b, ...expected } = one.manifest.totals;
    expect(totals).toEqual(expected);
  }
}, 120_000);
