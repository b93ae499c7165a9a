import type { RecordOf, TableDef } from '../../core/table';
import { parseDate } from '../../core/values';
import type { Origin, RowEmitter } from '../../run/row-emitter';
import type { RunContext } from '../../run/run-context';
import type { Album, Artist, AudioFeatures, Playlist, PlaylistEntry, Track } from '../../sources/spotify/spotify-objects';
import * as t from '../../tables/spotify';

/** What the Spotify jobs extract: objects already validated at the API boundary. */
export type SpotifyRecord =
  | { kind: 'playlist'; playlist: Playlist }
  | { kind: 'playlist_entry'; playlistId: string; snapshotId: string; position: number; entry: PlaylistEntry }
  | { kind: 'track'; track: Track }
  | { kind: 'album'; album: Album }
  | { kind: 'artist'; artist: Artist }
  | { kind: 'new_release'; albumId: string; rank: number; source: string; firstSeenAt: string }
  | { kind: 'audio_features'; features: AudioFeatures }
  | { kind: 'followed_artist'; artistId: string; asOf: string };

/** Each table is its own input in the manifest, so rows in = rows out + rejected holds per table. */
const origin = (table: TableDef): Origin => ({ input: `spotify:${table.name}` });

/**
 * `1981` → 1981-01-01, `1981-12` → 1981-12-01, `1981-12-15` as is; anything that is not a real day
 * (Spotify sends `0000` for an unknown date) NULL — the album row still lands, with the raw text.
 */
export function releaseDateStart(date: string | null): string | null {
  if (date === null) return null;
  const start = /^\d{4}$/.test(date) ? `${date}-01-01` : /^\d{4}-\d{2}$/.test(date) ? `${date}-01` : date;
  return parseDate(start) ?? null;
}

/** Spotify times are ISO-8601 UTC (`2024-06-25T17:43:13Z`); whole seconds keep the lake's form. */
const timestamp = (value: string | null): string | null => (value === null ? null : value.replace(/\.000Z$/, 'Z'));

/**
 * One validated object → rows keyed by column name (the compiler checks every column of each
 * table by name and type). Each row is counted as read where it is emitted.
 */
export function transformSpotify(record: SpotifyRecord, emit: RowEmitter, ctx: RunContext): void {
  const out = <T extends TableDef>(table: T, row: RecordOf<T>) => {
    ctx.inputs.read(origin(table).input);
    emit.record(table, row, origin(table));
  };
  /** An artist without an id (local files' artists) cannot be credited: the row is a reject, with why. */
  const uncredited = (table: TableDef, ownerId: string, position: number) => {
    ctx.inputs.read(origin(table).input);
    emit.reject(table, 'credited artist has no id', [ownerId, undefined, String(position)], origin(table));
  };
  switch (record.kind) {
    case 'playlist': {
      const p = record.playlist;
      out(t.playlists, {
        playlist_id: p.id,
        name: p.name,
        description: p.description,
        owner_id: p.ownerId,
        public: p.public,
        collaborative: p.collaborative,
        snapshot_id: p.snapshotId,
        total_items: p.totalItems,
        url: p.url,
      });
      return;
    }
    case 'playlist_entry': {
      const e = record.entry;
      const [trackId, uri, playableId] =
        e.kind === 'track' ? [e.track.id, e.track.uri, e.track.playableId] : e.kind === 'episode' ? [e.id, e.uri, null] : e.kind === 'local' ? [null, e.uri, null] : [null, null, null];
      out(t.playlistItems, {
        playlist_id: record.playlistId,
        snapshot_id: record.snapshotId,
        position: record.position,
        item_type: e.kind,
        track_id: trackId,
        track_uri: uri,
        added_at: timestamp(e.addedAt),
        added_by: e.addedBy,
        playable_track_id: playableId,
      });
      return;
    }
    case 'track': {
      const k = record.track;
      if (k.id === null) return;
      const trackId = k.id;
      out(t.tracks, {
        track_id: trackId,
        name: k.name,
        album_id: k.album?.id ?? null,
        duration_ms: k.durationMs,
        explicit: k.explicit,
        popularity: k.popularity,
        isrc: k.isrc,
        track_number: k.trackNumber,
        disc_number: k.discNumber,
        url: k.url,
        playable_track_id: k.playableId,
      });
      k.artists.forEach((a, i) =>
        a.id === null ? uncredited(t.trackArtists, trackId, i) : out(t.trackArtists, { track_id: trackId, artist_id: a.id, position: i }),
      );
      return;
    }
    case 'album': {
      const a = record.album;
      out(t.albums, {
        album_id: a.id,
        name: a.name,
        album_type: a.albumType,
        release_date: a.releaseDate,
        release_date_precision: a.releaseDatePrecision,
        release_date_start: releaseDateStart(a.releaseDate),
        total_tracks: a.totalTracks,
        label: a.label,
        upc: a.upc,
        popularity: a.popularity,
        url: a.url,
      });
      a.artists.forEach((artist, i) =>
        artist.id === null ? uncredited(t.albumArtists, a.id, i) : out(t.albumArtists, { album_id: a.id, artist_id: artist.id, position: i }),
      );
      return;
    }
    case 'artist': {
      const a = record.artist;
      out(t.artists, { artist_id: a.id, name: a.name, followers: a.followers, popularity: a.popularity, url: a.url });
      for (const genre of a.genres) out(t.artistGenres, { artist_id: a.id, genre });
      return;
    }
    case 'new_release':
      out(t.newReleases, { album_id: record.albumId, first_seen_at: record.firstSeenAt, rank: record.rank, source: record.source });
      return;
    case 'audio_features': {
      const f = record.features;
      out(t.audioFeatures, {
        track_id: f.id,
        danceability: f.danceability,
        energy: f.energy,
        key: f.key,
        loudness: f.loudness,
        mode: f.mode,
        speechiness: f.speechiness,
        acousticness: f.acousticness,
        instrumentalness: f.instrumentalness,
        liveness: f.liveness,
        valence: f.valence,
        tempo: f.tempo,
        time_signature: f.timeSignature,
      });
      return;
    }
    case 'followed_artist':
      out(t.followedArtists, { artist_id: record.artistId, as_of: record.asOf });
      return;
  }
}
