import type { Command } from 'commander';
import { dateOption } from '../core/dates';
import { ConfigError } from '../core/errors';
import { findJob, JOBS } from '../runner/job-registry';
import { backfillPlan, canBackfill } from '../runner/backfill-plan';

export function addBackfillPlanCommand(program: Command): void {
  program
    .command('backfill-plan')
    .argument('<job>', `job to backfill: ${JOBS.filter(canBackfill).map((j) => j.name).join(', ')}`)
    .description('print the input of the backfill state machine: one item per task (shard), each a soundlake command')
    .option('--shards <n>', 'tasks to split a shardable job over, 1-1000 (default 1)', (raw) => {
      if (!/^\d{1,4}$/.test(raw) || Number(raw) < 1 || Number(raw) > 1000) throw new ConfigError(`--shards ${JSON.stringify(raw)}: expected a whole number from 1 to 1000`);
      return Number(raw);
    })
    .option('--since <YYYY-MM-DD>', 'only inputs of this day and later', dateOption('--since'))
    .option('--until <YYYY-MM-DD>', 'only inputs of this day and earlier', dateOption('--until'))
    .addHelpText(
      'after',
      '\nStart it with:\n' +
        '  soundlake backfill-plan listening-events --shards 8 --since 2024-01-01 --until 2024-12-31 > backfill.json\n' +
        '  aws stepfunctions start-execution --state-machine-arn ARN --input file://backfill.json\n' +
        '(ARN: the stack output BackfillStateMachineArn). Each item is one Fargate task of the job.',
    )
    .action((jobName: string, flags: { shards?: number; since?: string; until?: string }) => {
      const job = findJob(jobName);
      if (!job) throw new ConfigError(`unknown job "${jobName}"; the jobs are: ${JOBS.map((j) => j.name).join(', ')}`);
      console.log(JSON.stringify({ items: backfillPlan(job, { shards: flags.shards ?? 1, since: flags.since, until: flags.until }) }, null, 2));
    });
}
