import { createHash } from 'node:crypto';
import { addDecimals, formatDecimal, parseDecimal, sameDecimal, type Decimal } from '../../core/decimal';
import { SourceChangedError } from '../../core/errors';
import { excerpt } from '../../core/excerpt';

/**
 * The earnings report ("See Excruciating Detail" TSV). Two layouts are known: 13 columns, and 15
 * (adds Date Inserted and Recoup (USD), Source Type in place of Song/Album — though some 15-column
 * files still say Song/Album — and "Songwriter Royalties Withheld (USD)"). Columns are matched by
 * header name; text is UTF-8, or Windows-1252 in older reports; lines end in CR (the real 2026
 * export), LF or CRLF.
 *
 * It is plain tab-separated text, not quoted CSV: a field that starts with `"` (`"Weird Al"
 * Yankovic`, an unbalanced `"Untitled`) is kept verbatim, and a line never spans two lines.
 */

/** Our column ← the header names it may have (first match wins). */
const COLUMNS: readonly { column: string; headers: readonly string[]; required: boolean }[] = [
  { column: 'reporting_date', headers: ['Reporting Date'], required: true },
  { column: 'sale_month', headers: ['Sale Month'], required: true },
  { column: 'store', headers: ['Store'], required: true },
  { column: 'artist', headers: ['Artist'], required: true },
  { column: 'title', headers: ['Title'], required: true },
  { column: 'isrc', headers: ['ISRC'], required: true },
  { column: 'upc', headers: ['UPC'], required: true },
  { column: 'quantity', headers: ['Quantity'], required: true },
  { column: 'team_percentage', headers: ['Team Percentage'], required: true },
  { column: 'item_type', headers: ['Source Type', 'Song/Album'], required: true },
  { column: 'country', headers: ['Country of Sale'], required: true },
  { column: 'songwriter_royalties_withheld_usd', headers: ['Songwriter Royalties Withheld (USD)', 'Songwriter Royalties Withheld'], required: true },
  { column: 'earnings_usd', headers: ['Earnings (USD)'], required: true },
  { column: 'date_inserted', headers: ['Date Inserted'], required: false },
  { column: 'recoup_usd', headers: ['Recoup (USD)'], required: false },
];

export interface EarningsLine {
  /** Text per table column (see src/tables/distrokid.ts), dates normalised to YYYY-MM-DD. */
  values: Record<string, string | undefined>;
  /** Columns neither layout knows, by header. */
  extra: Record<string, string>;
  line: number;
  /**
   * sha256 of the line's text and how many times that same text came before it in this report:
   * two identical lines in one report are two sales (adjustment pairs, split sub-reports) with two
   * keys, while the same report downloaded again yields the same keys (deduplicated downstream).
   */
  rowHash: string;
  /** Set when the row fails a sanity check (it goes to rejects with this reason). */
  problem?: string;
}

export interface EarningsReport {
  layout: '13 columns' | '15 columns';
  lines: EarningsLine[];
  /** Sum of the earnings of the rows that load (not those failing a sanity check), exact: `1587.06001527`. */
  total: string;
}

/**
 * A report where at least this share of the data lines fails the field-count check (and at least
 * one does) is a changed format, not a few bad rows: it would otherwise land 0 earnings with exit 0
 * and an exact-total check of 0 = 0.
 */
const CHANGED_FORMAT_SHARE = 0.9;

/**
 * UTF-8 when the bytes are valid UTF-8, else Windows-1252 (older reports): bytes 0x80–0x9F are its
 * punctuation (’ – …), which Latin-1 would turn into invisible C1 control characters.
 */
export function decodeReport(bytes: Buffer): string {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    text = decodeWindows1252(bytes);
  }
  return text.replace(/^\uFEFF/, '');
}

/** Windows-1252's 0x80–0x9F (undefined bytes stay as Latin-1 would read them). */
const CP1252_HIGH = '€\u0081‚ƒ„…†‡ˆ‰Š‹Œ\u008dŽ\u008f\u0090‘’“”•–—˜™š›œ\u009džŸ';

/**
 * By hand: Node's TextDecoder reads the label windows-1252 as Latin-1 (0x92 becomes an invisible
 * U+0092 instead of ’), so only 0x80–0x9F differ and are mapped here.
 */
export function decodeWindows1252(bytes: Buffer): string {
  const latin1 = bytes.toString('latin1');
  return latin1.replace(/[\u0080-\u009f]/g, (c) => CP1252_HIGH[c.charCodeAt(0) - 0x80]);
}

/** `2024-06-30`, `06/30/2024` or `2024/06/30` → `2024-06-30`; months (`2024-05`, `05/2024`) → first day. */
export function normaliseDate(text: string | undefined, month: boolean): string | undefined {
  if (text === undefined) return undefined;
  const t = text.trim();
  let m = /^(\d{4})[-/](\d{1,2})[-/](\d{1,2})$/.exec(t);
  if (m) return `${m[1]}-${m[2].padStart(2, '0')}-${m[3].padStart(2, '0')}`;
  m = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(t);
  if (m) return `${m[3]}-${m[1].padStart(2, '0')}-${m[2].padStart(2, '0')}`;
  if (month) {
    m = /^(\d{4})[-/](\d{1,2})$/.exec(t);
    if (m) return `${m[1]}-${m[2].padStart(2, '0')}-01`;
    m = /^(\d{1,2})\/(\d{4})$/.exec(t);
    if (m) return `${m[2]}-${m[1].padStart(2, '0')}-01`;
  }
  return t;
}

/** An amount as the report has it, exactly; a cell that is not a number means the format changed. */
function amount(cell: string | undefined, file: string, line: number, column: string): Decimal {
  const value = parseDecimal(cell ?? '');
  if (value === undefined) {
    throw new SourceChangedError(`${file} line ${line}: ${column} is not a number (${excerpt(JSON.stringify(cell ?? null), 60)}); the report's format changed`);
  }
  return value;
}

export function parseEarningsReport(text: string, file: string): EarningsReport {
  const physical = text.split(/\r\n|\r|\n/);
  const headerLine = physical[0] ?? '';
  if (headerLine.trim() === '') throw new SourceChangedError(`${file}: the earnings report is empty (no header line)`);
  const names = headerLine.split('\t').map((h) => h.trim());
  const index = new Map<string, number>();
  const missing: string[] = [];
  for (const spec of COLUMNS) {
    const i = names.findIndex((n) => spec.headers.some((h) => h.toLowerCase() === n.toLowerCase()));
    if (i >= 0) index.set(spec.column, i);
    else if (spec.required) missing.push(spec.headers.join(' or '));
  }
  if (missing.length > 0) {
    throw new SourceChangedError(`${file}: the earnings report lacks column${missing.length > 1 ? 's' : ''} ${missing.join(', ')} (header: ${excerpt(names.join(' | '), 300)})`);
  }
  const known = new Set(index.values());
  const earningsIndex = index.get('earnings_usd')!;
  const seen = new Map<string, number>();
  const reported: Decimal[] = [];
  const written: Decimal[] = [];
  const lines: EarningsLine[] = [];
  /** Data lines by their field count, where it differs from the header's. */
  const wrongWidths = new Map<number, number>();
  physical.forEach((raw, i) => {
    const line = i + 1;
    if (i === 0 || raw.trim() === '') return;
    const fields = raw.split('\t');
    const values: Record<string, string | undefined> = {};
    for (const [column, at] of index) values[column] = fields[at]?.trim();
    values.reporting_date = normaliseDate(values.reporting_date, false);
    values.sale_month = normaliseDate(values.sale_month, true);
    values.date_inserted = normaliseDate(values.date_inserted, false);
    const extra: Record<string, string> = {};
    names.forEach((name, at) => {
      if (!known.has(at) && fields[at] !== undefined && fields[at] !== '') extra[name] = fields[at];
    });
    const occurrence = (seen.get(raw) ?? 0) + 1;
    seen.set(raw, occurrence);
    const rowHash = createHash('sha256').update(`${occurrence}\t${raw}`).digest('hex');
    let problem: string | undefined;
    if (fields.length !== names.length) {
      problem = `expected ${names.length} fields, found ${fields.length}`;
      wrongWidths.set(fields.length, (wrongWidths.get(fields.length) ?? 0) + 1);
    }
    else if (values.sale_month && values.reporting_date && values.sale_month > values.reporting_date) problem = 'sale_month is after reporting_date';
    if (problem === undefined) {
      // What the report says, and what will be written (a float, as the CSV carries it).
      const cell = amount(fields[earningsIndex]?.trim(), file, line, 'Earnings (USD)');
      reported.push(cell);
      written.push(parseDecimal(String(Number(values.earnings_usd)))!);
    }
    lines.push({ values, extra, line, rowHash, ...(problem ? { problem } : {}) });
  });

  const wrong = [...wrongWidths.values()].reduce((a, b) => a + b, 0);
  if (wrong > 0 && wrong >= Math.ceil(lines.length * CHANGED_FORMAT_SHARE)) {
    const widths = [...wrongWidths.entries()].sort((a, b) => b[1] - a[1]).map(([width, n]) => `${n} with ${width}`).join(', ');
    throw new SourceChangedError(
      `${file}: ${wrong} of ${lines.length} data lines do not have the header's ${names.length} fields (${widths}); the report's format changed (a new separator or quoting?), so nothing of it is loaded`,
    );
  }

  // The earnings that will be written must add up to what the report says, to the last digit.
  const total = addDecimals(reported);
  const writtenTotal = addDecimals(written);
  if (!sameDecimal(total, writtenTotal)) {
    throw new SourceChangedError(`${file}: the earnings as written (${formatDecimal(writtenTotal)}) differ from the report's (${formatDecimal(total)}); amounts lost precision`);
  }
  return { layout: index.has('date_inserted') || index.has('recoup_usd') ? '15 columns' : '13 columns', lines, total: formatDecimal(total) };
}
