import * as fs from 'node:fs';
import * as path from 'node:path';
import { qualifiedName } from '../../src/core/table';
import { SeededRandom } from '../../src/generate/seeded-random';
import { shapeFile, type LandingTask } from '../../src/jobs/listening-events/shape-landing-file';
import { shapingSink } from '../../src/run/file-shaper';
import { RowShaper } from '../../src/run/row-shaper';
import { streams } from '../../src/tables/listening';
import { tempDir } from '../support/temp-dir';

/**
 * The byte-level fast path for stream rows (stream-row-bytes.ts) against the general path
 * (parser + RowShaper) on the same files: every partition's rows, in order, every reject with its
 * reason and line, and the records read must be the same. The fuzzer mixes well-formed lines with
 * every shape the fast path must leave to the general one.
 */

const LINEAGE = ',"20261205T000000000Z-abc",2026-12-05T00:00:00.000Z';

interface Shaped {
  /** `table date` → rows as written (lineage and line end included). */
  parts: Map<string, string[]>;
  rejects: string[];
  records: number;
  outcome: unknown;
  /** Rows the fast path made. */
  fastRows: number;
}

async function shape(file: string, generalOnly: boolean, readBytes?: number): Promise<Shaped> {
  const parts = new Map<string, string[]>();
  const rejects: string[] = [];
  let fastRows = 0;
  const rowsOf = (key: string) => parts.get(key) ?? parts.set(key, []).get(key)!;
  const shaper = new RowShaper('2026-12-05', (op) => {
    if (op.kind === 'reject') rejects.push(`${op.table} ${op.line}`);
    else rowsOf(`${op.table} ${op.date}`).push(`${op.line}${LINEAGE}\n`);
  });
  const sink = shapingSink(shaper, (table, run) => {
    const text = Buffer.from(run.bytes).toString('latin1');
    const lines = text.split(/(?<=\n)/);
    expect(lines).toHaveLength(run.rows);
    fastRows += run.rows;
    rowsOf(`${qualifiedName(table)} ${run.date}`).push(...lines);
  });
  const task: LandingTask = { name: path.basename(file), table: qualifiedName(streams), path: file, size: fs.statSync(file).size, described: file, maxFieldChars: 64, generalOnly, readBytes };
  const chunks = shapeFile(task, sink, { lineageSuffix: LINEAGE, logicalDate: '2026-12-05' });
  let records = 0;
  for (;;) {
    const next = await chunks.next();
    if (next.done) return { parts, rejects, records, outcome: next.value, fastRows };
    records += next.value;
  }
}

async function expectPathsEqual(text: string | Buffer, readBytes?: number): Promise<Shaped> {
  const { dir } = tempDir('stream-bytes-');
  const file = path.join(dir, 'streams_2024-06-24.csv');
  fs.writeFileSync(file, text);
  const [fast, general] = await Promise.all([shape(file, false, readBytes), shape(file, true)]);
  expect(general.fastRows).toBe(0);
  expect({ ...fast, fastRows: 0 }).toEqual({ ...general, fastRows: 0 });
  return fast;
}

test('offsets and the common shapes become the UTC rows a person works out by hand', async () => {
  const fast = await expectPathsEqual(
    [
      'user_id,track_id,listen_time',
      'u1,t1,2024-01-01T01:00:00+02:00', // back over a year end
      'u2,t2,2024-02-28T23:30:00-01:00', // forward into a leap day
      'u3,t3,2023-02-28T23:30:00-01:00', // forward into March
      'u4,t4,2024-06-24 13:12:54',
      'u5,t5,2024-06-24T13:12:54Z',
      'u6,t6,2024-06-24 13:12:54Z',
    ].join('\n'),
  );
  expect(fast.fastRows).toBe(6);
  const all = [...fast.parts.values()].flat().map((row) => row.slice(0, row.indexOf(LINEAGE)));
  expect(all).toEqual([
    '"u1","t1",2023-12-31T23:00:00Z',
    '"u2","t2",2024-02-29T00:30:00Z',
    '"u3","t3",2023-03-01T00:30:00Z',
    '"u4","t4",2024-06-24T13:12:54Z',
    '"u5","t5",2024-06-24T13:12:54Z',
    '"u6","t6",2024-06-24T13:12:54Z',
  ]);
  expect([...fast.parts.keys()]).toEqual(['listening/streams 2023-12-31', 'listening/streams 2024-02-29', 'listening/streams 2023-03-01', 'listening/streams 2024-06-24']);
});

test('lines the fast path leaves alone come out as the general path makes them, with their line numbers', async () => {
  const fast = await expectPathsEqual(
    [
      'user_id,track_id,listen_time',
      'u1,t1,2024-06-24 13:12:54',
      '"u2",t2,2024-06-24 13:12:54', // quoted
      'u3,"t3 with a',
      'line break",2024-06-24 13:12:54', // a record over two lines
      'u4,t4,2024-02-30 10:00:00', // no such day
      '',
      ' ,t5,2024-06-24 13:12:54', // blank key
      'u6,t6,2024-06-24 13:12:54,extra',
      'ü7,t7,2024-06-24 13:12:54', // not ASCII
      `u8,${'x'.repeat(80)},2024-06-24 13:12:54`, // longer than a field may be (64 here)
      'u9,t9,2024-06-24T13:12:54+24:00', // no such offset
      'u10,t10,2024-06-24 13:12:54\r', // CRLF
      'u11,t11,2024-06-24 13:12:54', // no line end at the end
    ].join('\n'),
  );
  expect(fast.fastRows).toBe(3);
  expect(fast.rejects.length).toBeGreaterThanOrEqual(5);
});

test('fuzzed files: both paths give the same rows, rejects and counts', async () => {
  const rng = new SeededRandom(7);
  const pick = <T>(items: readonly T[]) => items[rng.int(0, items.length - 1)];
  const two = (n: number) => String(n).padStart(2, '0');
  const time = () => {
    const shape = rng.int(0, 9);
    const date = `${pick(['1999', '2000', '2023', '2024', '2100', '0999', '9999'])}-${two(rng.int(0, 13))}-${two(rng.int(0, 32))}`;
    const clock = `${two(rng.int(0, 24))}:${two(rng.int(0, 60))}:${two(rng.int(0, 60))}`;
    if (shape < 3) return `${date} ${clock}`;
    if (shape < 5) return `${date}T${clock}Z`;
    if (shape < 8) return `${date}T${clock}${pick(['+', '-'])}${two(rng.int(0, 24))}:${two(rng.int(0, 60))}`;
    return pick(['', 'not a time', `${date} ${clock}.5`, `${date}T${clock}+0200`, `${date} ${clock} Z`, `${date}T${clock}+02`]);
  };
  const id = (prefix: string) => (rng.chance(0.97) ? `${prefix}${rng.int(0, 999)}` : pick(['', ' ', ' x', 'x ', '"q"', 'a,b', 'é', 'tab\there', '\r', 'x'.repeat(70)]));
  for (let file = 0; file < 40; file++) {
    const lines = ['user_id,track_id,listen_time'];
    const rows = file % 8 === 0 ? rng.int(4000, 9000) : rng.int(0, 400);
    for (let i = 0; i < rows; i++) {
      const roll = rng.int(0, 99);
      if (roll === 0) lines.push('');
      else if (roll === 1) lines.push(`${id('u')},"multi\nline",${time()}`);
      else if (roll === 2) lines.push(`${id('u')},${id('t')},${time()},extra`);
      else if (roll === 3) lines.push(`${id('u')},${id('t')}`);
      else if (roll === 4) lines.push(`"${id('u')}","${id('t')}","${time()}"`);
      else lines.push(`${id('u')},${id('t')},${time()}`);
    }
    const eol = pick(['\n', '\n', '\r\n']);
    const text = lines.join(eol) + pick(['', eol]);
    // Small reads (from 1 KiB), so lines and quoted records cross read ends everywhere.
    await expectPathsEqual(text, 1024 + rng.int(0, 4096));
  }
});

test('a line longer than the fast path carries (1 MiB) is handed to the general parser in pieces', async () => {
  const long = `u1,${'x'.repeat(1_500_000)},2024-06-24 13:12:54`;
  const fast = await expectPathsEqual(['user_id,track_id,listen_time', 'u0,t0,2024-06-24 13:12:54', long, 'u2,t2,2024-06-24 13:12:54'].join('\n'));
  expect(fast.fastRows).toBe(2);
  expect(fast.rejects).toHaveLength(1);
});

test('a stray quote turns the rest of the file into one field on both paths alike', async () => {
  const rows = Array.from({ length: 2000 }, (_, i) => `u${i},t${i},2024-06-24 13:12:54`);
  rows.splice(3, 0, 'u",t,2024-06-24 13:12:54');
  await expectPathsEqual(['user_id,track_id,listen_time', ...rows].join('\n'));
});
