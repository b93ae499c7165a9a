import * as fs from 'node:fs';
import * as path from 'node:path';
import { qualifiedName, type TableDef } from '../../src/core/table';
import { SeededRandom } from '../../src/generate/seeded-random';
import { shapeFile, type LandingTask } from '../../src/jobs/listening-events/shape-landing-file';
import { shapingSink } from '../../src/run/file-shaper';
import { KeptRows } from '../../src/run/kept-rows';
import { RowShaper } from '../../src/run/row-shaper';
import { songs, users } from '../../src/tables/listening';
import { tempDir } from '../support/temp-dir';

/**
 * The byte-level fast path for tables that dedupe within a run (run/dedup-row-bytes.ts) against
 * the general path (parser + RowShaper) on the same users and songs files, each path's rows kept
 * in a KeptRows as the run keeps them: the same rows per key in the same arrival order (which
 * decides the row a key keeps) with the same day and source line, the same rejects in order, the
 * same records read. The fuzzer mixes well-formed lines with every shape the fast
 * path must leave to the general one.
 */

const LOGICAL_DATE = '2026-12-05';

interface Shaped {
  /** Every key's rows in arrival order, as KeptRows hands them to the flush: `day line sourceLine key: line`. */
  kept: string[][];
  /** Rejects in the order they were made. */
  rejects: string[];
  records: number;
  outcome: unknown;
  /** Rows the fast path made. */
  fastRows: number;
}

async function shape(table: TableDef, file: string, generalOnly: boolean, readBytes?: number): Promise<Shaped> {
  const { dir, cleanup } = tempDir('kept-');
  const input = path.basename(file);
  const kept = new KeptRows(dir);
  const rejects: string[] = [];
  let fastRows = 0;
  const shaper = new RowShaper(LOGICAL_DATE, (op) => {
    if (op.kind === 'reject') rejects.push(`${op.table} ${op.line}`);
    else kept.add(op.key!, { line: op.line, date: op.date, input, sourceLine: op.origin.line });
  });
  const sink = shapingSink(shaper, (t, run) => {
    expect(t).toBe(table);
    fastRows += run.rows;
    // A copy, as a run crossing threads is.
    kept.adopt(Buffer.from(run.bytes), input, run.date);
  });
  const task: LandingTask = { name: input, table: qualifiedName(table), path: file, size: fs.statSync(file).size, described: file, maxFieldChars: 64, generalOnly, readBytes };
  const chunks = shapeFile(task, sink, { lineageSuffix: ',"run",2026-12-05T00:00:00Z', logicalDate: LOGICAL_DATE });
  let records = 0;
  for (;;) {
    const next = await chunks.next();
    if (next.done) {
      const groups = [...kept.groupsOfBytes()].map((rows) =>
        rows.map((row) => {
          const line = row.lineBytes.toString('utf8');
          // The length as text is what parts roll on: it must be the line's.
          expect(row.lineChars).toBe(line.length);
          return `${row.date} line ${row.sourceLine}: ${line}`;
        }),
      );
      kept.clear();
      cleanup();
      return { kept: groups, rejects, records, outcome: next.value, fastRows };
    }
    records += next.value;
  }
}

async function expectPathsEqual(table: TableDef, text: string | Buffer, readBytes?: number): Promise<Shaped> {
  const { dir, cleanup } = tempDir('dedup-bytes-');
  const file = path.join(dir, `${table.name}.csv`);
  fs.writeFileSync(file, text);
  const [fast, general] = await Promise.all([shape(table, file, false, readBytes), shape(table, file, true)]).finally(cleanup);
  expect(general.fastRows).toBe(0);
  expect({ ...fast, fastRows: 0 }).toEqual({ ...general, fastRows: 0 });
  return fast;
}

test('well-formed users and songs become the rows a person writes by hand', async () => {
  const fastUsers = await expectPathsEqual(
    users,
    ['user_id,user_name,user_age,user_country,created_at', 'u1,Søren Silva,48,IN,2023-12-08 14:43:25', 'u2,,0,,2024-01-01T01:00:00+02:00', 'u1,Emeka 🎵,29,US,'].join('\n'),
  );
  expect(fastUsers.fastRows).toBe(3);
  expect(fastUsers.kept).toEqual([
    ['2026-12-05 line 2: "u1","Søren Silva",48,"IN",2023-12-08T14:43:25Z', '2026-12-05 line 4: "u1","Emeka 🎵",29,"US",'],
    ['2026-12-05 line 3: "u2",,0,,2023-12-31T23:00:00Z'],
  ]);
  const fastSongs = await expectPathsEqual(
    songs,
    ['track_id,track_name,artists,album_name,track_genre,duration_ms,popularity,explicit', 't1,Summer 夜,Marisol;Kid Atlas,River (2018),k-pop,214987,68,True', 't2,x,y,z,jazz,1,,FALSE'].join('\r\n'),
  );
  expect(fastSongs.fastRows).toBe(2);
  expect(fastSongs.kept).toEqual([
    ['2026-12-05 line 2: "t1","Summer 夜","Marisol;Kid Atlas","River (2018)","k-pop",214987,68,true'],
    ['2026-12-05 line 3: "t2","x","y","z","jazz",1,,false'],
  ]);
});

test('lines the fast path leaves alone come out as the general path makes them, in their place', async () => {
  const fast = await expectPathsEqual(
    songs,
    [
      'track_id,track_name,artists,album_name,track_genre,duration_ms,popularity,explicit',
      't1,a,b,c,d,1,2,true',
      't2,"quoted, with a comma",b,c,d,1,2,true',
      't3,"a line',
      'break",b,c,d,1,2,true',
      't4,a,b,c,d,-5,2,true', // negative duration: a reject
      't5,a,b,c,d,007,2,true', // leading zeros: the general path normalises
      't6,a,b,c,d,1.0,2,true',
      't7,a,b,c,d,1,2,yes',
      't8,a,b,c,d,1,2, true',
      ',a,b,c,d,1,2,true', // no key
      ' ,a,b,c,d,1,2,true', // blank key
      't9,a,b,c,d,1,2',
      't10,a,b,c,d,1,2,true,extra',
      `t12,${'x'.repeat(80)},b,c,d,1,2,true`, // longer than a field may be (64 here)
      't13,a,b,c,d,1234567890123456,2,true', // beyond 15 digits
      '',
      't14,a,b,c,d,1,2,false',
    ].join('\n'),
  );
  expect(fast.fastRows).toBe(2);
  expect(fast.rejects.length).toBeGreaterThanOrEqual(6);
});

test('a file that is not UTF-8 is refused whole on both paths (the fast path relies on it)', async () => {
  const header = Buffer.from('user_id,user_name,user_age,user_country,created_at\n');
  const bad = Buffer.concat([Buffer.from('u1,Bj'), Buffer.from([0xf6]), Buffer.from('rk,30,IS,\n')]);
  const fast = await expectPathsEqual(users, Buffer.concat([header, Buffer.from('u2,Björk,30,IS,\n'), bad]));
  expect(fast.kept).toEqual([]);
  expect(fast.outcome).toEqual({ status: 'error', reason: expect.stringContaining('not valid UTF-8') });
});

test('fuzzed files: both paths give the same rows, rejects and counts', async () => {
  const rng = new SeededRandom(11);
  const pick = <T>(items: readonly T[]) => items[rng.int(0, items.length - 1)];
  const two = (n: number) => String(n).padStart(2, '0');
  const time = () =>
    rng.chance(0.8)
      ? `${pick(['2016', '2023', '2024', '0999'])}-${two(rng.int(0, 13))}-${two(rng.int(0, 31))}${pick([' ', 'T'])}${two(rng.int(0, 24))}:${two(rng.int(0, 60))}:${two(rng.int(0, 60))}${pick(['', '', 'Z', '+02:00', '-11:30', '+0200', '.5'])}`
      : pick(['', 'soon', '2024-06-24']);
  const text = () => (rng.chance(0.9) ? pick(['Søren', 'Emeka Haddad', 'Summer 夜', 'a;b', '🎵', 'O\'Brien', 'x']) : pick(['', ' ', '"q"', 'a,b', 'tab\there', '\r', 'x'.repeat(70), '""""']));
  const integer = () => (rng.chance(0.85) ? String(rng.int(0, 400_000)) : pick(['', '-1', '-0', '0', '00', '+5', '1.0', '1e3', ' 7', '99999999999999999', '123456789012345']));
  const bool = () => (rng.chance(0.85) ? pick(['true', 'false', 'True', 'FALSE']) : pick(['', 'yes', '1', ' true', 'tru']));
  const id = (prefix: string) => (rng.chance(0.95) ? `${prefix}${rng.int(0, 300)}` : pick(['', ' ', ' x', 'é', '"k"', 'x'.repeat(70)]));
  const shapes: [TableDef, string, () => string][] = [
    [users, 'user_id,user_name,user_age,user_country,created_at', () => [id('u'), text(), integer(), text(), time()].join(',')],
    [songs, 'track_id,track_name,artists,album_name,track_genre,duration_ms,popularity,explicit', () => [id('t'), text(), text(), text(), text(), integer(), integer(), bool()].join(',')],
  ];
  for (let file = 0; file < 40; file++) {
    const [table, header, line] = shapes[file % 2];
    const lines = [header];
    const rows = file % 8 < 2 ? rng.int(3000, 6000) : rng.int(0, 300);
    for (let i = 0; i < rows; i++) {
      const roll = rng.int(0, 99);
      if (roll === 0) lines.push('');
      else if (roll === 1) lines.push(`${line()},extra`);
      else if (roll === 2) lines.push(line().split(',').slice(1).join(','));
      else lines.push(line());
    }
    const eol = pick(['\n', '\n', '\r\n']);
    // Small reads (from 1 KiB), so lines and quoted records cross read ends everywhere.
    await expectPathsEqual(table, lines.join(eol) + pick(['', eol]), 1024 + rng.int(0, 4096));
  }
});
