import { createGunzip } from 'node:zlib';
import type { Readable } from 'node:stream';
import { DelimitedParser } from '../../core/delimited-parser';
import { PermanentError, messageOf } from '../../core/errors';
import type { TableDef } from '../../core/table';
import type { Store } from '../../lake/store';
import type { RunContext } from '../../run/run-context';
import { layoutFromHeader, type FileLayout } from './file-layout';
import { archiveKey, errorKey } from './landing-files';

/** One data row of a landing file, as read. */
export interface ListeningRecord {
  layout: FileLayout;
  fields: string[];
  /** Line of the file where the record starts (header is line 1). */
  line: number;
  /** Set when the CSV itself is malformed (an unterminated quote). */
  problem?: string;
}

/**
 * Streams one landing file as batches of records, one batch per chunk read. A file whose header
 * lacks a required column yields nothing and is marked for error/; the reason goes to the manifest.
 */
export async function* readLandingFile(
  landing: Store,
  name: string,
  table: TableDef,
  ctx: RunContext,
): AsyncGenerator<ListeningRecord[]> {
  let layout: FileLayout | undefined;
  let failure: string | undefined;
  let batch: ListeningRecord[] = [];
  const onRecord = (fields: string[], line: number, problem: string | undefined) => {
    if (failure !== undefined) return;
    if (layout === undefined) {
      const result = layoutFromHeader(name, table, fields);
      if (result.ok) layout = result.layout;
      else failure = result.reason;
      return;
    }
    ctx.inputs.read(name);
    batch.push({ layout, fields, line, problem });
  };

  const raw = await landing.read(name);
  ctx.io.add('landing_files_read');
  const text: Readable = name.toLowerCase().endsWith('.gz') ? raw.pipe(createGunzip()) : raw;
  if (text !== raw) raw.on('error', (error) => text.destroy(error));
  text.setEncoding('utf8');
  const parser = new DelimitedParser(',');
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
    // A truncated or corrupt file fails the run: committing part of it would hide the damage.
    throw new PermanentError(`cannot read ${landing.describe(name)}: ${messageOf(error)}; nothing was committed`, { cause: error });
  }
  if (batch.length > 0) yield batch;
  if (layout === undefined && failure === undefined) failure = 'empty file: no header line';

  if (failure !== undefined) {
    ctx.log.warn(`bad file, will move to error/: ${failure}`, { file: name });
    ctx.inputs.mark(name, 'error', { reason: failure, movedTo: landing.describe(errorKey(ctx.runId, name)) });
    return;
  }
  // Assigned inside the record callback, so TypeScript still believes it undefined here.
  const finished = layout as FileLayout | undefined;
  if (finished && finished.ignoredColumns.length > 0) {
    ctx.log.warn('file has columns the table does not know; they stay in the archived file', {
      file: name,
      columns: finished.ignoredColumns,
    });
  }
  ctx.inputs.mark(name, 'processed', { movedTo: landing.describe(archiveKey(ctx.runId, name)) });
}
