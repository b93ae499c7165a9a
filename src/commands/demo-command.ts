import { cliName } from '../core/cli-name';
import * as path from 'node:path';
import type { Command } from 'commander';
import { writeDashboard } from '../dashboard/write-dashboard';
import { generateListeningEvents } from '../generate/listening-events-generator';
import { listeningEventsJob } from '../jobs/listening-events/listening-events-job';
import { runJob } from '../runner/run-job';
import { describeRun } from '../runner/run-report';
import { textTable } from '../core/text-table';
import { queryWarehouse } from '../warehouse/duckdb-warehouse';
import { withAbortOnSignals } from './abort-on-signals';
import { buildLocalWarehouse, DEFAULT_DASHBOARD_DIR, DEFAULT_WAREHOUSE, openLake } from './local-lake';

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
      console.log(`  try        zcat ${result.manifest.lake}/raw/listening/users/year=*/month=*/day=*/*.csv.gz | head`);
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
      console.log(`\nmore: ${cliName()} warehouse query "SELECT * FROM ANALYTICS.LISTENING_GENRE_DAILY ORDER BY 1, 3 DESC"`);
      console.log(`dashboard: ${await writeDashboard({ db: DEFAULT_WAREHOUSE, out: DEFAULT_DASHBOARD_DIR, lake: await openLake(flags.lake) })} (open it in a browser)`);
    });
}
