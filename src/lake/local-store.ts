import { stagingRoot } from './keys';
import * as fs from 'node:fs';
import * as fsp from 'node:fs/promises';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { createHash, randomBytes } from 'node:crypto';
import { pipeline } from 'node:stream/promises';
import { PermanentError } from '../core/errors';
import { sameVersion, type GuardedMoveOutcome, type ObjectVersion, type PublishOutcome, type Store, type StoredObject } from './store';

/** Read chunk: big enough to amortise per-chunk work, small enough that one batch of records stays small. */
const READ_CHUNK_BYTES = 64 * 1024;

/**
 * A no-replace move's first half: link(2), or where Linux refuses a hard link to a file this user
 * does not own (`fs.protected_hardlinks = 1`: EPERM — landing files another user wrote, as a
 * mounted folder in Docker has), a copy beside the target linked into place, which is just as
 * create-only. EEXIST passes through either way.
 */
async function linkOrCopy(from: string, to: string): Promise<void> {
  try {
    await fsp.link(from, to);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM' && (error as NodeJS.ErrnoException).code !== 'EXDEV') throw error;
    const temp = tempNameFor(to);
    try {
      await fsp.copyFile(from, temp);
      await fsp.link(temp, to);
    } finally {
      await fsp.rm(temp, { force: true });
    }
  }
}

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
          const version = await this.stat(key);
          if (version) out.push({ key, ...version });
        }
      }
    };
    await walk(baseKey);
    return out.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }

  async stat(key: string): Promise<ObjectVersion | undefined> {
    try {
      const stats = await fsp.stat(this.pathOf(key));
      return stats.isFile() ? { size: stats.size, modifiedMs: stats.mtimeMs } : undefined;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  }

  /** With `version`, reads exactly the bytes that version had, even if the file grows meanwhile. */
  async read(key: string, version?: ObjectVersion): Promise<Readable> {
    const file = this.pathOf(key);
    const handle = await fsp.open(file, 'r');
    if (version) {
      const now = await handle.stat();
      if (now.size < version.size || now.mtimeMs !== version.modifiedMs) {
        await handle.close();
        throw new PermanentError(`${file} changed since it was listed`);
      }
    }
    if (version?.size === 0) {
      await handle.close();
      return Readable.from([]);
    }
    return handle.createReadStream({ highWaterMark: READ_CHUNK_BYTES, ...(version ? { start: 0, end: version.size - 1 } : {}) });
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
    const temp = tempNameFor(file);
    try {
      await fsp.writeFile(temp, text, { mode: options.private ? 0o600 : 0o644 });
      await fsp.rename(temp, file);
    } catch (error) {
      // A full disk must not leave half a record beside the real one.
      await fsp.rm(temp, { force: true });
      throw error;
    }
  }

  async putTextIfAbsent(key: string, text: string): Promise<boolean> {
    const file = this.pathOf(key);
    await fsp.mkdir(path.dirname(file), { recursive: true });
    // Written whole beside it, then linked: link(2) never replaces, so exactly one writer wins.
    const temp = tempNameFor(file);
    try {
      await fsp.writeFile(temp, text);
      await fsp.link(temp, file);
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw error;
    } finally {
      await fsp.rm(temp, { force: true });
    }
  }

  async putFile(key: string, localPath: string, options: { sha256?: string; private?: boolean } = {}): Promise<void> {
    const file = this.pathOf(key);
    await fsp.mkdir(path.dirname(file), { recursive: true });
    if (options.private) await fsp.chmod(localPath, 0o600);
    try {
      await fsp.rename(localPath, file);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EXDEV') throw error;
      await fsp.copyFile(localPath, file);
      await fsp.unlink(localPath);
    }
  }

  async publish(fromKey: string, toKey: string, sha256: string): Promise<PublishOutcome> {
    const from = this.pathOf(fromKey);
    const to = this.pathOf(toKey);
    await fsp.mkdir(path.dirname(to), { recursive: true });
    try {
      // link(2) is the no-replace rename: it fails when the final key exists.
      await fsp.link(from, to);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'EEXIST' && code !== 'ENOENT') throw error;
      const present = await fileSha256(to);
      if (present === undefined) throw new PermanentError(`staged file ${from} is missing and ${to} does not exist: the run package cannot be committed`);
      if (present !== sha256) {
        throw new PermanentError(`${to} already exists with other contents (sha256 ${present}, expected ${sha256}); a final key is never replaced`);
      }
      await this.delete([fromKey]);
      return 'present';
    }
    await this.delete([fromKey]);
    return 'published';
  }

  async moveIfUnchanged(fromKey: string, toKey: string, expected: ObjectVersion): Promise<GuardedMoveOutcome> {
    const current = await this.stat(fromKey);
    const targetExists = (await this.stat(toKey)) !== undefined;
    if (current === undefined) return targetExists ? 'moved' : 'gone';
    if (!sameVersion(current, expected)) return 'changed';
    const to = this.pathOf(toKey);
    for (let attempt = 1; !targetExists; attempt++) {
      await fsp.mkdir(path.dirname(to), { recursive: true });
      try {
        await linkOrCopy(this.pathOf(fromKey), to);
        break;
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code === 'EEXIST') break;
        if (code !== 'ENOENT' || attempt === 2) throw error;
        // Another process moved it first (or pruned the folder just made): look again, then try once more.
        if ((await this.stat(fromKey)) === undefined) return (await this.stat(toKey)) !== undefined ? 'moved' : 'gone';
      }
    }
    await this.delete([fromKey]);
    return 'moved';
  }

  async delete(keys: readonly string[]): Promise<void> {
    for (const key of keys) {
      await fsp.rm(this.pathOf(key), { force: true });
      await this.pruneEmptyDirs(path.dirname(this.pathOf(key)));
    }
  }

  /** Inside the run's staging folder: a part file reaches staging by a rename, and clearing staging clears it. */
  spoolDir(scope: string, runId: string): string {
    return path.join(this.spoolRoot(scope), runId, '.spool');
  }

  spoolRoot(scope: string): string {
    return path.join(this.root, stagingRoot(scope));
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

/** A name beside `file` no other writer uses, in this process or another. */
const tempNameFor = (file: string) => `${file}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;

/** The sha256 of a local file, or undefined when there is none. */
async function fileSha256(file: string): Promise<string | undefined> {
  const hash = createHash('sha256');
  try {
    await pipeline(fs.createReadStream(file), hash);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  return hash.digest('hex');
}
