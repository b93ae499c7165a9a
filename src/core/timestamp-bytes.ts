/**
 * Timestamps read and printed as bytes, for the byte-level fast paths (no string per value). What
 * is accepted here is a subset of values.ts `parseTimestamp`, normalised exactly as it does;
 * anything else is left to it (false means "not this shape", not "invalid").
 */

import { daysInMonth } from './values';

const SPACE = 32;
const PLUS = 43;
const DASH = 45;
const COLON = 58;
const T = 84;
const Z = 90;

function twoDigits(b: Uint8Array, at: number): number {
  const hi = b[at] - 48;
  const lo = b[at + 1] - 48;
  return hi >= 0 && hi <= 9 && lo >= 0 && lo <= 9 ? hi * 10 + lo : -1;
}

/** What follows the year, month, day, hour and minute in a printed timestamp. */
const STAMP_SEPARATORS = [DASH, DASH, T, COLON, COLON];

/** Bytes `printUtcStamp` writes: `YYYY-MM-DDTHH:MM:SSZ`. */
export const UTC_STAMP_BYTES = 20;

/**
 * Reads `b[at..end)` when it is a timestamp of the common shapes: `YYYY-MM-DD HH:MM:SS` or
 * `…THH:MM:SS`, optionally with `Z` (already UTC), or with a `±HH:MM` offset (converted; years
 * 1000–9998 only, where the general path's Date round trip needs no special case). `out` gets
 * year, month, day, hour, minute, second (UTC) and 1 when converted from an offset, else 0.
 */
export function readUtcSeconds(b: Uint8Array, at: number, end: number, out: Int32Array): boolean {
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

/**
 * Prints the timestamp `readUtcSeconds` read from `b` at `from` (its fields in `t`) as
 * `YYYY-MM-DDTHH:MM:SSZ` into `out` at `at`; returns UTC_STAMP_BYTES.
 */
export function printUtcStamp(b: Uint8Array, from: number, t: Int32Array, out: Uint8Array, at: number): number {
  if (t[6] === 0) {
    // Already UTC: the date and the clock as they are.
    for (let i = 0; i < 10; i++) out[at + i] = b[from + i];
    out[at + 10] = T;
    for (let i = 11; i < 19; i++) out[at + i] = b[from + i];
  } else {
    let to = at;
    for (let i = 0; i < 6; i++) {
      to += digits(t[i], i === 0 ? 4 : 2, out, to);
      if (i < 5) out[to++] = STAMP_SEPARATORS[i];
    }
  }
  out[at + 19] = Z;
  return UTC_STAMP_BYTES;
}

/** `value` as `width` decimal digits into `out` at `at`; returns `width`. */
function digits(value: number, width: number, out: Uint8Array, at: number): number {
  for (let i = width - 1; i >= 0; i--) {
    out[at + i] = 48 + (value % 10);
    value = Math.floor(value / 10);
  }
  return width;
}
