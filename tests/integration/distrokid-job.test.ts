import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import { closeAllConnections } from '../../src/connections/connection';
import { configureS3, readS3Settings } from '../../src/connections/s3';
import { loadConfig } from '../../src/core/config';
import { ExitCode } from '../../src/core/errors';
import { expectFailure } from '../support/expect-failure';
import { distrokidJob } from '../../src/jobs/distrokid';
import { LocalStore } from '../../src/lake/local-store';
import { openStore } from '../../src/lake/open-store';
import { runJob, type RunOptions } from '../../src/runner/run-job';
import { distrokidLogin } from '../../src/sources/distrokid/distrokid-login';
import { readDistrokidSettings } from '../../src/sources/distrokid/distrokid-settings';
import { ALL_TABLES } from '../../src/tables/all-tables';
import { buildWarehouse, queryWarehouse } from '../../src/warehouse/duckdb-warehouse';
import { csvRecords, readObject } from '../support/lake-files';
import { DEVICE_CODE, EMAIL, FakeDistrokid, PASSWORD, type TsvOptions } from '../support/fake-distrokid';
import { LogCapture } from '../support/log-capture';
import { recordingProxy } from '../support/recording-proxy';
import { startS3 } from '../support/s3rver-harness';
import { tempDir } from '../support/temp-dir';

const FILE = 'DistroKid_1700000000_report.tsv';
const d = (iso: string) => new Date(`${iso}T00:00:00Z`);

let site: FakeDistrokid;
let dir: string;
let lake: string;
let cleanup: () => void;

beforeEach(async () => {
  site = await new FakeDistrokid().start();
  ({ dir, cleanup } = tempDir());
  lake = path.join(dir, 'lake');
});
afterEach(async () => {
  await site.stop();
  cleanup();
});
afterAll(() => closeAllConnections());

/** What the person does in the login window: submit (the captcha passes), then type the emailed code. */
async function actLikeThePerson(page: Page): Promise<void> {
  await page.locator('#signInButton').click();
  await page.waitForURL(/newComputer/);
  await page.locator('#code').fill(DEVICE_CODE);
  await page.locator('#verify').click();
}

function saveSession(): string {
  const { state, cookie } = site.issueSession();
  fs.mkdirSync(path.join(lake, '_sessions'), { recursive: true });
  fs.writeFileSync(path.join(lake, '_sessions', 'distrokid.json'), JSON.stringify(state));
  return cookie;
}

async function run(env: Record<string, string> = {}, options: RunOptions = {}) {
  const log = new LogCapture();
  const result = await runJob(distrokidJob, {
    dotenvDir: null,
    date: '2026-11-21',
    runId: 'dk-run',
    logStream: log,
    ...options,
    env: { LAKE_URL: lake, DISTROKID_BASE_URL: site.url, DISTROKID_CHALLENGE_BACKOFF_MS: '10', RUN_LOG_LEVEL: 'debug', ...env },
  });
  return { result, log };
}

const committed = () => {
  const store = new LocalStore(lake);
  return store.list('').then((objects) => objects.map((o) => o.key).filter((k) => k.startsWith('raw/') || k.startsWith('_manifests/')));
};

async function warehouseRows(sql: string): Promise<unknown[][]> {
  const db = path.join(dir, `w${Math.random().toString(16).slice(2)}.duckdb`);
  await buildWarehouse({ lake: new LocalStore(lake), dbPath: db, tables: ALL_TABLES });
  return (await queryWarehouse(db, sql)).rows;
}

const EARNINGS_SQL =
  'SELECT REPORTING_DATE, SALE_MONTH, STORE, ARTIST, TITLE, ISRC, UPC, QUANTITY, TEAM_PERCENTAGE, ITEM_TYPE, COUNTRY, SONGWRITER_ROYALTIES_WITHHELD_USD, EARNINGS_USD, DATE_INSERTED, RECOUP_USD, EXTRA, REPORT_FILE, REPORT_LINE FROM RAW.DISTROKID_EARNINGS ORDER BY REPORT_LINE';

/**
 * The report rows that must land, by hand from the fake's report: every line but the one whose sale
 * month follows its reporting date, the identical pair (lines 4 and 5) as two sales, quotes verbatim.
 */
function expectedEarnings(layout: TsvOptions['layout'], extra = false): unknown[][] {
  const wide = layout !== '13';
  const row = (line: number, reporting: string, inserted: string, month: string, store: string, artist: string, title: string, isrc: string | null, upc: string, qty: bigint, team: number, type: string, country: string, withheld: number, earnings: number, recoup: number, promo?: string) => [
    d(reporting), d(month), store, artist, title, isrc, upc, qty, team, type, country, withheld, earnings,
    wide ? d(inserted) : null, wide ? recoup : null, promo && extra ? JSON.stringify({ 'Promo Code': promo }) : null, FILE, BigInt(line),
  ];
  return [
    row(2, '2024-10-05', '2024-10-07', '2024-08-01', 'YouTube (Ads)', 'Nova', 'Midnight Échos', 'QZAAA2500001', '198000000011', 1n, 100, 'Song', 'US', 0, 0.01931943, 0, 'SUMMER'),
    row(3, '2024-10-23', '2024-10-25', '2024-08-01', 'Apple Music', 'Nova', 'Don’t Stop', 'QZAAA2500004', '198000000011', 4n, 100, 'Song', 'CA', 0, 0.02698845, 0),
    row(4, '2025-03-29', '2025-03-31', '2025-01-01', 'Spotify', '"Weird Al" Yankovic', 'Polka Party', 'QZAAA2500002', '198000000028', 22n, 100, 'Song', 'GB', 0, -0.03133519, 0),
    row(5, '2025-03-29', '2025-03-31', '2025-01-01', 'Spotify', '"Weird Al" Yankovic', 'Polka Party', 'QZAAA2500002', '198000000028', 22n, 100, 'Song', 'GB', 0, -0.03133519, 0),
    row(6, '2025-03-29', '2025-03-31', '2025-01-01', 'Spotify', 'Nova', '"Untitled', 'QZAAA2500003', '198000000035', 189n, 100, 'Song', 'SE', 0, 0.27327027, 0),
    row(7, '2024-06-30', '2024-07-02', '2024-05-01', 'iTunes', 'Nova', 'First Light', null, '198000000042', 1n, 100, 'Album', 'US', 0, 6.99, 0),
    row(8, '2024-06-30', '2024-07-02', '2024-05-01', 'YouTube (Red)', 'Nova', 'Midnight Échos', 'QZAAA2500001', '198000000011', 0n, 50, 'Song', 'BR', 0.25, 0, 1.5),
  ];
}

describe('distrokid job with a valid session (real Chromium)', () => {
  test('lands streams per store and the earnings report, keeps raw pages, refreshes the session', async () => {
    const cookie = saveSession();
    const { result, log } = await run();
    // Daily streams by hand from the stats pages (tests/fixtures/distrokid/): Spotify's from the chart
    // trend365day (not the weekly, monthly or 60-day charts beside it), Apple Music's from
    // chartData.last365days. The real pages name no artist: NULL.
    expect(await warehouseRows('SELECT DATE, STORE, ARTIST, TRACK, STREAMS FROM RAW.DISTROKID_STREAMS_DAILY WHERE ITEM_TYPE IS NULL ORDER BY STORE, DATE')).toEqual([
      [d('2025-05-21'), 'applemusic', null, null, 37n],
      [d('2025-05-22'), 'applemusic', null, null, 29n],
      [d('2025-05-23'), 'applemusic', null, null, 6n],
      [d('2025-05-24'), 'applemusic', null, null, 0n],
      [d('2025-05-25'), 'applemusic', null, null, 53n],
      [d('2025-05-26'), 'applemusic', null, null, 4n],
      [d('2025-05-20'), 'spotify', null, null, 131n],
      [d('2025-05-21'), 'spotify', null, null, 140n],
      [d('2025-05-22'), 'spotify', null, null, 118n],
      [d('2025-05-23'), 'spotify', null, null, 0n],
      [d('2025-05-24'), 'spotify', null, null, 97n],
      [d('2025-05-25'), 'spotify', null, null, 3395n],
    ]);
    // Per track and album: each item's own stats page per store (the fake scales the account's days
    // by the item's share: ½ for track 70000001, ¼ for album 80000042, rounded down). A slice by hand.
    const item = 'SELECT DATE, STORE, TRACK, ALBUM, ITEM_ID, ISRC, UPC, STREAMS FROM RAW.DISTROKID_STREAMS_DAILY';
    expect(await warehouseRows(`${item} WHERE ITEM_TYPE = 'track' AND ITEM_ID = '70000001' AND STORE = 'spotify' ORDER BY DATE`)).toEqual(
      [['2025-05-20', 65n], ['2025-05-21', 70n], ['2025-05-22', 59n], ['2025-05-23', 0n], ['2025-05-24', 48n], ['2025-05-25', 1697n]].map(([day, n]) => [
        d(day as string), 'spotify', 'Nova & The "Quotes" - Midnight Échos - Single', null, '70000001', 'QZAAA2500001', null, n,
      ]),
    );
    expect(await warehouseRows(`${item} WHERE ITEM_TYPE = 'album' AND STORE = 'applemusic' ORDER BY DATE`)).toEqual(
      [['2025-05-21', 9n], ['2025-05-22', 7n], ['2025-05-23', 1n], ['2025-05-24', 0n], ['2025-05-25', 13n], ['2025-05-26', 1n]].map(([day, n]) => [
        d(day as string), 'applemusic', null, 'Nova - First Light', '80000042', null, '198000000042', n,
      ]),
    );
    expect(await warehouseRows(`SELECT ITEM_ID, ISRC, UPC, COUNT(*) FROM RAW.DISTROKID_STREAMS_DAILY WHERE ITEM_TYPE = 'track' GROUP BY ALL ORDER BY 1`)).toEqual([
      ['70000001', 'QZAAA2500001', null, 12n],
      ['70000002', 'QZAAA2500002', '198000000028', 12n],
    ]);
    // A snapshot of the last 365 days is one file under the run's day, not one per day of the chart.
    expect((await committed()).filter((k) => k.startsWith('raw/distrokid/streams_daily/'))).toEqual(['raw/distrokid/streams_daily/year=2026/month=11/day=21/streams_daily_distrokid_dk-run_00000.csv.gz']);
    expect(await warehouseRows(EARNINGS_SQL)).toEqual(expectedEarnings('13'));
    // Only the row whose sale month follows its reporting date is in rejects, with why.
    const rejects = csvRecords((await readObject(new LocalStore(lake), 'rejects/distrokid/earnings/year=2026/month=11/day=21/earnings_distrokid_dk-run_00000.csv.gz')).trim());
    expect(rejects.slice(1).map((r) => r.split(',')[0])).toEqual(['"sale_month is after reporting_date"']);
    expect(result.manifest.inputs.find((i) => i.name === `distrokid:${FILE}`)).toMatchObject({ rows_in: 8, rows_out: 7, rows_rejected: 1 });
    // The exact total of the loaded rows, summed in decimal: 0.01931943 + 0.02698845 - 0.03133519 * 2 + 0.27327027 + 6.99 + 0.
    expect(log.text).toContain('"total_usd":"7.24690777"');
    // The sales view of the picker ("iTunes + Amazon (Sales)") is not streams: never fetched.
    expect(site.visits.filter((v) => v.includes('data=downloads'))).toEqual([]);

    // Raw pages and the TSV as downloaded, under landing/ (never loaded).
    const kept = fs.readdirSync(path.join(lake, 'landing/distrokid/year=2026/month=11/day=21/dk-run')).sort();
    expect(kept).toEqual([
      FILE, 'bank-details.html', 'bank.html',
      'stats-applemusic-album-80000042.html', 'stats-applemusic-track-70000001.html', 'stats-applemusic-track-70000002.html', 'stats-applemusic.html',
      'stats-streams-album-80000042.html', 'stats-streams-track-70000001.html', 'stats-streams-track-70000002.html', 'stats-streams.html',
    ]);
    // The item pages are the ones the pickers link, with the UPC where the option carries one.
    expect(site.visits.filter((v) => v.includes('type=track') || v.includes('type=album')).sort()).toEqual([
      'GET /stats/?type=album&id=80000042&upc=198000000042&data=applemusic',
      'GET /stats/?type=album&id=80000042&upc=198000000042&data=streams',
      'GET /stats/?type=track&id=70000001&data=applemusic',
      'GET /stats/?type=track&id=70000001&data=streams',
      'GET /stats/?type=track&id=70000002&upc=198000000028&data=applemusic',
      'GET /stats/?type=track&id=70000002&upc=198000000028&data=streams',
    ]);
    expect(fs.readFileSync(path.join(lake, 'landing/distrokid/year=2026/month=11/day=21/dk-run', FILE)).toString('utf8')).toContain('Midnight Échos');

    // The refreshed session (the site set a new cookie) is saved, private, after the commit.
    const sessionFile = path.join(lake, '_sessions', 'distrokid.json');
    const saved = JSON.parse(fs.readFileSync(sessionFile, 'utf8')) as { cookies: { name: string; value: string }[] };
    expect(saved.cookies.map((c) => c.name).sort()).toEqual(['dk_last', 'dk_session']);
    expect(fs.statSync(sessionFile).mode & 0o777).toBe(0o600);
    // The session never reaches the log or the manifest.
    expect(log.text).not.toContain(cookie);
    expect(JSON.stringify(result.manifest)).not.toContain(cookie);
  });

  test.each<[string, TsvOptions]>([
    ['15 columns, Windows-1252, CR line ends, an unknown column', { layout: '15', encoding: 'windows-1252', eol: '\r', extraColumn: true }],
    ['15 columns still labelled Song/Album, CRLF', { layout: '15-songalbum', encoding: 'utf8', eol: '\r\n' }],
    ['13 columns, Windows-1252, LF', { layout: '13', encoding: 'windows-1252', eol: '\n' }],
  ])('earnings report: %s', async (_name, tsv) => {
    saveSession();
    site.tsv = tsv;
    await run();
    expect(await warehouseRows(EARNINGS_SQL)).toEqual(expectedEarnings(tsv.layout, tsv.extraColumn));
  });

  test('--since/--until keep only the stats days asked for', async () => {
    saveSession();
    await run({}, { since: '2025-05-21', until: '2025-05-22' });
    expect(await warehouseRows('SELECT DATE, STORE, STREAMS FROM RAW.DISTROKID_STREAMS_DAILY WHERE ITEM_TYPE IS NULL ORDER BY STORE, DATE')).toEqual([
      [d('2025-05-21'), 'applemusic', 37n],
      [d('2025-05-22'), 'applemusic', 29n],
      [d('2025-05-21'), 'spotify', 140n],
      [d('2025-05-22'), 'spotify', 118n],
    ]);
  });

  test('challenge pages are waited out and retried', async () => {
    saveSession();
    site.challenges = 2;
    const { result } = await run();
    expect(result.manifest.io.distrokid_challenges).toBe(2);
    // 6 days × 2 stores for the account and for each of the 3 items.
    expect(result.manifest.tables['distrokid/streams_daily'].rows).toBe(48);
  });

  test('the login command saves a session the job can use', async () => {
    const settings = readDistrokidSettings(loadConfig({ env: { LAKE_URL: lake, DISTROKID_BASE_URL: site.url }, dotenvDir: null }));
    const where = await distrokidLogin(settings, {
      headless: true,
      timeoutMs: 20_000,
      email: EMAIL,
      password: PASSWORD,
      onPage: actLikeThePerson,
    });
    expect(where).toBe(path.join(lake, '_sessions', 'distrokid.json'));
    expect(fs.statSync(where).mode & 0o777).toBe(0o600);
    const { result } = await run();
    expect(result.manifest.tables['distrokid/earnings'].rows).toBe(7);
  });
});

describe("DistroKid's own empty and error states (real Chromium)", () => {
  test('a chart in its "No data available" state lands nothing for that page; the other stores, items and earnings land', async () => {
    saveSession();
    site.chartStates.set('applemusic', 'isEmpty');
    site.chartStates.set('streams:70000002', 'error');
    site.chartStates.set('streams:80000042', 'data.error');
    const { result, log } = await run();
    expect(await warehouseRows(`SELECT STORE, COALESCE(ITEM_ID, 'account'), COUNT(*) FROM RAW.DISTROKID_STREAMS_DAILY GROUP BY ALL ORDER BY 1, 2`)).toEqual([
      ['applemusic', '70000001', 6n],
      ['applemusic', '70000002', 6n],
      ['applemusic', '80000042', 6n],
      ['spotify', '70000001', 6n],
      ['spotify', 'account', 6n],
    ]);
    expect(result.manifest.tables['distrokid/earnings'].rows).toBe(7);
    expect(result.manifest.io.distrokid_charts_without_data).toBe(3);
    const ignored = result.manifest.inputs.filter((i) => i.status === 'ignored').map((i) => [i.name, i.reason]);
    expect(ignored).toEqual([
      ['distrokid:stats-streams-track-70000002', expect.stringMatching(/"No data available" state \(error: "Unable to load stats"\)/)],
      ['distrokid:stats-streams-album-80000042', expect.stringMatching(/\(data\.error: "timeout"\)/)],
      ['distrokid:stats-applemusic', expect.stringMatching(/\(isEmpty: 1\)/)],
    ]);
    expect(log.text).toMatch(/DistroKid stats-applemusic: the daily chart is in its \\"No data available\\" state \(isEmpty: 1\).*the other pages still land/);
    expect(log.entries().at(-1)).toMatchObject({ message: 'run succeeded', inputs_ignored: 3 });
  });

  test('an export whose every data line fails the field-count check is a changed format: exit 4 with artifacts, nothing committed', async () => {
    saveSession();
    site.tsv = { layout: '13', encoding: 'utf8', eol: '\r', unnamedField: true };
    const error = await expectFailure(run());
    expect(error.exitCode).toBe(ExitCode.sourceChanged);
    expect(error.message).toMatch(/8 of 8 data lines do not have the header's 13 fields \(8 with 14\); the report's format changed/);
    expect(await committed()).toEqual([]);
    expect(fs.readdirSync(path.join(lake, 'error/distrokid/dk-run')).sort()).toEqual(['bank-details.html', 'bank-details.png', 'trace.zip']);
  });

  test('a header-only export lands no earnings with a warning; the streams land', async () => {
    saveSession();
    site.tsv = { layout: '13', encoding: 'utf8', eol: '\r', headerOnly: true };
    const { result, log } = await run();
    expect(result.manifest.tables['distrokid/earnings']?.rows ?? 0).toBe(0);
    expect(result.manifest.tables['distrokid/streams_daily'].rows).toBe(48);
    expect(log.text).toMatch(/earnings report DistroKid_1700000000_report\.tsv has a header and no data lines/);
  });

  test('per-item pages are bounded by max_tracks and max_albums; the rest are named in a warning', async () => {
    saveSession();
    const { result, log } = await run({ DISTROKID_MAX_TRACKS: '1', DISTROKID_MAX_ALBUMS: '0' });
    expect(site.visits.filter((v) => /type=(track|album)/.test(v)).sort()).toEqual(['GET /stats/?type=track&id=70000001&data=applemusic', 'GET /stats/?type=track&id=70000001&data=streams']);
    expect(result.manifest.io).toMatchObject({ distrokid_tracks_not_read: 1, distrokid_albums_not_read: 1 });
    expect(log.text).toContain('reading the stats pages of 1 of 2 tracks ([distrokid] max_tracks = 1); not read this run: 70000002');
    expect(log.text).toContain('reading the stats pages of 0 of 1 albums ([distrokid] max_albums = 0); not read this run: 80000042');
  });
});

describe('distrokid job failures (real Chromium)', () => {
  test('an expired session exits 3 with the command to run, and commits nothing', async () => {
    saveSession();
    site.expireSessions();
    const error = await expectFailure(run());
    expect(error.exitCode).toBe(ExitCode.needsPerson);
    expect(error.message).toMatch(/session expired.*soundlake distrokid login/);
    expect(await committed()).toEqual([]);
  });

  test('no saved session at all exits 3', async () => {
    const error = await expectFailure(run());
    expect(error.exitCode).toBe(ExitCode.needsPerson);
    expect(error.message).toMatch(/no DistroKid session at .*run `npx soundlake distrokid login`/);
  });

  test.each([
    ['stats', 'stats-streams', /lacks element #trendingDownloadsorStreams/],
    ['bank', 'bank', /lacks element a\[href="\/bank\/details\/"\]/],
  ] as const)('a redesigned %s page exits 4 and saves screenshot, HTML and trace; nothing committed', async (variant, pageName, marker) => {
    const cookie = saveSession();
    site.redesigned = variant;
    const error = await expectFailure(run());
    expect(error.exitCode).toBe(ExitCode.sourceChanged);
    expect(error.message).toMatch(marker);
    expect(await committed()).toEqual([]);
    const artifacts = path.join(lake, 'error/distrokid/dk-run');
    expect(fs.readdirSync(artifacts).sort()).toEqual([`${pageName}.html`, `${pageName}.png`, 'trace.zip']);
    expect(fs.readFileSync(path.join(artifacts, `${pageName}.png`)).subarray(1, 4).toString()).toBe('PNG');
    // The trace records screenshots, not network traffic: the session cookie is nowhere in it.
    const search = `import zipfile,sys\nz=zipfile.ZipFile(sys.argv[1])\nprint(any(sys.argv[2].encode() in z.read(n) for n in z.namelist()))`;
    expect(execFileSync('python3', ['-c', search, path.join(artifacts, 'trace.zip'), cookie]).toString().trim()).toBe('False');
    expect(fs.readFileSync(path.join(artifacts, `${pageName}.html`), 'utf8')).not.toContain(cookie);
  });

  test('a challenge that does not go away exits 1', async () => {
    saveSession();
    site.challenges = 100;
    const error = await expectFailure(run({ DISTROKID_CHALLENGE_ATTEMPTS: '3' }));
    expect(error.exitCode).toBe(ExitCode.failed);
    expect(error.message).toMatch(/challenge page \("Just a moment…"\) 3 times/);
    expect(await committed()).toEqual([]);
  });

  test('a non-numeric earnings cell is a changed format: exit 4 with artifacts, never a skipped check', async () => {
    saveSession();
    site.tsv = { layout: '13', encoding: 'utf8', eol: '\r', nonNumericEarnings: true };
    const error = await expectFailure(run());
    expect(error.exitCode).toBe(ExitCode.sourceChanged);
    expect(error.message).toMatch(/line 3: Earnings \(USD\) is not a number \("n\/a"\); the report's format changed/);
    expect(await committed()).toEqual([]);
    expect(fs.readdirSync(path.join(lake, 'error/distrokid/dk-run')).sort()).toEqual(['bank-details.html', 'bank-details.png', 'trace.zip']);
  });

  test('a report without a required column exits 4 naming it', async () => {
    saveSession();
    site.tsv = { layout: '13', encoding: 'utf8', eol: '\r', dropColumn: 'Earnings (USD)' };
    const error = await expectFailure(run());
    expect(error.exitCode).toBe(ExitCode.sourceChanged);
    expect(error.message).toMatch(/lacks column Earnings \(USD\)/);
    expect(await committed()).toEqual([]);
  });
});

test('on S3 the session is written with server-side encryption (aws:kms when a key is set)', async () => {
  const s3 = await startS3();
  const proxy = await recordingProxy(s3.endpoint);
  try {
    const env = { ...s3.env, S3_ENDPOINT: proxy.url, S3_KMS_KEY_ID: 'arn:aws:kms:us-east-1:123456789012:key/abc', LAKE_URL: `s3://${s3.bucket}/lake`, DISTROKID_BASE_URL: site.url };
    const config = loadConfig({ env, dotenvDir: null });
    await configureS3(readS3Settings(config));
    const settings = readDistrokidSettings(config);
    await distrokidLogin(settings, {
      headless: true,
      timeoutMs: 20_000,
      email: EMAIL,
      password: PASSWORD,
      onPage: actLikeThePerson,
    });
    const put = proxy.requests.find((r) => r.method === 'PUT' && r.path.includes('_sessions/distrokid.json'))!;
    expect(put.headers['x-amz-server-side-encryption']).toBe('aws:kms');
    expect(put.headers['x-amz-server-side-encryption-aws-kms-key-id']).toBe('arn:aws:kms:us-east-1:123456789012:key/abc');
    expect(await openStore(`s3://${s3.bucket}/lake`).readText('_sessions/distrokid.json')).toContain('dk_session');
  } finally {
    await proxy.stop();
    await s3.stop();
  }
});
