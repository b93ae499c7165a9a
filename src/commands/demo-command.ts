import * as path from 'node:path';
import type { Command } from 'commander';
import { writeDashboard } from '../dashboard/write-dashboard';
import { DEFAULT_DASHBOARD_DIR } from './dashboard-command';
import { generateListeningEvents } from '../generate/listening-events-generator';
import { listeningEventsJob } from '../jobs/listening-events';
import type { RunManifest } from '../lake/manifest';
import { runJob } from '../run/run-job';
import { textTable } from '../core/text-table';
import { queryWarehouse } from '../warehouse/duckdb-warehouse';
import { withAbortOnSignals } from './run-command';
import { buildLocalWarehouse, DEFAULT_WAREHOUSE } from './warehouse-command';

const n = (value: number) => value.toLocaleString('en-US');

/** What the demo prints after the run: per table, per input, and where to look. */
export function describeRun(manifest: RunManifest, manifestUrl: string | undefined): string {
  const lines: string[] = [];
  lines.push('', `run ${manifest.run_id} of ${manifest.job} into ${manifest.lake}`, '');
  lines.push(`  ${'table'.padEnd(20)} ${'files'.padStart(6)} ${'rows'.padStart(10)} ${'rejects'.padStart(8)} ${'gzip bytes'.padStart(12)}`);
  for (const [table, t] of Object.entries(manifest.tables)) {
    lines.push(`  ${table.padEnd(20)} ${n(t.files).padStart(6)} ${n(t.rows).padStart(10)} ${n(t.rejects).padStart(8)} ${n(t.bytes).padStart(12)}`);
  }
  lines.push('', '  input files:');
  for (const input of manifest.inputs) {
    const detail = input.status === 'processed'
      ? `${n(input.rows_in)} in = ${n(input.rows_out)} out + ${n(input.rows_rejected)} rejected`
      : `${input.status}: ${input.reason ?? ''}`;
    lines.push(`    ${input.name.padEnd(26)} ${detail}`);
  }
  if (manifest.rejects.total > 0) {
    lines.push('', '  reject reasons:');
    for (const [reason, count] of Object.entries(manifest.rejects.by_reason)) lines.push(`    ${n(count).padStart(7)}  ${reason}`);
  }
  const t = manifest.totals;
  lines.push('', `  ${n(t.rows_in)} rows read, ${n(t.rows_out)} written, ${n(t.rows_rejected)} rejected, ${t.files} files`);
  lines.push('', 'where to look:');
  lines.push(`  data       ${manifest.lake}/raw/listening/<table>/year=…/month=…/day=…/*.csv.gz`);
  lines.push(`  rejects    ${manifest.lake}/rejects/listening/<table>/… (column _reject_reason says why)`);
  if (manifestUrl) lines.push(`  manifest   ${manifestUrl}`);
  lines.push(`  try        zcat ${manifest.lake}/raw/listening/users/year=*/month=*/day=*/*.csv.gz | head`);
  return lines.join('\n');
}

export function addDemoCommand(program: Command): void {
  program
    .command('demo')
    .description('generate ~100k streams over 7 days into ./landing, run listening-events into the lake, build the local warehouse, show the top genres and songs')
    .option('--landing <dir>', 'local folder for the generated input', 'landing')
    .option('--lake <url>', 'lake folder or s3://bucket/prefix; default [lake] url (./lake)')
    .option('--events <n>', 'stream events to generate', (raw) => Number(raw), 100_000)
    .action(async (flags: { landing: string; lake?: string; events: number }) => {
      const landing = path.resolve(flags.landing);
      console.log(`generating sample data into ${landing} …`);
      await generateListeningEvents({
        outDir: landing,
        users: 2_000,
        songs: 5_000,
        events: flags.events,
        days: 7,
        startDate: '2024-06-24',
        seed: 7,
        badRate: 0.002,
      });
      const result = await withAbortOnSignals((signal) =>
        runJob(listeningEventsJob, {
          lake: flags.lake,
          signal,
          // The demo just wrote these files itself: no need to wait for them to settle.
          env: { ...process.env, LISTENING_EVENTS_LANDING_URL: landing, LISTENING_EVENTS_SETTLE_SECONDS: '0' },
        }),
      );
      console.log(describeRun(result.manifest, result.manifestUrl));
      console.log(`\nbuilding the local warehouse ${DEFAULT_WAREHOUSE} (DuckDB, same model SQL as Snowflake) …`);
      console.log(await buildLocalWarehouse({ lake: flags.lake, db: DEFAULT_WAREHOUSE }));
      const lastDay = "(SELECT MAX(LISTEN_DATE) FROM ANALYTICS.LISTENING_GENRE_DAILY)";
      const genres = await queryWarehouse(DEFAULT_WAREHOUSE, `SELECT LISTEN_DATE, RANK, TRACK_GENRE, LISTEN_COUNT FROM ANALYTICS.LISTENING_TOP_GENRES_DAILY WHERE LISTEN_DATE = ${lastDay} ORDER BY RANK`);
      console.log('\ntop genres of the last day:');
      console.log(textTable(genres.columns, genres.rows));
      const songs = await queryWarehouse(
        DEFAULT_WAREHOUSE,
        `SELECT t.TRACK_GENRE, t.RANK, t.TRACK_NAME, t.LISTEN_COUNT FROM ANALYTICS.LISTENING_TOP_SONGS_DAILY t
         JOIN ANALYTICS.LISTENING_TOP_GENRES_DAILY g ON g.LISTEN_DATE = t.LISTEN_DATE AND g.TRACK_GENRE = t.TRACK_GENRE
         WHERE t.LISTEN_DATE = ${lastDay} ORDER BY g.RANK, t.RANK`,
      );
      console.log('\ntop songs of those genres:');
      console.log(textTable(songs.columns, songs.rows));
      console.log(`\nmore: soundlake warehouse query "SELECT * FROM ANALYTICS.LISTENING_GENRE_DAILY ORDER BY 1, 3 DESC"`);
      console.log(`dashboard: ${await writeDashboard({ db: DEFAULT_WAREHOUSE, out: DEFAULT_DASHBOARD_DIR })} (open it in a browser)`);
    });
}
