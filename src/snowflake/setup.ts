import { ExitCode, SoundlakeError } from '../core/errors';
import type { Logger } from '../core/log';
import type { SqlRow, SqlRunner } from '../connections/snowflake';
import type { SetupStatement } from './setup-script';

export interface Handshake {
  /** Put in the IAM role's trust policy (principal). */
  iamUserArn?: string;
  /** Put in the IAM role's trust policy (sts:ExternalId condition). */
  externalId?: string;
  /** Put in the bucket's event notification on raw/ (the same SQS queue for every pipe). */
  pipes: { name: string; notificationChannel?: string }[];
}

const field = (row: SqlRow, name: string): unknown => row[name] ?? row[name.toUpperCase()] ?? row[name.toLowerCase()];

/**
 * Applies the statements in order (they are idempotent, so applying twice changes nothing), then
 * reads the two values a person must put into AWS: the integration's IAM user and external id, and
 * each pipe's notification channel.
 */
export async function applySetup(runner: SqlRunner, statements: readonly SetupStatement[], integration: string, log?: Logger): Promise<Handshake> {
  for (const [i, statement] of statements.entries()) {
    log?.debug('executing', { file: statement.file, statement: i + 1, of: statements.length });
    await runner.query(statement.sql);
  }
  const properties = await runner.query(`DESC INTEGRATION ${integration}`);
  const property = (name: string) => {
    const row = properties.find((r) => field(r, 'property') === name);
    return row ? String(field(row, 'property_value')) : undefined;
  };
  const pipes = await runner.query('SHOW PIPES IN SCHEMA RAW');
  const handshake: Handshake = {
    iamUserArn: property('STORAGE_AWS_IAM_USER_ARN'),
    externalId: property('STORAGE_AWS_EXTERNAL_ID'),
    pipes: pipes.map((row) => ({ name: String(field(row, 'name')), notificationChannel: field(row, 'notification_channel') as string | undefined })),
  };
  // Without these, AWS cannot be wired: setup did not finish, whatever the statements said.
  const missing = [
    ...(handshake.iamUserArn ? [] : [`the integration's STORAGE_AWS_IAM_USER_ARN (DESC INTEGRATION ${integration})`]),
    ...(handshake.externalId ? [] : [`the integration's STORAGE_AWS_EXTERNAL_ID (DESC INTEGRATION ${integration})`]),
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
