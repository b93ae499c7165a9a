import { loadConfig } from '../../src/core/config';
import { configureSnowflake, readSnowflakeSettings, snowflakeRunner } from '../../src/connections/snowflake';
import { closeAllConnections } from '../../src/connections/connection';
import { pipeStatuses } from '../../src/snowflake/pipe-status';
import { ALL_TABLES } from '../../src/tables/all-tables';

/**
 * Opt-in: runs only when SNOWFLAKE_ACCOUNT is set in the environment (with SNOWFLAKE_USER and
 * SNOWFLAKE_PASSWORD or a key pair), against that real account. It reads only: a login, a query,
 * and the status of the pipes if `soundlake snowflake setup` has been applied there.
 */
const live = process.env.SNOWFLAKE_ACCOUNT && !process.env.SNOWFLAKE_ACCESS_URL ? describe : describe.skip;

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
});
