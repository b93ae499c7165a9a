import { CfnOutput, Duration, Stack, type CfnElement, type StackProps } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { BackfillStateMachine } from './backfill-state-machine';
import { pipesWired, type DeploySettings } from './deploy-settings';
import { LakeTopic } from './lake-topic';
import { JobSchedules, JobTasks } from './job-tasks';
import { LakeBucket } from './lake-bucket';
import { RunAlerts } from './run-alerts';
import { RunDashboard } from './run-dashboard';
import { SnowflakeStorageRole } from './snowflake-storage-role';
import { logicalIdSkippingUnits } from './stack-unit';

/**
 * soundlake on ECS Fargate: the lake bucket, one task definition and one schedule per job, the
 * role Snowflake reads the lake with, alerts on failed runs, a dashboard of the run metrics, and
 * the backfill state machine.
 */
export class SoundlakeStack extends Stack {
  /** Logical id → the element that has it: two elements with one id would silently merge into one resource. */
  private readonly logicalIds = new Map<string, CfnElement>();

  constructor(scope: Construct, id: string, settings: DeploySettings, props: StackProps = {}) {
    super(scope, id, { ...props, env: { account: settings.account, region: settings.region } });
    const s = settings;
    const lake = s.snowflake.route === 'sns' ? new LakeTopic(this, 'LakeTopicUnit', { settings: s }) : undefined;
    const { bucket } = new LakeBucket(this, 'LakeBucketUnit', { settings: s, topic: lake && { arn: lake.topic.topicArn, policy: lake.policy } });
    const { role } = new SnowflakeStorageRole(this, 'SnowflakeStorageRoleUnit', { settings: s });
    const logGroup = new logs.LogGroup(this, 'LogGroup', { logGroupName: '/soundlake', retention: s.retention.logDays as logs.RetentionDays });
    const cluster = new ecs.CfnCluster(this, 'Cluster', { clusterName: 'soundlake' });
    const deadLetters = new sqs.Queue(this, 'ScheduleDeadLetterQueue', { queueName: 'soundlake-schedule-dlq', retentionPeriod: Duration.days(14), enforceSSL: true });
    const tasks = new JobTasks(this, 'Jobs', { settings: s, logGroup, region: s.region });
    const schedulesEnabled = pipesWired(s);
    new JobSchedules(this, 'JobSchedulesUnit', { settings: s, tasks, clusterArn: cluster.attrArn, deadLetters });
    const { topic } = new RunAlerts(this, 'RunAlertsUnit', { settings: s, clusterArn: cluster.attrArn, deadLetters, schedulesEnabled });
    new RunDashboard(this, 'RunDashboardUnit');
    const { stateMachine: backfill } = new BackfillStateMachine(this, 'BackfillUnit', { settings: s, tasks, cluster: { arn: cluster.attrArn, name: cluster.clusterName! } });

    new CfnOutput(this, 'LakeUrl', { value: `s3://${bucket.bucketName}/${s.lakePrefix}` });
    new CfnOutput(this, 'LandingUrl', { value: `s3://${bucket.bucketName}/${s.landingPrefix}` });
    new CfnOutput(this, 'SnowflakeStorageRoleArn', { value: role.roleArn, description: 'Put in [snowflake] storage_role_arn (SNOWFLAKE_STORAGE_ROLE_ARN) before `soundlake snowflake setup`.' });
    new CfnOutput(this, 'AlertTopicArn', { value: topic.topicArn });
    new CfnOutput(this, 'BackfillStateMachineArn', { value: backfill.stateMachineArn });
    new CfnOutput(this, 'SchedulesEnabled', { value: String(schedulesEnabled), description: 'false until Snowpipe is wired (snowpipeQueueArn, or snsSubscriberArn on the sns route): files of earlier runs would never load.' });
    if (lake) new CfnOutput(this, 'LakeTopicArn', { value: lake.topic.topicArn, description: 'SNS route: `soundlake snowflake sns-policy --topic` this, and [snowflake] aws_sns_topic.' });
  }

  /** Stack units group resources without renaming them (see stack-unit.ts). */
  protected override allocateLogicalId(element: CfnElement): string {
    const id = logicalIdSkippingUnits(this, element);
    const holder = this.logicalIds.get(id);
    if (holder && holder !== element) throw new Error(`logical id ${id} is given to both ${holder.node.path} and ${element.node.path}`);
    this.logicalIds.set(id, element);
    return id;
  }
}
