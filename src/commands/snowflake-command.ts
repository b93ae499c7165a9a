import { cliCommand } from '../core/cli-name';
import type { Command } from 'commander';
import { lakeFlag, loadConfig, type Config } from '../core/config';
import { ConfigError, SoundlakeError } from '../core/errors';
import { sleep } from '../core/retry';
import { textTable } from '../core/text-table';
import { configureS3 } from '../connections/s3';
import { configureSnowflake, readSnowflakeSettings, snowflakeRunner } from '../connections/snowflake';
import { openStore } from '../lake/open-store';
import { readRunSettings } from '../runner/run-settings';
import { applyMigration, planMigration } from '../snowflake/migrate';
import { snsSubscriber } from '../snowflake/sns-policy';
import { pipeStatuses } from '../snowflake/pipe-status';
import { parseSince, refreshPipes } from '../snowflake/refresh-pipes';
import { applySetup, describeHandshake } from '../snowflake/setup';
import { kpiMaterialization, setupStatements, setupVariables, SNS_TOPIC_ARN, snsTopic } from '../snowflake/setup-script';
import { findManifest, layoutMismatches, verifyRun, type FileCheck } from '../snowflake/verify-run';
import { ALL_TABLES } from '../tables/all-tables';
import { withAbortOnSignals } from './abort-on-signals';
import { intFlag } from './command-flags';

/**
 * Config plus a configured Snowflake session (settings checked before any I/O), as the loader role,
 * or as `[snowflake] admin_role` for what runs before setup has created the loader role.
 */
async function connect(config: Config, as: 'loader' | 'admin' = 'loader'): Promise<void> {
  await configureSnowflake(readSnowflakeSettings(config, as));
}

/** `--since`: YYYY-MM-DD (UTC midnight) or an ISO-8601 time with a zone. */
function sinceFlag(raw: string): Date {
  const since = parseSince(raw);
  if (!since) throw new ConfigError(`--since ${JSON.stringify(raw)}: expected YYYY-MM-DD or an ISO-8601 time with a zone, e.g. 2026-11-20T06:00:00Z`);
  return since;
}

function summarise(checks: readonly FileCheck[]): string {
  return textTable(
    ['file', 'state', 'expected rows', 'loaded rows', 'error'],
    checks.map((c) => [c.key, c.state, c.expectedRows, c.loadedRows, c.error]),
  );
}

/** `snowflake setup`: applies the DDL as the admin and loader roles and prints what AWS and Looker need. */
function addSetupSubcommand(parent: Command): void {
  parent
    .command('setup')
    .description('apply sql/snowflake/*.sql in order (idempotent) and print the values AWS needs')
    .option('--dry-run', 'print the statements with variables filled; connect to nothing')
    .option('--lake <url>', 's3://bucket/prefix the stage reads; default [lake] url')
    .action(async (flags: { dryRun?: boolean; lake?: string }) => {
      const config = loadConfig({ flags: lakeFlag(flags.lake) });
      const variables = setupVariables(config, { requireRoleArn: !flags.dryRun });
      const statements = setupStatements(variables, undefined, kpiMaterialization(config));
      if (flags.dryRun) {
        let file = '';
        for (const s of statements) {
          if (s.file !== file) console.log(`\n-- ===== ${(file = s.file)} =====`);
          console.log(`${s.sql};\n`);
        }
        console.log(`-- ${statements.length} statements; nothing was executed (--dry-run)`);
        return;
      }
      await configureSnowflake(readSnowflakeSettings(config, 'admin'));
      const handshake = await applySetup(snowflakeRunner, statements, {
        integration: variables.STORAGE_INTEGRATION,
        loaderRole: variables.LOADER_ROLE,
        // Right after the integration exists: AWS's trust policy can be written while setup goes on.
        onIntegration: (trust) =>
          console.log(`storage integration ${variables.STORAGE_INTEGRATION}: IAM user ${trust.iamUserArn ?? '(not reported)'}, external id ${trust.externalId ?? '(not reported)'}`),
      });
      console.log(`applied ${statements.length} statements from sql/snowflake/ (00_–09_ as ${config.string('snowflake', 'admin_role')}, the rest as ${variables.LOADER_ROLE})\n`);
      console.log(describeHandshake(handshake));
      console.log(
        variables.LOOKER_PUBLIC_KEY
          ? `\nLooker connects as ${variables.LOOKER_USER} (TYPE = SERVICE, key pair from [looker] public_key_path, role ${variables.LOOKER_ROLE}).`
          : `\nno Looker user: [looker] public_key_path is empty (docs/looker.md, "Connecting Looker").`,
      );
    });
}

/** `snowflake migrate`: brings RAW tables and pipes to the table definitions. */
function addMigrateSubcommand(parent: Command): void {
  parent
    .command('migrate')
    .description('bring RAW tables and pipes to the table definitions: add new columns, replace changed pipes (paused while they change), queue files they missed')
    .option('--dry-run', 'print what would change; change nothing')
    .option('--wait <seconds>', 'how long a paused pipe may take to finish its pending files (default 300)', intFlag('--wait', 0, 86_400))
    .option('--since <time>', 'also queue files written since this time (when the new image was deployed): files of the new layout the old pipe refused', sinceFlag)
    .addHelpText(
      'after',
      '\nOrder for a table definition that gained a column: deploy the image that writes it, then\n' +
        '`soundlake snowflake migrate --since <deploy time>`. Until then the old pipe refuses the new files\n' +
        '(a column more than it knows fails the file; it never loads into the wrong columns), and verify says so.\n' +
        'Columns Snowflake has and the definition lacks stop it: renames and drops are for a person.',
    )
    .action(async (flags: { dryRun?: boolean; wait?: number; since?: Date }) => {
      const config = loadConfig();
      await connect(config);
      const plans = await planMigration(snowflakeRunner, ALL_TABLES);
      const changing = plans.filter((p) => p.addColumns.length > 0 || p.recreatePipe);
      if (changing.length === 0) {
        console.log(`RAW tables and pipes match the table definitions (${plans.length} tables); nothing to migrate`);
        return;
      }
      console.log(textTable(['table', 'add columns', 'pipe'], changing.map((p) => [p.table, p.addColumns.map((c) => `${c.name} ${c.type}`).join(', ') || '-', p.recreatePipe ? 'replace' : 'keep'])));
      if (flags.dryRun) {
        console.log('nothing was changed (--dry-run)');
        return;
      }
      const done = await applyMigration(snowflakeRunner, ALL_TABLES, plans, { waitSeconds: flags.wait ?? 300, since: flags.since, snsTopic: snsTopic(config) });
      console.log(textTable(['table', 'added', 'pipe', 'refreshed from', 'files queued'], done.map((d) => [d.table, d.added.join(', ') || '-', d.pipe, d.refreshedFrom, d.filesQueued])));
    });
}

/** `snowflake sns-policy`: the principal Snowflake's queue subscribes to the lake's SNS topic with. */
function addSnsPolicySubcommand(parent: Command): void {
  parent
    .command('sns-policy')
    .description("SNS route, first step (before setup; logs in as [snowflake] admin_role): the principal Snowflake's queue subscribes to the lake's SNS topic with (for the stack's snowflake.snsSubscriberArn)")
    .requiredOption('--topic <arn>', 'the SNS topic the lake bucket notifies (stack output LakeTopicArn)')
    .action(async (flags: { topic: string }) => {
      if (!SNS_TOPIC_ARN.test(flags.topic)) throw new ConfigError(`--topic ${JSON.stringify(flags.topic)}: expected an SNS topic ARN`);
      const config = loadConfig();
      // The first step of the SNS route, before setup: the loader role does not exist yet.
      await connect(config, 'admin');
      const principal = await snsSubscriber(snowflakeRunner, flags.topic);
      console.log(`Snowflake subscribes to ${flags.topic} as ${principal}`);
      console.log(`Put it in the deploy settings as snowflake.snsSubscriberArn, deploy, then set SNOWFLAKE_AWS_SNS_TOPIC and run ${cliCommand('snowflake setup')}.`);
    });
}

/** `snowflake status`: SYSTEM$PIPE_STATUS of every pipe. */
function addStatusSubcommand(parent: Command): void {
  parent
    .command('status')
    .description('SYSTEM$PIPE_STATUS of every pipe')
    .action(async () => {
      const config = loadConfig();
      await connect(config);
      const statuses = await pipeStatuses(snowflakeRunner, ALL_TABLES);
      console.log(
        textTable(
          ['pipe', 'state', 'pending files', 'last ingested', 'error'],
          statuses.map((s) => [s.pipe, s.executionState, s.pendingFileCount, s.lastIngestedTimestamp, s.error]),
        ),
      );
    });
}

/** `snowflake verify`: a run's manifest against COPY_HISTORY. */
function addVerifySubcommand(parent: Command): void {
  parent
    .command('verify')
    .description("reconcile a run's manifest with COPY_HISTORY; exit 0 only when every file loaded with the expected rows")
    .requiredOption('--run <id>', 'run id (its manifest is read from the lake)')
    .option('--wait <seconds>', 'poll until every file is loaded or one failed, for at most this long', intFlag('--wait', 0, 86_400))
    .option('--lake <url>', 'lake holding the manifest; default [lake] url')
    .action(async (flags: { run: string; wait?: number; lake?: string }) => {
      const config = loadConfig({ flags: lakeFlag(flags.lake) });
      const settings = readRunSettings(config);
      const pollSeconds = config.number('snowflake', 'verify_poll_seconds', { min: 0.01, max: 3600, unit: 'seconds' });
      await configureS3(settings.s3);
      await connect(config);
      const lake = openStore(settings.lakeUrl);
      const manifest = await findManifest(lake, flags.run);
      const deadline = Date.now() + (flags.wait ?? 0) * 1000;
      const mismatches = await layoutMismatches(snowflakeRunner, manifest, lake);
      let checks = await verifyRun(snowflakeRunner, manifest, mismatches);
      await withAbortOnSignals(async (signal) => {
        while (checks.some((c) => c.state === 'pending') && !checks.some((c) => c.state !== 'pending' && c.state !== 'loaded') && Date.now() < deadline) {
          await sleep(pollSeconds * 1000, signal);
          checks = await verifyRun(snowflakeRunner, manifest, mismatches);
        }
      });
      console.log(summarise(checks));
      const count = (state: FileCheck['state']) => checks.filter((c) => c.state === state).length;
      const line =
        `${count('loaded')} loaded, ${count('pending')} pending, ${count('failed')} failed, ${count('row_mismatch')} with other row counts, ` +
        `${count('header_mismatch')} laid out for another table version, of ${checks.length} files`;
      if (checks.every((c) => c.state === 'loaded')) console.log(`run ${flags.run}: ${line}`);
      else throw new SoundlakeError(`run ${flags.run} is not fully loaded: ${line}`, 1);
    });
}

/** `snowflake refresh`: queues files no notification announced. */
function addRefreshSubcommand(parent: Command): void {
  parent
    .command('refresh')
    .description('ALTER PIPE … REFRESH MODIFIED_AFTER: queue the lake files written since a time that no notification announced (Snowflake looks back 7 days at most)')
    .requiredOption('--since <time>', 'files written to the lake since this time: YYYY-MM-DD (UTC midnight) or an ISO-8601 time with a zone', sinceFlag)
    .addHelpText('after', '\nBy write time, not by partition: rows land in the partitions of their event days, which may lie far back.')
    .action(async (flags: { since: Date }) => {
      const config = loadConfig();
      await connect(config);
      if (Date.now() - flags.since.getTime() > 7 * 86_400_000) {
        console.error('note: Snowflake refreshes only files staged in the last 7 days; older files need COPY INTO by hand');
      }
      const refreshed = await refreshPipes(snowflakeRunner, ALL_TABLES, flags.since);
      console.log(textTable(['pipe', 'modified after', 'files queued'], refreshed.map((r) => [r.pipe, r.since, r.files])));
    });
}

export function addSnowflakeCommand(program: Command): void {
  const snowflake = program
    .command('snowflake')
    .description('apply the Snowpipe DDL, check pipes, reconcile runs with COPY_HISTORY')
    .addHelpText('after', '\nConnection: [snowflake] account, user, loader_role, warehouse, database; SNOWFLAKE_PASSWORD or a key pair.');
  addSetupSubcommand(snowflake);
  addMigrateSubcommand(snowflake);
  addSnsPolicySubcommand(snowflake);
  addStatusSubcommand(snowflake);
  addVerifySubcommand(snowflake);
  addRefreshSubcommand(snowflake);
}
