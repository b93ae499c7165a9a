import { Duration } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import type { Construct } from 'constructs';
import { findJob } from '../src/runner/job-registry';
import { canBackfill } from '../src/runner/backfill-plan';
import type { DeploySettings } from './deploy-settings';
import { CONTAINER, passRoles, type JobTasks } from './job-tasks';
import { pascal } from './job-deployments';
import { StackUnit } from './stack-unit';

export interface BackfillStateMachineProps {
  settings: DeploySettings;
  tasks: JobTasks;
  cluster: { arn: string; name: string };
}

/**
 * ECS API errors Step Functions retries with backoff: ECS.AmazonECSException is what RunTask raises
 * when Fargate has no capacity ("Capacity is unavailable at this time"); the service's own
 * transient errors (ECS.ServerException, ECS.ThrottlingException, ECS.LimitExceededException) come
 * under their own names, and ErrorEquals matches names exactly.
 */
export const CAPACITY_ERRORS = ['ECS.AmazonECSException', 'ECS.ServerException', 'ECS.ThrottlingException', 'ECS.LimitExceededException'];

/**
 * A task that stopped with a non-zero exit (States.TaskFailed: a failed run, or exit 5 while another
 * run held the lease) or ran past the item timeout (States.Timeout; Step Functions stops the task)
 * is tried again, twice, later: a run is exactly-once, so another attempt resumes or redoes only
 * what was not committed.
 */
export const RUN_FAILURES = ['States.TaskFailed', 'States.Timeout'];

/** `task/{cluster name}/*`: the tasks of our cluster, named by resource as ECS's IAM reference allows for StopTask and DescribeTasks. */
export const clusterTasksArn = (s: DeploySettings, clusterName: string) => `arn:aws:ecs:${s.region}:${s.account}:task/${clusterName}/*`;

/**
 * The backfill: a Distributed Map over `$.items`, each `{ "job": NAME, "command": [...] }` with a
 * command `soundlake backfill-plan` prints (a shard, a window of days). Each item starts the job's
 * own task definition with its command and waits for it (ecs:runTask.sync): an item fails when
 * its task exits non-zero. At most `maxConcurrency` tasks at once; capacity errors retried with
 * backoff; the run fails once more than `toleratedFailurePercentage` of the items failed.
 */
export class BackfillStateMachine extends StackUnit {
  readonly stateMachine: sfn.StateMachine;

  constructor(scope: Construct, id: string, { settings: s, tasks, cluster }: BackfillStateMachineProps) {
    super(scope, id);
    const clusterArn = cluster.arn;
    const network = {
      AwsvpcConfiguration: { Subnets: s.subnetIds, SecurityGroups: s.securityGroupIds, AssignPublicIp: s.egress === 'public-ip' ? 'ENABLED' : 'DISABLED' },
    };
    // The jobs `soundlake backfill-plan` accepts (dated or shardable inputs).
    const backfillTasks = tasks.tasks.filter((t) => canBackfill(findJob(t.deployment.job)!));
    const choice = new sfn.Choice(this, 'WhichJob', { comment: 'Each item runs on its own job task definition.' });
    for (const { deployment, taskDefinition } of backfillTasks) {
      const run = new sfn.CustomState(this, `Run${pascal(deployment.job)}`, {
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
          // A run that hangs must not hold a Map slot for the whole backfill.
          TimeoutSeconds: s.backfill.itemTimeoutMinutes * 60,
          Retry: [
            { ErrorEquals: CAPACITY_ERRORS, IntervalSeconds: 30, BackoffRate: 2, MaxAttempts: 6, JitterStrategy: 'FULL' },
            { ErrorEquals: RUN_FAILURES, IntervalSeconds: 300, BackoffRate: 2, MaxAttempts: 2, JitterStrategy: 'FULL' },
          ],
        },
      });
      choice.when(sfn.Condition.stringEquals('$.job', deployment.job), run);
    }
    choice.otherwise(new sfn.Fail(this, 'UnknownJob', { error: 'UnknownJob', cause: `items name one of: ${backfillTasks.map((t) => t.deployment.job).join(', ')}` }));

    const map = new sfn.DistributedMap(this, 'Backfill', {
      itemsPath: '$.items',
      maxConcurrency: s.backfill.maxConcurrency,
      toleratedFailurePercentage: s.backfill.toleratedFailurePercentage,
      mapExecutionType: sfn.StateMachineType.STANDARD,
      label: 'Backfill',
    });
    map.itemProcessor(choice);

    const machine = new sfn.StateMachine(this, 'BackfillStateMachine', {
      stateMachineName: 'soundlake-backfill',
      definitionBody: sfn.DefinitionBody.fromChainable(map),
      timeout: Duration.days(7),
      logs: { destination: new logs.LogGroup(this, 'BackfillLogs', { logGroupName: '/soundlake/backfill', retention: logs.RetentionDays.THREE_MONTHS }), level: sfn.LogLevel.ERROR },
    });
    machine.addToRolePolicy(new iam.PolicyStatement({ actions: ['ecs:RunTask'], resources: backfillTasks.map((t) => t.taskDefinition.taskDefinitionArn) }));
    // By resource, not by an ecs:cluster condition: .sync polls DescribeTasks and stops a timed-out task with StopTask.
    machine.addToRolePolicy(new iam.PolicyStatement({ actions: ['ecs:StopTask', 'ecs:DescribeTasks'], resources: [clusterTasksArn(s, cluster.name)] }));
    // runTask.sync learns that a task stopped through this managed EventBridge rule.
    machine.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['events:PutTargets', 'events:PutRule', 'events:DescribeRule'],
        resources: [`arn:aws:events:${s.region}:${s.account}:rule/StepFunctionsGetEventsForECSTaskRule`],
      }),
    );
    machine.addToRolePolicy(passRoles(tasks));
    this.stateMachine = machine;
  }
}
