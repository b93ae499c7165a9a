import * as path from 'node:path';
import { closeAllConnections } from '../../src/connections/connection';
import { configureS3, readS3Settings } from '../../src/connections/s3';
import { configureSnowflake, readSnowflakeSettings, snowflakeRunner } from '../../src/connections/snowflake';
import { loadConfig } from '../../src/core/config';
import { generateListeningEvents } from '../../src/generate/listening-events-generator';
import { listeningEventsJob } from '../../src/jobs/listening-events/listening-events-job';
import { openStore } from '../../src/lake/open-store';
import { runJob } from '../../src/runner/run-job';
import { pipeStatuses } from '../../src/snowflake/pipe-status';
import { layoutMismatches, verifyRun } from '../../src/snowflake/verify-run';
import { ALL_TABLES } from '../../src/tables/all-tables';
import { buildWarehouse, queryWarehouse } from '../../src/warehouse/duckdb-warehouse';
import { LogCapture } from '../support/log-capture';
import { tempDir } from '../support/temp-dir';
import { rawTableName } from '../../src/tables/warehouse-names';

/**
 * Opt-in, against a real Snowflake account (docs/deployment.md, "The live test"):
 * - with SNOWFLAKE_ACCOUNT (and SNOWFLAKE_USER, a key pair or password) set: logs in, runs a query,
 *   reads every pipe's status. Reads only.
 * - with SOUNDLAKE_LIVE_E2E=1 as well, on a deployment whose setup and bucket notification are in
 *   place (LAKE_URL = the lake the stage reads, AWS credentials in the environment): the same way as
 *   tests/integration/snowflake-end-to-end.test.ts, for real. A run of generated listening data
 *   commits into that lake; every file must load with the manifest's row count (verify), and each
 *   RAW table must hold as many rows of this run as the local warehouse built from the same files.
 *   It writes into the lake: use a staging deployment, not production.
 */
const live = process.env.SNOWFLAKE_ACCOUNT && !process.env.SNOWFLAKE_ACCESS_URL ? describe : describe.skip;
const endToEnd = process.env.SOUNDLAKE_LIVE_E2E === '1' ? test : test.skip;

live('a real Snowflake account (opt-in: SNOWFLAKE_ACCOUNT)', () => {
  afterAll(() => closeAllConnections());

  test('logs in and runs a query', async () => {
    await configureSnowflake(readSnowflakeSettings(loadConfig()));
    const rows = await snowflakeRunner.query('SELECT CURRENT_VERSION() AS VERSION');
    expect(String(rows[0].VERSION)).toMatch(/^\d+\.\d+/);
  });

  test('reads SYSTEM$PIPE_STATUS of the pipes', async () => {
    const statuses = await pipeStatuses(snowflakeRunner, ALL_TABLES);
    expect(statuses).toHaveLength(ALL_TABLES.length);
  });

  endToEnd(
    'a committed run reaches RAW through the bucket notification and Snowpipe, every file with its rows (SOUNDLAKE_LIVE_E2E=1)',
    async () => {
      const config = loadConfig();
      const lakeUrl = config.lakeUrl('lake', 'url');
      expect(lakeUrl).toMatch(/^s3:\/\//);
      await configureS3(readS3Settings(config));
      const { dir, cleanup } = tempDir('live-');
      try {
        const landing = path.join(dir, 'landing');
        await generateListeningEvents({ outDir: landing, users: 50, songs: 80, events: 1_000, days: 2, startDate: '2024-06-24', seed: 11, badRate: 0.01 });
        const { manifest } = await runJob(listeningEventsJob, { logStream: new LogCapture(), env: { ...process.env, LISTENING_EVENTS_LANDING_URL: landing, LISTENING_EVENTS_SETTLE_SECONDS: '0' } });
        const lake = openStore(lakeUrl);
        const mismatches = await layoutMismatches(snowflakeRunner, manifest, lake);
        const deadline = Date.now() + 10 * 60_000;
        let checks = await verifyRun(snowflakeRunner, manifest, mismatches);
        while (checks.some((c) => c.state === 'pending') && Date.now() < deadline) {
          await new Promise((resolve) => setTimeout(resolve, 15_000));
          checks = await verifyRun(snowflakeRunner, manifest, mismatches);
        }
        expect(checks.filter((c) => c.state !== 'loaded')).toEqual([]);

        const db = path.join(dir, 'w.duckdb');
        await buildWarehouse({ lake, dbPath: db, tables: ALL_TABLES });
        for (const table of ALL_TABLES.filter((t) => t.source === 'listening')) {
          const count = `SELECT COUNT(*) AS N FROM RAW.${rawTableName(table)} WHERE _RUN_ID = '${manifest.run_id}'`;
          const local = Number((await queryWarehouse(db, count)).rows[0][0]);
          const remote = Number((await snowflakeRunner.query(count))[0].N);
          expect([table.name, remote]).toEqual([table.name, local]);
        }
      } finally {
        cleanup();
      }
    },
    15 * 60_000,
  );
});
