import { dataFileKey, isValidRunId, newRunId, partitionPath, stagingKey } from '../../src/lake/keys';

test('lake keys follow the documented layout', () => {
  expect(partitionPath('2024-06-05')).toBe('year=2024/month=06/day=05');
  expect(dataFileKey('raw', 'listening', 'streams', '2024-06-05', 'r1', 3)).toBe(
    'raw/listening/streams/year=2024/month=06/day=05/streams_r1_00003.csv.gz',
  );
  expect(dataFileKey('rejects', 'spotify', 'tracks', '2026-01-31', 'r1', 0)).toBe(
    'rejects/spotify/tracks/year=2026/month=01/day=31/tracks_r1_00000.csv.gz',
  );
  expect(stagingKey('r1', 'raw/x.csv.gz')).toBe('_staging/r1/raw/x.csv.gz');
  expect(() => partitionPath('2024-6-5')).toThrow();
});

test('run ids sort by time and are valid key parts', () => {
  const id = newRunId(new Date('2026-11-21T23:45:12.345Z'), () => 0.5);
  expect(id).toBe('20261121T234512Z-8000');
  expect(isValidRunId(id)).toBe(true);
  expect(isValidRunId('../etc')).toBe(false);
  expect(isValidRunId('a b')).toBe(false);
});
