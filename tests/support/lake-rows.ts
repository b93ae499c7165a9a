import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { generateListeningEvents, GENERATE_DEFAULTS } from '../../src/generate/listening-events-generator';
import type { Store } from '../../src/lake/store';
import { csvRecords, readObject } from './lake-files';

const LINEAGE = /,"[A-Za-z0-9_-]+",\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/** Every committed row of a lake, lineage values dropped, by `zone/source/table`, sorted; plus counts. */
export interface LakeRows {
  rows: Map<string, string[]>;
  files: number;
  /** One sha256 over every table's sorted rows: equal digests, equal multisets of rows. */
  digest: string;
}

/**
 * Reads every data file under raw/ and rejects/ (never _staging/): the rows Snowpipe would load.
 * A row committed twice (two files, or one file twice under two names) shows up twice here.
 */
export async function committedRows(lake: Store): Promise<LakeRows> {
  const rows = new Map<string, string[]>();
  let files = 0;
  for (const object of await lake.list('')) {
    if (!/^(raw|rejects)\//.test(object.key) || !object.key.endsWith('.csv.gz')) continue;
    files++;
    const table = object.key.split('/').slice(0, 3).join('/');
    const records = csvRecords((await readObject(lake, object.key)).replace(/\n$/, '')).slice(1);
    const list = rows.get(table) ?? [];
    for (const record of records) {
      if (!LINEAGE.test(record)) throw new Error(`row without lineage values in ${object.key}: ${record}`);
      list.push(record.replace(LINEAGE, ''));
    }
    rows.set(table, list);
  }
  const hash = createHash('sha256');
  for (const table of [...rows.keys()].sort()) {
    rows.get(table)!.sort();
    hash.update(`${table}\n${rows.get(table)!.join('\n')}\n`);
  }
  return { rows, files, digest: hash.digest('hex') };
}

/** Row counts per table, for readable failure messages. */
export function rowCounts(lakeRows: LakeRows): Record<string, number> {
  return Object.fromEntries([...lakeRows.rows.entries()].map(([table, list]) => [table, list.length]));
}

/** A deterministic landing set (users, songs, one streams file a day, a few bad rows) in a folder. */
export async function generateLanding(dir: string, events = 3000, seed = 11): Promise<string[]> {
  await generateListeningEvents({ ...GENERATE_DEFAULTS, outDir: dir, users: 200, songs: 300, events, days: 3, seed, badRate: 0.01 });
  return fs.readdirSync(dir).filter((name) => fs.statSync(path.join(dir, name)).isFile());
}

/** Copies a landing folder's files into a landing store (local folder or S3 prefix). */
export async function putLanding(from: string, landing: Store): Promise<void> {
  const uploads = fs.mkdtempSync(path.join(os.tmpdir(), 'soundlake-upload-'));
  for (const name of fs.readdirSync(from)) {
    const tmp = path.join(uploads, name);
    fs.copyFileSync(path.join(from, name), tmp);
    await landing.putFile(name, tmp);
  }
  fs.rmSync(uploads, { recursive: true, force: true });
}
