import { isUtf8 } from 'node:buffer';
import type { Readable } from 'node:stream';

const QUOTE = 0x22;
const COMMA = 0x2c;
const LF = 0x0a;
const CR = 0x0d;

/**
 * Follows only the quoting of CSV bytes, the same way DelimitedParser does (a quote opens a quoted
 * field only at a field's start; `""` inside one is a literal), jumping from quote to quote. It
 * tells, before any row of a file is used, whether the file ends inside a quoted field — one stray
 * quote that would turn the rest of the file into a single field.
 */
class QuoteScanner {
  private inQuoted = false;
  /** The chunk ended on a quote inside a quoted field: the next byte decides (`""` or a close). */
  private pendingQuote = false;
  private previous = LF;
  private offset = 0;
  /** Byte offset of the quote that opened the current quoted field. */
  openedAt = -1;

  push(buffer: Buffer): void {
    const length = buffer.length;
    let i = 0;
    if (this.pendingQuote && length > 0) {
      this.pendingQuote = false;
      if (buffer[0] === QUOTE) i = 1;
      else this.inQuoted = false;
    }
    while (i < length) {
      const quote = buffer.indexOf(QUOTE, i);
      if (quote < 0) break;
      if (this.inQuoted) {
        if (quote + 1 >= length) {
          this.pendingQuote = true;
          break;
        }
        if (buffer[quote + 1] === QUOTE) {
          i = quote + 2;
          continue;
        }
        this.inQuoted = false;
        i = quote + 1;
        continue;
      }
      const before = quote > 0 ? buffer[quote - 1] : this.previous;
      if (before === COMMA || before === LF || before === CR) {
        this.inQuoted = true;
        this.openedAt = this.offset + quote;
      }
      i = quote + 1;
    }
    if (length > 0) this.previous = buffer[length - 1];
    this.offset += length;
  }

  /** At the end of the input: a quoted field was opened and never closed. */
  get unterminated(): boolean {
    return this.inQuoted && !this.pendingQuote;
  }
}

/** Bytes at the end of `buffer` that start a UTF-8 character the next chunk completes. */
function incompleteTail(buffer: Buffer): number {
  const end = buffer.length;
  for (let back = 1; back <= Math.min(3, end); back++) {
    const byte = buffer[end - back];
    if ((byte & 0xc0) === 0x80) continue; // a continuation byte: keep looking for the lead
    const needed = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : byte >= 0xc0 ? 2 : 1;
    return needed > back ? back : 0;
  }
  return 0;
}

function encodingProblem(head: Buffer): string | undefined {
  if (head[0] === 0xff && head[1] === 0xfe) return 'the file is UTF-16 little-endian (it starts with that byte-order mark); save it as UTF-8';
  if (head[0] === 0xfe && head[1] === 0xff) return 'the file is UTF-16 big-endian (it starts with that byte-order mark); save it as UTF-8';
  const sample = head.subarray(0, 4096);
  const nul = sample.indexOf(0);
  if (nul >= 0) {
    const evenNuls = sample.filter((b, i) => i % 2 === 0 && b === 0).length;
    const oddNuls = sample.filter((b, i) => i % 2 === 1 && b === 0).length;
    if (oddNuls > sample.length / 4) return 'the file looks like UTF-16 little-endian without a byte-order mark (every other byte is 0); save it as UTF-8';
    if (evenNuls > sample.length / 4) return 'the file looks like UTF-16 big-endian without a byte-order mark (every other byte is 0); save it as UTF-8';
    return `the file holds a NUL byte at offset ${nul}: not a text file`;
  }
  return undefined;
}

/**
 * Reads a landing file's bytes once, before any of its rows is used, and says why the file as a
 * whole cannot be loaded (it then goes to error/ with that reason, and its sibling files are still
 * processed): not UTF-8, or ending inside a quoted field. Read errors (a truncated gzip stream,
 * permissions) are the caller's to catch from the stream.
 */
export async function checkLandingBytes(bytes: Readable): Promise<string | undefined> {
  const quotes = new QuoteScanner();
  let carry: Buffer | undefined;
  let offset = 0;
  let first = true;
  for await (const raw of bytes as AsyncIterable<Buffer>) {
    if (first) {
      first = false;
      const problem = encodingProblem(raw);
      if (problem) {
        bytes.destroy();
        return problem;
      }
    }
    quotes.push(raw);
    const chunk = carry ? Buffer.concat([carry, raw]) : raw;
    const tail = incompleteTail(chunk);
    if (!isUtf8(chunk.subarray(0, chunk.length - tail))) {
      bytes.destroy();
      return `the file is not valid UTF-8 (an invalid byte between offsets ${offset} and ${offset + chunk.length}; Latin-1 or Windows-1252?); save it as UTF-8`;
    }
    carry = tail > 0 ? Buffer.from(chunk.subarray(chunk.length - tail)) : undefined;
    offset += chunk.length - tail;
  }
  if (carry) return `the file is not valid UTF-8 (it ends inside a character at offset ${offset})`;
  if (quotes.unterminated) {
    return `the file ends inside a quoted field opened at byte ${quotes.openedAt}: a stray quote would swallow every row after it`;
  }
  return undefined;
}
