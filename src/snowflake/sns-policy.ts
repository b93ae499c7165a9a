import type { SqlRunner } from '../connections/snowflake';
import { SourceChangedError } from '../core/errors';
import { firstValue } from './sql-rows';

/**
 * The AWS principal Snowflake's SQS queue subscribes to an SNS topic with, from
 * SYSTEM$GET_AWS_SNS_IAM_POLICY (a policy document whose statement allows that principal
 * sns:Subscribe on the topic).
 */
export async function snsSubscriber(runner: SqlRunner, topicArn: string): Promise<string> {
  const [row] = await runner.query(`SELECT SYSTEM$GET_AWS_SNS_IAM_POLICY('${topicArn}') AS POLICY`);
  const raw = firstValue(row);
  try {
    const policy = JSON.parse(String(raw)) as { Statement?: { Action?: unknown; Principal?: { AWS?: unknown } }[] };
    const statement = policy.Statement?.find((s) => s.Action === 'sns:Subscribe' || (Array.isArray(s.Action) && s.Action.includes('sns:Subscribe')));
    const principal = statement?.Principal?.AWS;
    if (typeof principal === 'string' && principal.startsWith('arn:aws')) return principal;
  } catch {
    // fall through: reported below
  }
  throw new SourceChangedError(`SYSTEM$GET_AWS_SNS_IAM_POLICY did not return a policy with an sns:Subscribe principal: ${String(raw).slice(0, 300)}`);
}
