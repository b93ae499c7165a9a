import { createHash } from 'node:crypto';
import { DelimitedParser } from '../../core/delimited-parser';
import { SourceChangedError } from '../../core/errors';

/**
 * The earnings report ("See Excruciating Detail" TSV). Two layouts are known: 13 columns, and 15
 * (adds Date Inserted and Recoup (USD), Source Type in place of Song/Album — though some 15-column
 * files still say Song/Album — and "Songwriter Royalties Withheld (USD)"). Columns are matched by
 * header name; text is UTF-8 or Latin-1; lines end in CR, LF or CRLF.
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
  rowHash: string;
  /** Set when the row fails a sanity check (it goes to rejects with this reason). */
  problem?: string;
}

export interface EarningsReport {
  layout: '13 columns' | '15 columns';
  lines: EarningsLine[];
}

/** UTF-8 when the bytes are valid UTF-8, else Latin-1 (older reports). */
export function decodeReport(bytes: Buffer): string {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    text = bytes.toString('latin1');
  }
  return text.replace(/^\uFEFF/, '');
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

const cents = (text: string | undefined) => {
  const n = Number(text);
  return Number.isFinite(n) ? Math.round(n * 1e8) : NaN;
};

export function parseEarningsReport(text: string, file: string): EarningsReport {
  const records: { fields: string[]; line: number }[] = [];
  const parser = new DelimitedParser('\t');
  const onRecord = (fields: string[], line: number) => records.push({ fields, line });
  parser.push(text, onRecord);
  parser.end(onRecord);
  const header = records.shift();
  if (!header) throw new SourceChangedError(`${file}: the earnings report is empty (no header line)`);
  const names = header.fields.map((h) => h.trim());
  const index = new Map<string, number>();
  const missing: string[] = [];
  for (const spec of COLUMNS) {
    const i = names.findIndex((n) => spec.headers.some((h) => h.toLowerCase() === n.toLowerCase()));
    if (i >= 0) index.set(spec.column, i);
    else if (spec.required) missing.push(spec.headers.join(' or '));
  }
  if (missing.length > 0) {
    throw new SourceChangedError(`${file}: the earnings report lacks column${missing.length > 1 ? 's' : ''} ${missing.join(', ')} (header: ${names.join(' | ')})`);
  }
  const known = new Set(index.values());
  const lines: EarningsLine[] = records.map(({ fields, line }) => {
    const values: Record<string, string | undefined> = {};
    for (const [column, i] of index) values[column] = fields[i]?.trim();
    values.reporting_date = normaliseDate(values.reporting_date, false);
    values.sale_month = normaliseDate(values.sale_month, true);
    values.date_inserted = normaliseDate(values.date_inserted, false);
    const extra: Record<string, string> = {};
    names.forEach((name, i) => {
      if (!known.has(i) && fields[i] !== undefined && fields[i] !== '') extra[name] = fields[i];
    });
    const rowHash = createHash('sha256').update(JSON.stringify(fields)).digest('hex');
    let problem: string | undefined;
    if (fields.length !== names.length) problem = `expected ${names.length} fields, found ${fields.length}`;
    else if (values.sale_month && values.reporting_date && values.sale_month > values.reporting_date) problem = 'sale_month is after reporting_date';
    return { values, extra, line, rowHash, ...(problem ? { problem } : {}) };
  });

  // Independent total: the raw text split on line ends and tabs, without the quote-aware parser.
  const earningsIndex = index.get('earnings_usd')!;
  const rawTotal = text
    .split(/\r\n|\r|\n/)
    .slice(1)
    .filter((l) => l.trim() !== '')
    .reduce((sum, l) => sum + cents(l.split('\t')[earningsIndex]?.trim()), 0);
  const parsedTotal = lines.reduce((sum, l) => sum + cents(l.values.earnings_usd), 0);
  if (!Number.isNaN(rawTotal) && !Number.isNaN(parsedTotal) && rawTotal !== parsedTotal) {
    throw new SourceChangedError(`${file}: the earnings of the parsed rows (${parsedTotal / 1e8}) differ from the report's total (${rawTotal / 1e8}); the file's format changed`);
  }
  return { layout: index.has('date_inserted') || index.has('recoup_usd') ? '15 columns' : '13 columns', lines };
}
