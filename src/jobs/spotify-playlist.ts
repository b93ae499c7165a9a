import type { Track } from '../sources/spotify/spotify-objects';
import { readSpotifySettings, type SpotifySettings } from '../sources/spotify/spotify-settings';
import { parseSpotifyIds } from '../sources/spotify/spotify-ids';
import { SourceChangedError } from '../core/errors';
import * as t from '../tables/spotify';
import type { Job } from '../run/job';
import { PlaylistNotFoundError, PlaylistRefusedError } from '../sources/spotify/spotify-client';
import { referencedIds, spotifyClientFor } from './spotify/spotify-job-context';
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
    const skip = (playlistId: string, what: string, reason: string) => {
      ctx.log.warn(`skipping ${what}; the other playlists still land: ${reason}`);
      ctx.inputs.mark(`spotify:playlist:${playlistId}`, 'ignored', { reason });
      ctx.io.add('playlists_skipped');
    };
    for (const playlistId of config.playlistIds) {
      let playlist;
      try {
        playlist = await client.playlist(playlistId);
      } catch (error) {
        if (!(error instanceof PlaylistNotFoundError)) throw error;
        skip(playlistId, `playlist ${playlistId}`, error.message);
        continue;
      }
      if (playlist.snapshotId === null) throw new SourceChangedError(`Spotify GET /playlists/{id}: playlist ${playlistId} has no snapshot_id`);
      const snapshotId = playlist.snapshotId;
      // The playlist row goes out first: Development Mode still answers a playlist's metadata where
      // it refuses its entries, so the row lands either way.
      yield [{ kind: 'playlist', playlist }];
      let entriesYielded = false;
      try {
        for await (const entries of client.playlistEntries(playlist)) {
          const batch: SpotifyRecord[] = [];
          for (const { position, entry } of entries) {
            batch.push({ kind: 'playlist_entry', playlistId, snapshotId, position, entry });
            // A track listed twice (or in two playlists) becomes one tracks row.
            if (entry.kind === 'track' && entry.track.id && !tracks.has(entry.track.id)) {
              tracks.set(entry.track.id, entry.track);
              batch.push({ kind: 'track', track: entry.track });
            }
          }
          entriesYielded = true;
          yield batch;
        }
      } catch (error) {
        // Refused after some entries went out: half a snapshot must not land as the whole one.
        if (!(error instanceof PlaylistRefusedError) || entriesYielded) throw error;
        skip(playlistId, `the entries of playlist ${playlistId} ("${playlist.name}"), its playlists row still lands`, error.message);
      }
    }
    const { albumIds, artistIds } = referencedIds(tracks.values());
    const albums = await client.albums.getMany(albumIds);
    for (const album of albums.values()) for (const artist of album.artists) if (artist.id) artistIds.add(artist.id);
    yield [...albums.values()].map((album) => ({ kind: 'album' as const, album }));
    const artists = await client.artists.getMany(artistIds);
    yield [...artists.values()].map((artist) => ({ kind: 'artist' as const, artist }));
    done();
  },

  transform: transformSpotify,
};
