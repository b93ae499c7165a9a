import * as zlib from 'node:zlib';
import { DelimitedParser } from '../../src/core/delimited-parser';
import type { Store } from '../../src/lake/store';

/** Reads a stored object whole, gunzipping `.gz` keys. */
export async function readObject(store: Store, key: string): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of await store.read(key)) chunks.push(chunk as Buffer);
  const data = Buffer.concat(chunks);
  return (key.endsWith('.gz') ? zlib.gunzipSync(data) : data).toString('utf8');
}

/** Splits CSV text into records, each re-joined as its original text (quotes and all). */
export function csvRecords(text: string): string[] {
  const records: string[] = [];
  // Re-serialising is not wanted here: slice the original text at record boundaries instead.
  let start = 0;
  let inQuotes = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"') inQuotes = !inQuotes;
    else if (c === '\n' && !inQuotes) {
      records.push(text.slice(start, i));
      start = i + 1;
    }
  }
  if (start < text.length) records.push(text.slice(start));
  return records;
}

/** Drops the lineage values (`,"RUN_ID",TIMESTAMP`) from each data record so expected files can omit them. */
export function withoutLineage(records: string[], runId: string): string[] {
  const suffix = new RegExp(`,"${runId}",\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z$`);
  return records.map((record, i) => {
    if (i === 0) return record;
    if (!suffix.test(record)) throw new Error(`record lacks lineage values for run ${runId}: ${record}`);
    return record.replace(suffix, '');
  });
}

/** Header first, then the data records sorted: row order within a file is not part of the contract. */
export function normalised(records: string[]): string[] {
  return [records[0], ...records.slice(1).sort()];
}

export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  const parser = new DelimitedParser(',');
  parser.push(text, (fields) => rows.push(fields));
  parser.end((fields) => rows.push(fields));
  return rows;
}
