import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Config } from '../core/config';
import { ConfigError } from '../core/errors';
import { snowflakeDir } from '../sql/snowflake-files';
import { splitStatements } from '../sql/split-statements';
import { withSnsTopic } from '../sql/pipes';
import { fillTemplate } from '../sql/template';
import { readLookerPublicKey } from './looker-public-key';

export interface SetupStatement {
  file: string;
  sql: string;
}

/** The ${…} values of sql/snowflake/, from [snowflake] and [lake] settings. */
export function setupVariables(config: Config, options: { requireRoleArn: boolean }): Record<string, string> {
  const lakeUrl = config.lakeUrl('lake', 'url');
  if (!lakeUrl.startsWith('s3://')) {
    throw new ConfigError(`Snowflake reads the lake from S3, but [lake] url is ${JSON.stringify(lakeUrl)} (${config.where('lake', 'url')}); set LAKE_URL=s3://bucket/prefix`);
  }
  const roleArn = config.optionalString('snowflake', 'storage_role_arn');
  if (options.requireRoleArn && !roleArn) config.fail('snowflake', 'storage_role_arn', 'the ARN of the IAM role the storage integration assumes');
  if (roleArn && !/^arn:aws[a-z-]*:iam::\d{12}:role\/.+$/.test(roleArn)) config.fail('snowflake', 'storage_role_arn', 'an IAM role ARN, arn:aws:iam::123456789012:role/NAME');
  const identifier = (key: string, section = 'snowflake') => {
    const value = config.string(section, key);
    if (!/^[A-Za-z_][A-Za-z0-9_$]*$/.test(value)) config.fail(section, key, 'an unquoted Snowflake identifier (letters, digits, _ and $)');
    return value.toUpperCase();
  };
  const lookerPublicKey = readLookerPublicKey(config);
  return {
    DATABASE: identifier('database'),
    WAREHOUSE: identifier('warehouse'),
    LOADER_ROLE: identifier('loader_role'),
    LOOKER_ROLE: identifier('looker_role'),
    LOOKER_USER: identifier('service_user', 'looker'),
    // Absent when [looker] public_key_path is empty: setup then leaves out 06_looker_user.sql.
    ...(lookerPublicKey ? { LOOKER_PUBLIC_KEY: lookerPublicKey } : {}),
    // --dry-run may print the statements before a user is chosen.
    SNOWFLAKE_USER: options.requireRoleArn || config.optionalString('snowflake', 'user') ? identifier('user') : 'SET_SNOWFLAKE_USER',
    STORAGE_INTEGRATION: identifier('storage_integration'),
    STORAGE_ROLE_ARN: roleArn ?? 'arn:aws:iam::000000000000:role/SET-storage_role_arn',
    LAKE_URL: lakeUrl,
    KPI_TARGET_LAG: targetLag(config),
    // Empty: the pipes use the account's SQS queue (the bucket notifies it directly).
    AWS_SNS_TOPIC: snsTopic(config) ?? '',
  };
}

/** An SNS topic ARN (`[snowflake] aws_sns_topic`, `snowflake sns-policy --topic`). */
export const SNS_TOPIC_ARN = /^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]+$/;

/** `[snowflake] aws_sns_topic`: the lake's SNS topic when Snowflake's account is in another region than the bucket. */
export function snsTopic(config: Config): string | undefined {
  const value = config.optionalString('snowflake', 'aws_sns_topic');
  if (value !== undefined && !SNS_TOPIC_ARN.test(value)) config.fail('snowflake', 'aws_sns_topic', 'an SNS topic ARN, arn:aws:sns:REGION:123456789012:NAME (the stack output LakeTopicArn)');
  return value;
}

/**
 * `[snowflake] kpi_target_lag`: how stale the KPI dynamic tables may get, e.g. `1 hour`, `15 minutes`.
 * CREATE DYNAMIC TABLE takes `TARGET_LAG = { '<num> { seconds | minutes | hours | days }' | DOWNSTREAM }`,
 * at least 1 minute. DOWNSTREAM is refused: it refreshes a dynamic table only when a dynamic table
 * downstream of it needs it, and the KPI tables are read through views, so they would never refresh.
 */
export function targetLag(config: Config): string {
  const value = config.string('snowflake', 'kpi_target_lag').trim().toLowerCase();
  if (value === 'downstream') {
    config.fail('snowflake', 'kpi_target_lag', "a lag such as '1 hour' or '15 minutes': DOWNSTREAM would never refresh the KPI tables, which only views read");
  }
  const m = /^(\d+) (second|minute|hour|day)s?$/.exec(value);
  const seconds = m ? Number(m[1]) * { second: 1, minute: 60, hour: 3600, day: 86_400 }[m[2] as 'second' | 'minute' | 'hour' | 'day'] : 0;
  if (!m || seconds < 60) config.fail('snowflake', 'kpi_target_lag', "a lag such as '1 hour' or '15 minutes', at least 1 minute (Snowflake's minimum)");
  return value;
}

/** `[snowflake] kpi_materialization`: the listening KPIs as views, or as dynamic tables. */
export function kpiMaterialization(config: Config): 'view' | 'dynamic_table' {
  const value = config.string('snowflake', 'kpi_materialization');
  if (value !== 'view' && value !== 'dynamic_table') config.fail('snowflake', 'kpi_materialization', 'view or dynamic_table');
  return value;
}

/** Creates Looker's service user; applied only when `[looker] public_key_path` is set. */
export const LOOKER_USER_FILE = '06_looker_user.sql';

/** Files 00_–09_ are the bootstrap: applied as [snowflake] admin_role; the rest as the loader role. */
export const isBootstrapFile = (file: string) => /^0\d_/.test(file);

/**
 * Every statement of sql/snowflake/*.sql, files in name order, variables filled; of the KPI files
 * 41_kpi_views.sql or 42_kpi_dynamic_tables.sql, the one `[snowflake] kpi_materialization` chooses.
 */
export function setupStatements(variables: Record<string, string>, dir = snowflakeDir(), kpis: 'view' | 'dynamic_table' = 'view'): SetupStatement[] {
  return fs
    .readdirSync(dir)
    .filter((name) => /^\d\d_.*\.sql$/.test(name))
    .filter((name) => !name.startsWith(kpis === 'dynamic_table' ? '41_' : '42_'))
    // Monitoring queries are for people to run (`snowflake status`, a worksheet), not part of setup.
    .filter((name) => !name.startsWith('90_'))
    .filter((name) => name !== LOOKER_USER_FILE || variables.LOOKER_PUBLIC_KEY !== undefined)
    .sort()
    .flatMap((file) => splitStatements(fillTemplate(fs.readFileSync(path.join(dir, file), 'utf8'), variables, `sql/snowflake/${file}`)).map((sql) => ({ file, sql: withSnsTopic(sql, variables.AWS_SNS_TOPIC || undefined) })));
}
