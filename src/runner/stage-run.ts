import * as fsp from 'node:fs/promises';
import * as path from 'node:path';
import { AbortedError } from '../core/errors';
import { killPoint } from '../core/kill-point';
import type { Job } from '../run/job';
import { stagingKey } from '../lake/keys';
import { PartitionedWriter, type WrittenFile } from '../lake/partitioned-writer';
import { Progress } from './progress';
import type { RunContext } from '../run/run-context';
import { RowSink } from '../run/row-sink';
import { isShapedBatch } from '../run/shaped-batch';
import type { RunSettings } from './run-settings';

export interface StagePlan {
  scope: string;
  settings: RunSettings;
  /** Local folder for part files before they are staged. */
  spoolDir: string;
  /** Progress on this terminal (undefined: JSON progress events only). */
  tty: NodeJS.WriteStream | undefined;
  onBatch?: (rowsSoFar: number) => void;
}

export interface StagedRun {
  files: WrittenFile[];
  sink: RowSink;
}

/**
 * Extract → transform → validate → serialise → gzip parts → staged files under
 * `_staging/{scope}/{runId}/`. Nothing here is visible to Snowpipe; the caller packages and commits.
 */
export async function stageRun<C, R>(job: Job<C, R>, jobConfig: C, ctx: RunContext, plan: StagePlan): Promise<StagedRun> {
  const { settings } = plan;
  const writer = new PartitionedWriter({
    job: job.name,
    runId: ctx.runId,
    extractedAt: ctx.extractedAt,
    spoolDir: plan.spoolDir,
    maxFileChars: settings.maxFileChars,
    maxOpenFiles: settings.maxOpenFiles,
    gzipLevel: settings.gzipLevel,
    concurrency: settings.s3.concurrency,
    onFileClosed: ctx.dryRun
      ? (_file, localPath) => fsp.rm(localPath, { force: true })
      : async (file, localPath) => {
          await ctx.lake.putFile(stagingKey(plan.scope, ctx.runId, file.key), localPath, { sha256: file.sha256 });
          ctx.io.add('lake_files_staged');
          killPoint('stage');
        },
  });
  const sink = new RowSink(writer, ctx.inputs, ctx.logicalDate, job.tables, { spillDir: path.join(plan.spoolDir, '_dedup'), memoryBytes: settings.dedupMemoryBytes });
  try {
    const progress = new Progress(ctx.log, plan.tty, settings.progressSeconds);
    for await (const batch of job.extract(jobConfig, ctx)) {
      if (isShapedBatch(batch)) sink.routeShaped(batch);
      else for (const record of batch) job.transform(record, sink, ctx);
      await sink.settle();
      await writer.drain();
      const rows = ctx.inputs.totalIn();
      progress.update(rows);
      plan.onBatch?.(rows);
      killPoint('extract');
      if (ctx.signal.aborted) throw new AbortedError(String(ctx.signal.reason ?? 'aborted'));
    }
    await sink.flushDeduplicated();
    const files = await writer.finish();
    await removeEmptyFolders(plan.spoolDir);
    progress.done();
    ctx.inputs.assertBalanced();
    if (ctx.signal.aborted) throw new AbortedError(String(ctx.signal.reason ?? 'aborted'));
    return { files, sink };
  } catch (error) {
    await writer.abort();
    throw error;
  }
}

/** The spool folder is empty once every part is staged; remove it and its empty parents. */
async function removeEmptyFolders(dir: string): Promise<void> {
  let current = dir;
  for (let i = 0; i < 3; i++) {
    try {
      await fsp.rmdir(current);
    } catch {
      return;
    }
    current = path.dirname(current);
  }
}
