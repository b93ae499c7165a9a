import type { Readable } from 'node:stream';

/** What identifies one version of an object: archive only the version that was read. */
export interface ObjectVersion {
  size: number;
  /** Last modification, ms since the epoch. */
  modifiedMs: number;
  /** S3's ETag (quotes included); undefined for local files, where size and mtime identify a version. */
  etag?: string;
  /** The sha256 a data file was staged with (S3 object metadata), when known. */
  sha256?: string;
}

export interface StoredObject extends ObjectVersion {
  /** Key relative to the store's root, `/`-separated. */
  key: string;
}

/** What a no-replace publish found: it wrote the key, or the key already held the same bytes. */
export type PublishOutcome = 'published' | 'present';

/** What a guarded move found: moved (now or by an earlier attempt), changed since it was read, or gone. */
export type GuardedMoveOutcome = 'moved' | 'changed' | 'gone';

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
  /** The object's current version, or undefined when there is none. */
  stat(key: string): Promise<ObjectVersion | undefined>;
  /** Reads the object; with `version`, fails unless the object is still that version (S3: If-Match). */
  read(key: string, version?: ObjectVersion): Promise<Readable>;
  /** The object as text, or undefined when there is none. */
  readText(key: string): Promise<string | undefined>;
  putText(key: string, text: string, options?: { private?: boolean }): Promise<void>;
  /**
   * Creates the object only if the key is free (S3 `If-None-Match: *`, locally a no-replace link);
   * false when another writer's object is there (true when it holds this very text: a retried
   * request whose first answer was lost). The building block of leases and run packages.
   */
  putTextIfAbsent(key: string, text: string): Promise<boolean>;
  /** Stores a finished local file under `key`; the local file is consumed (moved or uploaded and deleted). */
  putFile(key: string, localPath: string, options?: { sha256?: string; private?: boolean }): Promise<void>;
  /**
   * Moves a staged file to its final key without ever replacing one: a final key that already holds
   * the same sha256 counts as done (a resumed commit); one with other bytes stops with an error.
   */
  publish(fromKey: string, toKey: string, sha256: string): Promise<PublishOutcome>;
  /** Moves `fromKey` to a free `toKey` only while it is still `expected` (the version a run read). */
  moveIfUnchanged(fromKey: string, toKey: string, expected: ObjectVersion): Promise<GuardedMoveOutcome>;
  delete(keys: readonly string[]): Promise<void>;
  /** A local folder (on the store's disk when it is local) where a run writes part files before putFile. */
  spoolDir(scope: string, runId: string): string;
  /** The parent of every run's spool folder of a scope, for collecting what killed runs left. */
  spoolRoot(scope: string): string;
}

/** Same version: size and mtime locally, the ETag on S3. */
export function sameVersion(a: ObjectVersion, b: ObjectVersion): boolean {
  if (a.etag !== undefined || b.etag !== undefined) return a.etag === b.etag;
  return a.size === b.size && a.modifiedMs === b.modifiedMs;
}
