import { createHash } from 'node:crypto';
import * as fsp from 'node:fs/promises';
import { crc32, gzipHeader, gzipTrailer, GZIP_CHUNK_BYTES, type ChunkCompressor } from './chunked-gzip';

export interface PartStats {
  rows: number;
  /** Compressed size on disk, bytes. */
  bytes: number;
  uncompressedBytes: number;
  /** Hex sha256 of the compressed file. */
  sha256: string;
}

/**
 * One gzip CSV part file being written to a local spool path, as one gzip member built from
 * independently compressed chunks (chunked-gzip.ts). Rows wait as text until a chunk's worth
 * (GZIP_CHUNK_BYTES) is there; the chunk is then compressed on the thread pool while rows go on
 * arriving, and compressed chunks are written in order.
 */
export class PartFile {
  rows = 0;
  /** Compressed bytes written so far (lags the rows by the chunks still being compressed). */
  compressedBytes = 0;
  /** Characters of CSV text appended so far, lineage and line ends included (decides where parts roll). */
  textChars = 0;
  lastUsed = 0;
  private uncompressedBytes = 0;
  private crc = 0;
  /** Rows waiting as text (without lineage and line end), joined when they become bytes. */
  private lines: string[] = [];
  /** The next chunk's bytes so far (header, rows), in `chunk[0..used)`; handed to the compressor whole. */
  private chunk: Buffer;
  private used = 0;
  private pendingChars = 0;
  /** `,lineage…\n`: ends every data row. */
  private readonly rowEnd: string;
  private readonly rowEndBytes: Buffer;
  private readonly hash = createHash('sha256');
  /** The open file (closed by close or abort, whatever failed). */
  private readonly handle: Promise<fsp.FileHandle>;
  /** The header, then each compressed chunk written after the one before. */
  private written: Promise<void>;
  private failure: unknown;

  /**
   * @param lineageSuffix the lineage columns every data row ends with (`,"run id",extracted at`)
   * @param chunkBytes text per compressed chunk (default GZIP_CHUNK_BYTES)
   */
  constructor(
    readonly localPath: string,
    header: string,
    level: number,
    private readonly compressor: ChunkCompressor,
    lineageSuffix: string,
    private readonly chunkBytes = GZIP_CHUNK_BYTES,
  ) {
    this.rowEnd = `${lineageSuffix}\n`;
    this.rowEndBytes = Buffer.from(this.rowEnd, 'utf8');
    this.chunk = compressor.buffer(chunkBytes + (chunkBytes >> 2));
    this.handle = fsp.open(localPath, 'w');
    this.handle.catch(() => undefined);
    this.written = this.handle.then((handle) => this.put(handle, gzipHeader(level)));
    this.written.catch((error: unknown) => (this.failure ??= error));
    this.used = this.chunk.write(`${header}\n`, 0, 'utf8');
    this.pendingChars = header.length + 1;
    this.textChars = header.length + 1;
  }

  /** Adds one CSV record without its lineage columns and line end. */
  append(line: string): void {
    this.lines.push(line);
    const chars = line.length + this.rowEnd.length;
    this.pendingChars += chars;
    this.textChars += chars;
    this.rows++;
    // Characters, not bytes: cheap to count, and the same text is always cut at the same places.
    if (this.pendingChars >= this.chunkBytes) this.cutChunk();
  }

  /**
   * Adds `rows` whole records already as ASCII bytes, lineage and line ends included (rows shaped
   * at the byte level): one character per byte, so they count as they would as text.
   */
  appendBytes(bytes: Buffer, rows: number): void {
    this.joinLines();
    this.room(bytes.length);
    this.used += bytes.copy(this.chunk, this.used);
    this.pendingChars += bytes.length;
    this.textChars += bytes.length;
    this.rows += rows;
    if (this.pendingChars >= this.chunkBytes) this.cutChunk();
  }

  /**
   * Adds one record given as its UTF-8 bytes without lineage and line end (a kept row as stored);
   * `chars` is its length as text, which is what parts roll on.
   */
  appendLineBytes(line: Buffer, chars: number): void {
    this.joinLines();
    this.room(line.length + this.rowEndBytes.length);
    this.used += line.copy(this.chunk, this.used);
    this.used += this.rowEndBytes.copy(this.chunk, this.used);
    const total = chars + this.rowEnd.length;
    this.pendingChars += total;
    this.textChars += total;
    this.rows++;
    if (this.pendingChars >= this.chunkBytes) this.cutChunk();
  }

  /** At least `bytes` free at the end of the chunk buffer. */
  private room(bytes: number): void {
    if (this.used + bytes <= this.chunk.length) return;
    const grown = Buffer.allocUnsafe(Math.max(this.chunk.length * 2, this.used + bytes));
    this.chunk.copy(grown, 0, 0, this.used);
    this.chunk = grown;
  }

  /** True when the compressor has as many chunks in hand as it may: the writer should wait. */
  get needsDrain(): boolean {
    return this.compressor.saturated;
  }

  async drain(): Promise<void> {
    if (this.failure !== undefined) throw this.failure;
    await this.compressor.idle();
  }

  private async put(handle: fsp.FileHandle, bytes: Buffer): Promise<void> {
    this.hash.update(bytes);
    this.compressedBytes += bytes.length;
    await handle.write(bytes);
  }

  /** Rows waiting as text become one segment of bytes (one join: the lineage is its separator). */
  private joinLines(): void {
    if (this.lines.length === 0) return;
    const text = this.lines.join(this.rowEnd) + this.rowEnd;
    this.lines = [];
    this.room(Buffer.byteLength(text, 'utf8'));
    this.used += this.chunk.write(text, this.used, 'utf8');
  }

  /** The pending text becomes one chunk: compressed now, written after the chunks before it. */
  private cutChunk(): void {
    this.joinLines();
    if (this.used === 0) return;
    const text = this.chunk.subarray(0, this.used);
    this.chunk = this.compressor.buffer(this.chunkBytes + (this.chunkBytes >> 2));
    this.used = 0;
    this.pendingChars = 0;
    this.uncompressedBytes += text.length;
    this.crc = crc32(text, this.crc);
    const compressed = this.compressor.deflate(text);
    compressed.catch(() => undefined);
    const before = this.written;
    this.written = before.then(async () => this.put(await this.handle, await compressed));
    this.written.catch((error: unknown) => (this.failure ??= error));
  }

  async close(): Promise<PartStats> {
    this.cutChunk();
    const handle = await this.handle;
    try {
      await this.written;
      await this.put(handle, gzipTrailer(this.crc, this.uncompressedBytes));
    } finally {
      await handle.close();
    }
    return {
      rows: this.rows,
      bytes: this.compressedBytes,
      uncompressedBytes: this.uncompressedBytes,
      sha256: this.hash.digest('hex'),
    };
  }

  async abort(): Promise<void> {
    this.lines = [];
    this.used = 0;
    await this.written.catch(() => undefined);
    const handle = await this.handle.catch(() => undefined);
    await handle?.close().catch(() => undefined);
    await fsp.rm(this.localPath, { force: true });
  }
}
