import { col, defineTable, type Column, type TableDef } from '../core/table';

/**
 * Tables of the Spotify jobs, under raw/spotify/. Every table is partitioned by the run's date and
 * keeps one row per key within a run. Fields some apps no longer receive (popularity, followers,
 * label) are NULL there.
 */
function spotify<const C extends readonly Column[]>(def: { name: string; description: string; columns: C; primaryKey: readonly string[] }): TableDef<C> {
  return defineTable({ ...def, source: 'spotify', partitionBy: null, dedupeWithinRun: true });
}

export const playlists = spotify({
  name: 'playlists',
  description: 'Playlists as loaded, one row per playlist per run.',
  columns: [
    col('playlist_id', 'string', 'Spotify playlist id.', false),
    col('name', 'string', 'Playlist name.'),
    col('description', 'string', 'Description (may hold HTML entities, as Spotify sends it).'),
    col('owner_id', 'string', 'User id of the owner.'),
    col('public', 'boolean', 'Public playlist.'),
    col('collaborative', 'boolean', 'Collaborative playlist.'),
    col('snapshot_id', 'string', 'Version of the playlist; playlist_items of the same snapshot are its contents.'),
    col('total_items', 'integer', 'Number of entries.'),
    col('url', 'string', 'open.spotify.com link.'),
  ],
  primaryKey: ['playlist_id'],
});

export const playlistItems = spotify({
  name: 'playlist_items',
  description: 'Entries of a playlist snapshot in order; local tracks, episodes and unavailable entries are kept here only.',
  columns: [
    col('playlist_id', 'string', 'Playlist.', false),
    col('snapshot_id', 'string', 'Playlist version the entry belongs to.', false),
    col('position', 'integer', '0-based position in the playlist.', false),
    col('item_type', 'string', 'track | episode | local | unavailable.', false),
    col('track_id', 'string', "Track (or episode) id as the playlist holds it, whatever the market: where Spotify relinked the track, its linked_from id. NULL for local and unavailable entries."),
    col('track_uri', 'string', 'spotify: URI (local files have spotify:local: URIs).'),
    col('added_at', 'timestamp', 'When the entry was added (UTC).'),
    col('added_by', 'string', 'User id who added it.'),
    col('playable_track_id', 'string', 'The track Spotify plays in the configured market: differs from track_id only where Spotify relinked it to a substitute. NULL for entries that are not tracks.'),
  ],
  primaryKey: ['playlist_id', 'snapshot_id', 'position'],
});

export const tracks = spotify({
  name: 'tracks',
  description: 'Tracks.',
  columns: [
    col('track_id', 'string', 'Spotify track id as requested (a playlist entry, an album listing): stable across markets and relinking.', false),
    col('name', 'string', 'Title.'),
    col('album_id', 'string', 'Album the track is on.'),
    col('duration_ms', 'integer', 'Length in milliseconds.'),
    col('explicit', 'boolean', 'Explicit lyrics.'),
    col('popularity', 'integer', '0-100; NULL where the app no longer receives it.'),
    col('isrc', 'string', 'International Standard Recording Code.'),
    col('track_number', 'integer', 'Position on its disc.'),
    col('disc_number', 'integer', 'Disc number.'),
    col('url', 'string', 'open.spotify.com link.'),
    col('playable_track_id', 'string', 'The track Spotify plays in the configured market; differs from track_id where Spotify relinked it. The other columns describe this playable version.'),
  ],
  primaryKey: ['track_id'],
});

export const albums = spotify({
  name: 'albums',
  description: 'Albums.',
  columns: [
    col('album_id', 'string', 'Spotify album id.', false),
    col('name', 'string', 'Title.'),
    col('album_type', 'string', 'album | single | compilation.'),
    col('release_date', 'string', 'Release date as Spotify gives it: 1981, 1981-12 or 1981-12-15.'),
    col('release_date_precision', 'string', 'year | month | day.'),
    col('release_date_start', 'date', 'First day the release date can mean: 1981 → 1981-01-01.'),
    col('total_tracks', 'integer', 'Number of tracks.'),
    col('label', 'string', 'Label; NULL where the app no longer receives it.'),
    col('upc', 'string', 'Universal Product Code.'),
    col('popularity', 'integer', '0-100; NULL where the app no longer receives it.'),
    col('url', 'string', 'open.spotify.com link.'),
  ],
  primaryKey: ['album_id'],
});

export const artists = spotify({
  name: 'artists',
  description: 'Artists.',
  columns: [
    col('artist_id', 'string', 'Spotify artist id.', false),
    col('name', 'string', 'Name.'),
    col('followers', 'integer', 'Follower count; NULL where the app no longer receives it.'),
    col('popularity', 'integer', '0-100; NULL where the app no longer receives it.'),
    col('url', 'string', 'open.spotify.com link.'),
  ],
  primaryKey: ['artist_id'],
});

export const artistGenres = spotify({
  name: 'artist_genres',
  description: 'Genres of an artist, one row each.',
  columns: [col('artist_id', 'string', 'Artist.', false), col('genre', 'string', 'Genre.', false)],
  primaryKey: ['artist_id', 'genre'],
});

export const trackArtists = spotify({
  name: 'track_artists',
  description: 'Artists credited on a track, in credit order.',
  columns: [col('track_id', 'string', 'Track.', false), col('artist_id', 'string', 'Artist.', false), col('position', 'integer', '0-based credit position.', false)],
  primaryKey: ['track_id', 'position'],
});

export const albumArtists = spotify({
  name: 'album_artists',
  description: 'Artists credited on an album, in credit order.',
  columns: [col('album_id', 'string', 'Album.', false), col('artist_id', 'string', 'Artist.', false), col('position', 'integer', '0-based credit position.', false)],
  primaryKey: ['album_id', 'position'],
});

export const newReleases = spotify({
  name: 'new_releases',
  description: 'Albums first seen in the new-release listing, with when and where.',
  columns: [
    col('album_id', 'string', 'Album.', false),
    col('first_seen_at', 'timestamp', 'Start of the run that first listed it (UTC).', false),
    col('rank', 'integer', '1-based position in that listing.'),
    col('source', 'string', 'browse (/browse/new-releases) or search (q=tag:new).', false),
  ],
  primaryKey: ['album_id'],
});

export const audioFeatures = spotify({
  name: 'audio_features',
  description: 'Audio features of tracks, where the app may still read them.',
  columns: [
    col('track_id', 'string', 'Track.', false),
    col('danceability', 'number', '0.0-1.0.'),
    col('energy', 'number', '0.0-1.0.'),
    col('key', 'integer', 'Pitch class, -1 if none.'),
    col('loudness', 'number', 'dB.'),
    col('mode', 'integer', '1 major, 0 minor.'),
    col('speechiness', 'number', '0.0-1.0.'),
    col('acousticness', 'number', '0.0-1.0.'),
    col('instrumentalness', 'number', '0.0-1.0.'),
    col('liveness', 'number', '0.0-1.0.'),
    col('valence', 'number', '0.0-1.0.'),
    col('tempo', 'number', 'Beats per minute.'),
    col('time_signature', 'integer', 'Beats per bar.'),
  ],
  primaryKey: ['track_id'],
});

export const followedArtists = spotify({
  name: 'followed_artists',
  description: 'Artists the user follows, as of a day.',
  columns: [col('artist_id', 'string', 'Artist.', false), col('as_of', 'date', 'Logical date of the run.', false)],
  primaryKey: ['artist_id', 'as_of'],
});
