import type { Column, ColumnType, Row, TableDef, Value } from './table';
import { parseBoolean, parseDate, parseInteger, parseNumber, parseTimestamp } from './values';

const TYPE_NAMES: Record<ColumnType, string> = {
  string: 'text',
  integer: 'a whole number',
  number: 'a number',
  boolean: 'true or false',
  timestamp: 'an ISO-8601 timestamp',
  date: 'a YYYY-MM-DD date',
  json: 'JSON text',
};

function parseText(type: ColumnType, text: string): Value | undefined {
  switch (type) {
    case 'string':
      return text;
    case 'integer':
      return parseInteger(text);
    case 'number':
      return parseNumber(text);
    case 'boolean':
      return parseBoolean(text);
    case 'timestamp':
      return parseTimestamp(text);
    case 'date':
      return parseDate(text);
    case 'json':
      try {
        JSON.parse(text);
        return text;
      } catch {
        return undefined;
      }
  }
}

/** Checks beyond the type, by column index: return a problem ("negative") or undefined. */
export type ColumnChecks = ReadonlyMap<number, (value: Value) => string | undefined>;

export type Coerced = { ok: true; row: Row } | { ok: false; reason: string };

/**
 * Text fields in column order → a typed row, or the first reason it cannot be one. An empty field is
 * NULL; a NULL in a NOT NULL column, or a key column of only spaces, is a reject.
 * Extra per-column checks (`checks`) run on parsed values, e.g. "duration_ms must not be negative".
 */
export function coerceRow(
  table: TableDef,
  fields: readonly (string | undefined)[],
  checks?: ColumnChecks,
): Coerced {
  const columns = table.columns;
  const row: Row = new Array<Value>(columns.length);
  for (let i = 0; i < columns.length; i++) {
    const column = columns[i];
    const text = fields[i];
    if (text === undefined || text === '' || (!column.nullable && text.trim() === '')) {
      if (!column.nullable) return { ok: false, reason: `${column.name}: empty, but required` };
      row[i] = null;
      continue;
    }
    const value = parseText(column.type, text);
    if (value === undefined) return { ok: false, reason: `${column.name}: not ${TYPE_NAMES[column.type]}` };
    const problem = checks?.get(i)?.(value);
    if (problem !== undefined) return { ok: false, reason: `${column.name}: ${problem}` };
    row[i] = value;
  }
  return { ok: true, row };
}

function valueMatches(column: Column, value: Value): boolean {
  switch (column.type) {
    case 'string':
    case 'json':
      return typeof value === 'string';
    case 'integer':
      return typeof value === 'number' && Number.isSafeInteger(value);
    case 'number':
      return typeof value === 'number' && Number.isFinite(value);
    case 'boolean':
      return typeof value === 'boolean';
    case 'timestamp':
      return typeof value === 'string' && parseTimestamp(value) === value;
    case 'date':
      return typeof value === 'string' && parseDate(value) === value;
  }
}

/**
 * Checks an already typed row (from a transform of JSON data) against the definition: the reason
 * of the first mismatch, or undefined when the row is valid.
 */
export function validateRow(table: TableDef, row: Row): string | undefined {
  const columns = table.columns;
  if (row.length !== columns.length) return `expected ${columns.length} values, got ${row.length}`;
  for (let i = 0; i < columns.length; i++) {
    const value = row[i];
    const column = columns[i];
    if (value === null || value === undefined) {
      if (!column.nullable) return `${column.name}: empty, but required`;
      continue;
    }
    if (!valueMatches(column, value)) return `${column.name}: not ${TYPE_NAMES[column.type]}`;
  }
  return undefined;
}
