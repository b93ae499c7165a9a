import { cliCommand } from '../core/cli-name';
import * as fsp from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { lakeFlag, loadConfig } from '../core/config';
import { parseDateFlag, utcToday } from '../core/dates';
import { ConfigError, LeaseHeldError, messageOf, NeedsPersonError, SoundlakeError } from '../core/errors';
import { killPoint } from '../core/kill-point';
import type { RunPhase } from '../core/run-phase';
import { createLogger, type Logger } from '../core/log';
import { configureS3 } from '../connections/s3';
import type { Job } from '../run/job';
import { JOBS, type JobEntry } from './job-registry';
import { isValidRunId, manifestKey, newRunId, packageKey, stagedPrivateKey, stagingKey } from '../lake/keys';
import { buildPackage, type RunManifest } from '../run/run-package';
import { LocalStore } from '../lake/local-store';
import { openStore } from '../lake/open-store';
import { assertWritableFolder } from '../lake/writable-folder';
import { readJobState } from '../lake/state';
import type { Store } from '../lake/store';
import { commitPackage, discardRun } from '../run/commit-package';
import { assertInputsUnchanged, type HousekeepingStep } from '../run/housekeeping';
import { InputLedger } from '../run/input-ledger';
import { IoCounters } from '../run/io-counters';
import { JobLease } from '../run/job-lease';
import { claimSlot, dropRedundantVoids, isVoidMarker, pruneSlots, settleSlots } from '../run/commit-slots';
import { collectAbandonedStaging, resumePackages } from '../run/resume';
import { JobState, secretFromEnv, type DateWindow, type RunContext } from '../run/run-context';
import { readRunSettings, type RunSettings } from './run-settings';
import { scopeOf, type Shard } from '../run/shard';
import { stageRun } from './stage-run';
import { jsonRecord } from '../lake/json-record';

export interface RunOptions {
  /** `--date YYYY-MM-DD`: the logical day of the run; default today (UTC). */
  date?: string;
  /** `--run-id`: an id for this run; refused when a run with that id was packaged or committed. */
  runId?: string;
  /** `--lake URL`: overrides [lake] url. */
  lake?: string;
  /** `--dry-run`: extract, validate and count, write nothing to the lake or the landing area. */
  dryRun?: boolean;
  /** `--since`/`--until` (YYYY-MM-DD, inclusive): only the inputs of those days (jobs with dated inputs). */
  since?: string;
  until?: string;
  /** `--shard i/n`: only the inputs of shard i; its own lease, staging and packages (jobs that support it). */
  shard?: Shard;
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
  window?: DateWindow;
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
  if (options.shard !== undefined && !job.shardable) throw new ConfigError(`--shard: ${job.name} cannot split its inputs into shards`);
  const since = options.since === undefined ? undefined : parseDateFlag('--since', options.since);
  const until = options.until === undefined ? undefined : parseDateFlag('--until', options.until);
  if ((since || until) && !job.dated) throw new ConfigError(`--since/--until: ${job.name} has no dated inputs to choose from`);
  if (since && until && since > until) throw new ConfigError(`--since ${since} is after --until ${until}`);
  const config = loadConfig({ env: options.env, dotenvDir: options.dotenvDir, flags: lakeFlag(options.lake) });
  const settings = readRunSettings(config);
  const jobConfig = job.parseConfig(config);
  return { settings, jobConfig, runId: options.runId ?? newRunId(), logicalDate, window: since || until ? { since, until } : undefined };
}

/** A run id names one run forever: one that was packaged or committed (by any job) is never extracted again. */
async function refuseUsedRunId(lake: Store, runId: string, jobs: readonly string[]): Promise<void> {
  for (const job of jobs) {
    if ((await lake.readText(manifestKey(job, runId))) !== undefined) {
      throw new ConfigError(
        `--run-id ${runId} is a committed run of ${job} (${lake.describe(manifestKey(job, runId))}); a run id is never extracted twice, ` +
          'since Snowpipe already loaded its files. Run without --run-id for a new run; an unfinished commit is finished by ' + cliCommand(`resume ${job}`) + '.',
      );
    }
    if ((await lake.readText(packageKey(job, runId))) !== undefined) {
      throw new ConfigError(`--run-id ${runId} is a packaged run of ${job} whose commit is unfinished; finish it with ${cliCommand(`resume ${job} --run-id ${runId}`)}`);
    }
  }
}

interface RunIdentity {
  job: string;
  scope: string;
  shard?: Shard;
  window?: DateWindow;
  runId: string;
  logicalDate: string;
  startedAt: Date;
  dryRun: boolean;
}

/**
 * Phase 2: the lease (one run of the scope at a time), then whatever a stopped run left: its
 * package finished, its claimed slot settled, a reused run id refused, the staging of runs that
 * died before packaging voided and removed. Returns the lease and the commit slot this run's
 * package will build on (run/commit-slots.ts).
 */
async function takeOver(
  lake: Store,
  run: RunIdentity,
  settings: RunSettings,
  log: Logger,
  allJobs: readonly string[],
  explicitRunId: boolean,
): Promise<{ lease: JobLease; base: number; voided: string[] }> {
  const lease = await JobLease.acquire(lake, run.scope, run.runId, settings.leaseMs, log);
  try {
    await resumePackages(lake, run.scope, { finishedBy: run.runId, concurrency: settings.s3.concurrency, log });
    const base = await settleSlots(lake, run.scope, run.job, run.runId, log);
    if (explicitRunId) await refuseUsedRunId(lake, run.runId, allJobs);
    const voided = await collectAbandonedStaging(lake, run.scope, run.job, run.runId, log);
    return { lease, base, voided };
  } catch (error) {
    await lease.release();
    throw error;
  }
}

/** What a job sees of the run; housekeeping steps it registers are collected in `housekeeping`. */
async function runContext(lake: Store, run: RunIdentity, log: Logger, signal: AbortSignal, housekeeping: HousekeepingStep[], threads: Pick<RunSettings, 'workers' | 'workersAuto'>): Promise<RunContext> {
  const { scope, runId, dryRun } = run;
  return {
    job: run.job,
    runId,
    logicalDate: run.logicalDate,
    extractedAt: run.startedAt.toISOString(),
    dryRun,
    log,
    signal,
    lake,
    shard: run.shard,
    window: run.window,
    workers: threads.workers,
    workersAuto: threads.workersAuto,
    spoolDir: dryRun ? path.join(os.tmpdir(), 'soundlake-dry-run', runId) : lake.spoolDir(scope, runId),
    inputs: new InputLedger(),
    io: new IoCounters(),
    // Read after the takeover: a package it finished may have just written it.
    state: new JobState(await readJobState(lake, run.job)),
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
}

/**
 * Phase 4: the package record, durable before anything is visible. Only while the lease holds and
 * the inputs are the versions read — and, not trusting the lease, only in the commit slot after the
 * one this run took over from, claimed with a create-only write, and only when no other run voided
 * this one meanwhile (run/commit-slots.ts).
 */
async function writePackage(lake: Store, pkg: RunManifest, lease: JobLease, base: number, log: Logger): Promise<RunManifest> {
  // The lease check saves a lost run the claim; it is not the fence, so a lake that cannot answer it now does not stop the run.
  await lease.assertHeld().catch((error: unknown) => {
    if (error instanceof LeaseHeldError) throw error;
    log.warn(`could not check the job lease before packaging (the commit slot still fences this run): ${messageOf(error)}`);
  });
  await assertInputsUnchanged(pkg.housekeeping);
  killPoint('before-claim');
  const seq = await claimSlot(lake, pkg.scope, pkg.job, pkg.run_id, base);
  killPoint('claimed');
  const fenced: RunManifest = { ...pkg, commit_seq: seq };
  if (!(await lake.putTextIfAbsent(packageKey(pkg.scope, pkg.run_id), jsonRecord(fenced)))) {
    if (isVoidMarker(await lake.readText(packageKey(pkg.scope, pkg.run_id)))) {
      throw new LeaseHeldError(`another run found this run (${pkg.run_id}) stalled and voided it before its package was written; nothing of this run was committed, and its inputs stay for the next run`);
    }
    throw new SoundlakeError(
      `a run package for ${pkg.run_id} already exists at ${lake.describe(packageKey(pkg.scope, pkg.run_id))}; finish it with ${cliCommand(`resume ${pkg.job} --run-id ${pkg.run_id}`)}`,
      1,
    );
  }
  killPoint('package');
  return fenced;
}

/** Phase 5: commit and housekeeping from the package; a failure leaves the package for the next run. */
async function commitRun(lake: Store, pkg: RunManifest, settings: RunSettings, log: Logger): Promise<RunManifest> {
  try {
    return await commitPackage(lake, pkg, pkg.run_id, settings.s3.concurrency, log);
  } catch (error) {
    if (error instanceof NeedsPersonError) throw error;
    throw new SoundlakeError(
      `run ${pkg.run_id} is packaged but its commit stopped: ${messageOf(error)}. Nothing is lost and nothing will load twice: ` +
        `the next run of ${pkg.job} finishes this commit before it reads anything, or run ${cliCommand(`resume ${pkg.job}`)} now`,
      1,
      { cause: error },
    );
  }
}

/**
 * Runs one job: prepare → lease and takeover → extract/stage → package → commit → housekeeping.
 * Exactly once: nothing is visible before the run package (every staged → final key, the state,
 * the housekeeping) is durable, and a package is only ever finished, never extracted again
 * (docs/exactly-once-protocol.md).
 */
/** Runs a registered job; every job's name is known, so an explicit run id used by another job is refused. */
export function runRegistered(entry: JobEntry, options: RunOptions): Promise<RunResult> {
  return entry.use((job) => runJob(job, { allJobs: JOBS.map((j) => j.name), ...options }));
}

export async function runJob<C, R>(job: Job<C, R>, options: RunOptions = {}): Promise<RunResult> {
  const { settings, jobConfig, runId, logicalDate, window } = prepare(job, options);
  const run: RunIdentity = {
    job: job.name,
    scope: scopeOf(job.name, options.shard),
    shard: options.shard,
    window,
    runId,
    logicalDate,
    startedAt: new Date(),
    dryRun: options.dryRun ?? false,
  };
  const log = createLogger({ level: settings.logLevel, stream: options.logStream }).child({
    job: job.name,
    run_id: runId,
    ...(options.shard ? { shard: `${options.shard.index}/${options.shard.count}` } : {}),
  });
  await configureS3(settings.s3);
  const lake = openStore(settings.lakeUrl);
  const timings: Record<string, number> = {};
  let lapStart = Date.now();
  const lap = (phase: RunPhase) => {
    timings[`${phase}_s`] = (Date.now() - lapStart) / 1000;
    lapStart = Date.now();
  };

  log.info(run.dryRun ? 'dry run starting (nothing will be written)' : 'run starting', { lake: lake.url, logical_date: logicalDate });
  let lease: JobLease | undefined;
  let packaged = false;
  try {
    if (!run.dryRun) {
      // Before anything is created (not even the lake folder or its lease): places the run must write.
      job.preflight?.(jobConfig);
      if (lake instanceof LocalStore) assertWritableFolder(lake.root, 'lake folder', `[lake] url (${settings.lakeUrl})`, { mayCreate: true });
      else assertWritableFolder(lake.spoolRoot(run.scope), 'spool folder (part files are written there before upload)', 'TMPDIR', { mayCreate: true });
    }
    await lake.check();
    let base = 0;
    let voided: string[] = [];
    if (!run.dryRun) ({ lease, base, voided } = await takeOver(lake, run, settings, log, options.allJobs ?? [job.name], options.runId !== undefined));
    const aborts = options.signal ?? new AbortController().signal;
    const housekeeping: HousekeepingStep[] = [];
    const ctx = await runContext(lake, run, log, lease ? AbortSignal.any([aborts, lease.signal]) : aborts, housekeeping, settings);
    lap('prepare');

    const tty = process.stderr.isTTY && !options.logStream ? process.stderr : undefined;
    const staged = await stageRun(job, jobConfig, ctx, { scope: run.scope, settings, spoolDir: ctx.spoolDir, tty, onBatch: options.onBatch });
    lap('extract_transform_write');

    const pkg = buildPackage({
      ...run,
      lake: lake.url,
      files: staged.files,
      stagedKey: (key) => stagingKey(run.scope, runId, key),
      nextState: ctx.state.pending(),
      housekeeping,
      tableCounts: staged.sink.counts,
      inputs: ctx.inputs.all(),
      rejectReasons: staged.sink.rejectReasons,
      io: ctx.io.toJSON(),
      timings,
    });
    if (run.dryRun) {
      await fsp.rm(ctx.spoolDir, { recursive: true, force: true });
      logSummary(log, pkg, undefined, run.startedAt);
      return { manifest: pkg };
    }
    const fenced = await writePackage(lake, pkg, lease!, base, log);
    packaged = true;
    lap('package');
    const manifest = await commitRun(lake, fenced, settings, log);
    await dropRedundantVoids(lake, run.scope, voided)
      .then(() => pruneSlots(lake, run.scope))
      .catch((error) => log.debug(`could not tidy commit slots and void markers: ${messageOf(error)}`));
    const manifestUrl = lake.describe(manifestKey(job.name, runId));
    logSummary(log, manifest, manifestUrl, run.startedAt);
    return { manifest, manifestUrl };
  } catch (caught) {
    let error = caught;
    // A run that lost its lease (paused, cut off, its lease deleted) stops for that reason, whatever
    // failed first in it: exit 5, the next run carries on.
    const taken = lease && !(error instanceof LeaseHeldError) && !packaged ? await lease.takenBy() : undefined;
    if (taken) error = new LeaseHeldError(taken, { cause: caught });
    else if (!packaged && (caught as NodeJS.ErrnoException).code === 'ENOSPC') error = diskFull(caught, lake.spoolDir(run.scope, runId));
    // Nothing of an unpackaged run is visible: its staging goes, whatever stopped it.
    if (lease && !packaged) await discardStaging(lake, run.scope, runId, log);
    if (error instanceof LeaseHeldError) log.warn(`run skipped: ${messageOf(error)}`);
    else log.error(`run failed: ${messageOf(error)}`);
    throw error;
  } finally {
    await lease?.release();
  }
}

/** ENOSPC names no path: say which disk the run fills (the spool, and the lake when it is local) and what to do. */
function diskFull(cause: unknown, spoolDir: string): SoundlakeError {
  return new SoundlakeError(
    `no space left on the disk of ${spoolDir} (${messageOf(cause)}): the run writes its part files there before staging them. ` +
      'Free space on that disk, or for an S3 lake point TMPDIR at a larger one. Nothing of this run was committed; the next run starts over',
    1,
    { cause },
  );
}

async function discardStaging(lake: Store, scope: string, runId: string, log: Logger): Promise<void> {
  try {
    await discardRun(lake, scope, runId);
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
  warnIfNothingLoaded(log, manifest);
}

/**
 * A run that left every input alone (files still settling, names matching no table) succeeds with
 * 0 rows, which reads like "done": say that nothing was loaded, why, and what to do.
 */
function warnIfNothingLoaded(log: Logger, manifest: RunManifest): void {
  const ignored = manifest.inputs.filter((input) => input.status === 'ignored');
  if (manifest.totals.rows_in > 0 || ignored.length === 0 || ignored.length !== manifest.inputs.length) return;
  const settling = ignored.filter((input) => /settle_seconds/.test(input.reason ?? '')).length;
  const why = settling > 0
    ? `${settling} of ${ignored.length} input(s) were modified too recently and are left to settle ([listening-events] settle_seconds). ` +
      'Run again once they have been unchanged that long, or set LISTENING_EVENTS_SETTLE_SECONDS=0 when files are complete as soon as they appear'
    : `all ${ignored.length} input(s) were left alone; the manifest's inputs say why for each`;
  log.warn(`nothing was loaded: ${why}`, { inputs_ignored: ignored.length });
}
