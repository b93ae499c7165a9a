import * as path from 'node:path';
import { formatRow } from '../core/csv-row';
import { DelimitedParser } from '../core/delimited-parser';
import { coerceRow, validateRow, type ColumnChecks } from '../core/row-validation';
import { columnIndex, qualifiedName, rejectsTable, rowOf, type ColumnType, type RecordOf, type Row, type TableDef } from '../core/table';
import type { PartitionedWriter } from '../lake/partitioned-writer';
import type { Origin, RowEmitter } from './row-emitter';
import type { InputLedger } from './input-ledger';
import { KeptRows } from './kept-rows';

interface TablePlan {
  types: ColumnType[];
  /** Index of the partition column, or -1 for the run's logical date. */
  partitionIndex: number;
  keyIndexes: number[];
  rejects: TableDef;
  rejectTypes: ColumnType[];
  /** Rows kept until the end when the table dedupes within the run: key → latest row. */
  latest?: KeptRows;
}

export interface TableCounts {
  rows: number;
  rejects: number;
}

const asText = (value: unknown): string | undefined => (value === null || value === undefined ? undefined : String(value));

/** The fields of a serialised row, as text again (for the rejects table of a superseded row). */
function fieldsOfLine(line: string): string[] {
  let fields: string[] = [];
  const parser = new DelimitedParser(',');
  parser.push(line, () => undefined);
  parser.end((parsed) => (fields = parsed));
  return fields;
}

/**
 * The runner's RowEmitter: validates rows against their table, keeps the last row per key for
 * tables that dedupe within a run, serialises, and routes rows and rejects to the writer.
 * Writes are queued as promises only when the writer needs one (opening or rolling a part).
 */
export class RowSink implements RowEmitter {
  private readonly plans = new Map<TableDef, TablePlan>();
  private readonly waits: Promise<void>[] = [];
  readonly counts = new Map<string, TableCounts>();
  readonly rejectReasons = new Map<string, number>();

  /**
   * @param dedup where tables that dedupe within a run spill sorted runs, and how much memory each
   *   may hold first (`[run] dedup_memory_mb`)
   */
  constructor(
    private readonly writer: PartitionedWriter,
    private readonly inputs: InputLedger,
    private readonly logicalDate: string,
    private readonly dedup: { spillDir: string; memoryBytes: number },
  ) {}

  private plan(table: TableDef): TablePlan {
    let plan = this.plans.get(table);
    if (!plan) {
      const rejects = rejectsTable(table);
      plan = {
        types: table.columns.map((c) => c.type),
        partitionIndex: table.partitionBy === null ? -1 : columnIndex(table, table.partitionBy),
        keyIndexes: table.primaryKey.map((k) => columnIndex(table, k)),
        rejects,
        rejectTypes: rejects.columns.map((c) => c.type),
        latest: table.dedupeWithinRun ? new KeptRows(path.join(this.dedup.spillDir, `${table.source}-${table.name}`), this.dedup.memoryBytes) : undefined,
      };
      this.plans.set(table, plan);
      this.counts.set(qualifiedName(table), { rows: 0, rejects: 0 });
    }
    return plan;
  }

  row(table: TableDef, row: Row, origin: Origin): void {
    const problem = validateRow(table, row);
    if (problem !== undefined) this.reject(table, problem, row.map(asText), origin);
    else this.accept(table, row, origin);
  }

  record<T extends TableDef>(table: T, record: RecordOf<T>, origin: Origin): void {
    this.row(table, rowOf(table, record), origin);
  }

  text(table: TableDef, fields: readonly (string | undefined)[], origin: Origin, checks?: ColumnChecks): void {
    const result = coerceRow(table, fields, checks);
    if (result.ok) this.accept(table, result.row, origin);
    else this.reject(table, result.reason, fields, origin);
  }

  private accept(table: TableDef, row: Row, origin: Origin): void {
    const plan = this.plan(table);
    const date = plan.partitionIndex < 0 ? this.logicalDate : (row[plan.partitionIndex] as string).slice(0, 10);
    const line = formatRow(row, plan.types);
    if (plan.latest) {
      const part = (i: number) => (row[i] === null ? '\u0001' : String(row[i]));
      const key = plan.keyIndexes.length === 1 ? part(plan.keyIndexes[0]) : plan.keyIndexes.map(part).join('\u0000');
      plan.latest.add(key, { line, date, input: origin.input, sourceLine: origin.line });
      return;
    }
    this.write(table, date, line, origin.input);
  }

  private write(table: TableDef, date: string, line: string, input: string): void {
    const wait = this.writer.write('raw', table, date, line);
    if (wait) this.waits.push(wait);
    this.inputs.wrote(input);
    this.counts.get(qualifiedName(table))!.rows++;
  }

  reject(table: TableDef, reason: string, fields: readonly (string | undefined)[], origin: Origin, extraFields?: readonly string[]): void {
    const plan = this.plan(table);
    const values: Row = [reason, origin.input, origin.line ?? null];
    for (let i = 0; i < table.columns.length; i++) values.push(fields[i] ?? null);
    values.push(extraFields && extraFields.length > 0 ? JSON.stringify(extraFields) : null);
    const wait = this.writer.write('rejects', plan.rejects, this.logicalDate, formatRow(values, plan.rejectTypes));
    if (wait) this.waits.push(wait);
    this.inputs.rejected(origin.input);
    this.counts.get(qualifiedName(table))!.rejects++;
    // Reasons are short fixed phrases per column; a duplicate's names its superseding line, so it is grouped.
    const group = reason.startsWith('duplicate ') ? reason.slice(0, reason.indexOf(':')) : reason;
    this.rejectReasons.set(group, (this.rejectReasons.get(group) ?? 0) + 1);
  }

  /**
   * Waits for part files opened or rolled by the last writes. Every pending promise is awaited
   * together, so a second failure is handled too (never an unhandled rejection).
   */
  async settle(): Promise<void> {
    if (this.waits.length === 0) return;
    await Promise.all(this.waits.splice(0));
  }

  /**
   * Writes the latest row per key of the tables that dedupe within a run, in key order, and rejects
   * every earlier row of a key as superseded by the row after it; call once, after extraction.
   */
  async flushDeduplicated(): Promise<void> {
    for (const [table, plan] of this.plans) {
      if (!plan.latest) continue;
      try {
        let sinceWait = 0;
        for (const rows of plan.latest.groups()) {
          for (let i = 0; i < rows.length - 1; i++) {
            const by = rows[i + 1];
            const where = by.sourceLine === undefined ? by.input : `${by.input} line ${by.sourceLine}`;
            this.reject(table, `duplicate ${table.primaryKey.join('+')}: superseded by ${where}`, fieldsOfLine(rows[i].line), { input: rows[i].input, line: rows[i].sourceLine });
          }
          const kept = rows[rows.length - 1];
          this.write(table, kept.date, kept.line, kept.input);
          // Let gzip keep up (the extraction loop does this per chunk): without it, millions of
          // kept rows would queue in the part streams' buffers.
          if (++sinceWait === 512) {
            sinceWait = 0;
            await this.settle();
            await this.writer.drain();
          }
        }
        await this.settle();
      } finally {
        plan.latest.clear();
      }
    }
  }
}
