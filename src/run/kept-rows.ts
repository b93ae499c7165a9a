import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * The latest row per key, for tables that dedupe within a run, in bounded memory.
 *
 * Rows are appended to UTF-8 arenas (a record per row: no JS object per row) with their key kept
 * as a string. When the arenas reach `memoryBytes`, the buffer is sorted by (key, arrival) and
 * written to a run file on disk, and memory starts over. `groups()` then merges the runs (and what
 * is still in memory) in key order and hands out each key's rows in arrival order: the last is
 * kept, every earlier one was superseded by the row after it. 10M users need a few sorted runs
 * and a merge, never a map of 10M keys.
 */

const ARENA_BYTES = 1 << 20;
/** Adopted record buffers at least this large become arenas themselves; smaller ones are copied. */
const ADOPT_BYTES = 64 * 1024;
/**
 * Record: u32 key bytes, u32 line bytes, u32 source line (0 = none), u16 input, u16 partition day
 * (indexes into this KeptRows' tables of them), f64 arrival, u32 line length as text (UTF-16
 * units: what parts roll on), key, line.
 */
const HEADER_BYTES = 4 + 4 + 4 + 2 + 2 + 8 + 4;
const INPUT_AT = 12;
const DATE_AT = 14;
const SEQ_AT = 16;
const CHARS_AT = 24;
/** Bytes before a record's key (rows shaped elsewhere at the byte level write it, see `writeKeptHeader`). */
export const KEPT_HEADER_BYTES = HEADER_BYTES;
const READ_BYTES = 1 << 20;
/** Run files merged at once; beyond this they are first merged into one (bounded open files). */
const MAX_RUNS = 64;

export interface KeptRow {
  line: string;
  date: string;
  input: string;
  sourceLine: number | undefined;
}

/** A kept row with its line as the UTF-8 bytes it is stored as (no string made for it). */
export interface KeptRowBytes {
  lineBytes: Buffer;
  /** The line's length as text (UTF-16 code units). */
  lineChars: number;
  date: string;
  input: string;
  sourceLine: number | undefined;
}

interface Entry {
  key: string;
  seq: number;
  /** The encoded record: a view (a reader refills into a new buffer, so the view stays valid). */
  record: Buffer;
}

/** What the merge reads: entries in (key, arrival) order. */
interface EntrySource {
  peek(): Entry | undefined;
  next(): void;
}

const before = (a: Entry, b: Entry) => (a.key < b.key ? true : a.key > b.key ? false : a.seq < b.seq);

export class KeptRows {
  private arenas: Buffer[] = [];
  /** The arena `add` appends to (by index in `arenas`; -1: none yet), and its bytes used. */
  private current = -1;
  private used = 0;
  private offsets: number[] = [];
  private keys: string[] = [];
  /** Record bytes held in memory now. */
  private bytes = 0;
  private readonly inputs = new NameTable('inputs');
  private readonly dates = new NameTable('partition days');
  private readonly runs: string[] = [];
  private runFiles = 0;
  private seq = 0;

  /**
   * @param spillDir folder for sorted runs (created when first needed; `clear()` removes them)
   * @param memoryBytes record bytes kept in memory before a sorted run is written ([run] dedup_memory_mb, 16 MiB)
   */
  constructor(
    private readonly spillDir: string,
    private readonly memoryBytes = 16 * 1024 * 1024,
  ) {}

  /** Runs written to disk so far. */
  get spilledRuns(): number {
    return this.runs.length;
  }

  add(key: string, row: KeptRow): void {
    this.offsets.push(this.append(key, row));
    this.keys.push(key);
    if (this.bytes >= this.memoryBytes) this.spill();
  }

  /**
   * Takes over `records` (made with `writeKeptHeader`, each followed by its key and line, all of
   * one input and partition day): a large buffer becomes one of the arenas without a copy, a small
   * one (a few rows between two lines the general path took) is copied into the current arena, so
   * arenas stay few. The records get their input, day and arrival here; the caller must not reuse
   * the buffer.
   */
  adopt(records: Buffer, input: string, date: string): void {
    const inputIndex = this.inputs.indexOf(input);
    const dateIndex = this.dates.indexOf(date);
    let arena: number;
    let at: number;
    if (records.length >= ADOPT_BYTES) {
      arena = this.arenas.push(records) - 1;
      at = 0;
    } else {
      const into = this.room(records.length);
      arena = this.current;
      at = this.used;
      records.copy(into, at);
      this.used += records.length;
    }
    const target = this.arenas[arena];
    const end = at + records.length;
    while (at < end) {
      const keyBytes = target.readUInt32LE(at);
      this.stamp(target, at, inputIndex, dateIndex);
      this.offsets.push(arena * 2 ** 32 + at);
      this.keys.push(target.toString('utf8', at + HEADER_BYTES, at + HEADER_BYTES + keyBytes));
      at += HEADER_BYTES + keyBytes + target.readUInt32LE(at + 4);
    }
    this.bytes += records.length;
    if (this.bytes >= this.memoryBytes) this.spill();
  }

  /**
   * Every key once, in key order, with its rows in arrival order: `rows[rows.length - 1]` is the
   * latest; `rows[i]` was superseded by `rows[i + 1]`.
   */
  *groups(): IterableIterator<KeptRow[]> {
    for (const group of this.groupsOfBytes()) yield group.map(rowOf);
  }

  /** `groups()` with each line as its stored UTF-8 bytes: what the writer takes without a string. */
  *groupsOfBytes(): IterableIterator<KeptRowBytes[]> {
    if (this.runs.length === 0) {
      // All in memory (the common case): in sorted order, no merge.
      const order = this.sortedIndexes();
      const keys = this.keys;
      for (let i = 0; i < order.length; ) {
        let end = i + 1;
        while (end < order.length && keys[order[end]] === keys[order[i]]) end++;
        const group = new Array<KeptRowBytes>(end - i);
        for (let k = i; k < end; k++) group[k - i] = this.rowBytesOf(this.record(this.offsets[order[k]]));
        yield group;
        i = end;
      }
      return;
    }
    for (const group of this.entryGroups()) yield group.map((e) => this.rowBytesOf(e.record));
  }

  private rowBytesOf(record: Buffer): KeptRowBytes {
    const lineStart = HEADER_BYTES + record.readUInt32LE(0);
    const sourceLine = record.readUInt32LE(8);
    return {
      lineBytes: record.subarray(lineStart, lineStart + record.readUInt32LE(4)),
      lineChars: record.readUInt32LE(CHARS_AT),
      sourceLine: sourceLine === 0 ? undefined : sourceLine,
      input: this.inputs.name(record.readUInt16LE(INPUT_AT)),
      date: this.dates.name(record.readUInt16LE(DATE_AT)),
    };
  }

  private *entryGroups(): IterableIterator<Entry[]> {
    const sources: EntrySource[] = this.runs.map((file) => new RunReader(file));
    if (this.keys.length > 0) sources.push(this.memorySource());
    const heap = new SourceHeap(sources.filter((s) => s.peek() !== undefined));
    let group: Entry[] = [];
    for (;;) {
      const entry = heap.pop();
      if (!entry || (group.length > 0 && entry.key !== group[0].key)) {
        if (group.length > 0) yield group;
        if (!entry) return;
        group = [];
      }
      group.push(entry);
    }
  }

  /** Frees memory and removes the run files. */
  clear(): void {
    this.resetMemory();
    for (const file of this.runs.splice(0)) fs.rmSync(file, { force: true });
  }

  private resetMemory(): void {
    this.arenas = [];
    this.current = -1;
    this.used = 0;
    this.offsets = [];
    this.keys = [];
    this.bytes = 0;
  }

  /** This buffer's entries in (key, arrival) order; arrival order within the buffer is its index order. */
  private sortedIndexes(): number[] {
    const keys = this.keys;
    return Array.from(keys, (_, i) => i).sort((a, b) => (keys[a] < keys[b] ? -1 : keys[a] > keys[b] ? 1 : a - b));
  }

  private spill(): void {
    fs.mkdirSync(this.spillDir, { recursive: true });
    this.runs.push(this.writeRun(Array.from(this.sortedIndexes(), (i) => this.record(this.offsets[i]))));
    this.resetMemory();
    if (this.runs.length >= MAX_RUNS) {
      // Many small runs (a small budget, a huge table): fold them into one, so a merge never
      // holds more than MAX_RUNS files open.
      const runs = this.runs.splice(0);
      const heap = new SourceHeap(runs.map((file) => new RunReader(file)).filter((r) => r.peek() !== undefined));
      this.runs.push(this.writeRun((function* () {
        for (let entry = heap.pop(); entry; entry = heap.pop()) yield entry.record;
      })()));
      for (const file of runs) fs.rmSync(file, { force: true });
    }
  }

  /** Writes records (already in order) to the next run file; returns its path. */
  private writeRun(records: Iterable<Buffer>): string {
    const file = path.join(this.spillDir, `run-${String(this.runFiles++).padStart(6, '0')}.bin`);
    const fd = fs.openSync(file, 'w');
    try {
      let out = Buffer.allocUnsafe(READ_BYTES);
      let used = 0;
      for (const record of records) {
        if (used + record.length > out.length) {
          fs.writeSync(fd, out, 0, used);
          used = 0;
          if (record.length > out.length) out = Buffer.allocUnsafe(record.length);
        }
        record.copy(out, used);
        used += record.length;
      }
      if (used > 0) fs.writeSync(fd, out, 0, used);
    } finally {
      fs.closeSync(fd);
    }
    return file;
  }

  private memorySource(): EntrySource {
    const order = this.sortedIndexes();
    let at = 0;
    let current: Entry | undefined;
    const load = () => {
      if (at >= order.length) return (current = undefined);
      // The key is still in memory as a string: no need to decode it from the record.
      const record = this.record(this.offsets[order[at]]);
      return (current = { record, key: this.keys[order[at]], seq: record.readDoubleLE(SEQ_AT) });
    };
    load();
    return {
      peek: () => current,
      next: () => {
        at++;
        load();
      },
    };
  }

  private append(key: string, row: KeptRow): number {
    // Room for the worst case (3 UTF-8 bytes per UTF-16 unit), so the strings are written without
    // measuring them first.
    const arena = this.room(HEADER_BYTES + 3 * (key.length + row.line.length));
    const start = this.used;
    const keyBytes = arena.write(key, start + HEADER_BYTES, 'utf8');
    const lineBytes = arena.write(row.line, start + HEADER_BYTES + keyBytes, 'utf8');
    writeKeptHeader(arena, start, keyBytes, lineBytes, row.sourceLine ?? 0, row.line.length);
    this.stamp(arena, start, this.inputs.indexOf(row.input), this.dates.indexOf(row.date));
    const needed = HEADER_BYTES + keyBytes + lineBytes;
    this.used += needed;
    this.bytes += needed;
    // Offset = arena number * 2^32 + position: exact in a double for any realistic buffer.
    return this.current * 2 ** 32 + start;
  }

  /** The rest of the header of the record at `at`: its input, its day and its arrival (the next). */
  private stamp(arena: Buffer, at: number, inputIndex: number, dateIndex: number): void {
    arena.writeUInt16LE(inputIndex, at + INPUT_AT);
    arena.writeUInt16LE(dateIndex, at + DATE_AT);
    arena.writeDoubleLE(this.seq++, at + SEQ_AT);
  }

  /** The current arena, with at least `bytes` free after `used` (a new arena when it has not). */
  private room(bytes: number): Buffer {
    if (this.current < 0 || this.used + bytes > this.arenas[this.current].length) {
      this.current = this.arenas.push(Buffer.allocUnsafe(Math.max(ARENA_BYTES, bytes))) - 1;
      this.used = 0;
    }
    return this.arenas[this.current];
  }

  /** The bytes of the record at `offset` (a view, not a copy). */
  private record(offset: number): Buffer {
    const arena = this.arenas[Math.floor(offset / 2 ** 32)];
    const start = offset % 2 ** 32;
    return arena.subarray(start, start + HEADER_BYTES + arena.readUInt32LE(start) + arena.readUInt32LE(start + 4));
  }
}

/**
 * The header of a record, as `add` writes it and a byte-level shaper does for `adopt`: the key
 * (`keyBytes` of UTF-8) and the line (`lineBytes`, `lineChars` as text) follow it; its input, day
 * and arrival are stamped by KeptRows.
 */
export function writeKeptHeader(out: Buffer, at: number, keyBytes: number, lineBytes: number, sourceLine: number, lineChars: number): void {
  out.writeUInt32LE(keyBytes, at);
  out.writeUInt32LE(lineBytes, at + 4);
  out.writeUInt32LE(sourceLine, at + 8);
  out.writeUInt32LE(lineChars, at + CHARS_AT);
}

function decode(record: Buffer): Entry {
  return { record, key: record.toString('utf8', HEADER_BYTES, HEADER_BYTES + record.readUInt32LE(0)), seq: record.readDoubleLE(SEQ_AT) };
}

function rowOf(row: KeptRowBytes): KeptRow {
  const { lineBytes, lineChars: _chars, ...rest } = row;
  return { line: lineBytes.toString('utf8'), ...rest };
}

/** Names (inputs, days) a record stores as a u16 index. */
class NameTable {
  private readonly names: string[] = [];
  private readonly index = new Map<string, number>();

  constructor(private readonly what: string) {}

  indexOf(name: string): number {
    let index = this.index.get(name);
    if (index === undefined) {
      index = this.names.length;
      if (index > 0xffff) throw new Error(`more than 65536 ${this.what} in one deduplicated table`);
      this.names.push(name);
      this.index.set(name, index);
    }
    return index;
  }

  name(index: number): string {
    return this.names[index];
  }
}

/** Reads a sorted run file record by record through a 1 MiB buffer. */
class RunReader implements EntrySource {
  private readonly fd: number;
  private buffer = Buffer.alloc(0);
  private position = 0;
  private eof = false;
  private current: Entry | undefined;

  constructor(file: string) {
    this.fd = fs.openSync(file, 'r');
    this.next();
  }

  peek(): Entry | undefined {
    return this.current;
  }

  next(): void {
    if (!this.ensure(HEADER_BYTES)) return this.close();
    const length = HEADER_BYTES + this.buffer.readUInt32LE(this.position) + this.buffer.readUInt32LE(this.position + 4);
    if (!this.ensure(length)) throw new Error('a dedup run file ends inside a record');
    this.current = decode(this.buffer.subarray(this.position, this.position + length));
    this.position += length;
  }

  /** At least `bytes` unread bytes in the buffer, unless the file ends first. */
  private ensure(bytes: number): boolean {
    if (this.buffer.length - this.position >= bytes) return true;
    if (this.eof) return false;
    const rest = this.buffer.subarray(this.position);
    const chunk = Buffer.allocUnsafe(Math.max(READ_BYTES, bytes));
    const read = fs.readSync(this.fd, chunk, 0, chunk.length, null);
    if (read === 0) this.eof = true;
    this.buffer = Buffer.concat([rest, chunk.subarray(0, read)]);
    this.position = 0;
    return this.buffer.length >= bytes;
  }

  private close(): void {
    this.current = undefined;
    fs.closeSync(this.fd);
  }
}

/** A binary min-heap of sources by their next entry. */
class SourceHeap {
  constructor(private readonly items: EntrySource[]) {
    for (let i = Math.floor(items.length / 2) - 1; i >= 0; i--) this.down(i);
  }

  pop(): Entry | undefined {
    const top = this.items[0];
    if (!top) return undefined;
    const entry = top.peek()!;
    top.next();
    if (top.peek() === undefined) {
      const last = this.items.pop()!;
      if (this.items.length > 0 && last !== top) this.items[0] = last;
    }
    if (this.items.length > 0) this.down(0);
    return entry;
  }

  private down(i: number): void {
    const items = this.items;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let least = i;
      if (l < items.length && before(items[l].peek()!, items[least].peek()!)) least = l;
      if (r < items.length && before(items[r].peek()!, items[least].peek()!)) least = r;
      if (least === i) return;
      [items[i], items[least]] = [items[least], items[i]];
      i = least;
    }
  }
}
