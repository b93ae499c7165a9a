import type { SqlRunner } from '../connections/snowflake';
import { PermanentError } from '../core/errors';
import type { Logger } from '../core/log';
import { sleep } from '../core/retry';
import type { TableDef } from '../core/table';
import { createPipe, pipeCopy, withSnsTopic } from '../sql/pipes';
import { rawColumns } from '../sql/raw-tables';
import { pipeStatuses } from './pipe-status';
import { pipeDefinition, rowField } from './sql-rows';
import { rawTable, qualifiedPipe } from '../tables/warehouse-names';

/** What `snowflake migrate` does to one raw table and its pipe. */
export interface TableMigration {
  table: string;
  pipe: string;
  /** Columns the definition has and the table lacks: added (nullable; rows loaded before hold NULL). */
  addColumns: { name: string; type: string }[];
  /** The pipe's COPY differs from the one the definition generates: paused, replaced, refreshed. */
  recreatePipe: boolean;
}

/** Whitespace and a final semicolon are not differences. */
const normalize = (sql: string) => sql.replace(/\s+/g, ' ').replace(/;\s*$/, '').trim();

/**
 * Compares each raw table and pipe in Snowflake with the table definitions. Columns the table has
 * and the definition lacks stop the plan: a rename or a drop is a decision for a person, never
 * made by a tool.
 */
export async function planMigration(runner: SqlRunner, tables: readonly TableDef[]): Promise<TableMigration[]> {
  const plans: TableMigration[] = [];
  for (const table of tables) {
    const raw = `${rawTable(table)}`;
    const existing = (await runner.query(`DESC TABLE ${raw}`)).map((row) => String(rowField(row, 'name')).toUpperCase());
    const wanted = rawColumns(table, 'snowflake');
    const unknown = existing.filter((name) => !wanted.some((c) => c.name === name));
    if (unknown.length > 0) {
      throw new PermanentError(
        `${raw} has column(s) ${unknown.join(', ')} that the table definition lacks: renames and drops are not migrated automatically (ALTER TABLE … RENAME COLUMN / DROP COLUMN by hand, then migrate)`,
      );
    }
    const definition = await pipeDefinition(runner, table);
    plans.push({
      table: raw,
      pipe: `${qualifiedPipe(table)}`,
      addColumns: wanted.filter((c) => !existing.includes(c.name)).map((c) => ({ name: c.name, type: c.type })),
      recreatePipe: normalize(definition) !== normalize(pipeCopy(table)),
    });
  }
  return plans;
}

/**
 * Applies a plan, table by table: pause the pipe and wait until it has nothing pending (at most
 * `waitSeconds`), add the columns, replace the pipe with the generated COPY (a replaced pipe starts
 * running, with the same notification channel), then queue the files written since `since` (the
 * pause, or the deploy of the new image: files its runs wrote that the old pipe refused).
 */
export async function applyMigration(
  runner: SqlRunner,
  tables: readonly TableDef[],
  plans: readonly TableMigration[],
  options: { waitSeconds: number; pollMs?: number; since?: Date; log?: Logger; /** `[snowflake] aws_sns_topic`, for pipes on the SNS route. */ snsTopic?: string },
): Promise<{ table: string; added: string[]; pipe: 'replaced' | 'unchanged'; refreshedFrom: string | null; filesQueued: number }[]> {
  const done = [];
  for (const plan of plans) {
    const table = tables.find((t) => `${rawTable(t)}` === plan.table)!;
    if (plan.addColumns.length === 0 && !plan.recreatePipe) continue;
    const pausedAt = new Date();
    await runner.query(`ALTER PIPE ${plan.pipe} SET PIPE_EXECUTION_PAUSED = TRUE`);
    const deadline = Date.now() + options.waitSeconds * 1000;
    for (;;) {
      const [status] = await pipeStatuses(runner, [table]);
      if (status.executionState === 'PAUSED' && status.pendingFileCount === 0) break;
      if (Date.now() >= deadline) {
        await runner.query(`ALTER PIPE ${plan.pipe} SET PIPE_EXECUTION_PAUSED = FALSE`);
        throw new PermanentError(
          `${plan.pipe} still had ${status.pendingFileCount ?? 'unknown'} pending files (${status.executionState}) after ${options.waitSeconds} s; it runs again, nothing was changed. Retry with a longer --wait`,
        );
      }
      options.log?.info('waiting for the paused pipe to finish its pending files', { pipe: plan.pipe, pending: status.pendingFileCount });
      await sleep(options.pollMs ?? 5000);
    }
    for (const column of plan.addColumns) await runner.query(`ALTER TABLE ${plan.table} ADD COLUMN IF NOT EXISTS ${column.name} ${column.type}`);
    await runner.query(withSnsTopic(createPipe(table, 'replace'), options.snsTopic).replace(/;$/, ''));
    const since = options.since && options.since < pausedAt ? options.since : pausedAt;
    const queued = await runner.query(`ALTER PIPE ${plan.pipe} REFRESH MODIFIED_AFTER = '${since.toISOString()}'`);
    done.push({ table: plan.table, added: plan.addColumns.map((c) => c.name), pipe: 'replaced' as const, refreshedFrom: since.toISOString(), filesQueued: queued.length });
  }
  return done;
}
