import * as fs from 'node:fs';
import * as path from 'node:path';
import { queryWarehouse } from '../warehouse/duckdb-warehouse';
import { cliName } from '../core/cli-name';
import type { Store } from '../lake/store';
import { runHealth } from './run-health';
import { dashboardPage, seriesColors, type ChartSpec, type DashboardSection } from './dashboard-page';

type Row = [string, string, number | null];

/** Rows of (x, series, value) from the warehouse, with dates and counts as plain strings and numbers. */
async function series(db: string, sql: string): Promise<Row[]> {
  return (await queryWarehouse(db, sql)).rows.map(([x, s, v]) => [String(x), String(s), v === null ? null : Number(v)]);
}

/** One dataset per series name, one point per x label (null where the series has no row). */
function pivot(id: string, title: string, type: ChartSpec['type'], rows: Row[], job: string, dated = false): ChartSpec {
  const labels = [...new Set(rows.map((r) => r[0]))];
  const names = [...new Set(rows.map((r) => r[1]))];
  const colors = seriesColors(names.length);
  const datasets = names.map((name, i) => ({
    label: name,
    data: labels.map((x) => rows.find((r) => r[0] === x && r[1] === name)?.[2] ?? null),
    color: colors[i],
  }));
  return { id, title, type, labels, datasets, emptyHint: fillWith(job), dated };
}

/** What a person runs to fill a chart of `job`'s data: the job, then the warehouse and this page again. */
function fillWith(job: string): string {
  const cli = cliName();
  const first = job === 'listening-events' ? `${cli} run listening-events (or ${cli} demo for sample data)` : `${cli} run ${job}`;
  return `It is filled by the ${job} job: run ${first}, then ${cli} warehouse build and ${cli} dashboard.`;
}

/**
 * The dashboards of looker/dashboards/ over the local warehouse, reading the same ANALYTICS views
 * Looker reads: listening (daily listens per genre, the top genres of the last day and the top
 * songs of those genres), Spotify new releases per week, DistroKid monthly sales and daily
 * streams per store. A chart without rows says which job and commands fill it.
 */
export async function dashboardSections(db: string): Promise<DashboardSection[]> {
  const lastDay = '(SELECT MAX(LISTEN_DATE) FROM ANALYTICS.LISTENING_GENRE_DAILY)';
  const daily = await series(db, 'SELECT CAST(LISTEN_DATE AS VARCHAR), TRACK_GENRE, CAST(LISTEN_COUNT AS DOUBLE) FROM ANALYTICS.LISTENING_GENRE_DAILY ORDER BY 1, 2');
  const genres = await series(db, `SELECT TRACK_GENRE, 'listens', CAST(LISTEN_COUNT AS DOUBLE) FROM ANALYTICS.LISTENING_TOP_GENRES_DAILY WHERE LISTEN_DATE = ${lastDay} ORDER BY RANK`);
  const songs = await series(
    db,
    `SELECT COALESCE(s.TRACK_NAME, s.TRACK_ID) || ' (' || s.TRACK_GENRE || ')', 'listens', CAST(s.LISTEN_COUNT AS DOUBLE)
     FROM ANALYTICS.LISTENING_TOP_SONGS_DAILY s JOIN ANALYTICS.LISTENING_TOP_GENRES_DAILY g ON g.LISTEN_DATE = s.LISTEN_DATE AND g.TRACK_GENRE = s.TRACK_GENRE
     WHERE s.LISTEN_DATE = ${lastDay} ORDER BY g.RANK, s.RANK`,
  );
  // The measures of looker/views/: albums = COUNT(DISTINCT ALBUM_ID), revenue and units = SUM.
  const releases = await series(db, "SELECT CAST(WEEK_START AS VARCHAR), 'albums', CAST(COUNT(DISTINCT ALBUM_ID) AS DOUBLE) FROM ANALYTICS.SPOTIFY_NEW_RELEASES_WEEKLY GROUP BY 1 ORDER BY 1");
  const monthly = 'FROM ANALYTICS.DISTROKID_SALES_MONTHLY GROUP BY 1 ORDER BY 1';
  const revenue = await series(db, `SELECT STRFTIME(MONTH, '%Y-%m'), 'revenue (USD)', CAST(ROUND(SUM(TOTAL_REVENUE_USD), 2) AS DOUBLE) ${monthly}`);
  const units = await series(db, `SELECT STRFTIME(MONTH, '%Y-%m'), 'units', CAST(SUM(TOTAL_STREAMS) AS DOUBLE) ${monthly}`);
  const perStore = await series(db, 'SELECT CAST(DATE AS VARCHAR), PLATFORM, CAST(SUM(STREAMS) AS DOUBLE) FROM ANALYTICS.DISTROKID_DAILY_STREAMS GROUP BY 1, 2 ORDER BY 1, 2');
  return [
    {
      title: 'Listening',
      charts: [
        pivot('listens-per-genre-daily', 'Daily listens per genre', 'line', daily, 'listening-events', true),
        pivot('top-genres-last-day', 'Top genres of the last day', 'bar', genres, 'listening-events'),
        pivot('top-songs-last-day', 'Top songs of those genres', 'bar', songs, 'listening-events'),
      ],
    },
    { title: 'Spotify new releases', charts: [pivot('new-releases-weekly', 'New releases per week (albums)', 'bar', releases, 'spotify-new-releases', true)] },
    {
      title: 'DistroKid',
      charts: [
        pivot('distrokid-revenue-monthly', 'Monthly sales: revenue (USD)', 'bar', revenue, 'distrokid', true),
        pivot('distrokid-units-monthly', 'Monthly sales: units (streams and downloads)', 'bar', units, 'distrokid', true),
        pivot('distrokid-streams-per-store', 'Daily streams per store', 'line', perStore, 'distrokid', true),
      ],
    },
  ];
}

/** Writes `{out}/index.html` (self-contained) and returns its path. */
export async function writeDashboard(options: { db: string; out: string; lake?: Store }): Promise<string> {
  const sections = await dashboardSections(options.db);
  // Beside the data, how fresh it is: the last committed run of each job in the lake.
  const health = options.lake ? await runHealth(options.lake) : [];
  // The UMD build (one file, a global `Chart`) sits beside the package's CommonJS entry; the
  // package's exports map does not list it, so it is found from there.
  const chartJs = fs.readFileSync(path.join(path.dirname(require.resolve('chart.js')), 'chart.umd.min.js'), 'utf8');
  fs.mkdirSync(options.out, { recursive: true });
  const file = path.join(options.out, 'index.html');
  fs.writeFileSync(file, dashboardPage('soundlake — KPIs', `local warehouse ${path.resolve(options.db)}${options.lake ? `, lake ${options.lake.url}` : ''}`, sections, chartJs, health));
  return file;
}
