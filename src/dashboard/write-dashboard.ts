import * as fs from 'node:fs';
import * as path from 'node:path';
import { queryWarehouse } from '../warehouse/duckdb-warehouse';
import { dashboardPage, type ChartSpec } from './dashboard-page';

type Row = [string, string, number | null];

/** Rows of (x, series, value) from the warehouse, with dates and counts as plain strings and numbers. */
async function series(db: string, sql: string): Promise<Row[]> {
  return (await queryWarehouse(db, sql)).rows.map(([x, s, v]) => [String(x), String(s), v === null ? null : Number(v)]);
}

/** One dataset per series name, one point per x label (null where the series has no row). */
function pivot(id: string, title: string, type: ChartSpec['type'], rows: Row[]): ChartSpec {
  const labels = [...new Set(rows.map((r) => r[0]))];
  const names = [...new Set(rows.map((r) => r[1]))];
  const datasets = names.map((name) => ({
    label: name,
    data: labels.map((x) => rows.find((r) => r[0] === x && r[1] === name)?.[2] ?? null),
  }));
  return { id, title, type, labels, datasets };
}

/**
 * The Looker listening dashboard over the local warehouse: daily listens per genre, the top genres
 * of the last day and the top songs of those genres. Same ANALYTICS views as Looker reads.
 */
export async function dashboardCharts(db: string): Promise<ChartSpec[]> {
  const lastDay = '(SELECT MAX(LISTEN_DATE) FROM ANALYTICS.LISTENING_GENRE_DAILY)';
  const daily = await series(db, 'SELECT CAST(LISTEN_DATE AS VARCHAR), TRACK_GENRE, CAST(LISTEN_COUNT AS DOUBLE) FROM ANALYTICS.LISTENING_GENRE_DAILY ORDER BY 1, 2');
  const genres = await series(db, `SELECT TRACK_GENRE, 'listens', CAST(LISTEN_COUNT AS DOUBLE) FROM ANALYTICS.LISTENING_TOP_GENRES_DAILY WHERE LISTEN_DATE = ${lastDay} ORDER BY RANK`);
  const songs = await series(
    db,
    `SELECT COALESCE(s.TRACK_NAME, s.TRACK_ID) || ' (' || s.TRACK_GENRE || ')', 'listens', CAST(s.LISTEN_COUNT AS DOUBLE)
     FROM ANALYTICS.LISTENING_TOP_SONGS_DAILY s JOIN ANALYTICS.LISTENING_TOP_GENRES_DAILY g ON g.LISTEN_DATE = s.LISTEN_DATE AND g.TRACK_GENRE = s.TRACK_GENRE
     WHERE s.LISTEN_DATE = ${lastDay} ORDER BY g.RANK, s.RANK`,
  );
  return [
    pivot('listens-per-genre-daily', 'Daily listens per genre', 'line', daily),
    pivot('top-genres-last-day', 'Top genres of the last day', 'bar', genres),
    pivot('top-songs-last-day', 'Top songs of those genres', 'bar', songs),
  ];
}

/** Writes `{out}/index.html` (self-contained) and returns its path. */
export async function writeDashboard(options: { db: string; out: string }): Promise<string> {
  const charts = await dashboardCharts(options.db);
  // The UMD build (one file, a global `Chart`) sits beside the package's CommonJS entry; the
  // package's exports map does not list it, so it is found from there.
  const chartJs = fs.readFileSync(path.join(path.dirname(require.resolve('chart.js')), 'chart.umd.min.js'), 'utf8');
  fs.mkdirSync(options.out, { recursive: true });
  const file = path.join(options.out, 'index.html');
  fs.writeFileSync(file, dashboardPage('soundlake — listening KPIs', `local warehouse ${path.resolve(options.db)}`, charts, chartJs));
  return file;
}
