import type { Command } from 'commander';
import { ConfigError } from '../core/errors';
import { findJob, JOBS } from '../jobs/registry';
import type { RunOptions } from '../runner';

/** Runs `fn` with an AbortSignal that SIGTERM (ECS stopping the task) and SIGINT (Ctrl-C) fire. */
export async function withAbortOnSignals<T>(fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const onTerm = () => controller.abort('received SIGTERM');
  const onInt = () => controller.abort('received SIGINT');
  process.once('SIGTERM', onTerm);
  process.once('SIGINT', onInt);
  try {
    return await fn(controller.signal);
  } finally {
    process.off('SIGTERM', onTerm);
    process.off('SIGINT', onInt);
  }
}

interface RunFlags {
  date?: string;
  runId?: string;
  lake?: string;
  dryRun?: boolean;
}

export function addRunCommand(program: Command): void {
  program
    .command('run')
    .argument('<job>', `job to run: ${JOBS.map((j) => j.name).join(', ')}`)
    .description('run one job: extract, transform, stage, commit, write the manifest')
    .option('--date <YYYY-MM-DD>', 'logical day of the run (partitions undated tables); default today, UTC')
    .option('--run-id <id>', 'run id; reuse a failed run\'s id to recommit the same keys (exactly-once)')
    .option('--lake <url>', 'lake folder or s3://bucket/prefix; overrides [lake] url / LAKE_URL')
    .option('--dry-run', 'read, validate and count everything; write nothing to the lake or the landing area')
    .addHelpText(
      'after',
      '\nExit codes: 0 success, 1 the run failed, 2 usage or configuration error,\n' +
        '            3 a person must act (expired login or token), 4 the source changed shape.\n' +
        'Settings come from config/default.ini, SOUNDLAKE_CONFIG, the environment (.env) and these flags.',
    )
    .action(async (jobName: string, flags: RunFlags) => {
      const job = findJob(jobName);
      if (!job) throw new ConfigError(`unknown job "${jobName}"; the jobs are: ${JOBS.map((j) => j.name).join(', ')}`);
      const options: RunOptions = { date: flags.date, runId: flags.runId, lake: flags.lake, dryRun: flags.dryRun };
      await withAbortOnSignals((signal) => job.run({ ...options, signal }));
    });
}

export function addJobsCommand(program: Command): void {
  program
    .command('jobs')
    .description('list the registered jobs')
    .action(() => {
      const width = Math.max(...JOBS.map((j) => j.name.length));
      for (const job of JOBS) console.log(`${job.name.padEnd(width)}  ${job.description}`);
    });
}
