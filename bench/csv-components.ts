/**
 * npm run bench:csv [-- --rows 1000000]
 *
 * Our CSV serializer and parser against csv-stringify and csv-parse (the well-kept libraries) on the
 * same million rows — the figures behind README's reason for writing these two by hand. Both
 * libraries are run in their synchronous form, on the same text, with the options that produce or
 * read our CSV contract (every string quoted, "" for an empty string, nothing for NULL).
 */
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import { formatRow } from '../src/core/csv-row';
import { DelimitedParser } from '../src/core/delimited-parser';
import type { ColumnType, Row } from '../src/core/table';

function flag(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

const TYPES: ColumnType[] = ['string', 'string', 'timestamp', 'integer', 'string'];
const NAMES = ['Nova', 'The "Quotes"', 'a, b', 'Été', '夜 Ghost', ''];

function rows(n: number): Row[] {
  const out: Row[] = [];
  for (let i = 0; i < n; i++) {
    out.push([`u${i % 50_000}`, NAMES[i % NAMES.length], `2024-06-${String(24 + (i % 7)).padStart(2, '0')}T12:00:${String(i % 60).padStart(2, '0')}Z`, i % 1000, i % 17 === 0 ? null : `t${i % 100_000}`]);
  }
  return out;
}

function time(fn: () => unknown): number {
  const started = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - started) / 1e9;
}

function main(): void {
  const n = flag('--rows', 1_000_000);
  const data = rows(n);
  let ours = '';
  const serializeOurs = time(() => {
    const parts: string[] = [];
    for (const row of data) parts.push(formatRow(row, TYPES));
    ours = `${parts.join('\n')}\n`;
  });
  let theirs = '';
  const serializeLib = time(() => {
    theirs = stringify(data, { quoted_string: true });
  });
  // The same values? csv-stringify also quotes timestamps (strings to it; bare in ours), which reads
  // back the same; NULL is an empty field and "" an empty string in both.
  const fieldsOf = (text: string) => {
    const out: string[] = [];
    const parser = new DelimitedParser(',');
    parser.push(text, (fields) => out.push(fields.join('\u0000')));
    parser.end((fields) => out.push(fields.join('\u0000')));
    return out;
  };
  const oursFields = fieldsOf(ours);
  const theirFields = fieldsOf(theirs);
  const sameValues = oursFields.length === theirFields.length && oursFields.every((row, i) => row === theirFields[i]);

  const chunks: string[] = [];
  for (let i = 0; i < ours.length; i += 64 * 1024) chunks.push(ours.slice(i, i + 64 * 1024));
  let parsedOurs = 0;
  const parseOurs = time(() => {
    const parser = new DelimitedParser(',');
    const on = () => void parsedOurs++;
    for (const chunk of chunks) parser.push(chunk, on);
    parser.end(on);
  });
  let parsedLib = 0;
  const parseLib = time(() => {
    parsedLib = (parse(ours, { relax_column_count: true }) as unknown[]).length;
  });

  const per = (seconds: number) => ((seconds * 1_000_000) / n).toFixed(2);
  console.log(`${n.toLocaleString('en-US')} rows of 5 columns (strings with quotes, commas, accents, CJK; NULLs; numbers; timestamps)`);
  console.log(`${'step'.padEnd(12)} ${'ours s/M rows'.padStart(14)} ${'library s/M rows'.padStart(17)}  library`);
  console.log(`${'serialize'.padEnd(12)} ${per(serializeOurs).padStart(14)} ${per(serializeLib).padStart(17)}  csv-stringify (quoted_string)`);
  console.log(`${'parse'.padEnd(12)} ${per(parseOurs).padStart(14)} ${per(parseLib).padStart(17)}  csv-parse`);
  console.log(`same values from both serializers: ${sameValues}; records parsed: ours ${parsedOurs.toLocaleString('en-US')}, csv-parse ${parsedLib.toLocaleString('en-US')}`);
}

main();
