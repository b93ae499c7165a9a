import type { Readable } from 'node:stream';
import * as zlib from 'node:zlib';
import { PermanentError } from '../core/errors';

/** Longest header line read (bytes of CSV text); a committed file's header is a few hundred. */
const MAX_HEADER_BYTES = 64 * 1024;

/**
 * The column names on the first line of a gzip CSV part file, reading no more of it than that
 * line. Our writer never quotes header names; quotes are dropped all the same.
 */
export async function readCsvHeader(gzipped: Readable, what: string): Promise<string[]> {
  const text = gzipped.pipe(zlib.createGunzip());
  let seen = '';
  try {
    for await (const chunk of text) {
      seen += (chunk as Buffer).toString('utf8');
      const end = seen.indexOf('\n');
      if (end >= 0) return seen.slice(0, end).replace(/\r$/, '').split(',').map((name) => name.replace(/^"|"$/g, ''));
      if (seen.length > MAX_HEADER_BYTES) break;
    }
  } finally {
    gzipped.destroy();
    text.destroy();
  }
  throw new PermanentError(`${what}: no header line in the first ${MAX_HEADER_BYTES} bytes`);
}
