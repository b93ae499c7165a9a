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
    await page.close();

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
      { id: 'distrokid-streams-per-store', labels: ['2024-06-01'], datasets: [{ label: 'all', data: [120] }, { label: 'spotify', data: [80] }] },
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
