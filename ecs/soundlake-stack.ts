import { CfnOutput, Duration, Stack, type StackProps } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { backfillStateMachine } from './backfill-state-machine';
import { pipesWired, type DeploySettings } from './deploy-settings';
import { lakeTopic } from './lake-topic';
import { JobTasks, jobSchedules } from './job-tasks';
import { lakeBucket } from './lake-bucket';
import { runAlerts } from './run-alerts';
import { runDashboard } from './run-dashboard';
import { snowflakeStorageRole } from './snowflake-storage-role';

/**
 * soundlake on ECS Fargate: the lake bucket, one task definition and one schedule per job, the
 * role Snowflake reads the lake with, alerts on failed runs, a dashboard of the run metrics, and
 * the backfill state machine.
 */
export class SoundlakeStack extends Stack {
  constructor(scope: Construct, id: string, settings: DeploySettings, props: StackProps = {}) {
    super(scope, id, { ...props, env: { account: settings.account, region: settings.region } });
    const s = settings;
    const lake = s.snowflake.route === 'sns' ? lakeTopic(this, s) : undefined;
    const bucket = lakeBucket(this, s, lake && { arn: lake.topic.topicArn, policy: lake.policy });
    const role = snowflakeStorageRole(this, s);
    const logGroup = new logs.LogGroup(this, 'LogGroup', { logGroupName: '/soundlake', retention: s.retention.logDays as logs.RetentionDays });
    const cluster = new ecs.CfnCluster(this, 'Cluster', { clusterName: 'soundlake' });
    const deadLetters = new sqs.Queue(this, 'ScheduleDeadLetterQueue', { queueName: 'soundlake-schedule-dlq', retentionPeriod: Duration.days(14), enforceSSL: true });
    const tasks = new JobTasks(this, 'Jobs', s, logGroup, s.region);
    const schedulesEnabled = pipesWired(s);
    jobSchedules(this, s, tasks, cluster.attrArn, deadLetters);
    const topic = runAlerts(this, s, cluster.attrArn, deadLetters, schedulesEnabled);
    runDashboard(this);
    const backfill = backfillStateMachine(this, s, tasks, { arn: cluster.attrArn, name: cluster.clusterName! });

    new CfnOutput(this, 'LakeUrl', { value: `s3://${bucket.bucketName}/${s.lakePrefix}` });
    new CfnOutput(this, 'LandingUrl', { value: `s3://${bucket.bucketName}/${s.landingPrefix}` });
    new CfnOutput(this, 'SnowflakeStorageRoleArn', { value: role.roleArn, description: 'Put in [snowflake] storage_role_arn (SNOWFLAKE_STORAGE_ROLE_ARN) before `soundlake snowflake setup`.' });
    new CfnOutput(this, 'AlertTopicArn', { value: topic.topicArn });
    new CfnOutput(this, 'BackfillStateMachineArn', { value: backfill.stateMachineArn });
    new CfnOutput(this, 'SchedulesEnabled', { value: String(schedulesEnabled), description: 'false until Snowpipe is wired (snowpipeQueueArn, or snsSubscriberArn on the sns route): files of earlier runs would never load.' });
    if (lake) new CfnOutput(this, 'LakeTopicArn', { value: lake.topic.topicArn, description: 'SNS route: `soundlake snowflake sns-policy --topic` this, and [snowflake] aws_sns_topic.' });
  }
}
