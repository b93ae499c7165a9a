import { formatRow } from '../core/csv-row';
import { coerceRow, validateRow, type ColumnChecks } from '../core/row-validation';
import { columnIndex, qualifiedName, rejectsTable, rowOf, type ColumnType, type RecordOf, type Row, type TableDef } from '../core/table';
import type { Origin, RowEmitter } from './row-emitter';

/**
 * A row after validation and serialisation, ready for the writer: the work that needs no lake and
 * no order, so a worker thread can do it (ops cross threads packed, see shaped-batch.ts).
 */
export type ShapedOp =
  /** A valid row: its partition day, its CSV line and, for tables that dedupe within a run, its key. */
  | { kind: 'row'; table: string; date: string; line: string; key: string | undefined; origin: Origin }
  /** A reject: its reason and its CSV line in the table's rejects layout. */
  | { kind: 'reject'; table: string; reason: string; line: string; origin: Origin };

interface TablePlan {
  /** `source/name`: how ops name the table. */
  id: string;
  types: ColumnType[];
  /** Index of the partition column, or -1 for the run's logical date. */
  partitionIndex: number;
  keyIndexes: number[];
  rejectTypes: ColumnType[];
}

const asText = (value: unknown): string | undefined => (value === null || value === undefined ? undefined : String(value));

/**
 * Validates, coerces and serialises rows into `ShapedOp`s and hands each to `out`. The runner's
 * RowSink routes them to the writer; a worker thread posts them to the main thread.
 */
export class RowShaper implements RowEmitter {
  private readonly plans = new Map<TableDef, TablePlan>();

  constructor(
    private readonly logicalDate: string,
    private readonly out: (op: ShapedOp) => void,
  ) {}

  private plan(table: TableDef): TablePlan {
    let plan = this.plans.get(table);
    if (!plan) {
      plan = {
        id: qualifiedName(table),
        types: table.columns.map((c) => c.type),
        partitionIndex: table.partitionBy === null ? -1 : columnIndex(table, table.partitionBy),
        keyIndexes: table.dedupeWithinRun ? table.primaryKey.map((k) => columnIndex(table, k)) : [],
        rejectTypes: rejectsTable(table).columns.map((c) => c.type),
      };
      this.plans.set(table, plan);
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
    let key: string | undefined;
    if (table.dedupeWithinRun) {
      const part = (i: number) => (row[i] === null ? '\u0001' : String(row[i]));
      key = plan.keyIndexes.length === 1 ? part(plan.keyIndexes[0]) : plan.keyIndexes.map(part).join('\u0000');
    }
    this.out({ kind: 'row', table: plan.id, date, line: formatRow(row, plan.types), key, origin });
  }

  reject(table: TableDef, reason: string, fields: readonly (string | undefined)[], origin: Origin, extraFields?: readonly string[]): void {
    const plan = this.plan(table);
    const values: Row = [reason, origin.input, origin.line ?? null];
    for (let i = 0; i < table.columns.length; i++) values.push(fields[i] ?? null);
    values.push(extraFields && extraFields.length > 0 ? JSON.stringify(extraFields) : null);
    this.out({ kind: 'reject', table: plan.id, reason, line: formatRow(values, plan.rejectTypes), origin });
  }
}
