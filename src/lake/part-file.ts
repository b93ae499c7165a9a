import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as fsp from 'node:fs/promises';
import { once } from 'node:events';
import * as zlib from 'node:zlib';

/** Rows are joined into chunks of this many characters before one gzip write (one write per row is 6× slower). */
const CHUNK_CHARS = 64 * 1024;
/** gzip may fall this far behind before writers wait, so parsing and compressing overlap on two cores. */
const GZIP_BUFFER_BYTES = 1024 * 1024;

export interface PartStats {
  rows: number;
  /** Compressed size on disk, bytes. */
  bytes: number;
  uncompressedBytes: number;
  /** Hex sha256 of the compressed file. */
  sha256: string;
}

/** One gzip CSV part file being written to a local spool path. */
export class PartFile {
  rows = 0;
  /** Compressed bytes produced so far (lags the input by what gzip still buffers). */
  compressedBytes = 0;
  /** Characters of CSV text appended so far, line ends included (deterministic, unlike compressedBytes). */
  textChars = 0;
  lastUsed = 0;
  private uncompressedBytes = 0;
  private pending: string[] = [];
  private pendingChars = 0;
  private readonly gzip: zlib.Gzip;
  private readonly file: fs.WriteStream;
  private readonly hash = createHash('sha256');
  private readonly fileDone: Promise<unknown>;
  private blocked = false;

  constructor(
    readonly localPath: string,
    header: string,
    gzipLevel: number,
    private readonly chunkChars = CHUNK_CHARS,
  ) {
    this.gzip = zlib.createGzip({ level: gzipLevel, writableHighWaterMark: GZIP_BUFFER_BYTES } as zlib.ZlibOptions);
    this.file = fs.createWriteStream(localPath, { highWaterMark: 1 << 20 });
    this.gzip.on('data', (chunk: Buffer) => {
      this.compressedBytes += chunk.length;
      this.hash.update(chunk);
    });
    this.gzip.pipe(this.file);
    // Surface errors from either stream through one promise; 'close' settles it after 'finish'.
    this.fileDone = new Promise((resolve, reject) => {
      this.file.on('close', () => resolve(undefined));
      this.file.on('error', reject);
      this.gzip.on('error', reject);
    });
    this.fileDone.catch(() => undefined);
    this.append(header);
    this.rows = 0;
  }

  /** Adds one CSV record (no line ending). */
  append(line: string): void {
    this.pending.push(line);
    this.pendingChars += line.length + 1;
    this.textChars += line.length + 1;
    this.rows++;
    if (this.pendingChars >= this.chunkChars) this.flush();
  }

  /** True when gzip asked the writer to wait. */
  get needsDrain(): boolean {
    return this.blocked;
  }

  async drain(): Promise<void> {
    if (!this.blocked) return;
    await Promise.race([once(this.gzip, 'drain'), this.fileDone]);
    this.blocked = false;
  }

  private flush(): void {
    if (this.pending.length === 0) return;
    const text = `${this.pending.join('\n')}\n`;
    this.pending = [];
    this.pendingChars = 0;
    const buffer = Buffer.from(text, 'utf8');
    this.uncompressedBytes += buffer.length;
    if (!this.gzip.write(buffer)) this.blocked = true;
  }

  async close(): Promise<PartStats> {
    this.flush();
    this.gzip.end();
    await this.fileDone;
    return {
      rows: this.rows,
      bytes: this.compressedBytes,
      uncompressedBytes: this.uncompressedBytes,
      sha256: this.hash.digest('hex'),
    };
  }

  async abort(): Promise<void> {
    this.gzip.destroy();
    this.file.destroy();
    await fsp.rm(this.localPath, { force: true });
  }
}
