import type { Origin, RowEmitter } from '../../run/row-emitter';
import type { RunContext } from '../../run/run-context';
import type { Album, Artist, AudioFeatures, Playlist, PlaylistEntry, Track } from '../../sources/spotify/spotify-objects';
import * as t from '../../tables/spotify';
import type { TableDef } from '../../core/table';
import { parseDate } from '../../core/values';

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

/** Counts what a record will produce, from the raw object, before the transform sees it. */
export function countReads(ctx: RunContext, record: SpotifyRecord): void {
  const read = (table: TableDef, n = 1) => {
    if (n > 0) ctx.inputs.read(origin(table).input, n);
  };
  switch (record.kind) {
    case 'playlist':
      return read(t.playlists);
    case 'playlist_entry':
      return read(t.playlistItems);
    case 'track':
      read(t.tracks);
      return read(t.trackArtists, record.track.artists.length);
    case 'album':
      read(t.albums);
      return read(t.albumArtists, record.album.artists.length);
    case 'artist':
      read(t.artists);
      return read(t.artistGenres, record.artist.genres.length);
    case 'new_release':
      return read(t.newReleases);
    case 'audio_features':
      return read(t.audioFeatures);
    case 'followed_artist':
      return read(t.followedArtists);
  }
}

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

export function transformSpotify(record: SpotifyRecord, emit: RowEmitter): void {
  switch (record.kind) {
    case 'playlist': {
      const p = record.playlist;
      emit.row(t.playlists, [p.id, p.name, p.description, p.ownerId, p.public, p.collaborative, p.snapshotId, p.totalItems, p.url], origin(t.playlists));
      return;
    }
    case 'playlist_entry': {
      const e = record.entry;
      const [trackId, uri] =
        e.kind === 'track' ? [e.track.id, e.track.uri] : e.kind === 'episode' ? [e.id, e.uri] : e.kind === 'local' ? [null, e.uri] : [null, null];
      emit.row(t.playlistItems, [record.playlistId, record.snapshotId, record.position, e.kind, trackId, uri, timestamp(e.addedAt), e.addedBy], origin(t.playlistItems));
      return;
    }
    case 'track': {
      const k = record.track;
      emit.row(t.tracks, [k.id, k.name, k.album?.id ?? null, k.durationMs, k.explicit, k.popularity, k.isrc, k.trackNumber, k.discNumber, k.url], origin(t.tracks));
      k.artists.forEach((a, i) => emit.row(t.trackArtists, [k.id, a.id, i], origin(t.trackArtists)));
      return;
    }
    case 'album': {
      const a = record.album;
      emit.row(
        t.albums,
        [a.id, a.name, a.albumType, a.releaseDate, a.releaseDatePrecision, releaseDateStart(a.releaseDate), a.totalTracks, a.label, a.upc, a.popularity, a.url],
        origin(t.albums),
      );
      a.artists.forEach((artist, i) => emit.row(t.albumArtists, [a.id, artist.id, i], origin(t.albumArtists)));
      return;
    }
    case 'artist': {
      const a = record.artist;
      emit.row(t.artists, [a.id, a.name, a.followers, a.popularity, a.url], origin(t.artists));
      for (const genre of a.genres) emit.row(t.artistGenres, [a.id, genre], origin(t.artistGenres));
      return;
    }
    case 'new_release':
      emit.row(t.newReleases, [record.albumId, record.firstSeenAt, record.rank, record.source], origin(t.newReleases));
      return;
    case 'audio_features': {
      const f = record.features;
      emit.row(
        t.audioFeatures,
        [f.id, f.danceability, f.energy, f.key, f.loudness, f.mode, f.speechiness, f.acousticness, f.instrumentalness, f.liveness, f.valence, f.tempo, f.timeSignature],
        origin(t.audioFeatures),
      );
      return;
    }
    case 'followed_artist':
      emit.row(t.followedArtists, [record.artistId, record.asOf], origin(t.followedArtists));
      return;
  }
}
