import * as fs from 'node:fs';
import * as fsp from 'node:fs/promises';
import * as path from 'node:path';
import type { Readable } from 'node:stream';
import { PermanentError } from '../core/errors';
import type { Store, StoredObject } from './store';

/** Read chunk: big enough to amortise per-chunk work, small enough that one batch of records stays small. */
const READ_CHUNK_BYTES = 64 * 1024;

/** A lake or landing area in a local folder; same layout as on S3. */
export class LocalStore implements Store {
  readonly root: string;

  constructor(readonly url: string) {
    this.root = path.resolve(url);
  }

  private pathOf(key: string): string {
    const full = path.resolve(this.root, key);
    if (full !== this.root && !full.startsWith(this.root + path.sep)) throw new Error(`key escapes the store: ${key}`);
    return full;
  }

  describe(key: string): string {
    return this.pathOf(key);
  }

  async check(): Promise<void> {
    try {
      await fsp.mkdir(this.root, { recursive: true });
      await fsp.access(this.root, fs.constants.W_OK);
    } catch (error) {
      throw new PermanentError(`cannot write to ${this.root}: ${(error as Error).message}`);
    }
  }

  async list(prefix: string, options: { recursive?: boolean } = {}): Promise<StoredObject[]> {
    const recursive = options.recursive ?? true;
    const slash = prefix.lastIndexOf('/');
    const baseKey = slash >= 0 ? prefix.slice(0, slash + 1) : '';
    const out: StoredObject[] = [];
    const walk = async (dirKey: string): Promise<void> => {
      let entries: fs.Dirent[];
      try {
        entries = await fsp.readdir(this.pathOf(dirKey), { withFileTypes: true });
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
        throw error;
      }
      for (const entry of entries) {
        const key = dirKey + entry.name;
        if (entry.isDirectory()) {
          if (recursive && (key + '/').startsWith(prefix.slice(0, key.length + 1))) await walk(`${key}/`);
        } else if (entry.isFile() && key.startsWith(prefix)) {
          const { size } = await fsp.stat(this.pathOf(key));
          out.push({ key, size });
        }
      }
    };
    await walk(baseKey);
    return out.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }

  async read(key: string): Promise<Readable> {
    const file = this.pathOf(key);
    await fsp.access(file);
    return fs.createReadStream(file, { highWaterMark: READ_CHUNK_BYTES });
  }

  async readText(key: string): Promise<string | undefined> {
    try {
      return await fsp.readFile(this.pathOf(key), 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  }

  async putText(key: string, text: string, options: { private?: boolean } = {}): Promise<void> {
    const file = this.pathOf(key);
    await fsp.mkdir(path.dirname(file), { recursive: true });
    // Write beside, then rename: a reader never sees half a manifest or state file.
    const temp = `${file}.${process.pid}.tmp`;
    await fsp.writeFile(temp, text, { mode: options.private ? 0o600 : 0o644 });
    await fsp.rename(temp, file);
  }

  async putFile(key: string, localPath: string): Promise<void> {
    const file = this.pathOf(key);
    await fsp.mkdir(path.dirname(file), { recursive: true });
    try {
      await fsp.rename(localPath, file);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EXDEV') throw error;
      await fsp.copyFile(localPath, file);
      await fsp.unlink(localPath);
    }
  }

  async copy(fromKey: string, toKey: string): Promise<void> {
    const target = this.pathOf(toKey);
    await fsp.mkdir(path.dirname(target), { recursive: true });
    await fsp.copyFile(this.pathOf(fromKey), target);
  }

  async move(fromKey: string, toKey: string): Promise<void> {
    await this.putFile(toKey, this.pathOf(fromKey));
    await this.pruneEmptyDirs(path.dirname(this.pathOf(fromKey)));
  }

  async delete(keys: readonly string[]): Promise<void> {
    for (const key of keys) {
      await fsp.rm(this.pathOf(key), { force: true });
      await this.pruneEmptyDirs(path.dirname(this.pathOf(key)));
    }
  }

  spoolDir(runId: string): string {
    return path.join(this.root, '_staging', '.spool', runId);
  }

  /** Removes folders left empty by a move or delete, up to (not including) the root, as S3 would show. */
  private async pruneEmptyDirs(dir: string): Promise<void> {
    let current = dir;
    while (current.startsWith(this.root + path.sep)) {
      try {
        await fsp.rmdir(current);
      } catch {
        return;
      }
      current = path.dirname(current);
    }
  }
}
