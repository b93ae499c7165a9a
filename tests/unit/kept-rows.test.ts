import * as fs from 'node:fs';
import * as path from 'node:path';
import { KEPT_HEADER_BYTES, KeptRows, writeKeptHeader, type KeptRow } from '../../src/run/kept-rows';
import { tempDir } from '../support/temp-dir';

/** What deduplication means, computed the obvious way: per key, its rows in arrival order. */
function byKey(rows: { key: string; row: KeptRow }[]): KeptRow[][] {
  const groups = new Map<string, KeptRow[]>();
  for (const { key, row } of rows) groups.set(key, [...(groups.get(key) ?? []), row]);
  return [...groups.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)).map((key) => groups.get(key)!);
}

/** A deterministic mix: keys repeating at random, Unicode, quotes, long lines, lines without a source line. */
function rows(count: number, keys: number, seed = 7): { key: string; row: KeptRow }[] {
  let state = seed;
  const random = () => ((state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  return Array.from({ length: count }, (_, i) => {
    const key = `u${Math.floor(random() * keys)}${i % 7 === 0 ? 'ü🎵' : ''}`;
    const padding = 'x'.repeat(Math.floor(random() * (i % 50 === 0 ? 40_000 : 900)));
    return {
      key,
      row: { line: `"${key}","O""Brien, ${i}",${padding}`, date: `2024-06-${String(10 + (i % 20)).padStart(2, '0')}`, input: `users_${i % 3}.csv`, sourceLine: i % 11 === 0 ? undefined : i + 2 },
    };
  });
}

describe('KeptRows: the latest row per key in bounded memory', () => {
  test('in memory: every key once in key order, its rows in arrival order', () => {
    const { dir, cleanup } = tempDir();
    try {
      const input = rows(2_000, 300);
      const kept = new KeptRows(path.join(dir, 'spill'), 1 << 30);
      for (const { key, row } of input) kept.add(key, row);
      expect([...kept.groups()]).toEqual(byKey(input));
      expect(kept.spilledRuns).toBe(0);
      expect(fs.existsSync(path.join(dir, 'spill'))).toBe(false);
    } finally {
      cleanup();
    }
  });

  test('spilling sorted runs to disk and merging them gives exactly the same groups', () => {
    const { dir, cleanup } = tempDir();
    try {
      const input = rows(12_000, 2_500);
      const spill = path.join(dir, 'spill');
      const kept = new KeptRows(spill, 2 * 1024 * 1024);
      for (const { key, row } of input) kept.add(key, row);
      expect(kept.spilledRuns).toBeGreaterThanOrEqual(3);
      expect(fs.readdirSync(spill)).toHaveLength(kept.spilledRuns);
      const groups = [...kept.groups()];
      expect(groups).toEqual(byKey(input));
      expect(groups.reduce((n, g) => n + g.length, 0)).toBe(input.length);
      kept.clear();
      expect(fs.readdirSync(spill)).toEqual([]);
    } finally {
      cleanup();
    }
  });

  test('a row longer than an arena is kept whole', () => {
    const { dir, cleanup } = tempDir();
    try {
      const kept = new KeptRows(path.join(dir, 'spill'), 1);
      const long = 'y'.repeat(3 * 1024 * 1024);
      kept.add('k', { line: long, date: '2024-06-25', input: 'a.csv', sourceLine: 2 });
      kept.add('k', { line: 'short', date: '2024-06-26', input: 'b.csv', sourceLine: undefined });
      expect([...kept.groups()]).toEqual([
        [
          { line: long, date: '2024-06-25', input: 'a.csv', sourceLine: 2 },
          { line: 'short', date: '2024-06-26', input: 'b.csv', sourceLine: undefined },
        ],
      ]);
    } finally {
      cleanup();
    }
  });

  test('records adopted in batches (the byte-level path) and rows added one by one keep one arrival order, in memory and spilled', () => {
    const { dir, cleanup } = tempDir();
    try {
      /** Rows of one input and day as the byte-level path hands them over: header, key, line. */
      const records = (batch: { key: string; row: KeptRow }[]) =>
        Buffer.concat(
          batch.map(({ key, row }) => {
            const keyBytes = Buffer.from(key);
            const lineBytes = Buffer.from(row.line);
            const header = Buffer.alloc(KEPT_HEADER_BYTES, 0xee); // what adopt fills in is garbage here
            writeKeptHeader(header, 0, keyBytes.length, lineBytes.length, row.sourceLine ?? 0, row.line.length);
            return Buffer.concat([header, keyBytes, lineBytes]);
          }),
        );
      for (const memory of [1 << 30, 256 * 1024]) {
        const input = rows(6_000, 900).map(({ key, row }, i) => ({ key, row: { ...row, date: '2024-07-01', input: `f${Math.floor(i / 1000)}.csv` } }));
        const kept = new KeptRows(path.join(dir, `spill-${memory}`), memory);
        for (let at = 0; at < input.length; ) {
          const size = 1 + (at % 97);
          const batch = input.slice(at, at + size);
          // Batches of rows of one input: every third goes one by one, the others adopted whole.
          if ((at / 7) % 3 < 1 || batch.some((r) => r.row.input !== batch[0].row.input)) for (const { key, row } of batch) kept.add(key, row);
          else kept.adopt(records(batch), batch[0].row.input, '2024-07-01');
          at += size;
        }
        if (memory < 1 << 30) expect(kept.spilledRuns).toBeGreaterThanOrEqual(2);
        else expect(kept.spilledRuns).toBe(0);
        expect([...kept.groups()]).toEqual(byKey(input));
        const chars = [...kept.groupsOfBytes()].flat().map((r) => r.lineChars);
        expect(chars).toEqual(byKey(input).flat().map((r) => r.line.length));
        kept.clear();
      }
    } finally {
      cleanup();
    }
  });
});
