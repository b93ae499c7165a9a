import * as path from 'node:path';
import { DelimitedParser } from '../core/delimited-parser';
import type { ColumnChecks } from '../core/row-validation';
import { qualifiedName, rejectsTable, type RecordOf, type Row, type TableDef } from '../core/table';
import type { PartitionedWriter } from '../lake/partitioned-writer';
import type { Origin, RowEmitter } from './row-emitter';
import type { InputLedger } from './input-ledger';
import { KeptRows, type KeptRowBytes } from './kept-rows';
import { RowShaper, type ShapedOp } from './row-shaper';
import { REJECT, RUN, TABLE_BITS, type ShapedBatch } from './shaped-batch';

interface TablePlan {
  table: TableDef;
  rejects: TableDef;
  /** Rows kept until the end when the table dedupes within the run: key → latest row. */
  latest?: KeptRows;
}

export interface TableCounts {
  rows: number;
  rejects: number;
}

/** The fields of a serialised row, as text again (for the rejects table of a superseded row). */
function fieldsOfLine(line: string): string[] {
  let fields: string[] = [];
  const parser = new DelimitedParser(',');
  parser.push(line, () => undefined);
  parser.end((parsed) => (fields = parsed));
  return fields;
}

/**
 * The runner's RowEmitter: validates and serialises rows (RowShaper), keeps the last row per key
 * for tables that dedupe within a run, and routes rows and rejects to the writer. Rows a file job
 * shaped already (here or on another thread) arrive through `routeShaped` and take the same
 * route. Writes are queued as promises only when the writer needs one (opening or rolling a part).
 */
export class RowSink implements RowEmitter {
  private readonly plans = new Map<string, TablePlan>();
  private readonly waits: Promise<void>[] = [];
  private readonly shaper: RowShaper;
  readonly counts = new Map<string, TableCounts>();
  readonly rejectReasons = new Map<string, number>();

  /**
   * @param tables every table the job may write (ops name them by `source/name`)
   * @param dedup where tables that dedupe within a run spill sorted runs, and how much memory each
   *   may hold first (`[run] dedup_memory_mb`)
   */
  constructor(
    private readonly writer: PartitionedWriter,
    private readonly inputs: InputLedger,
    private readonly logicalDate: string,
    tables: readonly TableDef[],
    private readonly dedup: { spillDir: string; memoryBytes: number },
  ) {
    this.shaper = new RowShaper(logicalDate, (op) => this.shaped(op));
    this.known = new Map(tables.map((t) => [qualifiedName(t), t]));
  }

  /** The job's tables by `source/name`, for ops that name them. */
  private readonly known: Map<string, TableDef>;

  /** The plan of a table the ops name by `source/name`, made on its first row. */
  private planNamed(id: string): TablePlan {
    let plan = this.plans.get(id);
    if (!plan) {
      const table = this.known.get(id);
      if (!table) throw new Error(`a shaped row names table ${id}, which this job does not write`);
      plan = {
        table,
        rejects: rejectsTable(table),
        latest: table.dedupeWithinRun ? new KeptRows(path.join(this.dedup.spillDir, `${table.source}-${table.name}`), this.dedup.memoryBytes) : undefined,
      };
      this.plans.set(id, plan);
      this.counts.set(qualifiedName(table), { rows: 0, rejects: 0 });
    }
    return plan;
  }

  row(table: TableDef, row: Row, origin: Origin): void {
    this.shaper.row(table, row, origin);
  }

  record<T extends TableDef>(table: T, record: RecordOf<T>, origin: Origin): void {
    this.shaper.record(table, record, origin);
  }

  text(table: TableDef, fields: readonly (string | undefined)[], origin: Origin, checks?: ColumnChecks): void {
    this.shaper.text(table, fields, origin, checks);
  }

  reject(table: TableDef, reason: string, fields: readonly (string | undefined)[], origin: Origin, extraFields?: readonly string[]): void {
    this.shaper.reject(table, reason, fields, origin, extraFields);
  }

  /** A row or reject the shaper made on this thread. */
  private shaped(op: ShapedOp): void {
    const plan = this.planNamed(op.table);
    if (op.kind === 'reject') return this.writeReject(plan, op.reason, op.line, op.origin.input);
    this.route(plan, op.date, op.line, op.key, op.origin.input, op.origin.line);
  }

  /**
   * Rows and rejects a file job shaped (see file-shaping-pool.ts), routed in their order: as ops
   * when shaped on this thread, unpacked with no object per row when they crossed from another.
   */
  routeShaped(batch: ShapedBatch): void {
    if (batch.ops) {
      for (const op of batch.ops) {
        if (op.kind === 'run') this.writeRun(this.planNamed(op.table), op, batch.input);
        else this.shaped(op);
      }
      return;
    }
    const plans = batch.tables.map((t) => this.planNamed(t));
    let at = 0;
    let date = 0;
    let word = 0;
    let run = 0;
    for (let i = 0; i < batch.kinds.length; i++) {
      const kind = batch.kinds[i];
      const plan = plans[kind & TABLE_BITS];
      if (kind & RUN) {
        this.writeRun(plan, batch.runs[run++], batch.input);
        continue;
      }
      const line = batch.text.slice(at, at + batch.lengths[i]);
      at += batch.lengths[i];
      if (kind & REJECT) {
        this.writeReject(plan, batch.words[word++], line, batch.input);
        continue;
      }
      const day = batch.dates.slice(date, date + 10);
      date += 10;
      const sourceLine = batch.sourceLines[i] === 0 ? undefined : batch.sourceLines[i];
      this.route(plan, day, line, plan.latest ? batch.words[word++] : undefined, batch.input, sourceLine);
    }
  }

  /**
   * Rows shaped at the byte level: lake lines (lineage and line ends included) for a table that
   * keeps every row, kept-row records (run/dedup-row-bytes.ts) for one that dedupes within the run.
   */
  private writeRun(plan: TablePlan, run: ShapedBatch['runs'][number], input: string): void {
    const bytes = Buffer.from(run.bytes.buffer, run.bytes.byteOffset, run.bytes.byteLength);
    if (plan.latest) {
      plan.latest.adopt(bytes, input, run.date);
      return;
    }
    const wait = this.writer.writeBytes('raw', plan.table, run.date, bytes, run.rows);
    if (wait) this.waits.push(wait);
    this.inputs.wrote(input, run.rows);
    this.counts.get(qualifiedName(plan.table))!.rows += run.rows;
  }

  private route(plan: TablePlan, date: string, line: string, key: string | undefined, input: string, sourceLine: number | undefined): void {
    if (plan.latest) plan.latest.add(key!, { line, date, input, sourceLine });
    else this.write(plan.table, date, line, input);
  }

  private write(table: TableDef, date: string, line: string, input: string): void {
    const wait = this.writer.write('raw', table, date, line);
    if (wait) this.waits.push(wait);
    this.inputs.wrote(input);
    this.counts.get(qualifiedName(table))!.rows++;
  }

  /**
   * A kept row, as the UTF-8 bytes it was stored as. Counted by the flush (per input and table
   * once, not per row: kept rows of one input come in long stretches).
   */
  private writeKept(table: TableDef, kept: KeptRowBytes): void {
    const wait = this.writer.writeLineBytes('raw', table, kept.date, kept.lineBytes, kept.lineChars);
    if (wait) this.waits.push(wait);
  }

  private writeReject(plan: TablePlan, reason: string, line: string, input: string): void {
    const wait = this.writer.write('rejects', plan.rejects, this.logicalDate, line);
    if (wait) this.waits.push(wait);
    this.inputs.rejected(input);
    this.counts.get(qualifiedName(plan.table))!.rejects++;
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
    for (const plan of this.plans.values()) {
      if (!plan.latest) continue;
      const table = plan.table;
      const counts = this.counts.get(qualifiedName(table))!;
      /** Kept rows of `input` written since it was last counted. */
      let input: string | undefined;
      let written = 0;
      const count = () => {
        if (input !== undefined) this.inputs.wrote(input, written);
        counts.rows += written;
        written = 0;
      };
      try {
        let sinceWait = 0;
        for (const rows of plan.latest.groupsOfBytes()) {
          for (let i = 0; i < rows.length - 1; i++) {
            const by = rows[i + 1];
            const where = by.sourceLine === undefined ? by.input : `${by.input} line ${by.sourceLine}`;
            this.reject(table, `duplicate ${table.primaryKey.join('+')}: superseded by ${where}`, fieldsOfLine(rows[i].lineBytes.toString('utf8')), {
              input: rows[i].input,
              line: rows[i].sourceLine,
            });
          }
          const kept = rows[rows.length - 1];
          if (kept.input !== input) {
            count();
            input = kept.input;
          }
          this.writeKept(table, kept);
          written++;
          // Let gzip keep up (the extraction loop does this per chunk): without it, millions of
          // kept rows would queue in the part streams' buffers.
          if (++sinceWait === 512) {
            sinceWait = 0;
            await this.settle();
            await this.writer.drain();
          }
        }
        count();
        await this.settle();
      } finally {
        plan.latest.clear();
      }
    }
  }
}
