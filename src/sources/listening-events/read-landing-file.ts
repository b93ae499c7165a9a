import * as fs from 'node:fs';
import * as fsp from 'node:fs/promises';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { DelimitedParser } from '../../core/delimited-parser';
import { messageOf, PermanentError } from '../../core/errors';
import { excerpt } from '../../core/excerpt';
import type { TableDef } from '../../core/table';
import { landingArchiveKey, landingErrorKey } from '../../lake/keys';
import { LocalStore } from '../../lake/local-store';
import type { ObjectVersion, Store } from '../../lake/store';
import type { RunContext } from '../../run/run-context';
import { checkLandingBytes } from './check-landing-file';
import { layoutFromHeader, type FileLayout } from './file-layout';

/** One data row of a landing file, as read. */
export interface ListeningRecord {
  layout: FileLayout;
  fields: string[];
  /** Line of the file where the record starts (header is line 1). */
  line: number;
  /** Set when the record itself is malformed (a field cut at the size cap, text after a closing quote). */
  problem?: string;
}

export interface LandingFile {
  name: string;
  table: TableDef;
  /** The version listed: exactly these bytes are read, and only this version is archived. */
  version: ObjectVersion;
}

/** A local file holding exactly the listed version's bytes: the file itself, or a download of the S3 object. */
export async function localBytes(landing: Store, file: LandingFile, spoolDir: string): Promise<{ path: string; size: number; done: () => Promise<void> }> {
  if (landing instanceof LocalStore) return { path: landing.describe(file.name), size: file.version.size, done: async () => undefined };
  await fsp.mkdir(spoolDir, { recursive: true });
  const local = path.join(spoolDir, file.name.replace(/\//g, '__'));
  await pipeline(await landing.read(file.name, file.version), fs.createWriteStream(local));
  return { path: local, size: file.version.size, done: () => fsp.rm(local, { force: true }) };
}

/** Parse chunk: big enough to amortise per-chunk work, small enough that one batch of records stays small. */
const PARSE_CHUNK_BYTES = 64 * 1024;
/** The whole-file check reads in large chunks: it only jumps from quote to quote. */
const CHECK_CHUNK_BYTES = 1024 * 1024;

/** The first `size` bytes of a local file, gunzipped for `.gz` names. */
export function openText(name: string, file: string, size: number, chunkBytes: number): Readable {
  const raw = size === 0 ? Readable.from([]) : fs.createReadStream(file, { start: 0, end: size - 1, highWaterMark: chunkBytes });
  if (!name.toLowerCase().endsWith('.gz')) return raw;
  const gunzip = createGunzip();
  raw.on('error', (error: Error) => gunzip.destroy(error));
  return raw.pipe(gunzip);
}

/** Why a file cannot be loaded as a whole, read before any of its rows is used; undefined when it can. */
export async function fileProblem(name: string, file: string, size: number): Promise<string | undefined> {
  try {
    return await checkLandingBytes(openText(name, file, size, CHECK_CHUNK_BYTES));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EACCES' || code === 'EPERM') return 'the file cannot be read (permission denied); fix its permissions and put it back';
    if (code === 'Z_BUF_ERROR' || code === 'Z_DATA_ERROR' || /unexpected end of file|incorrect header check/i.test(messageOf(error))) {
      return `the gzip stream is damaged or truncated (${messageOf(error).replace(/^Error: /, '')}); upload the file again`;
    }
    throw error;
  }
}

/** How a landing file ended: loaded, or set aside whole with the reason. */
export type LandingOutcome = { status: 'processed'; ignoredColumns: readonly string[] } | { status: 'error'; reason: string };

/**
 * Parses one local landing file, already checked as a whole (`fileProblem`), as batches of
 * records, one per chunk read; the generator's return value is the file's outcome. The part of
 * reading a file that needs no lake, no ledger and no log: the main thread and the worker threads
 * share it.
 */
export async function* parseLandingFile(
  file: { name: string; table: TableDef; path: string; size: number; /** How messages name it (the landing store's description). */ described: string },
  maxFieldChars: number,
): AsyncGenerator<ListeningRecord[], LandingOutcome> {
  const { name } = file;
  let layout: FileLayout | undefined;
  let failure: string | undefined;
  let batch: ListeningRecord[] = [];
  const onRecord = (fields: string[], line: number, recordProblem: string | undefined) => {
    if (failure !== undefined) return;
    if (layout === undefined) {
      const result = layoutFromHeader(name, file.table, fields.map((f) => excerpt(f, 100)));
      if (result.ok) layout = result.layout;
      else failure = result.reason;
      return;
    }
    batch.push({ layout, fields, line, problem: recordProblem });
  };
  const text = openText(name, file.path, file.size, PARSE_CHUNK_BYTES);
  text.setEncoding('utf8');
  const parser = new DelimitedParser(',', maxFieldChars);
  try {
    for await (const chunk of text as AsyncIterable<string>) {
      parser.push(chunk, onRecord);
      if (failure !== undefined) break; // stop reading a rejected file
      if (batch.length > 0) {
        yield batch;
        batch = [];
      }
    }
    if (failure === undefined) parser.end(onRecord);
  } catch (error) {
    // The file passed its check, so this is the disk or the network failing mid-read: fail the run.
    throw new PermanentError(`cannot read ${file.described}: ${messageOf(error)}; nothing was committed`, { cause: error });
  } finally {
    text.destroy();
  }
  if (batch.length > 0) yield batch;
  if (layout === undefined && failure === undefined) failure = 'empty file: no header line';
  if (failure !== undefined) return { status: 'error', reason: failure };
  // Assigned inside the record callback, so TypeScript still believes it undefined here.
  return { status: 'processed', ignoredColumns: (layout as FileLayout | undefined)?.ignoredColumns ?? [] };
}

/** A landing file's start, logged and counted alike whichever thread reads it. */
export function startLandingFile(file: LandingFile, ctx: RunContext): void {
  ctx.log.info('reading', { file: file.name, table: file.table.name });
  ctx.io.add('landing_bytes', file.version.size);
  ctx.io.add('landing_files_read');
}

/**
 * After a landing file was read: records its outcome in the ledger and registers its move for
 * after the commit — to archive/ if it loaded (only if it is still the version read), to error/
 * with the reason if it was set aside whole.
 */
export function settleLandingFile(landing: Store, file: LandingFile, outcome: LandingOutcome, ctx: RunContext): void {
  const { name } = file;
  const errorKey = landingErrorKey(ctx.runId, name);
  if (outcome.status === 'error') {
    const bounded = excerpt(outcome.reason, 300);
    ctx.log.warn(`bad file, will move to error/: ${bounded}`, { file: name });
    ctx.inputs.mark(name, 'error', { reason: bounded, movedTo: landing.describe(errorKey) });
    ctx.afterCommit({ kind: 'move', store: landing.url, from: name, to: errorKey, expect: file.version, reason: bounded, if_changed: errorKey });
    return;
  }
  if (outcome.ignoredColumns.length > 0) {
    ctx.log.warn('file has columns the table does not know; they stay in the archived file', { file: name, columns: outcome.ignoredColumns });
  }
  const archiveKey = landingArchiveKey(ctx.runId, name);
  ctx.inputs.mark(name, 'processed', { movedTo: landing.describe(archiveKey) });
  ctx.afterCommit({ kind: 'move', store: landing.url, from: name, to: archiveKey, expect: file.version, if_changed: errorKey });
}
