import * as fs from 'node:fs';
import * as path from 'node:path';
import { LocalStore } from '../../src/lake/local-store';
import { tempDir } from '../support/temp-dir';

/**
 * Two runs archiving the same landing files at once (a run that lost its lease and the one that
 * took over, both finishing the same package): each move ends as moved or gone, never as a raw
 * ENOENT from the file or folder the other run moved or pruned a moment before.
 */
test('racing moves of the same local files all end as moved or gone, and each file is archived once', async () => {
  const { dir, cleanup } = tempDir('archive-race-');
  try {
    const names = Array.from({ length: 600 }, (_, i) => `streams_${String(i).padStart(3, '0')}.csv`);
    for (const name of names) fs.writeFileSync(path.join(dir, name), `user_id,song_id\nu${name},s\n`);
    const [a, b] = [new LocalStore(dir), new LocalStore(dir)];
    const versions = new Map(await Promise.all(names.map(async (n) => [n, (await a.stat(n))!] as const)));
    const outcomes = await Promise.all(
      names.flatMap((name, i) =>
        [a, b].map(async (store, j) => {
          // The second mover starts a varying few I/O steps behind the first: every interleaving occurs.
          for (let step = 0; step < j * (i % 4); step++) await fs.promises.stat(dir);
          return store.moveIfUnchanged(name, `archive/run-1/${name}`, versions.get(name)!);
        }),
      ),
    );
    expect(new Set(outcomes)).toEqual(new Set(outcomes.filter((o) => o === 'moved' || o === 'gone')));
    expect(outcomes.filter((o) => o === 'moved').length).toBeGreaterThanOrEqual(names.length);
    expect(fs.readdirSync(path.join(dir, 'archive', 'run-1')).sort()).toEqual(names);
    expect(fs.readdirSync(dir).filter((f) => f.endsWith('.csv'))).toEqual([]);
  } finally {
    cleanup();
  }
});
