import * as zlib from 'node:zlib';
import { parse } from 'csv-parse/sync';
import { sqlError } from './sql-text';

/**
 * A named CSV file format and how COPY reads a staged file with it. The emulator models the
 * options soundlake's format sets and refuses other values rather than guess what they would do.
 *
 * CREATE FILE FORMAT (type CSV):
 * - SKIP_HEADER: "Number of lines at the start of the file to skip."
 * - FIELD_OPTIONALLY_ENCLOSED_BY: "Character used to enclose strings." With it set, "an empty string
 *   is typically represented by a quoted empty string … to indicate that the string contains zero
 *   characters" (Data unloading considerations, "Empty strings and NULL values", which names these
 *   options as the ones that "enable you to differentiate between empty strings and NULL values
 *   when unloading or loading data").
 * - EMPTY_FIELD_AS_NULL = TRUE: "When loading data, specifies whether to insert SQL NULL for empty
 *   fields in an input file, which are represented by two successive delimiters (e.g. ,,)."
 * - NULL_IF = (): "String used to convert to and from SQL NULL" — an empty list converts nothing
 *   (the default, \\N, would turn the two characters \N into NULL).
 * - ESCAPE = NONE, ESCAPE_UNENCLOSED_FIELD = NONE: no escape character, so a backslash is data (the
 *   default for unenclosed fields is a backslash, which would eat them). Inside an enclosed field
 *   the enclosing character is doubled.
 * - COMPRESSION = GZIP: the file is gzip.
 */
export type FileFormat = Record<string, string>;

const MODELLED: Record<string, (value: string) => boolean> = {
  TYPE: (v) => v === 'CSV',
  COMPRESSION: (v) => v === 'GZIP' || v === 'AUTO' || v === 'NONE',
  SKIP_HEADER: (v) => /^\d+$/.test(v),
  FIELD_OPTIONALLY_ENCLOSED_BY: (v) => v === `'"'`,
  ESCAPE: (v) => v === 'NONE',
  ESCAPE_UNENCLOSED_FIELD: (v) => v === 'NONE',
  EMPTY_FIELD_AS_NULL: (v) => v === 'TRUE',
  NULL_IF: (v) => v === '()',
  ENCODING: (v) => v === `'UTF8'`,
  ERROR_ON_COLUMN_COUNT_MISMATCH: (v) => v === 'TRUE' || v === 'FALSE',
};

/** The options of a (folded) CREATE FILE FORMAT statement; unknown options or values are refused. */
export function parseFileFormat(statement: string): FileFormat {
  const body = statement.replace(/^CREATE (OR REPLACE )?FILE FORMAT (IF NOT EXISTS )?[A-Za-z0-9_$.]+ ?/i, '');
  const options: FileFormat = {};
  for (const m of body.matchAll(/([A-Z_]+) = ('[^']*'|\([^)]*\)|[A-Za-z0-9_]+)/gi)) {
    const name = m[1].toUpperCase();
    const value = m[2].startsWith("'") ? m[2] : m[2].toUpperCase();
    if (!(name in MODELLED)) throw sqlError('001003', `the emulator does not model file format option ${name}`);
    if (!MODELLED[name](value)) throw sqlError('001003', `the emulator does not model ${name} = ${value}`);
    options[name] = value;
  }
  // Defaults the emulator does not model must not be left implicit: state them.
  for (const required of ['TYPE', 'FIELD_OPTIONALLY_ENCLOSED_BY', 'ESCAPE_UNENCLOSED_FIELD', 'NULL_IF']) {
    if (!(required in options)) throw sqlError('001003', `the emulator needs ${required} stated (the default is not modelled)`);
  }
  return options;
}

export interface ParsedFile {
  /** Data records after the skipped header lines; each field a string, or null for an empty unenclosed field. */
  records: (string | null)[][];
}

/**
 * The gzip members of a file (RFC 1952: "A gzip file consists of a series of \"members\""). Snowflake
 * documents gzip among the methods it reads ("When loading staged files that have already been
 * compressed, Snowflake can automatically detect any of these compression methods", Summary of
 * Data Loading Features), but no statement says COPY reads past the first member of a file, and
 * common readers stop there silently: the emulator refuses more than one, so soundlake can never
 * come to rely on it.
 */
export function gzipMemberCount(bytes: Buffer): number {
  let at = 0;
  let members = 0;
  while (at < bytes.length) {
    if (bytes[at] !== 0x1f || bytes[at + 1] !== 0x8b || bytes[at + 2] !== 8) throw new Error(`no gzip member at byte ${at}`);
    const flags = bytes[at + 3];
    let body = at + 10;
    if (flags & 4) body += 2 + bytes.readUInt16LE(body); // FEXTRA
    if (flags & 8) body = bytes.indexOf(0, body) + 1; // FNAME
    if (flags & 16) body = bytes.indexOf(0, body) + 1; // FCOMMENT
    if (flags & 2) body += 2; // FHCRC
    const inflated = zlib.inflateRawSync(bytes.subarray(body), { info: true }) as unknown as { engine: { bytesWritten: number } };
    at = body + inflated.engine.bytesWritten + 8;
    members++;
  }
  return members;
}

/** A staged file's records as COPY reads them with the format, or a load error (Snowflake's words where known). */
export function readStagedFile(bytes: Buffer, format: FileFormat): ParsedFile {
  let text: string;
  try {
    const compression = format.COMPRESSION ?? 'AUTO';
    const gzip = bytes[0] === 0x1f && bytes[1] === 0x8b;
    const gunzip = compression === 'GZIP' || (compression === 'AUTO' && gzip);
    if (gunzip && gzipMemberCount(bytes) > 1) throw new Error('several gzip members');
    text = (gunzip ? zlib.gunzipSync(bytes) : bytes).toString('utf8');
  } catch (error) {
    if ((error as Error).message === 'several gzip members') {
      throw sqlError('100069', 'the emulator refuses a file of several gzip members (concatenated gzip): Snowflake does not document reading past the first');
    }
    throw sqlError('100069', 'Invalid data encountered during decompression for file');
  }
  let rows: (string | null)[][];
  try {
    rows = parse(text, {
      delimiter: ',',
      quote: '"',
      escape: '"',
      relax_column_count: true,
      skip_empty_lines: false,
      // EMPTY_FIELD_AS_NULL: an empty field between delimiters is NULL; "" (enclosed) is an empty string.
      cast: (value, context) => (!context.quoting && value === '' ? null : value),
    }) as (string | null)[][];
  } catch (error) {
    const line = /line (\d+)/.exec((error as Error).message)?.[1];
    // Snowflake's own wording for malformed CSV varies by case; the emulator says what the parser found.
    throw Object.assign(sqlError('100066', `CSV parse error${line ? ` at line ${line}` : ''}: ${(error as Error).message}`), { line: line ? Number(line) : undefined });
  }
  return { records: rows.slice(Number(format.SKIP_HEADER ?? '0')) };
}
