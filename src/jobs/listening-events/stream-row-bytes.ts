/**
 * The fast path for well-formed stream rows: a landing line `user_id,track_id,listen_time` (no
 * quotes, ASCII, a timestamp of the common shape) becomes its lake row directly, byte for byte,
 * with no string or object per row. Anything else returns false and the caller hands the line to
 * the general path (parser, RowShaper); the two are kept equal by a differential test and a
 * fuzzer (tests/unit/stream-row-bytes.test.ts). What a line must be here is what the general path
 * would make of it unchanged: a string column is quoted as it is, the timestamp is normalised as
 * `parseTimestamp` does for these shapes.
 */

import { printUtcStamp, readUtcSeconds, UTC_STAMP_BYTES } from '../../core/timestamp-bytes';

const COMMA = 44;
const QUOTE = 34;
const CR = 13;
const SPACE = 32;

/** Growable output of one partition day. */
class DayRun {
  length = 0;
  rows = 0;
  constructor(
    readonly date: string,
    readonly key: number,
    public bytes: Buffer,
  ) {}

  room(needed: number): Buffer {
    if (this.length + needed > this.bytes.length) {
      const grown = Buffer.allocUnsafe(Math.max(this.bytes.length * 4, this.length + needed));
      this.bytes.copy(grown, 0, 0, this.length);
      this.bytes = grown;
    }
    return this.bytes;
  }
}

const pad2 = (n: number) => (n < 10 ? `0${n}` : String(n));

/** Rows shaped at the byte level, by partition day, until they are handed on (`take`). */
export class StreamRowBytes {
  private runs: DayRun[] = [];
  /** Buffers of runs handed on and since copied (`recycle`), used again: fewer large allocations, fewer collections. */
  private spare: Buffer[] = [];
  /** Buffers of runs handed on and maybe not copied yet. */
  private handed: Buffer[] = [];
  private last: DayRun | undefined;
  private readonly suffix: Buffer;
  /** The parsed timestamp of the row being shaped: year, month, day, hour, minute, second (UTC), 1 when converted from an offset. */
  private readonly time = new Int32Array(7);

  /**
   * @param lineageSuffix what every row ends with before its line end (`,"run id",extracted at`)
   * @param maxFieldChars a longer field is left to the general path (which cuts and rejects it)
   */
  constructor(
    lineageSuffix: string,
    private readonly maxFieldChars: number,
  ) {
    this.suffix = Buffer.from(`${lineageSuffix}\n`, 'latin1');
  }

  /**
   * Shapes the line `b[start..end)` (no line end; a CR before the LF is allowed) when it is a
   * well-formed stream row; false (nothing written) when the general path must decide.
   */
  add(b: Uint8Array, start: number, end: number): boolean {
    if (end > start && b[end - 1] === CR) end--;
    let first = -1;
    let second = -1;
    for (let i = start; i < end; i++) {
      const c = b[i];
      if (c === COMMA) {
        if (first < 0) first = i;
        else if (second < 0) second = i;
        else return false;
      } else if (c === QUOTE || c === CR || c >= 0x80) {
        return false;
      }
    }
    if (second < 0) return false;
    // Keys: not empty, not blank (the general path rejects those), not longer than a field may be.
    const userLength = first - start;
    const trackLength = second - first - 1;
    if (userLength === 0 || trackLength === 0 || b[start] <= SPACE || b[first + 1] <= SPACE) return false;
    if (userLength > this.maxFieldChars || trackLength > this.maxFieldChars) return false;
    const t = this.time;
    const time = second + 1;
    if (!readUtcSeconds(b, time, end, t)) return false;

    const run = this.runFor(t[0] * 10_000 + t[1] * 100 + t[2]);
    const size = userLength + trackLength + 6 + UTC_STAMP_BYTES + this.suffix.length;
    const out = run.room(size);
    let at = run.length;
    out[at++] = QUOTE;
    at += copy(b, start, first, out, at);
    out[at++] = QUOTE;
    out[at++] = COMMA;
    out[at++] = QUOTE;
    at += copy(b, first + 1, second, out, at);
    out[at++] = QUOTE;
    out[at++] = COMMA;
    at += printUtcStamp(b, time, t, out, at);
    at += this.suffix.copy(out, at);
    run.length = at;
    run.rows++;
    return true;
  }

  /** The run of the day `key` (YYYYMMDD). */
  private runFor(key: number): DayRun {
    if (this.last?.key === key) return this.last;
    let run = this.runs.find((r) => r.key === key);
    if (!run) {
      const date = `${String(Math.floor(key / 10_000)).padStart(4, '0')}-${pad2(Math.floor(key / 100) % 100)}-${pad2(key % 100)}`;
      run = new DayRun(date, key, this.spare.pop() ?? Buffer.allocUnsafe(16 * 1024));
      this.runs.push(run);
    }
    this.last = run;
    return run;
  }

  /**
   * The rows shaped since the last call, one run per day (in the order the days first came). Their
   * bytes stay valid until `recycle()`.
   */
  take(): { date: string; bytes: Uint8Array; rows: number }[] {
    const runs = this.runs.filter((r) => r.rows > 0).map((r) => ({ date: r.date, bytes: r.bytes.subarray(0, r.length), rows: r.rows }));
    for (const run of this.runs) this.handed.push(run.bytes);
    this.runs = [];
    this.last = undefined;
    return runs;
  }

  /** Every run handed on so far has been copied on (appended to a part, posted to another thread): their buffers may be reused. */
  recycle(): void {
    for (const bytes of this.handed.splice(0)) this.spare.push(bytes);
  }
}

/** Copies `b[from..to)` into `out` at `at`; returns the count. A loop: shorter than a call to Buffer#copy costs for ~10 bytes. */
function copy(b: Uint8Array, from: number, to: number, out: Uint8Array, at: number): number {
  for (let i = from; i < to; i++) out[at++] = b[i];
  return to - from;
}
