import { col, defineTable } from '../core/table';

/** Tables of the listening-events job, under raw/listening/. */

export const users = defineTable({
  source: 'listening',
  name: 'users',
  description: 'Listeners, latest row per user_id within a run.',
  columns: [
    col('user_id', 'string', 'User key.', false),
    col('user_name', 'string', 'Display name.'),
    col('user_age', 'integer', 'Age in years.'),
    col('user_country', 'string', 'Country as given by the export.'),
    col('created_at', 'timestamp', 'When the account was created (UTC).'),
  ],
  primaryKey: ['user_id'],
  partitionBy: null,
  dedupeWithinRun: true,
});

export const songs = defineTable({
  source: 'listening',
  name: 'songs',
  description: 'Songs with genre and duration, latest row per track_id within a run.',
  columns: [
    col('track_id', 'string', 'Track key.', false),
    col('track_name', 'string', 'Title.'),
    col('artists', 'string', 'Artist names as exported (several are separated by ";").'),
    col('album_name', 'string', 'Album title.'),
    col('track_genre', 'string', 'Genre.'),
    col('duration_ms', 'integer', 'Length in milliseconds (never negative).'),
    col('popularity', 'integer', 'Popularity score as exported.'),
    col('explicit', 'boolean', 'Explicit lyrics.'),
  ],
  primaryKey: ['track_id'],
  partitionBy: null,
  dedupeWithinRun: true,
});

export const streams = defineTable({
  source: 'listening',
  name: 'streams',
  description: 'One row per listen; partitioned by the UTC day of listen_time. Not deduplicated in the run (memory stays flat); the warehouse view is.',
  columns: [
    col('user_id', 'string', 'Who listened.', false),
    col('track_id', 'string', 'What was played.', false),
    col('listen_time', 'timestamp', 'When the listen started (UTC).', false),
  ],
  primaryKey: ['user_id', 'track_id', 'listen_time'],
  partitionBy: 'listen_time',
});

export const listeningTables = [users, songs, streams] as const;
