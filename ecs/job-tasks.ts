import { Duration } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as logs from 'aws-cdk-lib/aws-logs';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { autoWorkers } from '../src/runner/run-settings';
import { pipesWired, type DeploySettings } from './deploy-settings';
import { JOB_DEPLOYMENTS, pascal, type JobDeployment } from './job-deployments';
import { StackUnit } from './stack-unit';
import { ValueFromSecret } from './value-from-secret';

/** The container's name in every task definition (overrides name it). */
export const CONTAINER = 'soundlake';

export interface JobTask {
  deployment: JobDeployment;
  taskDefinition: ecs.FargateTaskDefinition;
  container: ecs.ContainerDefinition;
}

/** What a running job may do: the lake and landing prefixes, and the session key. Nothing else. */
function taskRole(scope: Construct, s: DeploySettings): iam.Role {
  const bucketArn = `arn:aws:s3:::${s.lakeBucketName}`;
  return new iam.Role(scope, 'TaskRole', {
    assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com'),
    description: 'What a running soundlake job may do: the lake and landing prefixes, and the session key.',
    inlinePolicies: {
      'lake-and-landing': new iam.PolicyDocument({
        statements: [
          new iam.PolicyStatement({
            sid: 'ObjectsInLakeAndLanding',
            actions: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject', 's3:AbortMultipartUpload'],
            resources: [`${bucketArn}/${s.lakePrefix}/*`, `${bucketArn}/${s.landingPrefix}/*`],
          }),
          new iam.PolicyStatement({
            sid: 'ListLakeAndLanding',
            actions: ['s3:ListBucket'],
            resources: [bucketArn],
            conditions: { StringLike: { 's3:prefix': [`${s.lakePrefix}/*`, `${s.landingPrefix}/*`, s.lakePrefix, s.landingPrefix] } },
          }),
          new iam.PolicyStatement({ sid: 'SessionKey', actions: ['kms:Encrypt', 'kms:Decrypt', 'kms:GenerateDataKey'], resources: [s.sessionKmsKeyArn] }),
        ],
      }),
    },
  });
}

/** Whole vCPUs of a task of `cpu` units (1024 = 1 vCPU), at least 1. */
function taskVcpus(cpu: number): number {
  return Math.max(1, Math.floor(cpu / 1024));
}

/** Settings every job gets; a test checks each is a variable soundlake reads. */
function environment(d: JobDeployment, s: DeploySettings, region: string): Record<string, string> {
  return {
    LAKE_URL: `s3://${s.lakeBucketName}/${s.lakePrefix}`,
    S3_REGION: region,
    RUN_LOG_LEVEL: 'info',
    RUN_METRICS: 'emf',
    // From the task's vCPUs, not the CPUs it sees: a Fargate task may see more than its quota lets
    // it use (1024 units = 1 vCPU), and threads beyond the quota only contend. Shaping threads by
    // the rule `workers = auto` applies to cores (none up to 2); libuv's pool, which compresses,
    // one thread per vCPU (at least 2), as bin/soundlake.js sizes it from the cores it sees.
    RUN_WORKERS: String(autoWorkers(taskVcpus(d.cpu))),
    UV_THREADPOOL_SIZE: String(Math.max(2, taskVcpus(d.cpu))),
    ...(d.job === 'listening-events' ? { LISTENING_EVENTS_LANDING_URL: `s3://${s.lakeBucketName}/${s.landingPrefix}` } : {}),
    ...(d.job === 'spotify-playlist' ? { SPOTIFY_PLAYLIST_PLAYLIST_IDS: s.spotifyPlaylistIds } : {}),
    ...(d.job === 'spotify-artists' ? { SPOTIFY_ARTISTS_ARTIST_IDS: s.spotifyArtistIds } : {}),
    ...(d.browser ? { S3_KMS_KEY_ID: s.sessionKmsKeyArn, BROWSER_EXECUTABLE_PATH: '/usr/bin/chromium' } : {}),
  };
}

export interface JobTasksProps {
  settings: DeploySettings;
  logGroup: logs.ILogGroup;
  region: string;
}

/**
 * One Fargate task definition per job (its own size, image and secrets), sharing an execution
 * role (pull, logs, the secrets its tasks name) and a task role.
 */
export class JobTasks extends Construct {
  readonly tasks: JobTask[];
  readonly taskRole: iam.Role;
  readonly executionRole: iam.Role;

  constructor(scope: Construct, id: string, { settings: s, logGroup, region }: JobTasksProps) {
    super(scope, id);
    this.taskRole = taskRole(this, s);
    this.executionRole = new iam.Role(this, 'ExecutionRole', {
      assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com'),
      description: 'Pulls the soundlake image, writes its logs, reads the job secrets.',
      managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('service-role/AmazonECSTaskExecutionRolePolicy')],
    });
    const image = (browser: boolean) => ecs.ContainerImage.fromRegistry(`${s.imageRepository}:${s.imageTag}${browser ? '-browser' : ''}`);
    this.tasks = JOB_DEPLOYMENTS.map((d) => {
      const taskDefinition = new ecs.FargateTaskDefinition(this, `${pascal(d.job)}Task`, {
        family: `soundlake-${d.job}`,
        cpu: d.cpu,
        memoryLimitMiB: d.memoryMiB,
        taskRole: this.taskRole,
        executionRole: this.executionRole,
      });
      const container = taskDefinition.addContainer(CONTAINER, {
        image: image(d.browser),
        command: ['run', d.job],
        essential: true,
        // SIGTERM first (a run aborts cleanly, its lease released); SIGKILL after this.
        stopTimeout: Duration.seconds(60),
        environment: environment(d, s, region),
        secrets: Object.fromEntries(Object.entries(d.secrets).map(([variable, key]) => [variable, new ValueFromSecret(s.secrets[key!])])),
        logging: ecs.LogDrivers.awsLogs({ logGroup, streamPrefix: d.job }),
        // tini is the image's PID 1: ECS's init process is not added on top.
      });
      return { deployment: d, taskDefinition, container };
    });
  }
}

/**
 * One EventBridge Scheduler schedule per job. They start DISABLED until Snowpipe is wired to the
 * bucket (its queue, or on the SNS route its subscription): files committed before that would
 * never be announced to the pipes.
 */
export interface JobSchedulesProps {
  settings: DeploySettings;
  tasks: JobTasks;
  clusterArn: string;
  /** Where a start that failed after its retries goes. */
  deadLetters: sqs.IQueue;
}

export class JobSchedules extends StackUnit {
  readonly schedules: scheduler.CfnSchedule[];

  constructor(scope: Construct, id: string, { settings: s, tasks, clusterArn, deadLetters }: JobSchedulesProps) {
    super(scope, id);
    const role = new iam.Role(this, 'SchedulerRole', {
      assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com'),
      description: 'Lets EventBridge Scheduler start the soundlake job tasks and dead-letter failed starts.',
    });
    role.addToPolicy(new iam.PolicyStatement({ actions: ['ecs:RunTask'], resources: tasks.tasks.map((t) => t.taskDefinition.taskDefinitionArn) }));
    role.addToPolicy(passRoles(tasks));
    deadLetters.grantSendMessages(role);
    const enabled = pipesWired(s);
    this.schedules = tasks.tasks.map(
      ({ deployment: d, taskDefinition }) =>
        new scheduler.CfnSchedule(this, `${pascal(d.job)}Schedule`, {
          name: `soundlake-${d.job}`,
          description: d.description,
          scheduleExpression: d.schedule,
          state: enabled ? 'ENABLED' : 'DISABLED',
          flexibleTimeWindow: { mode: 'OFF' },
          target: {
            arn: clusterArn,
            roleArn: role.roleArn,
            retryPolicy: { maximumRetryAttempts: d.startRetries, maximumEventAgeInSeconds: 3600 },
            deadLetterConfig: { arn: deadLetters.queueArn },
            ecsParameters: {
              taskDefinitionArn: taskDefinition.taskDefinitionArn,
              launchType: 'FARGATE',
              networkConfiguration: {
                awsvpcConfiguration: { subnets: s.subnetIds, securityGroups: s.securityGroupIds, assignPublicIp: s.egress === 'public-ip' ? 'ENABLED' : 'DISABLED' },
              },
            },
          },
        }),
    );
  }
}

/** iam:PassRole on exactly the two job roles, and only to ECS tasks. */
export function passRoles(tasks: JobTasks): iam.PolicyStatement {
  return new iam.PolicyStatement({
    actions: ['iam:PassRole'],
    resources: [tasks.executionRole.roleArn, tasks.taskRole.roleArn],
    conditions: { StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } },
  });
}
