import { ExitCode, SoundlakeError } from '../core/errors';
import type { Logger } from '../core/log';
import type { SqlRunner } from '../connections/snowflake';
import { isBootstrapFile, type SetupStatement } from './setup-script';
import { rowField } from './sql-rows';

export interface Handshake {
  /** Put in the IAM role's trust policy (principal). */
  iamUserArn?: string;
  /** Put in the IAM role's trust policy (sts:ExternalId condition). */
  externalId?: string;
  /** Put in the bucket's event notification on raw/ (the same SQS queue for every pipe). */
  pipes: { name: string; notificationChannel?: string }[];
}

/**
 * Applies the statements in two phases: the bootstrap files (database, warehouse, roles, the
 * storage integration, future grants) as the admin role the session logged in with, then — after
 * reporting the integration's IAM user and external id, which AWS needs before any stage can read
 * the lake — `USE ROLE` the loader role for the rest (file format, stage, tables, pipes, views).
 * Every statement is idempotent, so applying twice changes nothing. Throws unless Snowflake
 * reported everything AWS needs: setup never ends "done" when it is not.
 */
export async function applySetup(
  runner: SqlRunner,
  statements: readonly SetupStatement[],
  options: { integration: string; loaderRole: string; log?: Logger; onIntegration?: (h: Pick<Handshake, 'iamUserArn' | 'externalId'>) => void },
): Promise<Handshake> {
  const run = async (list: readonly SetupStatement[]) => {
    for (const [i, statement] of list.entries()) {
      options.log?.debug('executing', { file: statement.file, statement: i + 1, of: list.length });
      await runner.query(statement.sql);
    }
  };
  await run(statements.filter((s) => isBootstrapFile(s.file)));
  const properties = await runner.query(`DESC INTEGRATION ${options.integration}`);
  const property = (name: string) => {
    const row = properties.find((r) => rowField(r, 'property') === name);
    return row ? String(rowField(row, 'property_value')) : undefined;
  };
  const trust = { iamUserArn: property('STORAGE_AWS_IAM_USER_ARN'), externalId: property('STORAGE_AWS_EXTERNAL_ID') };
  options.onIntegration?.(trust);
  await runner.query(`USE ROLE ${options.loaderRole}`);
  await run(statements.filter((s) => !isBootstrapFile(s.file)));
  const pipes = await runner.query('SHOW PIPES IN SCHEMA RAW');
  const handshake: Handshake = {
    ...trust,
    pipes: pipes.map((row) => ({ name: String(rowField(row, 'name')), notificationChannel: rowField(row, 'notification_channel') as string | undefined })),
  };
  // Without these, AWS cannot be wired: setup did not finish, whatever the statements said.
  const missing = [
    ...(handshake.iamUserArn ? [] : [`the integration's STORAGE_AWS_IAM_USER_ARN (DESC INTEGRATION ${options.integration})`]),
    ...(handshake.externalId ? [] : [`the integration's STORAGE_AWS_EXTERNAL_ID (DESC INTEGRATION ${options.integration})`]),
    ...(handshake.pipes.length > 0 && handshake.pipes.every((p) => p.notificationChannel) ? [] : ['a notification channel for every pipe (SHOW PIPES IN SCHEMA RAW)']),
  ];
  if (missing.length > 0) throw new SoundlakeError(`snowflake setup did not finish: Snowflake did not report ${missing.join(', nor ')}`, ExitCode.failed);
  return handshake;
}

export function describeHandshake(h: Handshake): string {
  const channels = [...new Set(h.pipes.map((p) => p.notificationChannel).filter((c): c is string => Boolean(c)))];
  return [
    'Snowflake is set up. Two values must now go into AWS:',
    '',
    '1. Trust policy of the IAM role in [snowflake] storage_role_arn:',
    `     principal  ${h.iamUserArn ?? '(not reported)'}`,
    `     sts:ExternalId  ${h.externalId ?? '(not reported)'}`,
    '',
    '2. S3 event notification on the lake bucket (prefix {lake}/raw/, suffix .csv.gz, s3:ObjectCreated:*) to:',
    ...(channels.length > 0 ? channels.map((c) => `     ${c}`) : ['     (no notification channel reported yet)']),
    '',
    `pipes: ${h.pipes.map((p) => p.name).join(', ') || '(none)'}`,
  ].join('\n');
}
