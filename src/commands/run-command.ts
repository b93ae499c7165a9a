import { describeRun } from '../runner/run-report';
import type { Command } from 'commander';
import { dateOption } from '../core/dates';
import { loadConfig } from '../core/config';
import { ConfigError, EXIT_CODE_MEANINGS, ExitCode, exitCodeOf } from '../core/errors';
import { findJob, JOBS, type JobEntry } from '../runner/job-registry';
import { resumeJob } from '../runner/resume-job';
import { emitRunMetrics, metricsMode } from '../runner/run-metrics';
import { parseShard, type Shard } from '../run/shard';
import { runRegistered, type RunOptions } from '../runner/run-job';
import { withAbortOnSignals } from './abort-on-signals';

interface RunFlags {
  date?: string;
  runId?: string;
  lake?: string;
  dryRun?: boolean;
  shard?: Shard;
  since?: string;
  until?: string;
}

export function addRunCommand(program: Command): void {
  program
    .command('run')
    .argument('<job>', `job to run: ${JOBS.map((j) => j.name).join(', ')}`)
    .description('run one job: extract, transform, stage, commit, write the manifest')
    .option('--date <YYYY-MM-DD>', 'logical day of the run (partitions undated tables); default today, UTC', dateOption('--date'))
    .option('--run-id <id>', 'id for this run (default: UTC time to the ms + 64 random bits); an id already packaged or committed is refused')
    .option('--lake <url>', 'lake folder or s3://bucket/prefix; overrides [lake] url / LAKE_URL')
    .option('--dry-run', 'read, validate and count everything; write nothing to the lake or the landing area')
    .option('--since <YYYY-MM-DD>', 'only inputs of this day and later (listening-events: files by the day in their name; distrokid: stats days)', dateOption('--since'))
    .option('--until <YYYY-MM-DD>', 'only inputs of this day and earlier', dateOption('--until'))
    .option('--shard <i/n>', 'take only the inputs whose name hashes to shard i of n (listening-events): n runs split a landing set with no overlap', parseShard)
    .addHelpText(
      'after',
      `\nExit codes: ${Object.entries(EXIT_CODE_MEANINGS)
        .map(([code, meaning]) => `${code} ${meaning}`)
        .join(',\n            ')}.\n` +
        'A run first finishes any commit a stopped run of the job left (see `soundlake resume`).\n' +
        'Settings come from config/default.ini, SOUNDLAKE_CONFIG, the environment (.env) and these flags.',
    )
    .action(async (jobName: string, flags: RunFlags) => {
      const job = jobNamed(jobName);
      const options: RunOptions = { date: flags.date, runId: flags.runId, lake: flags.lake, dryRun: flags.dryRun, shard: flags.shard, since: flags.since, until: flags.until };
      const emf = metricsWanted();
      const started = performance.now();
      const seconds = () => (performance.now() - started) / 1000;
      try {
        const result = await withAbortOnSignals((signal) => runRegistered(job, { ...options, signal }));
        // A person at a terminal gets the whole story; a scheduler's logs have the manifest.
        if (process.stdout.isTTY) console.log(describeRun(result.manifest, result.manifestUrl));
        if (emf) await emitRunMetrics({ job: job.name, exitCode: ExitCode.ok, seconds: seconds(), manifest: result.manifest });
      } catch (error) {
        if (emf) await emitRunMetrics({ job: job.name, exitCode: exitCodeOf(error), seconds: seconds() });
        throw error;
      }
    });
}

/** `[run] metrics = emf`? A config that does not load emits nothing; the run reports that error itself. */
function metricsWanted(): boolean {
  try {
    return metricsMode(loadConfig()) === 'emf';
  } catch {
    return false;
  }
}

function jobNamed(name: string): JobEntry {
  const job = findJob(name);
  if (!job) throw new ConfigError(`unknown job "${name}"; the jobs are: ${JOBS.map((j) => j.name).join(', ')}`);
  return job;
}

export function addResumeCommand(program: Command): void {
  program
    .command('resume')
    .argument('<job>', `job whose unfinished commits to finish: ${JOBS.map((j) => j.name).join(', ')}`)
    .description('finish the commits that stopped runs of a job left (a run does this first anyway); never extracts')
    .option('--run-id <id>', 'only this run; default every unfinished one, oldest first')
    .option('--lake <url>', 'lake folder or s3://bucket/prefix; overrides [lake] url / LAKE_URL')
    .option('--shard <i/n>', 'the commits of shard i of n (runs started with --shard i/n)', parseShard)
    .option('--abandon <run-id>', "end that run's package, which can never finish (exit 3 named it): keep what was published, set its inputs aside in error/{run}/")
    .addHelpText(
      'after',
      '\nA run whose commit was cut (an S3 error, a killed task) left its run package in _packages/{job}/.\n' +
        'This publishes its remaining files (a key already holding the same bytes counts as done), writes\n' +
        'the job state, moves its inputs, and writes the manifest. Exit 5 when a run of the job is working.\n' +
        'A package whose staged files are gone can never finish (exit 3 says so): --abandon ends it without\n' +
        'loading anything twice; the reason file beside each input says which rows loaded.',
    )
    .action(async (jobName: string, flags: { runId?: string; lake?: string; shard?: Shard; abandon?: string }) => {
      const job = jobNamed(jobName);
      const finished = await resumeJob(job.name, { runId: flags.runId, lake: flags.lake, shard: flags.shard, abandon: flags.abandon });
      if (finished.length === 0) console.log('nothing to resume');
      if (flags.abandon !== undefined) {
        for (const m of finished) console.log(`abandoned run ${m.run_id}: ${m.files.length} published file(s) kept, ${m.abandoned?.lost_files.length ?? 0} lost (${m.abandoned?.lost_rows ?? 0} rows); its inputs are in error/${m.run_id}/`);
        return;
      }
      for (const m of finished) console.log(`finished the commit of run ${m.run_id}: ${m.files.length} files (${m.commit?.already_present ?? 0} were already in place)`);
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
