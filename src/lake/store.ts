import type { Readable } from 'node:stream';

export interface StoredObject {
  /** Key relative to the store's root, `/`-separated. */
  key: string;
  size: number;
}

/**
 * One interface over a local folder and an S3 prefix, so jobs, the writer and commit never know
 * which they are talking to. Keys are relative to the store's root.
 */
export interface Store {
  /** The URL or folder this store was opened on, for messages. */
  readonly url: string;
  /** Where a key lives, for messages: `s3://bucket/prefix/key` or a path. */
  describe(key: string): string;
  /** Fails with a clear error when the store cannot be reached or written (before any real work). */
  check(): Promise<void>;
  /** Objects under a prefix, sorted by key; `recursive: false` lists only the prefix's own level. */
  list(prefix: string, options?: { recursive?: boolean }): Promise<StoredObject[]>;
  read(key: string): Promise<Readable>;
  /** The object as text, or undefined when there is none. */
  readText(key: string): Promise<string | undefined>;
  putText(key: string, text: string, options?: { private?: boolean }): Promise<void>;
  /** Stores a finished local file under `key`; the local file is consumed (moved or uploaded and deleted). */
  putFile(key: string, localPath: string): Promise<void>;
  copy(fromKey: string, toKey: string): Promise<void>;
  /** Local: an atomic rename. S3: copy, then delete (a crash in between leaves a duplicate, never a loss). */
  move(fromKey: string, toKey: string): Promise<void>;
  delete(keys: readonly string[]): Promise<void>;
  /** A local folder on the same disk as the store, where part files are written before putFile. */
  spoolDir(runId: string): string;
}

