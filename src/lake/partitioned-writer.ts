import * as fs from 'node:fs';
import * as fsp from 'node:fs/promises';
import * as path from 'node:path';
import { formatHeader, quoteString } from '../core/csv-row';
import { TaskPool } from '../core/task-pool';
import { csvColumns, type TableDef } from '../core/table';
import { dataFileKey, type Zone } from './keys';
import { ChunkCompressor } from './chunked-gzip';
import { PartFile, type PartStats } from './part-file';

/**
 * Chunks (1 MiB of text each) being compressed at once, across every part: more than the pool's
 * threads (one per core, bin/soundlake.js), so the pool never waits for the main thread, while at
 * most ~8 MiB of text waits in memory for it (2, 3, 4 and 8 measured the same on 2 cores).
 */
const COMPRESSIONS_IN_FLIGHT = 8;

export interface WrittenFile extends PartStats {
  /** Final key (where commit puts it). */
  key: string;
  zone: Zone;
  source: string;
  table: string;
  partitionDate: string;
}

export interface PartitionedWriterOptions {
  job: string;
  runId: string;
  extractedAt: string;
  /** Local folder for part files while they are written. */
  spoolDir: string;
  /**
   * A part rolls over once its CSV text reaches this many characters. Counted on the text, not on
   * gzip's output (which trails its input asynchronously), so the same rows split the same way.
   */
  maxFileChars: number;
  /** Parts open at once; the least recently used one is closed past this. */
  maxOpenFiles: number;
  gzipLevel: number;
  /** Receives each finished part (stages it in the lake); runs on a bounded pool. */
  onFileClosed: (file: WrittenFile, localPath: string) => Promise<void>;
  /** Closed parts handed on at once. Default 4. */
  concurrency?: number;
}

interface OpenPart {
  file: PartFile;
  zone: Zone;
  table: TableDef;
  date: string;
  part: number;
}

/**
 * Routes serialised rows by zone, table and partition day to gzip CSV part files, appending the
 * lineage columns, rolling parts at the size limit and keeping at most `maxOpenFiles` open.
 */
export class PartitionedWriter {
  private readonly open = new Map<string, OpenPart>();
  private readonly nextPart = new Map<string, number>();
  private readonly written: WrittenFile[] = [];
  private readonly pool: TaskPool;
  /** `,"run id",extracted at`: the lineage columns every data row ends with. */
  private readonly lineageSuffix: string;
  private readonly blocked = new Set<PartFile>();
  private clock = 0;
  /** The partition written last, found again without its key. */
  private lastPart: { id: string; part: OpenPart } | undefined;
  private spoolReady = false;
  /** Compresses every part's chunks on the thread pool; a few chunks per pool thread keep it busy. */
  private readonly compressor: ChunkCompressor;

  constructor(private readonly options: PartitionedWriterOptions) {
    this.pool = new TaskPool(options.concurrency ?? 4);
    this.compressor = new ChunkCompressor(options.gzipLevel, COMPRESSIONS_IN_FLIGHT);
    this.lineageSuffix = lineageColumns(options.runId, options.extractedAt);
  }

  /**
   * Appends one row (already serialised, without lineage columns) to its partition's part.
   * Returns a promise only when a part had to be opened or closed, so the common case costs no await.
   */
  write(zone: Zone, table: TableDef, date: string, line: string): Promise<void> | undefined {
    const { id, part, evicted } = this.partFor(zone, table, date);
    // Reading a character flattens the line: its fields are slices of whole input chunks (1 MiB
    // and more), and a line waiting in a rarely written part (rejects) would keep its chunk alive.
    line.charCodeAt(0);
    part.file.append(line);
    return this.afterWrite(id, part, evicted);
  }

  /**
   * Appends one row (serialised, without lineage columns) given as its UTF-8 bytes and its length
   * as text (`chars`, what parts roll on): a row kept for deduplication is stored that way, and
   * needs no string to be written.
   */
  writeLineBytes(zone: Zone, table: TableDef, date: string, line: Buffer, chars: number): Promise<void> | undefined {
    const { id, part, evicted } = this.partFor(zone, table, date);
    part.file.appendLineBytes(line, chars);
    return this.afterWrite(id, part, evicted);
  }

  /**
   * Appends `rows` whole rows already serialised as ASCII bytes, lineage columns and line ends
   * included (`lineageColumns`). A part rolls at the same row as if they came one by one: the
   * run is cut at the first line end that takes the part to `maxFileChars`.
   */
  writeBytes(zone: Zone, table: TableDef, date: string, bytes: Buffer, rows: number): Promise<void> | undefined {
    const waits: Promise<void>[] = [];
    let rest = bytes;
    let restRows = rows;
    while (restRows > 0) {
      const { id, part, evicted } = this.partFor(zone, table, date);
      if (evicted) waits.push(evicted);
      const room = this.options.maxFileChars - part.file.textChars;
      let cut = rest.length;
      let cutRows = restRows;
      if (room < rest.length) {
        cut = rest.indexOf(10, Math.max(0, room - 1)) + 1;
        cutRows = countLines(rest, cut);
      }
      part.file.appendBytes(cut === rest.length ? rest : rest.subarray(0, cut), cutRows);
      const rolled = this.afterWrite(id, part, undefined);
      if (rolled) waits.push(rolled);
      rest = rest.subarray(cut);
      restRows -= cutRows;
    }
    return waits.length === 0 ? undefined : waits.length === 1 ? waits[0] : Promise.all(waits).then(() => undefined);
  }

  /** The open part of a partition, opened (and the least recently used one closed) when needed. */
  private partFor(zone: Zone, table: TableDef, date: string): { id: string; part: OpenPart; evicted: Promise<void> | undefined } {
    const last = this.lastPart;
    // Rows come in runs of one partition: no key string per row for them.
    if (last && last.part.zone === zone && last.part.table === table && last.part.date === date && this.open.get(last.id) === last.part) {
      last.part.file.lastUsed = ++this.clock;
      return { id: last.id, part: last.part, evicted: undefined };
    }
    const id = `${zone}/${table.source}/${table.name}/${date}`;
    let evicted: Promise<void> | undefined;
    let part = this.open.get(id);
    if (part === undefined) {
      // Map changes happen synchronously, so rows that follow in the same batch find this part.
      if (this.open.size >= this.options.maxOpenFiles) evicted = this.closePart(this.leastRecentlyUsed());
      part = this.openPart(id, zone, table, date);
    }
    part.file.lastUsed = ++this.clock;
    this.lastPart = { id, part };
    return { id, part, evicted };
  }

  /** Notes a part compression is behind on, and rolls it at its size; the promise covers any part closed. */
  private afterWrite(id: string, part: OpenPart, evicted: Promise<void> | undefined): Promise<void> | undefined {
    if (part.file.needsDrain) this.blocked.add(part.file);
    const rolled = part.file.textChars >= this.options.maxFileChars ? this.closePart(id) : undefined;
    return evicted && rolled ? Promise.all([evicted, rolled]).then(() => undefined) : (evicted ?? rolled);
  }

  /** Waits while compression catches up; call between batches. */
  async drain(): Promise<void> {
    if (this.blocked.size === 0) return;
    const files = [...this.blocked];
    this.blocked.clear();
    await Promise.all(files.map((file) => file.drain()));
  }

  /** Closes every part and waits until all are handed on; returns every file written. */
  async finish(): Promise<WrittenFile[]> {
    for (const id of [...this.open.keys()]) await this.closePart(id);
    await this.pool.drain();
    this.compressor.close();
    return [...this.written].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }

  /** Drops everything not yet handed on, and the spool folder. */
  async abort(): Promise<void> {
    const parts = [...this.open.values()];
    this.open.clear();
    await Promise.allSettled(parts.map((part) => part.file.abort()));
    await this.pool.drain().catch(() => undefined);
    this.compressor.close();
    await fsp.rm(this.options.spoolDir, { recursive: true, force: true });
  }

  private openPart(id: string, zone: Zone, table: TableDef, date: string): OpenPart {
    if (!this.spoolReady) {
      fs.mkdirSync(this.options.spoolDir, { recursive: true });
      this.spoolReady = true;
    }
    const part = this.nextPart.get(id) ?? 0;
    this.nextPart.set(id, part + 1);
    const key = this.keyOf(zone, table, date, part);
    const localPath = path.join(this.options.spoolDir, key.replace(/\//g, '__'));
    const header = formatHeader(csvColumns(table).map((c) => c.name));
    const file = new PartFile(localPath, header, this.options.gzipLevel, this.compressor, this.lineageSuffix);
    const open: OpenPart = { file, zone, table, date, part };
    this.open.set(id, open);
    return open;
  }

  private keyOf(zone: Zone, table: TableDef, date: string, part: number): string {
    return dataFileKey(zone, table.source, table.name, date, this.options.job, this.options.runId, part);
  }

  private leastRecentlyUsed(): string {
    let oldest: string | undefined;
    let oldestUse = Infinity;
    for (const [id, part] of this.open) {
      if (part.file.lastUsed < oldestUse) {
        oldestUse = part.file.lastUsed;
        oldest = id;
      }
    }
    if (oldest === undefined) throw new Error('no open part to close');
    return oldest;
  }

  /** Takes the part out of the open set at once; the returned promise covers closing and staging it. */
  private closePart(id: string): Promise<void> {
    const part = this.open.get(id);
    if (!part) return Promise.resolve();
    this.open.delete(id);
    this.blocked.delete(part.file);
    const { zone, table, date } = part;
    const key = this.keyOf(zone, table, date, part.part);
    return this.pool
      .add(async () => {
        const stats = await part.file.close();
        const written: WrittenFile = { key, zone, source: table.source, table: table.name, partitionDate: date, ...stats };
        await this.options.onFileClosed(written, part.file.localPath);
        this.written.push(written);
      })
      .catch(async (error: unknown) => {
        // The pool refused it (an earlier part failed): nothing will close this part, so drop it
        // here (an open file's space stays taken even once its folder is removed).
        await part.file.abort();
        throw error;
      });
  }
}

/** `,"run id",extracted at`: the lineage columns every data row ends with (lake.md, CSV contract). */
export function lineageColumns(runId: string, extractedAt: string): string {
  return `,${quoteString(runId)},${extractedAt}`;
}

/** Line ends in the first `end` bytes. */
function countLines(bytes: Buffer, end: number): number {
  let n = 0;
  for (let at = bytes.indexOf(10); at >= 0 && at < end; at = bytes.indexOf(10, at + 1)) n++;
  return n;
}
