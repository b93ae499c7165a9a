import { Duration } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import type { Construct } from 'constructs';
import { findJob } from '../src/jobs/registry';
import { canBackfill } from '../src/run/backfill-plan';
import type { DeploySettings } from './deploy-settings';
import { CONTAINER, passRoles, type JobTasks } from './job-tasks';
import { pascal } from './job-deployments';

/**
 * Errors Step Functions retries with backoff: ECS.AmazonECSException is what RunTask raises when
 * Fargate has no capacity ("Capacity is unavailable at this time") or throttles.
 */
export const CAPACITY_ERRORS = ['ECS.AmazonECSException'];

/**
 * The backfill: a Distributed Map over `$.items`, each `{ "job": NAME, "command": [...] }` with a
 * command `soundlake backfill-plan` prints (a shard, a window of days). Each item starts the job's
 * own task definition with its command and waits for it (ecs:runTask.sync): an item fails when
 * its task exits non-zero. At most `maxConcurrency` tasks at once; capacity errors retried with
 * backoff; the run fails once more than `toleratedFailurePercentage` of the items failed.
 */
export function backfillStateMachine(scope: Construct, s: DeploySettings, tasks: JobTasks, clusterArn: string): sfn.StateMachine {
  const network = {
    AwsvpcConfiguration: { Subnets: s.subnetIds, SecurityGroups: s.securityGroupIds, AssignPublicIp: s.assignPublicIp ? 'ENABLED' : 'DISABLED' },
  };
  // The jobs `soundlake backfill-plan` accepts (dated or shardable inputs).
  const backfillTasks = tasks.tasks.filter((t) => canBackfill(findJob(t.deployment.job)!));
  const choice = new sfn.Choice(scope, 'WhichJob', { comment: 'Each item runs on its own job task definition.' });
  for (const { deployment, taskDefinition } of backfillTasks) {
    const run = new sfn.CustomState(scope, `Run${pascal(deployment.job)}`, {
      stateJson: {
        Type: 'Task',
        Resource: 'arn:aws:states:::ecs:runTask.sync',
        Parameters: {
          Cluster: clusterArn,
          TaskDefinition: taskDefinition.taskDefinitionArn,
          LaunchType: 'FARGATE',
          NetworkConfiguration: network,
          Overrides: { ContainerOverrides: [{ Name: CONTAINER, 'Command.$': '$.command' }] },
          PropagateTags: 'TASK_DEFINITION',
        },
        Retry: [{ ErrorEquals: CAPACITY_ERRORS, IntervalSeconds: 30, BackoffRate: 2, MaxAttempts: 6, JitterStrategy: 'FULL' }],
      },
    });
    choice.when(sfn.Condition.stringEquals('$.job', deployment.job), run);
  }
  choice.otherwise(new sfn.Fail(scope, 'UnknownJob', { error: 'UnknownJob', cause: `items name one of: ${backfillTasks.map((t) => t.deployment.job).join(', ')}` }));

  const map = new sfn.DistributedMap(scope, 'Backfill', {
    itemsPath: '$.items',
    maxConcurrency: s.backfill.maxConcurrency,
    toleratedFailurePercentage: s.backfill.toleratedFailurePercentage,
    mapExecutionType: sfn.StateMachineType.STANDARD,
    label: 'Backfill',
  });
  map.itemProcessor(choice);

  const machine = new sfn.StateMachine(scope, 'BackfillStateMachine', {
    stateMachineName: 'soundlake-backfill',
    definitionBody: sfn.DefinitionBody.fromChainable(map),
    timeout: Duration.days(7),
    logs: { destination: new logs.LogGroup(scope, 'BackfillLogs', { logGroupName: '/soundlake/backfill', retention: logs.RetentionDays.THREE_MONTHS }), level: sfn.LogLevel.ERROR },
  });
  machine.addToRolePolicy(new iam.PolicyStatement({ actions: ['ecs:RunTask'], resources: backfillTasks.map((t) => t.taskDefinition.taskDefinitionArn) }));
  machine.addToRolePolicy(new iam.PolicyStatement({ actions: ['ecs:StopTask', 'ecs:DescribeTasks'], resources: ['*'], conditions: { ArnEquals: { 'ecs:cluster': clusterArn } } }));
  // runTask.sync learns that a task stopped through this managed EventBridge rule.
  machine.addToRolePolicy(
    new iam.PolicyStatement({
      actions: ['events:PutTargets', 'events:PutRule', 'events:DescribeRule'],
      resources: [`arn:aws:events:${s.region}:${s.account}:rule/StepFunctionsGetEventsForECSTaskRule`],
    }),
  );
  machine.addToRolePolicy(passRoles(tasks));
  return machine;
}
