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

/** A staged file's records as COPY reads them with the format, or a load error (Snowflake's words where known). */
export function readStagedFile(bytes: Buffer, format: FileFormat): ParsedFile {
  let text: string;
  try {
    const compression = format.COMPRESSION ?? 'AUTO';
    const gzip = bytes[0] === 0x1f && bytes[1] === 0x8b;
    text = (compression === 'GZIP' || (compression === 'AUTO' && gzip) ? zlib.gunzipSync(bytes) : bytes).toString('utf8');
  } catch {
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
