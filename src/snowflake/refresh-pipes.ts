import type { SqlRunner } from '../connections/snowflake';
import { partitionPath } from '../lake/keys';
import type { TableDef } from '../core/table';
import { pipeName } from '../sql/pipes';

/** Every day from `since` to `until`, inclusive, as YYYY-MM-DD. */
export function daysBetween(since: string, until: string): string[] {
  const days: string[] = [];
  for (let d = new Date(`${since}T00:00:00Z`); d.toISOString().slice(0, 10) <= until; d.setUTCDate(d.getUTCDate() + 1)) {
    days.push(d.toISOString().slice(0, 10));
  }
  return days;
}

/**
 * ALTER PIPE … REFRESH PREFIX per day partition: queues files a missed notification never
 * announced. The prefix is relative to the pipe's own path. Snowflake only considers files staged
 * in the last 7 days, and skips files it has loaded already.
 */
export async function refreshPipes(runner: SqlRunner, tables: readonly TableDef[], days: readonly string[]): Promise<{ pipe: string; prefix: string; files: number }[]> {
  const out: { pipe: string; prefix: string; files: number }[] = [];
  for (const table of tables) {
    for (const day of days) {
      const prefix = `${partitionPath(day)}/`;
      const rows = await runner.query(`ALTER PIPE RAW.${pipeName(table)} REFRESH PREFIX = '${prefix}'`);
      out.push({ pipe: `RAW.${pipeName(table)}`, prefix, files: rows.length });
    }
  }
  return out;
}
