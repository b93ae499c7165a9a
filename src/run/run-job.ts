import * as fsp from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { lakeFlag, loadConfig } from '../core/config';
import { parseDateFlag, utcToday } from '../core/dates';
import { ConfigError, LeaseHeldError, messageOf, SoundlakeError } from '../core/errors';
import { killPoint } from '../core/kill-point';
import { createLogger, type Logger } from '../core/log';
import { configureS3 } from '../connections/s3';
import type { Job } from '../jobs/job';
import { isValidRunId, manifestKey, newRunId, packageKey, stagedPrivateKey, stagingKey } from '../lake/keys';
import { buildPackage, type RunManifest } from '../lake/manifest';
import { openStore } from '../lake/open-store';
import { readJobState } from '../lake/state';
import type { Store } from '../lake/store';
import { clearStaging, commitPackage } from './commit-package';
import { assertInputsUnchanged, type HousekeepingStep } from './housekeeping';
import { InputLedger } from './input-ledger';
import { IoCounters } from './io-counters';
import { JobLease } from './job-lease';
import { collectAbandonedStaging, resumePackages } from './resume';
import { JobState, secretFromEnv, type RunContext } from './run-context';
import { readRunSettings, type RunSettings } from './run-settings';
import { stageRun } from './stage-run';

export interface RunOptions {
  /** `--date YYYY-MM-DD`: the logical day of the run; default today (UTC). */
  date?: string;
  /** `--run-id`: an id for this run; refused when a run with that id was packaged or committed. */
  runId?: string;
  /** `--lake URL`: overrides [lake] url. */
  lake?: string;
  /** `--dry-run`: extract, validate and count, write nothing to the lake or the landing area. */
  dryRun?: boolean;
  /** Every registered job's name: a `--run-id` used by any of them is refused. */
  allJobs?: readonly string[];
  /** Environment to read settings from (tests pass their own); default process.env. */
  env?: NodeJS.ProcessEnv;
  /** Where `.env` is looked for; null skips it. Default: the working folder. */
  dotenvDir?: string | null;
  /** Log destination; default stderr. */
  logStream?: NodeJS.WritableStream;
  /** Aborts the run (SIGTERM in production is wired to this by the CLI). */
  signal?: AbortSignal;
  /** Called once per extracted batch; tests use it to act at a chosen point. */
  onBatch?: (rowsSoFar: number) => void;
}

export interface RunResult {
  manifest: RunManifest;
  /** Where the manifest was written; undefined on a dry run. */
  manifestUrl?: string;
}

interface PreparedRun<C> {
  settings: RunSettings;
  jobConfig: C;
  runId: string;
  logicalDate: string;
}

/** Phase 1, without I/O: flags, settings, the job's own config. */
function prepare<C, R>(job: Job<C, R>, options: RunOptions): PreparedRun<C> {
  const logicalDate = options.date === undefined ? utcToday() : parseDateFlag('--date', options.date);
  if (options.runId !== undefined && !isValidRunId(options.runId)) {
    throw new ConfigError(`--run-id ${JSON.stringify(options.runId)}: expected 1-64 of A-Z a-z 0-9 _ - (starting with a letter or digit)`);
  }
  const config = loadConfig({ env: options.env, dotenvDir: options.dotenvDir, flags: lakeFlag(options.lake) });
  const settings = readRunSettings(config);
  const jobConfig = job.parseConfig(config);
  return { settings, jobConfig, runId: options.runId ?? newRunId(), logicalDate };
}

/** A run id names one run forever: one that was packaged or committed (by any job) is never extracted again. */
async function refuseUsedRunId(lake: Store, runId: string, jobs: readonly string[]): Promise<void> {
  for (const job of jobs) {
    if ((await lake.readText(manifestKey(job, runId))) !== undefined) {
      throw new ConfigError(
        `--run-id ${runId} is a committed run of ${job} (${lake.describe(manifestKey(job, runId))}); a run id is never extracted twice, ` +
          'since Snowpipe already loaded its files. Run without --run-id for a new run; an unfinished commit is finished by `soundlake resume`.',
      );
    }
    if ((await lake.readText(packageKey(job, runId))) !== undefined) {
      throw new ConfigError(`--run-id ${runId} is a packaged run of ${job} whose commit is unfinished; finish it with \`soundlake resume ${job} --run-id ${runId}\``);
    }
  }
}

/**
 * Runs one job: prepare → lease → resume what a stopped run left → extract/stage → package →
 * commit → housekeeping. Exactly once: nothing is visible before the run package (every staged →
 * final key, the state, the housekeeping) is durable, and a package is only ever finished, never
 * extracted again (README "All or nothing").
 */
export async function runJob<C, R>(job: Job<C, R>, options: RunOptions = {}): Promise<RunResult> {
  const { settings, jobConfig, runId, logicalDate } = prepare(job, options);
  const scope = job.name;
  const startedAt = new Date();
  const log = createLogger({ level: settings.logLevel, stream: options.logStream }).child({ job: job.name, run_id: runId });
  await configureS3(settings.s3);
  const lake = openStore(settings.lakeUrl);
  const dryRun = options.dryRun ?? false;
  const timings: Record<string, number> = {};
  let lapStart = Date.now();
  const lap = (name: string) => {
    timings[name] = (Date.now() - lapStart) / 1000;
    lapStart = Date.now();
  };

  log.info(dryRun ? 'dry run starting (nothing will be written)' : 'run starting', { lake: lake.url, logical_date: logicalDate });
  let lease: JobLease | undefined;
  let packaged = false;
  try {
    await lake.check();
    if (!dryRun) {
      lease = await JobLease.acquire(lake, scope, runId, settings.leaseMs, log);
      await resumePackages(lake, scope, { finishedBy: runId, concurrency: settings.s3.concurrency, log });
      if (options.runId !== undefined) await refuseUsedRunId(lake, runId, options.allJobs ?? [job.name]);
      await collectAbandonedStaging(lake, scope, runId, log);
    }
    const housekeeping: HousekeepingStep[] = [];
    const spoolDir = dryRun ? path.join(os.tmpdir(), 'soundlake-dry-run', runId) : lake.spoolDir(scope, runId);
    const ctx: RunContext = {
      job: job.name,
      runId,
      logicalDate,
      extractedAt: startedAt.toISOString(),
      dryRun,
      log,
      signal: lease ? AbortSignal.any([options.signal ?? new AbortController().signal, lease.signal]) : (options.signal ?? new AbortController().signal),
      lake,
      spoolDir,
      inputs: new InputLedger(),
      io: new IoCounters(),
      // Read after the resume: a finished package may have just written it.
      state: new JobState(await readJobState(lake, job.name)),
      secret: secretFromEnv,
      afterCommit: (step) => {
        if (!dryRun) housekeeping.push(step);
      },
      stagePrivate: async (name, text) => {
        const key = stagedPrivateKey(scope, runId, name);
        if (!dryRun) await lake.putText(key, text, { private: true });
        return { store: lake.url, key };
      },
    };
    lap('prepare_s');

    const tty = process.stderr.isTTY && !options.logStream ? process.stderr : undefined;
    const staged = await stageRun(job, jobConfig, ctx, { scope, settings, spoolDir, tty, onBatch: options.onBatch });
    lap('extract_transform_write_s');

    const pkg = buildPackage({
      job: job.name,
      scope,
      runId,
      logicalDate,
      dryRun,
      lake: lake.url,
      startedAt,
      files: staged.files,
      stagedKey: (key) => stagingKey(scope, runId, key),
      nextState: ctx.state.pending(),
      housekeeping,
      tableCounts: staged.sink.counts,
      inputs: ctx.inputs.all(),
      rejectReasons: staged.sink.rejectReasons,
      io: ctx.io.toJSON(),
      timings,
    });
    if (dryRun) {
      await fsp.rm(spoolDir, { recursive: true, force: true });
      logSummary(log, pkg, undefined, startedAt);
      return { manifest: pkg };
    }

    await lease!.assertHeld();
    await assertInputsUnchanged(housekeeping);
    if (!(await lake.putTextIfAbsent(packageKey(scope, runId), `${JSON.stringify(pkg, null, 2)}\n`))) {
      throw new SoundlakeError(`a run package for ${runId} already exists at ${lake.describe(packageKey(scope, runId))}; finish it with \`soundlake resume ${job.name} --run-id ${runId}\``, 1);
    }
    packaged = true;
    killPoint('package');
    lap('package_s');

    let manifest: RunManifest;
    try {
      manifest = await commitPackage(lake, pkg, runId, settings.s3.concurrency, log);
    } catch (error) {
      throw new SoundlakeError(
        `run ${runId} is packaged but its commit stopped: ${messageOf(error)}. Nothing is lost and nothing will load twice: ` +
          `the next run of ${job.name} finishes this commit before it reads anything, or run \`soundlake resume ${job.name}\` now`,
        1,
        { cause: error },
      );
    }
    lap('commit_s');
    manifest.timings = timings;
    const manifestUrl = lake.describe(manifestKey(job.name, runId));
    logSummary(log, manifest, manifestUrl, startedAt);
    return { manifest, manifestUrl };
  } catch (error) {
    if (error instanceof LeaseHeldError) {
      log.warn(`run skipped: ${messageOf(error)}`);
    } else {
      if (lease && !packaged && !dryRun) await discardStaging(lake, scope, runId, log);
      log.error(`run failed: ${messageOf(error)}`);
    }
    throw error;
  } finally {
    await lease?.release();
  }
}

async function discardStaging(lake: Store, scope: string, runId: string, log: Logger): Promise<void> {
  try {
    await clearStaging(lake, scope, runId);
    await fsp.rm(lake.spoolDir(scope, runId), { recursive: true, force: true });
  } catch (error) {
    // Nothing under _staging/ is ever loaded; the next run of the job collects what is left.
    log.warn(`could not clear this run's staging: ${messageOf(error)}`);
  }
}

function logSummary(log: Logger, manifest: RunManifest, manifestUrl: string | undefined, startedAt: Date): void {
  const t = manifest.totals;
  const o = manifest.outcome;
  log.info(manifest.dry_run ? 'dry run finished; nothing was written' : 'run succeeded', {
    files: t.files,
    rows: t.rows_out,
    rejects: t.rows_rejected,
    rows_in: t.rows_in,
    bytes: t.bytes,
    ...(o.inputs_in_error > 0 ? { inputs_in_error: o.inputs_in_error } : {}),
    ...(o.inputs_ignored > 0 ? { inputs_ignored: o.inputs_ignored } : {}),
    seconds: Math.round((Date.now() - startedAt.getTime()) / 10) / 100,
    ...(manifestUrl ? { manifest: manifestUrl } : {}),
  });
  if (o.inputs_in_error > 0) {
    log.warn(`${o.inputs_in_error} input(s) could not be processed and were set aside with their reason; see the manifest's inputs`);
  }
}
