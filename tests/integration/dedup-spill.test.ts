import * as fs from 'node:fs';
import * as path from 'node:path';
import { committedRows, rowCounts } from '../support/lake-rows';
import { runListening, stores, type Setup } from '../support/listening-scenario';
import { tempDir } from '../support/temp-dir';

/**
 * Users deduplicated within a run with 1 MiB of memory (sorted runs spilled to disk and merged)
 * commit exactly the rows and rejects they commit held in memory, and what the landing set implies.
 */
test('deduplication that spills to disk commits the same rows and rejects as in memory', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const landing = path.join(dir, 'landing-source');
    fs.mkdirSync(landing);
    const KEYS = 6_000;
    const PER_FILE = 12_000;
    // Three files, each naming keys at random (a key may repeat within a file and across files).
    let state = 3;
    const random = () => ((state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const seen = new Set<string>();
    for (const name of ['users_a.csv', 'users_b.csv', 'users_c.csv']) {
      const lines = ['user_id,user_name,user_age,user_country,created_at'];
      for (let i = 0; i < PER_FILE; i++) {
        const key = `u${Math.floor(random() * KEYS)}`;
        seen.add(key);
        lines.push(`${key},"Name ${name} ${i} ${'ü'.repeat(40)}",${20 + (i % 50)},SE,2024-01-0${1 + (i % 9)} 10:00:00`);
      }
      fs.writeFileSync(path.join(landing, name), `${lines.join('\n')}\n`);
    }
    const run = async (name: string, memoryMb: number) => {
      const setup: Setup = { lakeUrl: path.join(dir, `lake-${name}`), landingUrl: path.join(dir, `landing-${name}`), env: { RUN_DEDUP_MEMORY_MB: String(memoryMb) } };
      fs.cpSync(landing, setup.landingUrl, { recursive: true });
      const { result } = await runListening(setup, { date: '2026-11-21', runId: 'dedup-run' });
      // The spill folder is gone with the spool.
      expect(fs.readdirSync(path.join(setup.lakeUrl, '..')).filter((f) => f.includes('_dedup'))).toEqual([]);
      return { rows: await committedRows((await stores(setup)).lake), manifest: result.manifest };
    };
    const spilled = await run('spilled', 1);
    const inMemory = await run('memory', 64);
    expect(rowCounts(spilled.rows)).toEqual(rowCounts(inMemory.rows));
    expect(spilled.rows.digest).toBe(inMemory.rows.digest);
    // Same rows in the same order: only the gzip size may differ (_extracted_at differs by milliseconds).
    const { bytes: _spilledBytes, ...spilledTotals } = spilled.manifest.totals;
    const { bytes: _memoryBytes, ...memoryTotals } = inMemory.manifest.totals;
    expect(spilledTotals).toEqual(memoryTotals);
    const balance = (m: typeof spilled.manifest) => m.inputs.map(({ name, rows_in, rows_out, rows_rejected }) => ({ name, rows_in, rows_out, rows_rejected }));
    expect(balance(spilled.manifest)).toEqual(balance(inMemory.manifest));
    // What the landing set implies: one row per key kept, every other row rejected as superseded.
    expect(rowCounts(spilled.rows)).toEqual({ 'raw/listening/users': seen.size, 'rejects/listening/users': 3 * PER_FILE - seen.size });
    expect(spilled.rows.rows.get('rejects/listening/users')!.every((r) => r.startsWith('"duplicate user_id: superseded by users_'))).toBe(true);
  } finally {
    cleanup();
  }
});
