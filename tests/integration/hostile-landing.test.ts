import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { runListening, stores, type Setup } from '../support/listening-scenario';
import { tempDir } from '../support/temp-dir';

/**
 * Landing files that cannot be loaded as a whole go to error/ with a reason that names the
 * problem, their good siblings are still loaded, and the run says so. Untrusted text is only
 * ever quoted as a bounded excerpt.
 */

const USERS = 'user_id,user_name,user_age,user_country,created_at\nu1,Ann,30,SE,2024-01-01T00:00:00Z\nu2,Bo,41,NO,2024-01-02T00:00:00Z\n';
const streamsRows = (n: number) =>
  Array.from({ length: n }, (_, i) => `u${(i % 2) + 1},t${i % 7},2024-06-24T${String(i % 24).padStart(2, '0')}:00:00Z`).join('\n');
const STREAMS_HEADER = 'user_id,track_id,listen_time\n';

let work: { dir: string; cleanup: () => void };
let setup: Setup;
let landing: string;

beforeEach(() => {
  work = tempDir();
  landing = path.join(work.dir, 'landing');
  fs.mkdirSync(landing);
  fs.writeFileSync(path.join(landing, 'users.csv'), USERS);
  fs.writeFileSync(path.join(landing, 'streams_good.csv'), `${STREAMS_HEADER}${streamsRows(50)}\n`);
  setup = { lakeUrl: path.join(work.dir, 'lake'), landingUrl: landing, env: {} };
});
afterEach(() => work.cleanup());

async function runAndRead(env: Record<string, string> = {}) {
  const { result, log } = await runListening(setup, { runId: 'hostile', env });
  const inputs = Object.fromEntries(result.manifest.inputs.map((i) => [i.name, i]));
  const reasonOf = (name: string) =>
    JSON.parse(fs.readFileSync(path.join(landing, 'error', 'hostile', `${name}.reason.json`), 'utf8')) as { reason: string };
  return { manifest: result.manifest, inputs, reasonOf, log };
}

test('a stray quote: the whole file goes to error/ with the byte where the quote opens; its siblings load', async () => {
  const rows = streamsRows(20000).split('\n');
  rows[2] = 'u1,"t-broken,2024-06-24T01:00:00Z';
  const text = `${STREAMS_HEADER}${rows.join('\n')}\n`;
  fs.writeFileSync(path.join(landing, 'streams_stray.csv'), text);
  const { manifest, inputs, reasonOf, log } = await runAndRead();
  const opensAt = text.indexOf('"');
  expect(inputs['streams_stray.csv']).toMatchObject({ status: 'error', rows_in: 0, rows_out: 0, rows_rejected: 0 });
  expect(reasonOf('streams_stray.csv').reason).toBe(
    `the file ends inside a quoted field opened at byte ${opensAt}: a stray quote would swallow every row after it`,
  );
  expect(fs.existsSync(path.join(landing, 'error', 'hostile', 'streams_stray.csv'))).toBe(true);
  // The good siblings are loaded and archived.
  expect(inputs['streams_good.csv']).toMatchObject({ status: 'processed', rows_in: 50, rows_out: 50 });
  expect(inputs['users.csv']).toMatchObject({ status: 'processed', rows_out: 2 });
  expect(manifest.tables['listening/streams'].rows).toBe(50);
  expect(manifest.outcome.inputs_in_error).toBe(1);
  expect(log.text).toMatch(/1 input\(s\) could not be processed/);
  expect(fs.readdirSync(path.join(landing, 'archive', 'hostile')).sort()).toEqual(['streams_good.csv', 'users.csv']);
});

test('a truncated gzip file goes to error/ naming the damage, and nothing of it is loaded', async () => {
  const gz = zlib.gzipSync(`${STREAMS_HEADER}${streamsRows(5000)}\n`);
  fs.writeFileSync(path.join(landing, 'streams_cut.csv.gz'), gz.subarray(0, Math.floor(gz.length / 2)));
  const { manifest, inputs, reasonOf } = await runAndRead();
  expect(inputs['streams_cut.csv.gz']).toMatchObject({ status: 'error', rows_in: 0 });
  expect(reasonOf('streams_cut.csv.gz').reason).toMatch(/^the gzip stream is damaged or truncated \(unexpected end of file\)/);
  expect(manifest.tables['listening/streams'].rows).toBe(50);
});

test('a UTF-16 file and a Latin-1 file are named for what they are', async () => {
  const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(`${STREAMS_HEADER}u1,t1,2024-06-24T01:00:00Z\n`, 'utf16le')]);
  fs.writeFileSync(path.join(landing, 'streams_utf16.csv'), utf16);
  fs.writeFileSync(path.join(landing, 'streams_latin1.csv'), Buffer.from(`${STREAMS_HEADER}u1,t\xe9,2024-06-24T01:00:00Z\n`, 'latin1'));
  const { inputs, reasonOf } = await runAndRead();
  expect(reasonOf('streams_utf16.csv').reason).toBe('the file is UTF-16 little-endian (it starts with that byte-order mark); save it as UTF-8');
  expect(reasonOf('streams_latin1.csv').reason).toMatch(/^the file is not valid UTF-8 .*Latin-1 or Windows-1252\?\); save it as UTF-8$/);
  expect(inputs['streams_utf16.csv'].status).toBe('error');
  expect(inputs['streams_latin1.csv'].status).toBe('error');
});

test('a folder named like an input is listed as ignored, not skipped silently', async () => {
  fs.mkdirSync(path.join(landing, 'streams_x.csv'));
  const { inputs } = await runAndRead();
  expect(inputs['streams_x.csv']).toMatchObject({ status: 'ignored', reason: 'a folder, not a file' });
});

test('a 3 MB line is quoted only as a bounded excerpt: reason, log lines and manifest stay small', async () => {
  const huge = 'x'.repeat(3 * 1024 * 1024);
  // A header that is one enormous line: the file goes to error/.
  fs.writeFileSync(path.join(landing, 'streams_hugeheader.csv'), huge);
  // A data row with one enormous field: the row is rejected, the rest of the file loads.
  fs.writeFileSync(path.join(landing, 'streams_hugefield.csv'), `${STREAMS_HEADER}u1,${huge},2024-06-24T01:00:00Z\nu2,t2,2024-06-24T02:00:00Z\n`);
  const { manifest, inputs, reasonOf, log } = await runAndRead({ LISTENING_EVENTS_MAX_FIELD_KB: '64' });
  expect(inputs['streams_hugeheader.csv'].status).toBe('error');
  expect(reasonOf('streams_hugeheader.csv').reason.length).toBeLessThan(500);
  expect(inputs['streams_hugefield.csv']).toMatchObject({ status: 'processed', rows_in: 2, rows_out: 1, rows_rejected: 1 });
  expect(Object.keys(manifest.rejects.by_reason)).toContain('malformed CSV: a field is longer than 65536 characters (a stray quote?); it was cut');
  const { lake } = await stores(setup);
  const manifestText = (await lake.readText('_manifests/listening-events/hostile.json'))!;
  expect(manifestText.length).toBeLessThan(20_000);
  for (const line of log.lines) expect(line.length).toBeLessThan(2_000);
});

test('files modified within settle_seconds are left for a later run and listed as ignored', async () => {
  const { result } = await runListening(setup, { runId: 'settle', env: { LISTENING_EVENTS_SETTLE_SECONDS: '30' } });
  const inputs = Object.fromEntries(result.manifest.inputs.map((i) => [i.name, i]));
  expect(inputs['users.csv'].status).toBe('ignored');
  expect(inputs['users.csv'].reason).toMatch(/modified \d+ s ago; taken once unchanged for \[listening-events\] settle_seconds \(30 s\)/);
  expect(result.manifest.totals.rows_in).toBe(0);
  expect(fs.readdirSync(landing).sort()).toEqual(['streams_good.csv', 'users.csv']);
  // Old enough now (as far as the run can tell): taken.
  const past = new Date(Date.now() - 60_000);
  for (const name of fs.readdirSync(landing)) fs.utimesSync(path.join(landing, name), past, past);
  const again = await runListening(setup, { runId: 'settled', env: { LISTENING_EVENTS_SETTLE_SECONDS: '30' } });
  expect(again.result.manifest.totals.rows_out).toBe(52);
});
