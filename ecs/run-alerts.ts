import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { EXIT_CODE_MEANINGS } from '../src/core/errors';
import { METRICS_NAMESPACE, RUN_METRICS } from '../src/runner/run-metrics';
import type { DeploySettings } from './deploy-settings';
import { CONTAINER } from './job-tasks';
import { JOB_DEPLOYMENTS, pascal } from './job-deployments';
import { StackUnit } from './stack-unit';

export interface RunAlertsProps {
  settings: DeploySettings;
  clusterArn: string;
  /** The schedules' dead-letter queue: a message there pages. */
  deadLetters: sqs.IQueue;
  /** Without schedules no run is expected, so no "no success" alarms. */
  schedulesEnabled: boolean;
}

/** Exit codes that page someone; 5 (skipped: the lease was held) is not a failure. */
export const ALERTED_EXIT_CODES = [1, 2, 3, 4] as const;

/** What a stopped task of one of our families looks like to EventBridge. */
function stoppedTask(clusterArn: string, container: Record<string, unknown>): events.EventPattern {
  return {
    source: ['aws.ecs'],
    detailType: ['ECS Task State Change'],
    detail: { clusterArn: [clusterArn], lastStatus: ['STOPPED'], group: [{ prefix: 'family:soundlake-' }], ...container },
  };
}

const field = (path: string) => events.EventField.fromPath(path);

/**
 * Alerts on an SNS topic: a task that stopped with a failing exit code (one rule per code, so the
 * message says what the code means), with an exit code soundlake never uses (137: killed, e.g. out
 * of memory), or that failed to start; dead-lettered schedule starts; and, per job, runs that
 * emitted RunSucceeded but no success for `missedPeriods` of its periods. Scheduler's own
 * retries and DLQ only cover starting a task; these cover the run.
 */
export class RunAlerts extends StackUnit {
  readonly topic: sns.Topic;

  constructor(scope: Construct, id: string, { settings: s, clusterArn, deadLetters, schedulesEnabled }: RunAlertsProps) {
    super(scope, id);
    const topic = new sns.Topic(this, 'AlertTopic', { topicName: 'soundlake-alerts', displayName: 'soundlake alerts' });
    if (s.alerts.email) topic.addSubscription(new subscriptions.EmailSubscription(s.alerts.email));
    const where = `Task ${field('$.detail.taskArn')} (${field('$.detail.group')}) stopped: ${field('$.detail.stoppedReason')}. Logs: CloudWatch log group /soundlake.`;
    for (const code of ALERTED_EXIT_CODES) {
      new events.Rule(this, `TaskExit${code}Rule`, {
        description: `soundlake task stopped with exit ${code}: ${EXIT_CODE_MEANINGS[code]}`,
        eventPattern: stoppedTask(clusterArn, { containers: { name: [CONTAINER], exitCode: [code] } }),
        targets: [new targets.SnsTopic(topic, { message: events.RuleTargetInput.fromText(`soundlake: exit ${code}, ${EXIT_CODE_MEANINGS[code]}. ${where}`) })],
      });
    }
    new events.Rule(this, 'TaskExitOtherRule', {
      description: 'soundlake task stopped with an exit code soundlake does not use (137: SIGKILL, e.g. out of memory)',
      eventPattern: stoppedTask(clusterArn, { containers: { name: [CONTAINER], exitCode: events.Match.anythingBut(0, 1, 2, 3, 4, 5) } }),
      targets: [new targets.SnsTopic(topic, { message: events.RuleTargetInput.fromText(`soundlake: killed or crashed (exit ${field('$.detail.containers[0].exitCode')}; 137 is SIGKILL, often out of memory). ${where}`) })],
    });
    new events.Rule(this, 'TaskFailedToStartRule', {
      description: 'soundlake task failed to start (image pull, secrets, network)',
      eventPattern: stoppedTask(clusterArn, { stopCode: ['TaskFailedToStart'] }),
      targets: [new targets.SnsTopic(topic, { message: events.RuleTargetInput.fromText(`soundlake: a task failed to start. ${where}`) })],
    });
    const alarmAction = new actions.SnsAction(topic);
    new cloudwatch.Alarm(this, 'ScheduleDeadLetterAlarm', {
      alarmName: 'soundlake-schedule-dead-letters',
      alarmDescription: 'EventBridge Scheduler could not start a soundlake task after its retries; the message in soundlake-schedule-dlq says why.',
      metric: deadLetters.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5), statistic: 'Maximum' }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    }).addAlarmAction(alarmAction);
    // Without schedules no run is expected: these would only cry wolf until the pipes are wired.
    if (schedulesEnabled) {
      for (const d of JOB_DEPLOYMENTS) {
        const window = noSuccessWindow(d.periodHours, s.alerts.missedPeriods);
        new cloudwatch.Alarm(this, `${pascal(d.job)}NoSuccessAlarm`, {
          alarmName: `soundlake-${d.job}-no-success`,
          alarmDescription: `No successful soundlake ${d.job} run in ${window.hours} hours (${s.alerts.missedPeriods} periods of ${d.periodHours} h, at most 7 days).`,
          metric: new cloudwatch.Metric({ namespace: METRICS_NAMESPACE, metricName: RUN_METRICS.succeeded, dimensionsMap: { Job: d.job }, statistic: 'Sum', period: Duration.hours(window.periodHours) }),
          threshold: 1,
          evaluationPeriods: window.periods,
          datapointsToAlarm: window.periods,
          comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
          // Missing data is not evaluated ("The alarm does not consider missing data points when
          // evaluating whether to change state"): treated as breaching, every alarm would page the moment
          // it is created, before any job has run (the weekly one for up to 7 days). A run that fails
          // emits RunSucceeded = 0, which breaches; a task that never starts pages through
          // TaskFailedToStartRule and the schedule's dead letters.
          treatMissingData: cloudwatch.TreatMissingData.MISSING,
        }).addAlarmAction(alarmAction);
      }
    }
    this.topic = topic;
  }
}

/**
 * The alarm's period and count for "no success in `missed` periods of `periodHours`": CloudWatch
 * allows a period of up to a day and at most 7 days in all, so a weekly job is watched over 7 days.
 */
export function noSuccessWindow(periodHours: number, missed: number): { periodHours: number; periods: number; hours: number } {
  const hours = Math.min(periodHours * missed, 7 * 24);
  const alarmPeriod = Math.min(periodHours, 24);
  const periods = Math.max(1, Math.floor(hours / alarmPeriod));
  return { periodHours: alarmPeriod, periods, hours: periods * alarmPeriod };
}
