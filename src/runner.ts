import * as fsp from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { lakeFlag, loadConfig, type Config } from './core/config';
import { AbortedError, ConfigError, messageOf, SoundlakeError } from './core/errors';
import { createLogger, type Logger } from './core/log';
import { configureS3 } from './connections/s3';
import type { Job } from './jobs/job';
import { clearStaging, commitStaged } from './lake/commit';
import { isValidRunId, manifestKey, newRunId, stagingKey } from './lake/keys';
import { buildManifest, type RunManifest } from './lake/manifest';
import { openStore } from './lake/open-store';
import { PartitionedWriter } from './lake/partitioned-writer';
import { readJobState, writeJobState } from './lake/state';
import type { Store } from './lake/store';
import { InputLedger } from './run/input-ledger';
import { IoCounters } from './run/io-counters';
import { Progress } from './run/progress';
import { RowSink } from './run/row-sink';
import { JobState, secretFromEnv, type RunContext } from './run/run-context';
import { readRunSettings, type RunSettings } from './run/run-settings';

export interface RunOptions {
  /** `--date YYYY-MM-DD`: the logical day of the run; default today (UTC). */
  date?: string;
  /** `--run-id`: reuse to recommit the same keys after a failed commit. */
  runId?: string;
  /** `--lake URL`: overrides [lake] url. */
  lake?: string;
  /** `--dry-run`: extract, validate and count, write nothing to the lake or the landing area. */
  dryRun?: boolean;
  /** Environment to read settings from (tests pass their own); default process.env. */
  env?: NodeJS.ProcessEnv;
  /** Where `.env` is looked for; null skips it. Default: the working folder. */
  dotenvDir?: string | null;
  /** Log destination; default stderr. */
  logStream?: NodeJS.WritableStream;
  /** Aborts the run (SIGTERM in production is wired to this by the CLI). */
  signal?: AbortSignal;
  /** Called once per extracted batch; tests use it to abort at a chosen point. */
  onBatch?: (rowsSoFar: number) => void;
}

export interface RunResult {
  manifest: RunManifest;
  /** Where the manifest was written; undefined on a dry run. */
  manifestUrl?: string;
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;

interface PreparedRun<C> {
  config: Config;
  settings: RunSettings;
  jobConfig: C;
  runId: string;
  logicalDate: string;
}

/** Everything that can be checked without I/O: flags, settings, the job's own config. */
function prepare<C, R>(job: Job<C, R>, options: RunOptions): PreparedRun<C> {
  if (options.date !== undefined && (!DATE.test(options.date) || Number.isNaN(Date.parse(options.date)))) {
    throw new ConfigError(`--date ${JSON.stringify(options.date)}: expected a YYYY-MM-DD date`);
  }
  if (options.runId !== undefined && !isValidRunId(options.runId)) {
    throw new ConfigError(`--run-id ${JSON.stringify(options.runId)}: expected 1-64 of A-Z a-z 0-9 _ - (starting with a letter or digit)`);
  }
  const config = loadConfig({
    env: options.env,
    dotenvDir: options.dotenvDir,
    flags: lakeFlag(options.lake),
  });
  const settings = readRunSettings(config);
  const jobConfig = job.parseConfig(config);
  const now = new Date();
  return {
    config,
    settings,
    jobConfig,
    runId: options.runId ?? newRunId(now),
    logicalDate: options.date ?? now.toISOString().slice(0, 10),
  };
}

/**
 * runJob(): config → extract → transform → sink → commit → manifest. All-or-nothing: files are
 * staged under `_staging/{runId}/` and moved to their final keys only after the whole run
 * succeeded; a failed or aborted run leaves nothing outside `_staging/`.
 */
export async function runJob<C, R>(job: Job<C, R>, options: RunOptions = {}): Promise<RunResult> {
  const prepared = prepare(job, options);
  const { settings, jobConfig, runId, logicalDate } = prepared;
  const startedAt = new Date();
  const log = createLogger({ level: settings.logLevel, stream: options.logStream }).child({ job: job.name, run_id: runId });
  await configureS3(settings.s3);
  const lake = openStore(settings.lakeUrl);
  const dryRun = options.dryRun ?? false;
  const timings: Record<string, number> = {};
  const lap = (name: string, since: number) => (timings[name] = (Date.now() - since) / 1000);
  const extractedAt = startedAt.toISOString().replace(/\.\d{3}Z$/, 'Z');
  const io = new IoCounters();

  const spoolDir = dryRun ? path.join(os.tmpdir(), 'soundlake-dry-run', runId) : lake.spoolDir(runId);
  const writer = new PartitionedWriter({
    runId,
    extractedAt,
    spoolDir,
    maxFileBytes: settings.maxFileBytes,
    maxOpenFiles: settings.maxOpenFiles,
    gzipLevel: settings.gzipLevel,
    concurrency: settings.s3.concurrency,
    onFileClosed: dryRun
      ? (_file, localPath) => fsp.rm(localPath, { force: true })
      : async (file, localPath) => {
          await lake.putFile(stagingKey(runId, file.key), localPath);
          io.add('lake_files_staged');
        },
  });
  const inputs = new InputLedger();
  const committedTasks: (() => Promise<void>)[] = [];
  const ctx: RunContext = {
    job: job.name,
    runId,
    logicalDate,
    extractedAt,
    dryRun,
    log,
    signal: options.signal ?? new AbortController().signal,
    lake,
    inputs,
    io,
    state: new JobState(undefined),
    secret: secretFromEnv,
    onCommitted: (task) => void committedTasks.push(task),
  };

  try {
    let t = Date.now();
    log.info(dryRun ? 'dry run starting (nothing will be written)' : 'run starting', { lake: lake.url, logical_date: logicalDate });
    await lake.check();
    ctx.state = new JobState(await readJobState(lake, job.name));
    if (!dryRun) {
      const cleared = await clearStaging(lake, runId);
      if (cleared > 0) log.warn('removed files a previous attempt of this run left in _staging/', { files: cleared });
    }
    lap('prepare_s', t);

    t = Date.now();
    const sink = new RowSink(writer, inputs, logicalDate);
    const progress = new Progress(log, process.stderr.isTTY && !options.logStream ? process.stderr : undefined, settings.progressSeconds);
    for await (const batch of job.extract(jobConfig, ctx)) {
      for (const record of batch) job.transform(record, sink, ctx);
      await sink.settle();
      await writer.drain();
      const rows = inputs.totalIn();
      progress.update(rows);
      options.onBatch?.(rows);
      if (ctx.signal.aborted) throw new AbortedError(String(ctx.signal.reason ?? 'aborted'));
    }
    await sink.flushDeduplicated();
    const files = await writer.finish();
    await removeEmptySpool(spoolDir);
    progress.done();
    inputs.assertBalanced();
    lap('extract_transform_write_s', t);
    if (ctx.signal.aborted) throw new AbortedError(String(ctx.signal.reason ?? 'aborted'));

    t = Date.now();
    if (!dryRun) await commitStaged(lake, runId, files.map((f) => f.key), settings.s3.concurrency);
    lap('commit_s', t);
    const manifest = buildManifest({
      job: job.name,
      runId,
      logicalDate,
      dryRun,
      lake: lake.url,
      startedAt,
      finishedAt: new Date(),
      files,
      tableCounts: sink.counts,
      inputs: inputs.all(),
      rejectReasons: sink.rejectReasons,
      io: ctx.io.toJSON(),
      timings,
    });
    let manifestUrl: string | undefined;
    if (!dryRun) {
      const key = manifestKey(job.name, runId);
      await lake.putText(key, `${JSON.stringify(manifest, null, 2)}\n`);
      manifestUrl = lake.describe(key);
      const state = ctx.state.pending();
      if (state !== undefined) await writeJobState(lake, job.name, state);
      if (committedTasks.length > 0) {
        try {
          for (const task of committedTasks) await task();
        } catch (error) {
          throw new SoundlakeError(
            `the run's files are committed, but housekeeping after the commit failed: ${messageOf(error)}; ` +
              `rerun with --run-id ${runId} to finish it (the same keys are recommitted, nothing is loaded twice)`,
            1,
            { cause: error },
          );
        }
      }
    } else {
      await fsp.rm(spoolDir, { recursive: true, force: true });
    }
    logSummary(log, manifest, manifestUrl, (Date.now() - startedAt.getTime()) / 1000);
    return { manifest, manifestUrl };
  } catch (error) {
    await writer.abort();
    if (!dryRun) await discardStaging(lake, runId, log);
    log.error(`run failed: ${messageOf(error)}`);
    throw error;
  }
}

/** The spool folder is empty once every part is staged; remove it and its empty parents in the lake. */
async function removeEmptySpool(spoolDir: string): Promise<void> {
  let dir = spoolDir;
  for (let i = 0; i < 3; i++) {
    try {
      await fsp.rmdir(dir);
    } catch {
      return;
    }
    dir = path.dirname(dir);
  }
}

async function discardStaging(lake: Store, runId: string, log: Logger): Promise<void> {
  try {
    await clearStaging(lake, runId);
  } catch (error) {
    // Nothing under _staging/ is ever loaded, so a leftover is harmless; the next attempt clears it.
    log.warn(`could not clear _staging/${runId}/: ${messageOf(error)}`);
  }
}

function logSummary(log: Logger, manifest: RunManifest, manifestUrl: string | undefined, seconds: number): void {
  const t = manifest.totals;
  log.info(manifest.dry_run ? 'dry run finished; nothing was written' : 'run succeeded', {
    files: t.files,
    rows: t.rows_out,
    rejects: t.rows_rejected,
    rows_in: t.rows_in,
    bytes: t.bytes,
    seconds: Math.round(seconds * 100) / 100,
    ...(manifestUrl ? { manifest: manifestUrl } : {}),
  });
}
