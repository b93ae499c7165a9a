import type { Config } from '../core/config';
import type { RunManifest } from '../run/run-package';

/** CloudWatch namespace of the run metrics; the deployment's alarms and dashboard read it. */
export const METRICS_NAMESPACE = 'soundlake';

/** The metric names, one place for the emitter and the deployment (ecs/). */
export const RUN_METRICS = {
  succeeded: 'RunSucceeded',
  exitCode: 'ExitCode',
  seconds: 'RunSeconds',
  rowsIn: 'RowsIn',
  rowsOut: 'RowsOut',
  rowsRejected: 'RowsRejected',
  bytes: 'BytesWritten',
  files: 'FilesWritten',
} as const;

/** `[run] metrics`: none, or emf (one CloudWatch Embedded Metric Format line on stdout per run). */
export function metricsMode(config: Config): 'none' | 'emf' {
  const value = config.string('run', 'metrics');
  if (value !== 'none' && value !== 'emf') config.fail('run', 'metrics', 'none or emf');
  return value;
}

export interface RunOutcome {
  /** The job, or job.shard-i-of-n for a shard (its own series). */
  job: string;
  exitCode: number;
  seconds: number;
  /** Absent when the run ended before writing a manifest. */
  manifest?: RunManifest;
}

/**
 * Writes the run's outcome as one EMF line on stdout (dimension Job). On ECS the awslogs driver
 * sends stdout to CloudWatch Logs, which turns the line into metrics: no agent, no API call, and
 * nothing lost if the task dies right after. RunSucceeded is 1 only for exit 0, so an alarm on
 * its sum finds a job that has not succeeded for a while, whatever the reason. A dry run emits
 * nothing: it wrote nothing.
 */
export async function emitRunMetrics(outcome: RunOutcome): Promise<void> {
  if (outcome.manifest?.dry_run) return;
  // Stdout, not the agent the library looks for on ECS: the awslogs driver carries it. The library
  // settles its environment when it is first loaded (probing ECS and EC2 metadata otherwise), so
  // the choice is made before the import, and only runs that emit load it at all.
  process.env.AWS_EMF_ENVIRONMENT = 'Local';
  const { createMetricsLogger, Unit } = await import('aws-embedded-metrics');
  const metrics = createMetricsLogger();
  metrics.setNamespace(METRICS_NAMESPACE);
  metrics.setDimensions({ Job: outcome.job });
  metrics.putMetric(RUN_METRICS.succeeded, outcome.exitCode === 0 ? 1 : 0, Unit.Count);
  metrics.putMetric(RUN_METRICS.exitCode, outcome.exitCode, Unit.None);
  metrics.putMetric(RUN_METRICS.seconds, Math.round(outcome.seconds * 1000) / 1000, Unit.Seconds);
  const totals = outcome.manifest?.totals;
  if (totals) {
    metrics.putMetric(RUN_METRICS.rowsIn, totals.rows_in, Unit.Count);
    metrics.putMetric(RUN_METRICS.rowsOut, totals.rows_out, Unit.Count);
    metrics.putMetric(RUN_METRICS.rowsRejected, totals.rows_rejected, Unit.Count);
    metrics.putMetric(RUN_METRICS.bytes, totals.bytes, Unit.Bytes);
    metrics.putMetric(RUN_METRICS.files, totals.files, Unit.Count);
  }
  if (outcome.manifest) metrics.setProperty('RunId', outcome.manifest.run_id);
  await metrics.flush();
}
