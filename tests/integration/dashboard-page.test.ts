import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { closeBrowser, launchBrowser } from '../../src/connections/browser';
import { LocalStore } from '../../src/lake/local-store';
import { ALL_TABLES } from '../../src/tables/all-tables';
import { buildWarehouse } from '../../src/warehouse/duckdb-warehouse';
import { writeDashboard } from '../../src/dashboard/write-dashboard';
import { handMadeDistrokidLake, handMadeLake, handMadeNewReleasesLake } from '../support/hand-made-lake';
import { tempDir } from '../support/temp-dir';

/** Where the screenshot is kept for a person to look at (ignored by git). */
const OUTPUT = path.join(__dirname, '..', '..', 'test-output');

interface DrawnChart {
  id: string;
  labels: string[];
  datasets: { label: string; data: (number | null)[] }[];
  /** The colour Chart.js drew each series in. */
  colors: string[];
  /** Points Chart.js laid out on the canvas, per dataset. */
  drawn: number[];
  width: number;
}

afterAll(() => closeBrowser());

test('the dashboard page renders every chart in Chromium, offline, with the figures worked out by hand', async () => {
  const { dir, cleanup } = tempDir();
  try {
    handMadeLake(path.join(dir, 'lake'));
    handMadeDistrokidLake(path.join(dir, 'lake'));
    handMadeNewReleasesLake(path.join(dir, 'lake'));
    const db = path.join(dir, 'warehouse.duckdb');
    await buildWarehouse({ lake: new LocalStore(path.join(dir, 'lake')), dbPath: db, tables: ALL_TABLES });
    const file = await writeDashboard({ db, out: path.join(dir, 'dashboard') });

    const browser = await launchBrowser({ executablePath: '/usr/bin/chromium', headless: true, noSandbox: process.getuid?.() === 0, timeoutMs: 30_000 });
    const page = await browser.newPage({ viewport: { width: 1100, height: 1400 } });
    const outside: string[] = [];
    await page.route('**/*', (route) => (route.request().url().startsWith('file:') ? route.continue() : (outside.push(route.request().url()), route.abort())));
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(pathToFileURL(file).href);
    // Run in the page (a string: the tests compile without the DOM library).
    const charts = (await page.evaluate(`[...document.querySelectorAll('canvas')].map((canvas) => {
      const chart = Chart.getChart(canvas);
      const datasets = chart ? chart.data.datasets : [];
      return {
        id: canvas.id,
        labels: chart ? chart.data.labels : [],
        datasets: datasets.map((d) => ({ label: d.label, data: d.data })),
        colors: datasets.map((d) => d.borderColor),
        drawn: datasets.map((_, i) => chart.getDatasetMeta(i).data.length),
        width: chart ? chart.width : 0,
      };
    })`)) as DrawnChart[];
    fs.mkdirSync(OUTPUT, { recursive: true });
    await page.screenshot({ path: path.join(OUTPUT, 'dashboard.png'), fullPage: true });
    // The date range narrows every dated chart: days by day, months by their month.
    await page.fill('#date-from', '2024-06-25');
    await page.dispatchEvent('#date-from', 'change');
    const narrowed = (await page.evaluate(`Object.fromEntries([...document.querySelectorAll('canvas')].map((c) => [c.id, [Chart.getChart(c).data.labels, Chart.getChart(c).data.datasets.map((d) => d.data)]]))`)) as Record<string, [string[], unknown[][]]>;
    await page.close();
    expect(narrowed['listens-per-genre-daily']).toEqual([['2024-06-25'], [[null], [3], [null]]]);
    expect(narrowed['distrokid-revenue-monthly']).toEqual([['2024-07'], [[0.1]]]);
    expect(narrowed['new-releases-weekly']).toEqual([['2024-07-01', '2024-07-08'], [[2, 1]]]);
    // Not dated: the top genres of the last day stay as they are.
    expect(narrowed['top-genres-last-day']).toEqual([['rock'], [[3]]]);

    expect(errors).toEqual([]);
    expect(outside).toEqual([]);
    // Figures from the hand-made lake (see tests/integration/warehouse-models.test.ts): on the 24th
    // pop 2, rock 3, unknown 1 listens; on the 25th rock 3 (all Song Three).
    expect(charts.map(({ id, labels, datasets }) => ({ id, labels, datasets }))).toEqual([
      {
        id: 'listens-per-genre-daily',
        labels: ['2024-06-24', '2024-06-25'],
        datasets: [
          { label: 'pop', data: [2, null] },
          { label: 'rock', data: [3, 3] },
          { label: 'unknown', data: [1, null] },
        ],
      },
      { id: 'top-genres-last-day', labels: ['rock'], datasets: [{ label: 'listens', data: [3] }] },
      { id: 'top-songs-last-day', labels: ['Song Three (rock)'], datasets: [{ label: 'listens', data: [3] }] },
      // Albums first seen in the week of Monday 1 July (a1, a2; a1's second listing counts once) and of 8 July (a3).
      { id: 'new-releases-weekly', labels: ['2024-07-01', '2024-07-08'], datasets: [{ label: 'albums', data: [2, 1] }] },
      // DistroKid (see tests/integration/distrokid-views.test.ts): April Nova 1.00 + 0.80; May Nova
      // 2.00 + 1.00 + 1.50 (h3 once) and Kai 0.05; July 0.10. Units 100 + 50; 200 + 100 + 100 + 10; 10.
      { id: 'distrokid-revenue-monthly', labels: ['2024-04', '2024-05', '2024-07'], datasets: [{ label: 'revenue (USD)', data: [1.8, 4.55, 0.1] }] },
      { id: 'distrokid-units-monthly', labels: ['2024-04', '2024-05', '2024-07'], datasets: [{ label: 'units', data: [150, 410, 10] }] },
      // Account totals only: 2024-06-02 is 65 (a later snapshot revised 60), its track and album rows not added.
      { id: 'distrokid-streams-per-store', labels: ['2024-06-01', '2024-06-02'], datasets: [{ label: 'all', data: [120, null] }, { label: 'spotify', data: [80, 65] }] },
    ] satisfies Omit<DrawnChart, 'drawn' | 'width' | 'colors'>[]);
    // Every series of a chart in a colour of its own (not Chart.js's default grey for all).
    for (const chart of charts) {
      expect(chart.colors.every((c) => typeof c === 'string' && c.startsWith('hsl('))).toBe(true);
      expect(new Set(chart.colors).size).toBe(chart.colors.length);
    }
    // Drawn, not only configured: every point laid out, on a canvas with a width.
    for (const chart of charts) {
      expect(chart.width).toBeGreaterThan(0);
      expect(chart.drawn).toEqual(chart.datasets.map((d) => d.data.length));
    }
  } finally {
    cleanup();
  }
});

test('a song title cannot break out of the page', async () => {
  const { dashboardPage } = await import('../../src/dashboard/dashboard-page');
  const chart = { id: 'c', title: '<b>x</b>', type: 'bar' as const, labels: ['</script><script>alert(1)</script>'], datasets: [{ label: 'l', data: [1] }] };
  const page = dashboardPage('t', 's', [{ title: 'd', charts: [chart] }], '');
  expect(page).not.toContain('</script><script>alert(1)');
  expect(page).toContain('&lt;b&gt;x&lt;/b&gt;');
});

test('16 series get 16 colours a person can tell apart', async () => {
  const { seriesColors } = await import('../../src/dashboard/dashboard-page');
  const colors = seriesColors(16);
  expect(new Set(colors).size).toBe(16);
  const hues = colors.map((c) => Number(/hsl\((\d+)/.exec(c)![1]));
  // Neighbouring hues at least 360/16 degrees apart, every other one darker as well.
  for (let i = 1; i < hues.length; i++) expect(hues[i] - hues[i - 1]).toBeGreaterThanOrEqual(22);
});

test('a section without rows draws no empty axes and says which job and commands fill it', async () => {
  const { dir, cleanup } = tempDir();
  try {
    // Listening data only, as after the demo: the Spotify and DistroKid sections are empty.
    handMadeLake(path.join(dir, 'lake'));
    const db = path.join(dir, 'warehouse.duckdb');
    await buildWarehouse({ lake: new LocalStore(path.join(dir, 'lake')), dbPath: db, tables: ALL_TABLES });
    const page = fs.readFileSync(await writeDashboard({ db, out: path.join(dir, 'dashboard') }), 'utf8');
    const canvases = [...page.matchAll(/<canvas id="([^"]+)"/g)].map((m) => m[1]);
    expect(canvases).toEqual(['listens-per-genre-daily', 'top-genres-last-day', 'top-songs-last-day']);
    expect(page).toContain('It is filled by the spotify-new-releases job: run npx soundlake run spotify-new-releases, then npx soundlake warehouse build and npx soundlake dashboard.');
    expect(page.match(/<p class="empty">No rows yet. It is filled by the distrokid job: run npx soundlake run distrokid/g)).toHaveLength(3);
  } finally {
    cleanup();
  }
});

test('the run-health panel shows each job\'s last committed run as its manifest says', async () => {
  const { runListening, putSmallLanding } = await import('../support/listening-scenario');
  const { dir, cleanup } = tempDir();
  try {
    const setup = { lakeUrl: path.join(dir, 'lake'), landingUrl: path.join(dir, 'landing'), env: {} };
    fs.mkdirSync(setup.landingUrl);
    await putSmallLanding(setup);
    await runListening(setup, { runId: '20241001T000000Z-first' });
    await putSmallLanding(setup);
    const { result } = await runListening(setup, { runId: '20241002T000000Z-second' });
    const lake = new LocalStore(setup.lakeUrl);
    const db = path.join(dir, 'warehouse.duckdb');
    await buildWarehouse({ lake, dbPath: db, tables: ALL_TABLES });
    const page = fs.readFileSync(await writeDashboard({ db, out: path.join(dir, 'dashboard'), lake }), 'utf8');
    const manifest = JSON.parse(fs.readFileSync(path.join(setup.lakeUrl, '_manifests', 'listening-events', '20241002T000000Z-second.json'), 'utf8')) as {
      committed_at: string;
      totals: { rows_out: number; rows_rejected: number };
      outcome: { inputs_in_error: number };
    };
    expect(result.manifest.run_id).toBe('20241002T000000Z-second');
    const row = /<table id="run-health">.*?<tbody>(.*?)<\/tbody>/s.exec(page)![1];
    const cells = [...row.matchAll(/<td[^>]*>([^<]*)<\/td>/g)].map((m) => m[1]);
    expect(cells).toEqual([
      'listening-events',
      `${manifest.committed_at.replace('T', ' ').slice(0, 19)} UTC`,
      '20241002T000000Z-second',
      manifest.totals.rows_out.toLocaleString('en-US'),
      manifest.totals.rows_rejected.toLocaleString('en-US'),
      String(manifest.outcome.inputs_in_error),
      '2',
    ]);
  } finally {
    cleanup();
  }
});
