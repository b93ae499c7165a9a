import type { Config } from '../core/config';
import type { TableDef } from '../core/table';
import type { RowEmitter } from './row-emitter';
import type { ShapedBatch } from './shaped-batch';
import type { RunContext } from './run-context';

/**
 * What extract yields: raw records for `transform`, or a file job's rows shaped on a thread
 * already (see file-shaping-pool.ts), which the runner routes to the lake as they are.
 */
export type ExtractedBatch<R> = readonly R[] | ShapedBatch;

/**
 * A job is data, not a subclass: the runner composes these parts; only the lake knows about S3.
 * `C` is the job's parsed settings, `R` its raw record.
 */
export interface Job<C, R> {
  name: string;
  /** One line for `soundlake jobs`. */
  description: string;
  tables: readonly TableDef[];
  /** The job's inputs are dated, so `--since`/`--until` can choose them (`ctx.window`). */
  dated?: boolean;
  /** The job can split its inputs into shards (`--shard i/n`): it reads only `ctx.shard`'s share. */
  shardable?: boolean;
  /** Reads and validates every setting the job needs; throws ConfigError before any I/O. */
  parseConfig(config: Config): C;
  /**
   * Checks the job's own places before the run takes its lease or writes anything (a landing
   * folder that exists and can be archived from); throws ConfigError (exit 2).
   */
  preflight?(config: C): void;
  /**
   * Raw records in batches (one batch per chunk read, so the runner awaits per chunk, not per row).
   * Counts rows read per input in `ctx.inputs`; housekeeping for after the commit (archiving
   * inputs, saving a session) goes to `ctx.afterCommit` as steps the run package records.
   */
  extract(config: C, ctx: RunContext): AsyncIterable<ExtractedBatch<R>>;
  /** Pure and synchronous: one raw record → rows and rejects. */
  transform(record: R, emit: RowEmitter, ctx: RunContext): void;
}
