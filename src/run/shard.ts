import { createHash } from 'node:crypto';
import { ConfigError } from '../core/errors';

/** Shard `index` (1-based) of `count`: a run that takes only the inputs whose key hashes to it. */
export interface Shard {
  index: number;
  count: number;
}

/** `--shard 2/3` → {index: 2, count: 3}. */
export function parseShard(raw: string): Shard {
  const m = /^(\d{1,4})\/(\d{1,4})$/.exec(raw.trim());
  const index = m ? Number(m[1]) : NaN;
  const count = m ? Number(m[2]) : NaN;
  if (!(count >= 1 && count <= 1000 && index >= 1 && index <= count)) {
    throw new ConfigError(`--shard ${JSON.stringify(raw)}: expected i/n with 1 ≤ i ≤ n ≤ 1000, e.g. 2/3`);
  }
  return { index, count };
}

/**
 * The shard an input key belongs to: a stable hash (sha256) of the key, so n runs split a landing
 * set with no overlap and no coordination, and the same key always lands in the same shard.
 */
export function shardOf(key: string, count: number): number {
  return (createHash('sha256').update(key).digest().readUInt32BE(0) % count) + 1;
}

/** What one run at a time owns: the job, or one shard of it (its own lease, staging and packages). */
export const scopeOf = (job: string, shard: Shard | undefined) => (shard ? `${job}.shard-${shard.index}-of-${shard.count}` : job);
