import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Match, Template } from 'aws-cdk-lib/assertions';
import aslValidator from 'asl-validator';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { buildApp } from '../../ecs/app';
import { StackUnit } from '../../ecs/stack-unit';
import { readDeploySettings } from '../../ecs/deploy-settings';
import { JOB_DEPLOYMENTS } from '../../ecs/job-deployments';
import { noSuccessWindow } from '../../ecs/run-alerts';
import { secretReadGrant } from '../../ecs/value-from-secret';
import { EXAMPLE_SETTINGS, exampleTemplate, TEMPLATE_FILE } from '../../ecs/write-template';
import { buildProgram } from '../../src/cli';
import { envVarName } from '../../src/core/config';
import { EXIT_CODE_MEANINGS } from '../../src/core/errors';
import { OTHER_ENV_VARS } from '../../src/core/env-vars';
import { SECRET_ENV_VARS } from '../../src/core/secrets';
import { JOBS } from '../../src/runner/job-registry';
import { backfillPlan } from '../../src/runner/backfill-plan';
import { runCli } from '../support/cli-run';
import { tempDir } from '../support/temp-dir';

/** CloudFormation JSON: dynamic by nature, navigated loosely and pinned down by the assertions. */
type Json = Record<string, any>;
const root = path.join(__dirname, '..', '..');
const example = JSON.parse(fs.readFileSync(EXAMPLE_SETTINGS, 'utf8')) as Json;

/** Settings = the example with some keys changed, written to a temp file (the app reads files). */
function settingsFile(change: (s: Json) => void = () => undefined): string {
  const s = structuredClone(example);
  change(s);
  const { dir } = tempDir('deploy-settings-');
  const file = path.join(dir, 'settings.json');
  fs.writeFileSync(file, JSON.stringify(s));
  return file;
}
const synth = (change?: (s: Json) => void) => Template.fromStack(buildApp(settingsFile(change)).stack);

const template = synth();
const resources = template.toJSON().Resources as Record<string, Json>;
const byType = (type: string) => Object.entries(resources).filter(([, r]) => r.Type === type);
const taskDefs = byType('AWS::ECS::TaskDefinition');
const container = (task: Json) => task.Properties.ContainerDefinitions[0] as Json;
const jobOf = (task: Json) => container(task).Command[1] as string;
const statementsOf = (roleId: string) =>
  Object.values(resources)
    .filter((r) => r.Type === 'AWS::IAM::Policy' && r.Properties.Roles.some((x: Json) => x.Ref === roleId))
    .flatMap((p) => p.Properties.PolicyDocument.Statement as Json[]);
const roleId = (prefix: string) => Object.keys(resources).find((id) => id.startsWith(prefix) && resources[id].Type === 'AWS::IAM::Role')!;

describe('ecs/: the CDK app', () => {
  test('stack units stay out of logical ids, and two resources that would share one id fail the synth', () => {
    const { app, stack } = buildApp(settingsFile());
    new sqs.Queue(new StackUnit(stack, 'UnitA'), 'Twin');
    new sqs.Queue(new StackUnit(stack, 'UnitB'), 'Twin');
    expect(() => app.synth()).toThrow(/logical id Twin[0-9A-F]* is given to both .*UnitA.* and .*UnitB/);
  });

  test('the committed template is what the app synthesizes from the example settings', () => {
    expect(fs.readFileSync(TEMPLATE_FILE, 'utf8')).toBe(exampleTemplate());
  });

  test('every job has one task definition whose command the CLI accepts, and one schedule for it', async () => {
    expect(JOB_DEPLOYMENTS.map((d) => d.job).sort()).toEqual(JOBS.map((j) => j.name).sort());
    for (const job of JOBS) {
      const tasks = taskDefs.filter(([, t]) => jobOf(t) === job.name);
      expect(tasks).toHaveLength(1);
      const [taskId, task] = tasks[0];
      const program = buildProgram();
      program.commands.find((c) => c.name() === 'run')!.action(() => undefined);
      await expect(program.parseAsync(['node', 'soundlake', ...container(task).Command])).resolves.toBeDefined();
      const schedules = byType('AWS::Scheduler::Schedule').filter(([, s]) => s.Properties.Target.EcsParameters.TaskDefinitionArn.Ref === taskId);
      expect(schedules).toHaveLength(1);
      const target = schedules[0][1].Properties.Target;
      expect(schedules[0][1].Properties.ScheduleExpression).toMatch(/^cron\(.+\)$/);
      expect(target.RetryPolicy.MaximumRetryAttempts).toBeGreaterThanOrEqual(1);
      expect(target.DeadLetterConfig.Arn['Fn::GetAtt'][0]).toMatch(/^ScheduleDeadLetterQueue/);
      expect(target.EcsParameters.LaunchType).toBe('FARGATE');
    }
    expect(taskDefs).toHaveLength(JOBS.length);
  });

  test('task definitions: Fargate, awslogs, no second init process; only the browser job pulls the image with Chromium', () => {
    for (const [, task] of taskDefs) {
      expect(task.Properties.RequiresCompatibilities).toEqual(['FARGATE']);
      expect(task.Properties.NetworkMode).toBe('awsvpc');
      expect(container(task).LogConfiguration.LogDriver).toBe('awslogs');
      expect(container(task).LinuxParameters?.InitProcessEnabled).toBeUndefined();
      const image = container(task).Image as string;
      expect(image).toBe(`${example.imageRepository}:${example.imageTag}${jobOf(task) === 'distrokid' ? '-browser' : ''}`);
    }
    const memory = Object.fromEntries(taskDefs.map(([, t]) => [jobOf(t), Number(t.Properties.Memory)]));
    expect(memory.distrokid).toBe(Math.max(...(Object.values(memory) as number[])));
  });

  test('every variable a task sets is one soundlake reads, metrics are on, and secrets come only as ValueFrom references', () => {
    const settings = new Set<string>();
    let section = '';
    for (const line of fs.readFileSync(path.join(root, 'config', 'default.ini'), 'utf8').split('\n')) {
      const s = /^\[([^\]]+)\]/.exec(line);
      if (s) section = s[1];
      const k = /^([a-z_]+)\s*=/.exec(line);
      if (k) settings.add(envVarName(section, k[1]));
    }
    const secrets = new Set<string>(SECRET_ENV_VARS);
    const known = new Set<string>([...settings, ...secrets, ...OTHER_ENV_VARS]);
    for (const [id, task] of taskDefs) {
      const c = container(task);
      const env = Object.fromEntries((c.Environment as { Name: string; Value: string }[]).map((e) => [e.Name, e.Value]));
      expect(env.RUN_METRICS).toBe('emf');
      // Threads by the `auto` rule on the task's vCPUs (none up to 2), the compression pool one per vCPU (at least 2).
      const vcpus = Math.max(1, Math.floor(Number(task.Properties.Cpu) / 1024));
      expect(env.RUN_WORKERS).toBe(String(vcpus <= 2 ? 1 : vcpus - 1));
      expect(env.UV_THREADPOOL_SIZE).toBe(String(Math.max(2, vcpus)));
      for (const name of Object.keys(env)) expect({ task: id, name, known: known.has(name), secret: secrets.has(name) }).toEqual({ task: id, name, known: true, secret: false });
      for (const secret of (c.Secrets ?? []) as { Name: string; ValueFrom: string }[]) {
        expect(known.has(secret.Name)).toBe(true);
        expect(Object.values(example.secrets)).toContain(secret.ValueFrom);
      }
    }
    const spotify = taskDefs.filter(([, t]) => jobOf(t).startsWith('spotify-'));
    for (const [, task] of spotify) expect((container(task).Secrets as { Name: string }[]).map((s) => s.Name)).toContain('SPOTIFY_CLIENT_SECRET');
  });

  test('the execution role may read exactly the referenced secrets, in the form IAM needs for each ValueFrom form', () => {
    expect(secretReadGrant('arn:aws:secretsmanager:eu-west-1:123456789012:secret:a/b-AbCdEf:key::')).toEqual({ action: 'secretsmanager:GetSecretValue', resource: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:a/b-AbCdEf' });
    expect(secretReadGrant('arn:aws:ssm:eu-west-1:123456789012:parameter/x/y')).toEqual({ action: 'ssm:GetParameters', resource: 'arn:aws:ssm:eu-west-1:123456789012:parameter/x/y' });
    const granted = statementsOf(roleId('JobsExecutionRole'))
      .filter((s) => !String(s.Action).startsWith('logs:'))
      .flatMap((s) => ([] as string[]).concat(s.Resource).map((r) => `${s.Action} ${r}`));
    expect([...new Set(granted)].sort()).toEqual([
      'secretsmanager:GetSecretValue arn:aws:secretsmanager:eu-west-1:123456789012:secret:soundlake/spotify-AbCdEf',
      'ssm:GetParameters arn:aws:ssm:eu-west-1:123456789012:parameter/soundlake/spotify-client-id',
    ]);
    // A secret without its 6-character suffix is not a form ValueFrom resolves reliably: refused.
    expect(() => readDeploySettings(settingsFile((s) => (s.secrets.spotifyClientSecret = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:soundlake/spotify')))).toThrow(
      /secrets\.spotifyClientSecret: a Secrets Manager secret ARN with its 6-character suffix/,
    );
  });

  test('the task role reaches only the lake and landing prefixes, and KMS only for the session key', () => {
    const policies = resources[roleId('JobsTaskRole')].Properties.Policies as Json[];
    const statements = policies.flatMap((p) => p.PolicyDocument.Statement as Json[]);
    const bucket = `arn:aws:s3:::${example.lakeBucketName}`;
    for (const statement of statements) {
      const actions = ([] as string[]).concat(statement.Action);
      const list = ([] as string[]).concat(statement.Resource);
      if (actions.some((a) => a.startsWith('s3:'))) {
        for (const r of list) expect([`${bucket}/lake/*`, `${bucket}/landing/*`, bucket]).toContain(r);
        if (actions.includes('s3:ListBucket')) expect(statement.Condition.StringLike['s3:prefix']).toEqual(['lake/*', 'landing/*', 'lake', 'landing']);
      } else {
        expect(actions.every((a) => a.startsWith('kms:'))).toBe(true);
        expect(list).toEqual([example.sessionKmsKeyArn]);
      }
    }
  });

  test("Snowflake's role: trusts Snowflake's IAM user with the external id, reads raw/ only, and may ask where the bucket is", () => {
    const role = resources[roleId('SnowflakeStorageRole')].Properties;
    expect(role.RoleName).toBe('soundlake-snowflake-storage');
    expect(role.AssumeRolePolicyDocument.Statement[0]).toMatchObject({ Principal: { AWS: example.snowflake.iamUserArn }, Condition: { StringEquals: { 'sts:ExternalId': example.snowflake.externalId } } });
    const statements = role.Policies[0].PolicyDocument.Statement as Json[];
    const bucket = `arn:aws:s3:::${example.lakeBucketName}`;
    expect(statements).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ Action: ['s3:GetObject', 's3:GetObjectVersion'], Resource: `${bucket}/lake/raw/*` }),
        expect.objectContaining({ Action: 's3:ListBucket', Resource: bucket, Condition: { StringLike: { 's3:prefix': ['lake/raw/*'] } } }),
        expect.objectContaining({ Action: 's3:GetBucketLocation', Resource: bucket }),
      ]),
    );
    // Before setup printed the handshake: nobody outside the account.
    const fresh = synth((s) => (s.snowflake = {})).toJSON().Resources as Record<string, Json>;
    const trust = Object.values(fresh).find((r) => r.Properties?.RoleName === 'soundlake-snowflake-storage')!.Properties.AssumeRolePolicyDocument.Statement[0];
    expect(JSON.stringify(trust.Principal)).toContain(':root');
    expect(trust.Condition.StringEquals['sts:ExternalId']).toBe('pending-snowflake-setup');
  });

  test('the bucket is kept on delete and replace, TLS only, expires what nobody reads, and notifies Snowpipe about raw/', () => {
    const [[, bucket]] = byType('AWS::S3::Bucket');
    expect(bucket.DeletionPolicy).toBe('Retain');
    expect(bucket.UpdateReplacePolicy).toBe('Retain');
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Action: 's3:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
    });
    const rules = Object.fromEntries((bucket.Properties.LifecycleConfiguration.Rules as Json[]).map((r) => [r.Id, r]));
    expect(rules['abort-incomplete-multipart-uploads'].AbortIncompleteMultipartUpload.DaysAfterInitiation).toBe(1);
    // Nothing expires under _staging/: an unfinished package needs its staged files however old.
    for (const rule of Object.values(rules) as Json[]) expect(String(rule.Prefix ?? '')).not.toMatch(/_staging/);
    expect(rules['expire-landing-archive']).toMatchObject({ Prefix: 'landing/archive/', ExpirationInDays: 90 });
    expect(rules['expire-rejects']).toMatchObject({ Prefix: 'lake/rejects/', ExpirationInDays: 90 });
    expect(bucket.Properties.NotificationConfiguration.QueueConfigurations).toEqual([
      {
        Event: 's3:ObjectCreated:*',
        Queue: example.snowflake.snowpipeQueueArn,
        Filter: { S3Key: { Rules: [{ Name: 'prefix', Value: 'lake/raw/' }, { Name: 'suffix', Value: '.csv.gz' }] } },
      },
    ]);
  });

  test('until the Snowpipe queue is wired the schedules stay disabled and no missed-run alarm cries wolf', () => {
    const before = synth((s) => (s.snowflake = {}));
    for (const [, s] of Object.entries(before.findResources('AWS::Scheduler::Schedule'))) expect((s as Json).Properties.State).toBe('DISABLED');
    expect(Object.keys(before.findResources('AWS::CloudWatch::Alarm', { Properties: { AlarmName: Match.stringLikeRegexp('no-success') } }))).toHaveLength(0);
    expect(before.toJSON().Resources).not.toHaveProperty([byType('AWS::S3::Bucket')[0][0], 'Properties', 'NotificationConfiguration']);
    for (const [, s] of byType('AWS::Scheduler::Schedule')) expect(s.Properties.State).toBe('ENABLED');
  });

  test("the stack refuses a Snowpipe queue in another region than the bucket's, naming the key", () => {
    expect(() => readDeploySettings(settingsFile((s) => (s.snowflake.snowpipeQueueArn = 'arn:aws:sqs:us-east-1:999999999999:sf-snowpipe-X')))).toThrow(
      /snowflake\.snowpipeQueueArn: the Snowpipe queue is in us-east-1 but the stack \(and the lake bucket\) in eu-west-1/,
    );
    expect(() => readDeploySettings(settingsFile((s) => (s.region = 'mars')))).toThrow(/settings\.json:\n {2}region: an AWS region/);
  });

  test('SNS route for a Snowflake account in another region: a topic S3 may publish to, Snowflake may subscribe to, the bucket notifies', () => {
    const cross = (change: (sf: Json) => void) =>
      settingsFile((s) => {
        s.snowflake = { iamUserArn: s.snowflake.iamUserArn, externalId: s.snowflake.externalId, route: 'sns' };
        change(s.snowflake);
      });
    // A queue ARN is the sqs route's; on the sns route it is a mistake, named.
    expect(() => readDeploySettings(cross((sf) => (sf.snowpipeQueueArn = 'arn:aws:sqs:us-east-1:999999999999:sf-snowpipe-X')))).toThrow(/snowflake\.snowpipeQueueArn: the sns route notifies a topic/);
    const before = Template.fromStack(buildApp(cross(() => undefined)).stack);
    for (const schedule of Object.values(before.findResources('AWS::Scheduler::Schedule'))) expect((schedule as Json).Properties.State).toBe('DISABLED');
    const wired = Template.fromStack(buildApp(cross((sf) => (sf.snsSubscriberArn = 'arn:aws:iam::999999999999:user/sns-fake-subscriber'))).stack);
    const json = wired.toJSON();
    const [topicId] = Object.keys(wired.findResources('AWS::SNS::Topic', { Properties: { TopicName: 'soundlake-lake-raw' } }));
    wired.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Action: 'sns:Publish', Principal: { Service: 's3.amazonaws.com' }, Condition: { ArnLike: { 'aws:SourceArn': `arn:aws:s3:::${example.lakeBucketName}` }, StringEquals: { 'aws:SourceAccount': example.account } } }),
          Match.objectLike({ Action: 'sns:Subscribe', Principal: { AWS: 'arn:aws:iam::999999999999:user/sns-fake-subscriber' } }),
        ]),
      },
    });
    const [[, bucket]] = Object.entries(json.Resources as Record<string, Json>).filter(([, r]) => r.Type === 'AWS::S3::Bucket');
    expect(bucket.Properties.NotificationConfiguration).toEqual({
      TopicConfigurations: [{ Event: 's3:ObjectCreated:*', Topic: { Ref: topicId }, Filter: { S3Key: { Rules: [{ Name: 'prefix', Value: 'lake/raw/' }, { Name: 'suffix', Value: '.csv.gz' }] } } }],
    });
    // S3 checks the destination when the configuration is set: the topic policy comes first.
    expect(bucket.DependsOn).toEqual(expect.arrayContaining([expect.stringMatching(/^LakeTopicPolicy/)]));
    for (const schedule of Object.values(wired.findResources('AWS::Scheduler::Schedule'))) expect((schedule as Json).Properties.State).toBe('ENABLED');
    expect(json.Outputs).toHaveProperty('LakeTopicArn');
  });

  test('roles that start tasks may pass only the two job roles, and only to ECS tasks', () => {
    for (const prefix of ['SchedulerRole', 'BackfillStateMachineRole']) {
      const pass = statementsOf(roleId(prefix)).filter((s) => s.Action === 'iam:PassRole');
      expect(pass).toHaveLength(1);
      expect(pass[0].Condition).toEqual({ StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } });
      expect(pass[0].Resource.map((r: Json) => r['Fn::GetAtt'][0]).sort()).toEqual([roleId('JobsExecutionRole'), roleId('JobsTaskRole')].sort());
    }
  });

  test('a failed run alerts with the job, the exit code and its meaning; so do kills, failed starts, dead letters and missed runs', () => {
    for (const code of [1, 2, 3, 4] as const) {
      const [rule] = Object.values(template.findResources('AWS::Events::Rule', { Properties: { EventPattern: { detail: { containers: { exitCode: [code] } } } } })) as Json[];
      expect(rule.Properties.EventPattern).toMatchObject({ source: ['aws.ecs'], 'detail-type': ['ECS Task State Change'], detail: { lastStatus: ['STOPPED'], group: [{ prefix: 'family:soundlake-' }] } });
      const target = rule.Properties.Targets[0];
      expect(target.Arn.Ref).toMatch(/^AlertTopic/);
      expect(target.InputTransformer.InputTemplate).toContain(`exit ${code}, ${EXIT_CODE_MEANINGS[code]}`);
      expect(Object.values(target.InputTransformer.InputPathsMap)).toEqual(expect.arrayContaining(['$.detail.group', '$.detail.stoppedReason']));
    }
    // Exit 5 (lease held, nothing read) is not a failure and pages nobody.
    expect(Object.keys(template.findResources('AWS::Events::Rule', { Properties: { EventPattern: { detail: { containers: { exitCode: [5] } } } } }))).toHaveLength(0);
    template.hasResourceProperties('AWS::Events::Rule', { EventPattern: { detail: { containers: { exitCode: [{ 'anything-but': [0, 1, 2, 3, 4, 5] }] } } } });
    template.hasResourceProperties('AWS::Events::Rule', { EventPattern: { detail: { stopCode: ['TaskFailedToStart'] } } });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'ApproximateNumberOfMessagesVisible', Threshold: 1, AlarmActions: [{ Ref: Match.stringLikeRegexp('^AlertTopic') }] });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'soundlake-listening-events-no-success',
      Namespace: 'soundlake',
      MetricName: 'RunSucceeded',
      Dimensions: [{ Name: 'Job', Value: 'listening-events' }],
      Statistic: 'Sum',
      Period: 3600,
      EvaluationPeriods: 2,
      ComparisonOperator: 'LessThanThreshold',
      // Not breaching on missing data: created before any run, the alarm must not page.
      TreatMissingData: 'missing',
    });
    for (const [, alarm] of byType('AWS::CloudWatch::Alarm')) expect(alarm.Properties.TreatMissingData).not.toBe('breaching');
    template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: example.alerts.email });
  });

  test("the missed-run window: N periods of the job's schedule, within CloudWatch's limits (a day per period, 7 days in all)", () => {
    expect(noSuccessWindow(1, 2)).toEqual({ periodHours: 1, periods: 2, hours: 2 });
    expect(noSuccessWindow(24, 2)).toEqual({ periodHours: 24, periods: 2, hours: 48 });
    expect(noSuccessWindow(168, 2)).toEqual({ periodHours: 24, periods: 7, hours: 168 });
    for (const [, alarm] of byType('AWS::CloudWatch::Alarm')) expect(alarm.Properties.Period * alarm.Properties.EvaluationPeriods).toBeLessThanOrEqual(7 * 86400);
  });

  test('the run metrics dashboard graphs every job', () => {
    const [[, dashboard]] = byType('AWS::CloudWatch::Dashboard');
    const body = JSON.stringify(dashboard.Properties.DashboardBody);
    for (const d of JOB_DEPLOYMENTS) expect(body).toContain(`\\"Job\\",\\"${d.job}\\"`);
    for (const metric of ['RowsOut', 'RowsRejected', 'BytesWritten', 'RunSeconds', 'RunSucceeded', 'ExitCode']) expect(body).toContain(metric);
  });
});

/** The state machine's definition with every CloudFormation reference replaced by a plausible ARN. */
function backfillDefinition(): Json {
  const [[, machine]] = byType('AWS::StepFunctions::StateMachine');
  const parts = machine.Properties.DefinitionString['Fn::Join'][1] as (string | Json)[];
  const text = parts.map((p) => (typeof p === 'string' ? p : `arn:aws:ecs:eu-west-1:123456789012:resolved/${JSON.stringify(p).replace(/\W/g, '')}`)).join('');
  return JSON.parse(text) as Json;
}

describe('the backfill state machine', () => {
  const definition = backfillDefinition();
  const map = definition.States.Backfill;

  test('passes asl-validator', () => {
    const { isValid, errors } = aslValidator(definition);
    expect(errors).toEqual([]);
    expect(isValid).toBe(true);
  });

  test('a Distributed Map over $.items with bounded concurrency, a failure threshold, and capacity retries with backoff', () => {
    expect(map).toMatchObject({ Type: 'Map', ItemsPath: '$.items', MaxConcurrency: example.backfill.maxConcurrency });
    // 0 is the States Language default, so CDK leaves it out.
    expect(map.ToleratedFailurePercentage ?? 0).toBe(example.backfill.toleratedFailurePercentage);
    expect(map.ItemProcessor.ProcessorConfig).toEqual({ Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' });
    const runs = Object.entries(map.ItemProcessor.States as Record<string, Json>).filter(([, s]) => s.Type === 'Task');
    expect(runs.map(([name]) => name).sort()).toEqual(['RunDistrokid', 'RunListeningEvents']);
    for (const [, run] of runs) {
      expect(run.Resource).toBe('arn:aws:states:::ecs:runTask.sync');
      expect(run.Parameters.Overrides.ContainerOverrides).toEqual([{ Name: 'soundlake', 'Command.$': '$.command' }]);
      expect(run.Retry).toEqual([
        expect.objectContaining({ ErrorEquals: ['ECS.AmazonECSException', 'ECS.ServerException', 'ECS.ThrottlingException', 'ECS.LimitExceededException'], BackoffRate: 2, MaxAttempts: 6 }),
        // A failed or timed-out run is tried again later: exactly-once makes another attempt safe.
        expect.objectContaining({ ErrorEquals: ['States.TaskFailed', 'States.Timeout'], MaxAttempts: 2 }),
      ]);
      expect(run.TimeoutSeconds).toBe(example.backfill.itemTimeoutMinutes * 60);
    }
    const tuned = synth((s) => (s.backfill = { maxConcurrency: 3, toleratedFailurePercentage: 10, itemTimeoutMinutes: 60 }));
    const tunedMachine = Object.values(tuned.findResources('AWS::StepFunctions::StateMachine'))[0] as Json;
    expect(JSON.stringify(tunedMachine.Properties.DefinitionString)).toMatch(/\\"MaxConcurrency\\":3,.*\\"ToleratedFailurePercentage\\":10/);
  });

  test("the machine's role may poll and stop the tasks of its cluster, named by resource (no ecs:cluster condition that .sync polling may not meet)", () => {
    const tasks = statementsOf(roleId('BackfillStateMachineRole')).filter((s) => JSON.stringify(s.Action).includes('ecs:DescribeTasks'));
    expect(tasks).toEqual([expect.objectContaining({ Action: ['ecs:StopTask', 'ecs:DescribeTasks'], Resource: `arn:aws:ecs:${example.region}:${example.account}:task/soundlake/*` })]);
    expect(tasks[0].Condition).toBeUndefined();
  });

  test("the machine's role starts only the backfill jobs' task definitions", () => {
    const runTask = statementsOf(roleId('BackfillStateMachineRole')).filter((s) => s.Action === 'ecs:RunTask');
    const backfillTasks = taskDefs.filter(([, t]) => ['listening-events', 'distrokid'].includes(jobOf(t))).map(([id]) => id);
    expect(runTask.flatMap((s) => s.Resource.map((r: Json) => r.Ref)).sort()).toEqual(backfillTasks.sort());
  });

  test("every item backfill-plan prints is a command our CLI runs, on the task of the item's job", async () => {
    const program = buildProgram();
    program.commands.find((c) => c.name() === 'run')!.action(() => undefined);
    const jobs = Object.fromEntries(JOBS.map((j) => [j.name, j]));
    const items = [
      ...backfillPlan(jobs['listening-events'], { shards: 7, since: '2024-01-01', until: '2024-12-31' }),
      ...backfillPlan(jobs.distrokid, { shards: 1, since: '2024-01-01' }),
    ];
    expect(items).toHaveLength(8);
    const choices = (map.ItemProcessor.States.WhichJob.Choices as Json[]).map((c) => c.StringEquals);
    for (const item of items) {
      expect(choices).toContain(item.job);
      await expect(program.parseAsync(['node', 'soundlake', ...item.command])).resolves.toBeDefined();
    }
    // And really runs: each shard of a local landing set, read-only (--dry-run).
    const { dir, cleanup } = tempDir();
    try {
      fs.mkdirSync(path.join(dir, 'landing'));
      process.env.LISTENING_EVENTS_LANDING_URL = path.join(dir, 'landing');
      process.env.RUN_LOG_LEVEL = 'error';
      for (const item of items.filter((i) => i.job === 'listening-events')) {
        const { code, stderr } = await runCli([...item.command, '--lake', path.join(dir, 'lake'), '--dry-run']);
        expect({ command: item.command, code, stderr }).toEqual({ command: item.command, code: 0, stderr: '' });
      }
    } finally {
      delete process.env.LISTENING_EVENTS_LANDING_URL;
      delete process.env.RUN_LOG_LEVEL;
      cleanup();
    }
    const plan = await runCli(['backfill-plan', 'spotify-artists']);
    expect(plan.code).toBe(2);
    expect(plan.stderr).toMatch(/spotify-artists has no dated or shardable inputs/);
  });
});

describe('ecs/deploy.sh', () => {
  test('refuses a dirty tree before building or deploying anything (images are tagged by commit)', () => {
    const { dir, cleanup } = tempDir();
    try {
      fs.mkdirSync(path.join(dir, 'ecs'));
      fs.copyFileSync(path.join(root, 'ecs', 'deploy.sh'), path.join(dir, 'ecs', 'deploy.sh'));
      const git = (...args: string[]) => execFileSync('git', ['-c', 'user.email=t@example.com', '-c', 'user.name=t', ...args], { cwd: dir });
      git('init', '-q');
      git('add', '.');
      git('commit', '-qm', 'init');
      fs.writeFileSync(path.join(dir, 'uncommitted.txt'), 'x');
      fs.writeFileSync(path.join(dir, 'settings.json'), '{}');
      // No aws, docker or npm on this PATH: reaching any of them would fail differently.
      const result = spawnSync('bash', [path.join(dir, 'ecs', 'deploy.sh'), path.join(dir, 'settings.json')], { cwd: dir, encoding: 'utf8', env: { PATH: '/usr/bin:/bin' } });
      expect(result.status).toBe(2);
      expect(result.stderr).toMatch(/uncommitted changes; commit or stash them/);
    } finally {
      cleanup();
    }
  });

  test('deploys through a change set that tolerates no change, and recreates a stack whose first create failed', () => {
    const script = fs.readFileSync(path.join(root, 'ecs', 'deploy.sh'), 'utf8');
    expect(script).toMatch(/aws cloudformation deploy .*\n?.*--no-fail-on-empty-changeset/);
    expect(script).toMatch(/ROLLBACK_COMPLETE/);
    expect(script).not.toMatch(/update-stack|create-stack/);
  });
});
