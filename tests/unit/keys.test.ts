import { dataFileKey, isValidRunId, newRunId, partitionPath, stagingKey } from '../../src/lake/keys';

test('lake keys follow the documented layout, with the job in the file name', () => {
  expect(partitionPath('2024-06-05')).toBe('year=2024/month=06/day=05');
  expect(dataFileKey('raw', 'listening', 'streams', '2024-06-05', 'listening-events', 'r1', 3)).toBe(
    'raw/listening/streams/year=2024/month=06/day=05/streams_listening-events_r1_00003.csv.gz',
  );
  expect(dataFileKey('rejects', 'spotify', 'tracks', '2026-01-31', 'spotify-playlist', 'r1', 0)).toBe(
    'rejects/spotify/tracks/year=2026/month=01/day=31/tracks_spotify-playlist_r1_00000.csv.gz',
  );
  expect(stagingKey('spotify-artists', 'r1', 'raw/x.csv.gz')).toBe('_staging/spotify-artists/r1/raw/x.csv.gz');
  expect(() => partitionPath('2024-6-5')).toThrow();
  // Not a real day: refused rather than written as month=02/day=30.
  expect(() => partitionPath('2024-02-30')).toThrow(/not a real/);
  expect(partitionPath('2024-02-29')).toBe('year=2024/month=02/day=29');
});

test('run ids sort by time to the millisecond and carry 64 random bits', () => {
  const id = newRunId(new Date('2026-11-21T23:45:12.345Z'), (n) => Buffer.alloc(n, 0xab));
  expect(id).toBe('20261121T234512345Z-abababababababab');
  expect(isValidRunId(id)).toBe(true);
  expect(isValidRunId('../etc')).toBe(false);
  expect(isValidRunId('a b')).toBe(false);
  const a = newRunId(new Date('2026-11-21T23:45:12.345Z'));
  const b = newRunId(new Date('2026-11-21T23:45:12.345Z'));
  expect(a).not.toBe(b);
  expect(newRunId(new Date('2026-11-21T23:45:12.344Z')) < a).toBe(true);
});

test('the pipe pattern and the warehouse take exactly the data files dataFileKey writes', async () => {
  const { dataFilePattern } = await import('../../src/lake/keys');
  const { pipePattern } = await import('../../src/sql/pipes');
  const { streams } = await import('../../src/tables/listening');
  const rule = new RegExp(`^raw/${dataFilePattern('listening', 'streams')}$`);
  const written = dataFileKey('raw', 'listening', 'streams', '2024-06-05', 'listening-events', '20261121T234512345Z-abababababababab', 12);
  expect(rule.test(written)).toBe(true);
  // Snowpipe applies PATTERN to what is left after the stage URL (raw/) and the FROM path (the table's folder).
  expect(new RegExp(`^${pipePattern(streams)}$`).test(written.slice('raw/listening/streams/'.length))).toBe(true);
  expect(new RegExp(`^${pipePattern(streams)}$`).test(`s3://bucket/lake/${written}`)).toBe(false);
  for (const other of [
    dataFileKey('rejects', 'listening', 'streams', '2024-06-05', 'listening-events', 'r1', 0),
    stagingKey('listening-events', 'r1', written),
    'raw/listening/streams/year=2024/month=06/day=05/notes.txt',
    'raw/listening/users/year=2024/month=06/day=05/users_listening-events_r1_00000.csv.gz',
  ]) {
    expect(rule.test(other)).toBe(false);
  }
});
