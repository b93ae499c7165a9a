import { ConfigError } from '../core/errors';
import type { JobEntry } from './job-registry';

/** One item of the backfill state machine's `$.items`: the job, and the command its task runs. */
export interface BackfillItem {
  job: string;
  command: string[];
}

/** A job a backfill can split or window: its inputs are dated or shardable. */
export const canBackfill = (job: Pick<JobEntry, 'dated' | 'shardable'>) => job.dated || job.shardable;

export interface BackfillPlanOptions {
  /** Tasks to split a shardable job's inputs over (1 = one task). */
  shards: number;
  since?: string;
  until?: string;
}

/**
 * The items of a backfill: for a shardable job one per shard (each an ordinary run with its own
 * lease, so they run side by side), all with the same window; for a dated job that cannot shard,
 * one item (its runs share one lease, so splitting would only make them wait on each other).
 */
export function backfillPlan(job: JobEntry, options: BackfillPlanOptions): BackfillItem[] {
  if (!canBackfill(job)) throw new ConfigError(`${job.name} has no dated or shardable inputs to backfill; run it as usual`);
  if (options.shards > 1 && !job.shardable) throw new ConfigError(`--shards: ${job.name} cannot split its inputs into shards; use --since/--until`);
  if ((options.since || options.until) && !job.dated) throw new ConfigError(`--since/--until: ${job.name} has no dated inputs`);
  const window = [...(options.since ? ['--since', options.since] : []), ...(options.until ? ['--until', options.until] : [])];
  const shards = job.shardable && options.shards > 1 ? Array.from({ length: options.shards }, (_, i) => ['--shard', `${i + 1}/${options.shards}`]) : [[]];
  return shards.map((shard) => ({ job: job.name, command: ['run', job.name, ...shard, ...window] }));
}
