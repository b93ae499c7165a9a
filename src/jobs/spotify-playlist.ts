import type { Track } from '../sources/spotify/spotify-objects';
import { readSpotifySettings, type SpotifySettings } from '../sources/spotify/spotify-settings';
import { parseSpotifyIds } from '../sources/spotify/spotify-ids';
import { SourceChangedError } from '../core/errors';
import * as t from '../tables/spotify';
import type { Job } from './job';
import { counted, referencedIds, spotifyClientFor } from './spotify/spotify-job-context';
import { transformSpotify, type SpotifyRecord } from './spotify/spotify-records';

export interface SpotifyPlaylistConfig {
  spotify: SpotifySettings;
  playlistIds: string[];
}

/** Playlists with their entries in order, plus the tracks, albums and artists they hold. */
export const spotifyPlaylistJob: Job<SpotifyPlaylistConfig, SpotifyRecord> = {
  name: 'spotify-playlist',
  description: 'Spotify playlists → playlists, playlist_items, tracks, albums, artists (+ genres, credits)',
  tables: [t.playlists, t.playlistItems, t.tracks, t.albums, t.artists, t.artistGenres, t.trackArtists, t.albumArtists],

  parseConfig(config) {
    const entries = config.list('spotify-playlist', 'playlist_ids');
    if (entries.length === 0) config.fail('spotify-playlist', 'playlist_ids', 'one or more playlist ids, URIs or URLs, comma-separated');
    return {
      spotify: readSpotifySettings(config),
      playlistIds: parseSpotifyIds(entries, 'playlist', '[spotify-playlist] playlist_ids'),
    };
  },

  async *extract(config, ctx) {
    const { client, done } = await spotifyClientFor(config.spotify, ctx);
    const tracks = new Map<string, Track>();
    for (const playlistId of config.playlistIds) {
      const playlist = await client.playlist(playlistId);
      if (playlist.snapshotId === null) throw new SourceChangedError(`Spotify GET /playlists/{id}: playlist ${playlistId} has no snapshot_id`);
      yield counted(ctx, [{ kind: 'playlist', playlist }]);
      let position = 0;
      for await (const entries of client.playlistEntries(playlistId)) {
        const records: SpotifyRecord[] = [];
        for (const entry of entries) {
          records.push({ kind: 'playlist_entry', playlistId, snapshotId: playlist.snapshotId, position: position++, entry });
          // A track listed twice (or in two playlists) becomes one tracks row.
          if (entry.kind === 'track' && entry.track.id && !tracks.has(entry.track.id)) {
            tracks.set(entry.track.id, entry.track);
            records.push({ kind: 'track', track: entry.track });
          }
        }
        yield counted(ctx, records);
      }
    }
    const { albumIds, artistIds } = referencedIds(tracks.values());
    const albums = await client.albums.getMany(albumIds);
    for (const album of albums.values()) for (const artist of album.artists) if (artist.id) artistIds.add(artist.id);
    yield counted(ctx, [...albums.values()].map((album) => ({ kind: 'album' as const, album })));
    const artists = await client.artists.getMany(artistIds);
    yield counted(ctx, [...artists.values()].map((artist) => ({ kind: 'artist' as const, artist })));
    done();
  },

  transform: transformSpotify,
};
