import type { SqlRunner } from '../connections/snowflake';
import { SourceChangedError } from '../core/errors';
import type { TableDef } from '../core/table';
import { firstValue } from './sql-rows';
import { qualifiedPipe } from '../tables/warehouse-names';

export interface PipeStatus {
  pipe: string;
  executionState: string;
  pendingFileCount: number | null;
  lastIngestedTimestamp: string | null;
  error: string | null;
}

/** SYSTEM$PIPE_STATUS for each table's pipe. */
export async function pipeStatuses(runner: SqlRunner, tables: readonly TableDef[]): Promise<PipeStatus[]> {
  const out: PipeStatus[] = [];
  for (const table of tables) {
    const pipe = `${qualifiedPipe(table)}`;
    const raw = firstValue((await runner.query(`SELECT SYSTEM$PIPE_STATUS('${pipe}') AS STATUS`))[0]);
    let status: Record<string, unknown>;
    try {
      status = JSON.parse(String(raw)) as Record<string, unknown>;
    } catch {
      throw new SourceChangedError(`SYSTEM$PIPE_STATUS('${pipe}') did not return JSON: ${String(raw).slice(0, 200)}`);
    }
    out.push({
      pipe,
      executionState: String(status.executionState ?? 'UNKNOWN'),
      pendingFileCount: typeof status.pendingFileCount === 'number' ? status.pendingFileCount : null,
      lastIngestedTimestamp: typeof status.lastIngestedTimestamp === 'string' ? status.lastIngestedTimestamp : null,
      error: typeof status.error === 'string' ? status.error : null,
    });
  }
  return out;
}
