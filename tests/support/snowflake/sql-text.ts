/**
 * The text side of the Snowflake emulator: statements with comments and runs of white space folded
 * away (what the rest of the emulator matches), unquoted identifiers in upper case, and errors that
 * travel back over the wire with a Snowflake error code.
 */

/** One statement as the emulator reads it: no comments, white space folded, no final semicolon; string literals kept as written. */
export function foldStatement(raw: string): string {
  let out = '';
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i];
    if (c === "'") {
      const end = raw.indexOf("'", i + 1);
      const close = end < 0 ? raw.length : end;
      out += raw.slice(i, close + 1);
      i = close;
    } else if (c === '-' && raw[i + 1] === '-') {
      const end = raw.indexOf('\n', i);
      i = end < 0 ? raw.length : end - 1;
    } else if (c === '/' && raw[i + 1] === '*') {
      const end = raw.indexOf('*/', i + 2);
      i = end < 0 ? raw.length : end + 1;
    } else if (/\s/.test(c)) {
      if (!out.endsWith(' ')) out += ' ';
    } else {
      out += c;
    }
  }
  return out.replace(/;\s*$/, '').trim();
}

/**
 * Identifier requirements: "Unquoted object identifiers … Are stored and resolved as uppercase
 * characters (e.g. id is stored and resolved as ID)." Quoted identifiers are not used by soundlake;
 * the emulator refuses them rather than guess.
 */
export function identifier(text: string): string {
  if (/"/.test(text)) throw sqlError('001003', `the emulator takes unquoted identifiers only: ${text}`);
  return text.toUpperCase();
}

export class SqlError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export const sqlError = (code: string, message: string) => new SqlError(code, message);

/** `'it''s'` → `it's`. */
export const unquote = (literal: string) => literal.replace(/^'|'$/g, '').replace(/''/g, "'");

/** Splits at commas outside parentheses and quotes: a SELECT list, a column list. */
export function splitTopLevel(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quoted = false;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === "'") quoted = !quoted;
    else if (!quoted && c === '(') depth++;
    else if (!quoted && c === ')') depth--;
    else if (!quoted && depth === 0 && c === ',') {
      parts.push(text.slice(start, i).trim());
      start = i + 1;
    }
  }
  parts.push(text.slice(start).trim());
  return parts.filter((p) => p.length > 0);
}
