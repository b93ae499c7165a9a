/**
 * The latest serialised row per key, for tables that dedupe within a run, in little memory.
 *
 * A Map of row arrays costs ~500 bytes a row in V8 (objects, UTF-16 strings, slices that keep whole
 * input chunks alive); 100k songs took 76 MB of live heap and V8 then grew the heap to ~4x that.
 * Here each kept row is one record appended to 1 MiB UTF-8 arenas, and the Map holds key → offset:
 * about 60 bytes of overhead a row. Superseded records stay in the arena (bounded by the input size).
 */

const ARENA_BYTES = 1 << 20;
/** Record header: u32 line length, u32 source line (0 = none), u16 input index, 10 bytes date. */
const HEADER_BYTES = 4 + 4 + 2 + 10;

export interface KeptRow {
  line: string;
  date: string;
  input: string;
  sourceLine: number | undefined;
}

export class KeptRows {
  private readonly arenas: Buffer[] = [];
  private used = ARENA_BYTES;
  private readonly offsets = new Map<string, number>();
  private readonly inputs: string[] = [];
  private readonly inputIndex = new Map<string, number>();

  get size(): number {
    return this.offsets.size;
  }

  /** Keeps `row` as the latest for `key`; returns the row it replaced, if any. */
  set(key: string, row: KeptRow): KeptRow | undefined {
    const previousOffset = this.offsets.get(key);
    const previous = previousOffset === undefined ? undefined : this.read(previousOffset);
    this.offsets.set(key, this.append(row));
    return previous;
  }

  *values(): IterableIterator<KeptRow> {
    for (const offset of this.offsets.values()) yield this.read(offset);
  }

  clear(): void {
    this.offsets.clear();
    this.arenas.length = 0;
    this.used = ARENA_BYTES;
  }

  private append(row: KeptRow): number {
    const lineBytes = Buffer.byteLength(row.line, 'utf8');
    const needed = HEADER_BYTES + lineBytes;
    if (this.used + needed > ARENA_BYTES) {
      this.arenas.push(Buffer.allocUnsafe(Math.max(ARENA_BYTES, needed)));
      this.used = 0;
    }
    const arena = this.arenas[this.arenas.length - 1];
    const start = this.used;
    arena.writeUInt32LE(lineBytes, start);
    arena.writeUInt32LE(row.sourceLine ?? 0, start + 4);
    arena.writeUInt16LE(this.indexOf(row.input), start + 8);
    arena.write(row.date, start + 10, 10, 'latin1');
    arena.write(row.line, start + HEADER_BYTES, lineBytes, 'utf8');
    this.used += needed;
    // Offset = arena number * 2^32 + position: exact in a double for any realistic run.
    return (this.arenas.length - 1) * 2 ** 32 + start;
  }

  private read(offset: number): KeptRow {
    const arena = this.arenas[Math.floor(offset / 2 ** 32)];
    const start = offset % 2 ** 32;
    const lineBytes = arena.readUInt32LE(start);
    const sourceLine = arena.readUInt32LE(start + 4);
    return {
      line: arena.toString('utf8', start + HEADER_BYTES, start + HEADER_BYTES + lineBytes),
      sourceLine: sourceLine === 0 ? undefined : sourceLine,
      input: this.inputs[arena.readUInt16LE(start + 8)],
      date: arena.toString('latin1', start + 10, start + 20),
    };
  }

  private indexOf(input: string): number {
    let index = this.inputIndex.get(input);
    if (index === undefined) {
      index = this.inputs.length;
      if (index > 0xffff) throw new Error('more than 65535 inputs feed one deduplicated table');
      this.inputs.push(input);
      this.inputIndex.set(input, index);
    }
    return index;
  }
}
