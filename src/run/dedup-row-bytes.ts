/**
 * The fast path for well-formed rows of a table that dedupes within a run (users, songs): a
 * landing line with the table's columns in order, no quotes, becomes its kept-row record (see
 * kept-rows.ts `adopt`) directly, with no string, array or object per row but its key. Anything
 * else returns false and the caller hands the line to the general path (parser, RowShaper), which
 * makes the row or the reject; the two are kept equal by a differential test and a fuzzer
 * (tests/unit/dedup-row-bytes.test.ts). What a field must be here is what the general path makes
 * of it unchanged, byte for byte:
 * - string: any bytes but `"`, CR and LF; quoted as they are (empty: NULL);
 * - integer: 1–15 digits without a leading zero (`parseInteger` → `String` gives them back);
 * - boolean: `true` or `false` in any letter case (printed in lower case);
 * - timestamp: the shapes of core/timestamp-bytes.ts.
 */

import type { ColumnChecks } from '../core/row-validation';
import { printUtcStamp, readUtcSeconds } from '../core/timestamp-bytes';
import type { TableDef, Value } from '../core/table';
import { KEPT_HEADER_BYTES, writeKeptHeader } from './kept-rows';
import type { RowRun } from './shaped-batch';

const COMMA = 44;
const QUOTE = 34;
const CR = 13;

const enum Kind {
  Text,
  Integer,
  Boolean,
  Timestamp,
}

const KINDS: Partial<Record<string, Kind>> = { string: Kind.Text, integer: Kind.Integer, boolean: Kind.Boolean, timestamp: Kind.Timestamp };
/** `true` and `false` as bytes. */
const TRUE = [116, 114, 117, 101];
const FALSE = [102, 97, 108, 115, 101];
/**
 * Records buffer size. Runs are views of it (a general line between rows costs no allocation), and
 * a full buffer is closed as a run rather than copied on, so what KeptRows adopts is what it holds.
 */
const BUFFER_BYTES = 1024 * 1024;

export class DedupRowBytes {
  private readonly kinds: Kind[];
  private readonly nullable: boolean[];
  /** Checks beyond the type, by column (on integer columns only: others make the table ineligible). */
  private readonly checks: (((value: Value) => string | undefined) | undefined)[];
  private readonly width: number;
  /** Field starts and ends of the line being shaped: field i is `b[bounds[i] + 1 .. bounds[i + 1])`. */
  private readonly bounds: Int32Array;
  private readonly time = new Int32Array(7);
  private out: Buffer;
  /** Records not taken yet are `out[taken..used)`, `rows` of them, after the runs of full buffers in `closed`. */
  private taken = 0;
  private used = 0;
  private rows = 0;
  private closed: RowRun[] = [];

  /**
   * The fast path of `table`, or undefined when its shape is not one it takes (no dedupe within
   * the run, a partition column, a composite key or a key that is not text or integer, a column
   * type or check it does not know).
   * @param date the partition day of every row (the run's logical date: the table has no partition column)
   * @param maxFieldChars a longer field is left to the general path (which cuts and rejects it)
   */
  static of(table: TableDef, checks: ColumnChecks | undefined, date: string, maxFieldChars: number): DedupRowBytes | undefined {
    if (!table.dedupeWithinRun || table.partitionBy !== null || table.primaryKey.length !== 1) return undefined;
    const key = table.columns.findIndex((c) => c.name === table.primaryKey[0]);
    if (key !== 0 || !['string', 'integer'].includes(table.columns[0].type)) return undefined;
    if (table.columns.some((c) => KINDS[c.type] === undefined)) return undefined;
    if ([...(checks?.keys() ?? [])].some((i) => table.columns[i].type !== 'integer')) return undefined;
    return new DedupRowBytes(table, checks, date, maxFieldChars);
  }

  private constructor(
    table: TableDef,
    checks: ColumnChecks | undefined,
    private readonly date: string,
    private readonly maxFieldChars: number,
  ) {
    this.kinds = table.columns.map((c) => KINDS[c.type]!);
    this.nullable = table.columns.map((c) => c.nullable);
    this.checks = table.columns.map((_, i) => checks?.get(i));
    this.width = table.columns.length;
    this.bounds = new Int32Array(this.width + 1);
    this.out = Buffer.allocUnsafe(BUFFER_BYTES);
  }

  /**
   * Shapes the line `b[start..end)` (no line end; a CR before the LF is allowed), physical line
   * `line` of its file, when it is a well-formed row; false (nothing kept) when the general path
   * must decide. The bytes must be valid UTF-8: the caller checked the whole file first
   * (read-landing-file.ts `fileProblem`, which refuses any other file).
   */
  add(b: Uint8Array, start: number, end: number, line: number): boolean {
    if (end > start && b[end - 1] === CR) end--;
    const bounds = this.bounds;
    const width = this.width;
    bounds[0] = start - 1;
    let fields = 1;
    /** UTF-8 bytes beyond one per UTF-16 unit (continuation bytes, less one per 4-byte sequence). */
    let extra = 0;
    for (let i = start; i < end; i++) {
      const c = b[i];
      if (c < 0x80) {
        if (c === COMMA) {
          if (fields === width) return false;
          bounds[fields++] = i;
        } else if (c === QUOTE || c === CR) return false;
      } else if (c < 0xc0) extra++;
      else if (c >= 0xf0) extra--;
    }
    if (fields !== width) return false;
    bounds[width] = end;

    const keyBytes = bounds[1] - start;
    if (keyBytes === 0) return false; // a NULL key: the general path rejects it or keys it apart
    // Worst case: every field quoted, a timestamp one byte longer, the key twice.
    const out = this.room(KEPT_HEADER_BYTES + keyBytes + (end - start) + 3 * width);
    const record = this.used;
    const lineStart = record + KEPT_HEADER_BYTES + keyBytes;
    let at = lineStart;
    for (let f = 0; f < width; f++) {
      const from = bounds[f] + 1;
      const to = bounds[f + 1];
      if (f > 0) out[at++] = COMMA;
      if (to - from > this.maxFieldChars) return false;
      if (from === to) {
        if (!this.nullable[f]) return false;
        continue; // NULL: an empty field
      }
      switch (this.kinds[f]) {
        case Kind.Text: {
          if (!this.nullable[f] && blank(b, from, to)) return false;
          out[at++] = QUOTE;
          for (let i = from; i < to; i++) out[at++] = b[i];
          out[at++] = QUOTE;
          break;
        }
        case Kind.Integer: {
          const value = canonicalInteger(b, from, to);
          if (value < 0) return false;
          const check = this.checks[f];
          if (check && check(value) !== undefined) return false;
          for (let i = from; i < to; i++) out[at++] = b[i];
          break;
        }
        case Kind.Boolean: {
          // Any letter case, printed in lower case (`parseBoolean` → `String`).
          const word = matchesWord(b, from, to, TRUE) ? TRUE : matchesWord(b, from, to, FALSE) ? FALSE : undefined;
          if (!word) return false;
          for (const c of word) out[at++] = c;
          break;
        }
        case Kind.Timestamp: {
          if (!readUtcSeconds(b, from, to, this.time)) return false;
          at += printUtcStamp(b, from, this.time, out, at);
          break;
        }
      }
    }
    // The key as the general path makes it: the field's text (a canonical integer's digits alike).
    for (let i = 0; i < keyBytes; i++) out[record + KEPT_HEADER_BYTES + i] = b[start + i];
    const lineBytes = at - lineStart;
    writeKeptHeader(out, record, keyBytes, lineBytes, line, lineBytes - extra);
    this.used = at;
    this.rows++;
    return true;
  }

  /** The records shaped since the last call, as runs of the logical date (kept-row records, not lake lines). */
  take(): RowRun[] {
    this.close();
    const runs = this.closed;
    this.closed = [];
    return runs;
  }

  /** Buffers handed on are never reused (they are adopted, not copied). */
  recycle(): void {}

  /** The records not taken yet become a run: a view, taken over where it goes (KeptRows.adopt), never written again here. */
  private close(): void {
    if (this.rows === 0) return;
    this.closed.push({ date: this.date, bytes: this.out.subarray(this.taken, this.used), rows: this.rows });
    this.taken = this.used;
    this.rows = 0;
  }

  /** At least `bytes` free after the records so far: when the buffer has not, its records become a run and a new one starts. */
  private room(bytes: number): Buffer {
    if (this.used + bytes > this.out.length) {
      this.close();
      this.out = Buffer.allocUnsafe(Math.max(BUFFER_BYTES, bytes));
      this.taken = 0;
      this.used = 0;
    }
    return this.out;
  }
}

/** Only characters `trim` removes (the general path rejects such a required field as empty)? Conservative: true unless a visible ASCII byte is there. */
function blank(b: Uint8Array, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (b[i] > 32 && b[i] < 127) return false;
  return true;
}

/** The value of 1–15 digits without a leading zero (what `String(parseInteger(text))` gives back unchanged), else -1. */
function canonicalInteger(b: Uint8Array, from: number, to: number): number {
  if (to - from > 15 || (b[from] === 48 && to - from > 1)) return -1;
  let value = 0;
  for (let i = from; i < to; i++) {
    const d = b[i] - 48;
    if (d < 0 || d > 9) return -1;
    value = value * 10 + d;
  }
  return value;
}

/** `b[from..to)` is `word` (lower-case letters) in any letter case: setting bit 0x20 lowers only A–Z onto a–z. */
function matchesWord(b: Uint8Array, from: number, to: number, word: readonly number[]): boolean {
  if (to - from !== word.length) return false;
  for (let i = 0; i < word.length; i++) if ((b[from + i] | 0x20) !== word[i]) return false;
  return true;
}
