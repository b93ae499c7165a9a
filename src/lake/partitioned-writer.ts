import * as fs from 'node:fs';
import * as fsp from 'node:fs/promises';
import * as path from 'node:path';
import { formatHeader, quoteString } from '../core/csv-row';
import { TaskPool } from '../core/task-pool';
import { csvColumns, type TableDef } from '../core/table';
import { dataFileKey, type Zone } from './keys';
import { PartFile, type PartStats } from './part-file';

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
  private readonly lineageSuffix: string;
  private readonly blocked = new Set<PartFile>();
  private clock = 0;
  private spoolReady = false;

  constructor(private readonly options: PartitionedWriterOptions) {
    this.pool = new TaskPool(options.concurrency ?? 4);
    this.lineageSuffix = `,${quoteString(options.runId)},${options.extractedAt}`;
  }

  /**
   * Appends one row (already serialised, without lineage columns) to its partition's part.
   * Returns a promise only when a part had to be opened or closed, so the common case costs no await.
   */
  write(zone: Zone, table: TableDef, date: string, line: string): Promise<void> | undefined {
    const id = `${zone}/${table.source}/${table.name}/${date}`;
    let evicted: Promise<void> | undefined;
    let part = this.open.get(id);
    if (part === undefined) {
      // Map changes happen synchronously, so rows that follow in the same batch find this part.
      if (this.open.size >= this.options.maxOpenFiles) evicted = this.closePart(this.leastRecentlyUsed());
      part = this.openPart(id, zone, table, date);
    }
    part.file.lastUsed = ++this.clock;
    // Reading a character flattens the line: its fields are slices of whole input chunks (1 MiB
    // and more), and a line waiting in a rarely written part (rejects) would keep its chunk alive.
    line.charCodeAt(0);
    part.file.append(line + this.lineageSuffix);
    if (part.file.needsDrain) this.blocked.add(part.file);
    const rolled = part.file.textChars >= this.options.maxFileChars ? this.closePart(id) : undefined;
    return evicted && rolled ? Promise.all([evicted, rolled]).then(() => undefined) : (evicted ?? rolled);
  }

  /** Waits while gzip catches up; call between batches. */
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
    return [...this.written].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }

  /** Drops everything not yet handed on, and the spool folder. */
  async abort(): Promise<void> {
    const parts = [...this.open.values()];
    this.open.clear();
    await Promise.allSettled(parts.map((part) => part.file.abort()));
    await this.pool.drain().catch(() => undefined);
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
    const file = new PartFile(localPath, header, this.options.gzipLevel);
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
    return this.pool.add(async () => {
      const stats = await part.file.close();
      const written: WrittenFile = { key, zone, source: table.source, table: table.name, partitionDate: date, ...stats };
      await this.options.onFileClosed(written, part.file.localPath);
      this.written.push(written);
    });
  }
}
