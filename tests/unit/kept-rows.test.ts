import { KeptRows } from '../../src/run/kept-rows';

test('keeps the latest row per key and hands back the one it replaced, across arenas', () => {
  const kept = new KeptRows();
  const long = 'x'.repeat(300_000);
  for (let i = 0; i < 10; i++) {
    expect(kept.set(`k${i}`, { line: `"${i}",${long}`, date: '2024-06-25', input: `f${i % 3}.csv`, sourceLine: i + 2 })).toBeUndefined();
  }
  const replaced = kept.set('k3', { line: '"3","new ünïcode 🎵"', date: '2024-06-26', input: 'later.csv', sourceLine: undefined });
  expect(replaced).toEqual({ line: `"3",${long}`, date: '2024-06-25', input: 'f0.csv', sourceLine: 5 });
  expect(kept.size).toBe(10);
  const values = [...kept.values()];
  expect(values[3]).toEqual({ line: '"3","new ünïcode 🎵"', date: '2024-06-26', input: 'later.csv', sourceLine: undefined });
  expect(values[9].line).toBe(`"9",${long}`);
});
