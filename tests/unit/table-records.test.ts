import { rowOf, textFieldsOf } from '../../src/core/table';
import { earnings, streamsDaily } from '../../src/tables/distrokid';
import { playlistItems } from '../../src/tables/spotify';

/**
 * Rows are built by column name, typed from the table definition. The `@ts-expect-error` lines are
 * checked by the compiler when this file is compiled: should a wrong record ever type-check, the
 * directive itself becomes an error and this suite fails to compile.
 */
test('a record becomes the row in the table\'s column order, whatever order its keys are written in', () => {
  const a = rowOf(streamsDaily, { date: '2025-05-20', store: 'spotify', artist: null, track: 'Nova - Midnight Échos', streams: 131, item_type: 'track', item_id: '70000001', album: null, isrc: 'QZAAA2500001', upc: null });
  const b = rowOf(streamsDaily, { upc: null, isrc: 'QZAAA2500001', album: null, item_id: '70000001', item_type: 'track', streams: 131, track: 'Nova - Midnight Échos', artist: null, store: 'spotify', date: '2025-05-20' });
  expect(a).toEqual(['2025-05-20', 'spotify', null, 'Nova - Midnight Échos', 131, 'track', '70000001', null, 'QZAAA2500001', null]);
  expect(b).toEqual(a);
  const fields = textFieldsOf(playlistItems, {
    playlist_id: 'p', snapshot_id: 's', position: '0', item_type: 'track', track_id: 't', track_uri: 'spotify:track:t', added_at: undefined, added_by: undefined, playable_track_id: 't',
  });
  expect(fields).toEqual(['p', 's', '0', 'track', 't', 'spotify:track:t', undefined, undefined, 't']);
});

test('the compiler refuses a record with a wrong, missing or mistyped column', () => {
  // @ts-expect-error `plays` is not a column of streams_daily
  expect(() => rowOf(streamsDaily, { date: '2025-05-20', store: 'spotify', artist: null, track: null, plays: 131, item_type: null, item_id: null, album: null, isrc: null, upc: null })).not.toThrow();
  // @ts-expect-error `streams` is missing
  rowOf(streamsDaily, { date: '2025-05-20', store: 'spotify', artist: null, track: null, item_type: null, item_id: null, album: null, isrc: null, upc: null });
  // @ts-expect-error streams is an integer column, not text
  rowOf(streamsDaily, { date: '2025-05-20', store: 'spotify', artist: null, track: null, streams: '131', item_type: null, item_id: null, album: null, isrc: null, upc: null });
  // @ts-expect-error store is NOT NULL
  rowOf(streamsDaily, { date: '2025-05-20', store: null, artist: null, track: null, streams: 131, item_type: null, item_id: null, album: null, isrc: null, upc: null });
  // @ts-expect-error earnings has no column `amount`
  textFieldsOf(earnings, { amount: '1' });
});
