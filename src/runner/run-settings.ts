import * as os from 'node:os';
import type { Config } from '../core/config';
import { isLogLevel, type LogLevel } from '../core/log';
import { readS3Settings, type S3Settings } from '../connections/s3';
import { metricsMode } from './run-metrics';

/** Settings every run reads, validated before any I/O. */
export interface RunSettings {
  lakeUrl: string;
  /** `[lake] max_file_text_mb` in characters of CSV text. */
  maxFileChars: number;
  maxOpenFiles: number;
  gzipLevel: number;
  s3: S3Settings;
  logLevel: LogLevel;
  progressSeconds: number;
  /** `[run] lease_seconds` in ms: a run's lease lives this long unless its heartbeat renews it. */
  leaseMs: number;
  /** `[run] workers`: worker threads that parse, validate and serialise input files (1: none). */
  workers: number;
  /** `[run] workers = auto`: threads also only for inputs large enough to pay for them (see shapingThreads). */
  workersAuto: boolean;
  /** `[run] dedup_memory_mb` in bytes: rows a deduplicated table keeps in memory before spilling a sorted run. */
  dedupMemoryBytes: number;
}

/**
 * `workers = auto`: shaping threads only where they pay. On 2 cores the main thread shapes rows
 * while the thread pool compresses, and threads only contend (measured: 1M bench set 1.0 s with
 * none, 1.17 s and 30 % more memory with 2; docs/benchmarks.md). Above that, a thread per core but
 * one, which routes and writes (not measured here: no machine with more cores was at hand). Small
 * inputs stay on the main thread whatever the cores (file-shaping-pool.ts `shapingThreads`).
 */
export function autoWorkers(cores: number): number {
  return cores <= 2 ? 1 : cores - 1;
}

/** `[run] workers`: a count, or `auto` (autoWorkers of the cores this task has). */
function readWorkers(config: Config): { workers: number; workersAuto: boolean } {
  const raw = config.string('run', 'workers').trim();
  if (raw === 'auto') return { workers: autoWorkers(os.availableParallelism()), workersAuto: true };
  if (!/^\d{1,3}$/.test(raw) || Number(raw) < 1 || Number(raw) > 256) config.fail('run', 'workers', 'auto, or a whole number of threads from 1 to 256');
  return { workers: Number(raw), workersAuto: false };
}

export function readRunSettings(config: Config): RunSettings {
  const logLevel = config.string('run', 'log_level');
  if (!isLogLevel(logLevel)) config.fail('run', 'log_level', 'one of error, warn, info, debug');
  // `[run] metrics` is read by the run command after the run; checked here so a bad value is exit 2 before any I/O.
  metricsMode(config);
  return {
    lakeUrl: config.lakeUrl('lake', 'url'),
    maxFileChars: Math.round(config.number('lake', 'max_file_text_mb', { min: 0.001, max: 20000, unit: 'MB' }) * 1024 * 1024),
    maxOpenFiles: config.int('lake', 'max_open_files', { min: 1, max: 1000 }),
    gzipLevel: config.int('lake', 'gzip_level', { min: 1, max: 9 }),
    s3: readS3Settings(config),
    logLevel,
    progressSeconds: config.number('run', 'progress_seconds', { min: 0.1, max: 3600, unit: 'seconds' }),
    leaseMs: Math.round(config.number('run', 'lease_seconds', { min: 1, max: 86_400, unit: 'seconds' }) * 1000),
    ...readWorkers(config),
    dedupMemoryBytes: Math.round(config.int('run', 'dedup_memory_mb', { min: 1, max: 65_536, unit: 'MiB' }) * 1024 * 1024),
  };
}
