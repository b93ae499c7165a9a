/**
 * The fast path for well-formed stream rows: a landing line `user_id,track_id,listen_time` (no
 * quotes, ASCII, a timestamp of the common shape) becomes its lake row directly, byte for byte,
 * with no string or object per row. Anything else returns false and the caller hands the line to
 * the general path (parser, RowShaper); the two are kept equal by a differential test and a
 * fuzzer (tests/unit/stream-row-bytes.test.ts). What a line must be here is what the general path
 * would make of it unchanged: a string column is quoted as it is, the timestamp is normalised as
 * `parseTimestamp` does for these shapes.
 */

import { daysInMonth } from '../../core/values';

const COMMA = 44;
const QUOTE = 34;
const CR = 13;
const SPACE = 32;
const T = 84;
const Z = 90;
const DASH = 45;
const COLON = 58;

function twoDigits(b: Uint8Array, at: number): number {
  const hi = b[at] - 48;
  const lo = b[at + 1] - 48;
  return hi >= 0 && hi <= 9 && lo >= 0 && lo <= 9 ? hi * 10 + lo : -1;
}

const PLUS = 43;
/** What follows the year, month, day, hour and minute in a printed timestamp. */
const STAMP_SEPARATORS = [DASH, DASH, T, COLON, COLON];

/**
 * A timestamp of the common shapes, normalised to UTC as values.ts `parseTimestamp` does, or
 * undefined (the general path decides): `YYYY-MM-DD HH:MM:SS` or `…THH:MM:SS`, optionally with `Z`
 * (already UTC), or with a `±HH:MM` offset (converted; years 1000–9998 only, where the general
 * path's Date round trip needs no special case). Digits of the result, `YYYYMMDDhhmmss`, go to `out`.
 */
function utcSeconds(b: Uint8Array, at: number, end: number, out: Int32Array): boolean {
  const length = end - at;
  if (length !== 19 && length !== 20 && length !== 25) return false;
  if (length === 20 && b[at + 19] !== Z) return false;
  const sep = b[at + 10];
  if (b[at + 4] !== DASH || b[at + 7] !== DASH || (sep !== SPACE && sep !== T) || b[at + 13] !== COLON || b[at + 16] !== COLON) return false;
  const century = twoDigits(b, at);
  const yy = twoDigits(b, at + 2);
  const month = twoDigits(b, at + 5);
  const day = twoDigits(b, at + 8);
  const hour = twoDigits(b, at + 11);
  const minute = twoDigits(b, at + 14);
  const second = twoDigits(b, at + 17);
  if (century < 0 || yy < 0 || month < 1 || month > 12 || day < 1 || hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59) return false;
  let year = century * 100 + yy;
  if (year < 1 || day > daysInMonth(year, month)) return false;
  out[0] = year;
  out[1] = month;
  out[2] = day;
  out[3] = hour;
  out[4] = minute;
  out[5] = second;
  out[6] = 0;
  if (length !== 25) return true;
  // `±HH:MM`: what the instant is in UTC.
  const sign = b[at + 19];
  if ((sign !== PLUS && sign !== DASH) || b[at + 22] !== COLON || year < 1000 || year > 9998) return false;
  const offsetHours = twoDigits(b, at + 20);
  const offsetMinutes = twoDigits(b, at + 23);
  if (offsetHours < 0 || offsetHours > 23 || offsetMinutes < 0 || offsetMinutes > 59) return false;
  let minutes = hour * 60 + minute - (sign === PLUS ? 1 : -1) * (offsetHours * 60 + offsetMinutes);
  let m = month;
  let d = day;
  if (minutes < 0) {
    minutes += 1440;
    if (--d < 1) {
      if (--m < 1) {
        m = 12;
        year--;
      }
      d = daysInMonth(year, m);
    }
  } else if (minutes >= 1440) {
    minutes -= 1440;
    if (++d > daysInMonth(year, m)) {
      d = 1;
      if (++m > 12) {
        m = 1;
        year++;
      }
    }
  }
  out[0] = year;
  out[1] = m;
  out[2] = d;
  out[3] = Math.floor(minutes / 60);
  out[4] = minutes % 60;
  out[6] = 1;
  return true;
}

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
    if (!utcSeconds(b, time, end, t)) return false;

    const run = this.runFor(t[0] * 10_000 + t[1] * 100 + t[2]);
    const size = userLength + trackLength + 26 + this.suffix.length;
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
    if (t[6] === 0) {
      // Already UTC: the date and the clock as they are.
      at += copy(b, time, time + 10, out, at);
      out[at++] = T;
      at += copy(b, time + 11, time + 19, out, at);
    } else {
      // Converted from an offset: printed as `YYYY-MM-DDTHH:MM:SS`.
      for (let i = 0; i < 6; i++) {
        at += digits(t[i], i === 0 ? 4 : 2, out, at);
        if (i < 5) out[at++] = STAMP_SEPARATORS[i];
      }
    }
    out[at++] = Z;
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

/** `value` as `width` decimal digits into `out` at `at`; returns `width`. */
function digits(value: number, width: number, out: Uint8Array, at: number): number {
  for (let i = width - 1; i >= 0; i--) {
    out[at + i] = 48 + (value % 10);
    value = Math.floor(value / 10);
  }
  return width;
}

/** Copies `b[from..to)` into `out` at `at`; returns the count. A loop: shorter than a call to Buffer#copy costs for ~10 bytes. */
function copy(b: Uint8Array, from: number, to: number, out: Uint8Array, at: number): number {
  for (let i = from; i < to; i++) out[at++] = b[i];
  return to - from;
}
