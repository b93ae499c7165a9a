import { lakeFlag, loadConfig } from '../core/config';
import { ConfigError } from '../core/errors';
import { createLogger } from '../core/log';
import { configureS3 } from '../connections/s3';
import { isValidRunId, manifestKey, newRunId, packageKey } from '../lake/keys';
import { parseManifest, type RunManifest } from '../run/run-package';
import { openStore } from '../lake/open-store';
import { abandonPackage } from '../run/abandon-package';
import { isVoidMarker } from '../run/commit-slots';
import { JobLease } from '../run/job-lease';
import { resumePackages } from '../run/resume';
import { scopeOf, type Shard } from '../run/shard';
import { readRunSettings } from './run-settings';

export interface ResumeOptions {
  /** Only this run's package; default every package of the job left in `committing`. */
  runId?: string;
  lake?: string;
  /** `--abandon <run>`: end that run's package, which can never finish (src/run/abandon-package.ts). */
  abandon?: string;
  /** The shard whose commits to finish (runs started with --shard). */
  shard?: Shard;
  env?: NodeJS.ProcessEnv;
  dotenvDir?: string | null;
  logStream?: NodeJS.WritableStream;
}

/**
 * `soundlake resume <job>`: finishes, under the job's lease, the commits that stopped runs left
 * (what the next run of the job would do first anyway). Never extracts anything.
 */
export async function resumeJob(job: string, options: ResumeOptions = {}): Promise<RunManifest[]> {
  if (options.runId !== undefined && !isValidRunId(options.runId)) throw new ConfigError(`--run-id ${JSON.stringify(options.runId)}: not a run id`);
  const settings = readRunSettings(loadConfig({ env: options.env, dotenvDir: options.dotenvDir, flags: lakeFlag(options.lake) }));
  const resumeId = `resume-${newRunId()}`;
  const log = createLogger({ level: settings.logLevel, stream: options.logStream }).child({ job, run_id: resumeId });
  await configureS3(settings.s3);
  const lake = openStore(settings.lakeUrl);
  await lake.check();
  const scope = scopeOf(job, options.shard);
  const lease = await JobLease.acquire(lake, scope, resumeId, settings.leaseMs, log);
  try {
    if (options.abandon !== undefined) {
      if (!isValidRunId(options.abandon)) throw new ConfigError(`--abandon ${JSON.stringify(options.abandon)}: not a run id`);
      const key = packageKey(scope, options.abandon);
      const text = await lake.readText(key);
      if (text === undefined || isVoidMarker(text)) throw new ConfigError(`--abandon ${options.abandon}: ${job} has no unfinished package of that run (${lake.describe(key)})`);
      const manifest = await abandonPackage(lake, parseManifest(text, lake.describe(key)), resumeId, log);
      log.warn('run abandoned', { abandoned_run: manifest.run_id, published_files: manifest.files.length, lost_files: manifest.abandoned?.lost_files.length ?? 0 });
      return [manifest];
    }
    const finished = await resumePackages(lake, scope, { finishedBy: resumeId, concurrency: settings.s3.concurrency, log, runId: options.runId });
    if (finished.length === 0) {
      const committed = options.runId !== undefined && (await lake.readText(manifestKey(job, options.runId))) !== undefined;
      log.info(
        committed
          ? `run ${options.runId} is already committed; nothing to resume`
          : `no unfinished commit of ${job}${options.runId ? ` for run ${options.runId}` : ''}; nothing to resume`,
      );
    }
    for (const manifest of finished) {
      log.info('commit finished', { resumed_run: manifest.run_id, files: manifest.files.length, already_present: manifest.commit?.already_present ?? 0 });
    }
    return finished;
  } finally {
    await lease.release();
  }
}
