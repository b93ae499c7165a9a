import type { ShapedOp } from './row-shaper';

/**
 * ShapedOps of one input, packed to cross threads cheaply: structured clone copies a few typed
 * arrays and strings instead of an object per row. Lines are joined into one string and cut again
 * by length on the other side.
 */
export interface ShapedBatch {
  input: string;
  /** Records read for this batch (the ledger's rows in). */
  records: number;
  /** `source/name` of each table the ops name. */
  tables: string[];
  /** Per op: table index, high bit set for a reject. */
  kinds: Uint8Array;
  /** Per op: length of its line in `text`. */
  lengths: Uint32Array;
  text: string;
  /** Per op: source line, 0 when none. */
  sourceLines: Uint32Array;
  /** Per row (not reject): its partition day, 10 characters each. */
  dates: string;
  /** Per row of a table that dedupes within a run: its key; per reject: its reason. */
  words: string[];
  /** Per op flagged RUN, in order: rows shaped at the byte level (see RowRun). */
  runs: RowRun[];
  /**
   * A batch shaped on the thread that writes it keeps its ops as they are (packing them would only
   * be undone): then the packed fields above are empty.
   */
  ops?: BatchOp[];
}

/** One op of a batch: a row or reject (ShapedOp), or a run of byte-level rows of a table. */
export type BatchOp = ShapedOp | (RowRun & { kind: 'run'; table: string });

/**
 * Rows of one table and partition day shaped at the byte level, no string per row. For a table
 * that keeps every row, lake lines (ASCII, each ending with the lineage columns and a line end),
 * written as they are; for one that dedupes within the run, kept-row records (KeptRows.adopt).
 */
export interface RowRun {
  date: string;
  bytes: Uint8Array;
  rows: number;
}

/** Tells a shaped batch from a batch of raw records (see ExtractedBatch). */
export function isShapedBatch(batch: object): batch is ShapedBatch {
  return 'kinds' in batch && (batch as { kinds: unknown }).kinds instanceof Uint8Array;
}

/** Set in `kinds` for a reject. */
export const REJECT = 0x80;
/** Set in `kinds` for a run of byte-level rows (`runs`). */
export const RUN = 0x40;
/** The table index in `kinds`. */
export const TABLE_BITS = 0x3f;

/**
 * Runs copied into one fresh buffer. A run is a view of its shaper's buffer, which may be larger
 * than the run and reused afterwards; posting the views would copy every whole buffer behind them.
 * The joined buffer belongs to the batch alone, so it can be transferred (`transferList`).
 */
function joinRuns(runs: RowRun[]): RowRun[] {
  if (runs.length === 0) return runs;
  const joined = new Uint8Array(runs.reduce((n, r) => n + r.bytes.byteLength, 0));
  let at = 0;
  return runs.map((run) => {
    joined.set(run.bytes, at);
    const bytes = joined.subarray(at, at + run.bytes.byteLength);
    at += run.bytes.byteLength;
    return { ...run, bytes };
  });
}

/** The buffers a packed batch alone owns: posted with it as transfers, not copies. */
export function transferList(batch: ShapedBatch): ArrayBuffer[] {
  const buffers = [batch.kinds.buffer, batch.lengths.buffer, batch.sourceLines.buffer];
  if (batch.runs.length > 0) buffers.push(batch.runs[0].bytes.buffer);
  return buffers.filter((b): b is ArrayBuffer => b instanceof ArrayBuffer && b.byteLength > 0);
}

/** Collects ops of one input and packs them. */
export class ShapedBatchBuilder {
  private ops: BatchOp[] = [];

  add(op: ShapedOp): void {
    this.ops.push(op);
  }

  /** Byte-level rows of `table` (`source/name`), in their place among the other ops. */
  addRun(table: string, run: RowRun): void {
    if (run.rows > 0) this.ops.push({ kind: 'run', table, ...run });
  }

  /** The ops collected so far as a batch for this thread (not packed). */
  take(input: string, records: number): ShapedBatch {
    const ops = this.ops;
    this.ops = [];
    return { input, records, tables: [], kinds: new Uint8Array(0), lengths: new Uint32Array(0), text: '', sourceLines: new Uint32Array(0), dates: '', words: [], runs: [], ops };
  }

  /** The ops collected so far, packed to cross to another thread. */
  build(input: string, records: number): ShapedBatch {
    const ops = this.ops;
    this.ops = [];
    const runs: RowRun[] = [];
    const tables: string[] = [];
    const kinds = new Uint8Array(ops.length);
    const lengths = new Uint32Array(ops.length);
    const sourceLines = new Uint32Array(ops.length);
    const lines: string[] = [];
    const dates: string[] = [];
    const words: string[] = [];
    ops.forEach((op, i) => {
      let t = tables.indexOf(op.table);
      if (t < 0) t = tables.push(op.table) - 1;
      if (t > TABLE_BITS) throw new Error(`a shaped batch names more than ${TABLE_BITS + 1} tables`);
      if (op.kind === 'run') {
        kinds[i] = t | RUN;
        runs.push({ date: op.date, bytes: op.bytes, rows: op.rows });
        return;
      }
      kinds[i] = op.kind === 'reject' ? t | REJECT : t;
      lengths[i] = op.line.length;
      lines.push(op.line);
      sourceLines[i] = op.origin.line ?? 0;
      if (op.kind === 'reject') words.push(op.reason);
      else {
        dates.push(op.date);
        if (op.key !== undefined) words.push(op.key);
      }
    });
    return { input, records, tables, kinds, lengths, text: lines.join(''), sourceLines, dates: dates.join(''), words, runs: joinRuns(runs) };
  }
}
