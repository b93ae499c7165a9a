import type { SqlRunner } from '../connections/snowflake';
import type { TableDef } from '../core/table';
import { qualifiedPipe } from '../tables/warehouse-names';

/**
 * ALTER PIPE … REFRESH MODIFIED_AFTER per pipe: queues the files written to the lake since a time
 * that a missed notification never announced. By write time, not by partition: a run writes rows
 * into the partitions of their event days, which may lie far back (a late landing file), so a
 * refresh of the prefixes of recent days would miss them. Snowflake considers files staged in the
 * last 7 days at most, and skips files it has already loaded.
 */
export async function refreshPipes(runner: SqlRunner, tables: readonly TableDef[], since: Date): Promise<{ pipe: string; since: string; files: number }[]> {
  const out: { pipe: string; since: string; files: number }[] = [];
  const at = since.toISOString();
  for (const table of tables) {
    const rows = await runner.query(`ALTER PIPE ${qualifiedPipe(table)} REFRESH MODIFIED_AFTER = '${at}'`);
    out.push({ pipe: `${qualifiedPipe(table)}`, since: at, files: rows.length });
  }
  return out;
}

/** `--since`: a YYYY-MM-DD day (its start, UTC) or an ISO-8601 time with a zone. */
export function parseSince(raw: string): Date | undefined {
  if (/^\d{4}-\d{2}-\d{2}$/.test(raw)) {
    const d = new Date(`${raw}T00:00:00Z`);
    return d.toISOString().slice(0, 10) === raw ? d : undefined;
  }
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/.test(raw)) return undefined;
  const d = new Date(raw);
  return Number.isNaN(d.getTime()) ? undefined : d;
}
