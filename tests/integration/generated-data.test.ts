import * as fs from 'node:fs';
import * as path from 'node:path';
import { generateListeningEvents, GENERATE_DEFAULTS } from '../../src/generate/listening-events-generator';
import { csvRecords, parseCsv, readObject } from '../support/lake-files';
import { runListening, stores } from '../support/listening-scenario';
import { tempDir } from '../support/temp-dir';

const options = (outDir: string, seed: number, badRate: number) => ({
  ...GENERATE_DEFAULTS,
  outDir,
  users: 300,
  songs: 500,
  events: 20_000,
  days: 3,
  seed,
  badRate,
});

function snapshot(dir: string): Record<string, string> {
  return Object.fromEntries(fs.readdirSync(dir).map((name) => [name, fs.readFileSync(path.join(dir, name), 'utf8')]));
}

test('the generator is deterministic for a seed and differs across seeds', async () => {
  const { dir, cleanup } = tempDir();
  try {
    await generateListeningEvents(options(path.join(dir, 'a'), 5, 0.05));
    await generateListeningEvents(options(path.join(dir, 'b'), 5, 0.05));
    await generateListeningEvents(options(path.join(dir, 'c'), 6, 0.05));
    expect(snapshot(path.join(dir, 'a'))).toEqual(snapshot(path.join(dir, 'b')));
    expect(snapshot(path.join(dir, 'a'))).not.toEqual(snapshot(path.join(dir, 'c')));
    expect(Object.keys(snapshot(path.join(dir, 'a'))).sort()).toEqual([
      'songs.csv',
      'streams_2024-06-24.csv',
      'streams_2024-06-25.csv',
      'streams_2024-06-26.csv',
      'users.csv',
    ]);
  } finally {
    cleanup();
  }
});

test('on generated hostile data, every input row is either in the lake or in rejects', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const landing = path.join(dir, 'landing');
    await generateListeningEvents(options(landing, 11, 0.05));
    // Count records per input independently of the job: records minus the header.
    const expectedIn: Record<string, number> = {};
    for (const name of fs.readdirSync(landing)) expectedIn[name] = parseCsv(fs.readFileSync(path.join(landing, name), 'utf8')).length - 1;
    const hostileTitles = parseCsv(fs.readFileSync(path.join(landing, 'songs.csv'), 'utf8')).filter((r) => /["\n,]/.test(r[1] ?? '')).length;
    expect(hostileTitles).toBeGreaterThan(0);

    const setup = { lakeUrl: path.join(dir, 'lake'), landingUrl: landing, env: {} };
    const { result } = await runListening(setup, { runId: 'generated' });
    const m = result.manifest;
    for (const input of m.inputs) {
      expect(input.rows_in).toBe(expectedIn[input.name]);
      expect(input.rows_in).toBe(input.rows_out + input.rows_rejected);
    }
    expect(m.totals.rows_rejected).toBeGreaterThan(0);
    expect(m.totals.rows_out).toBeGreaterThan(m.totals.rows_rejected * 5);

    // The files hold exactly the rows the manifest says, in raw/ and rejects/.
    const { lake } = await stores(setup);
    let raw = 0;
    let rejects = 0;
    for (const file of m.files) {
      const records = csvRecords((await readObject(lake, file.key)).replace(/\n$/, '')).length - 1;
      expect(records).toBe(file.rows);
      if (file.zone === 'raw') raw += records;
      else rejects += records;
    }
    expect(raw).toBe(m.totals.rows_out);
    expect(rejects).toBe(m.totals.rows_rejected);
  } finally {
    cleanup();
  }
});

test('parts roll at max_file_text_mb and at max_open_files, and still hold every row exactly once', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const landing = path.join(dir, 'landing');
    await generateListeningEvents({ ...options(landing, 3, 0), events: 90_000, days: 3 });
    const setup = {
      lakeUrl: path.join(dir, 'lake'),
      landingUrl: landing,
      // 10 KiB of CSV text per part, and a single open part, so every switch of partition closes the
      // previous one. The limit counts text, so a part passes it by at most one row.
      env: { LAKE_MAX_FILE_TEXT_MB: '0.01', LAKE_MAX_OPEN_FILES: '1' },
    };
    const { result } = await runListening(setup, { runId: 'rolling' });
    const m = result.manifest;
    const streams = m.files.filter((f) => f.table === 'listening/streams');
    const days = new Set(streams.map((f) => f.partition_date));
    expect(days).toEqual(new Set(['2024-06-24', '2024-06-25', '2024-06-26']));
    expect(streams.length).toBeGreaterThanOrEqual(9);
    for (const day of days) {
      // Part numbers of a partition run 00000, 00001, … without gaps.
      const parts = streams.filter((f) => f.partition_date === day).map((f) => Number(/_(\d{5})\.csv\.gz$/.exec(f.key)![1]));
      expect(parts.sort((a, b) => a - b)).toEqual(parts.map((_, i) => i));
    }
    for (const file of streams) expect(file.uncompressed_bytes).toBeLessThan(Math.round(0.01 * 1024 * 1024) + 200);
    const { lake } = await stores(setup);
    let rows = 0;
    for (const file of streams) rows += csvRecords((await readObject(lake, file.key)).replace(/\n$/, '')).length - 1;
    expect(rows).toBe(90_000);
    expect(m.tables['listening/streams'].rows).toBe(90_000);
    expect(m.io.landing_files_read).toBe(5);
    expect(m.io.lake_files_staged).toBe(m.files.length);
  } finally {
    cleanup();
  }
});
