import { cliCommand } from '../core/cli-name';
import { ConfigError } from '../core/errors';
import { parseSpotifyIds } from '../sources/spotify/spotify-ids';
import { readSpotifySettings, type SpotifySettings } from '../sources/spotify/spotify-settings';
import * as t from '../tables/spotify';
import type { Job } from '../run/job';
import { expandAlbums, stateIds } from './spotify-new-releases';
import { spotifyClientFor } from './spotify/spotify-job-context';
import { transformSpotify, type SpotifyRecord } from './spotify/spotify-records';

export interface SpotifyArtistsConfig {
  spotify: SpotifySettings;
  /** Configured artists; empty means the user's followed artists. */
  artistIds: string[];
}

/** Artists (configured, or followed by the user) with their albums, singles and tracks. */
export const spotifyArtistsJob: Job<SpotifyArtistsConfig, SpotifyRecord> = {
  name: 'spotify-artists',
  description: "Spotify artists (configured ids or the user's follows) → artists, genres, albums, tracks, credits, followed_artists",
  tables: [t.artists, t.artistGenres, t.albums, t.albumArtists, t.tracks, t.trackArtists, t.followedArtists],

  parseConfig(config) {
    const spotify = readSpotifySettings(config);
    const artistIds = parseSpotifyIds(config.list('spotify-artists', 'artist_ids'), 'artist', '[spotify-artists] artist_ids');
    if (artistIds.length === 0 && !spotify.refreshToken) {
      throw new ConfigError(
        'spotify-artists needs [spotify-artists] artist_ids (SPOTIFY_ARTISTS_ARTIST_IDS), or SPOTIFY_REFRESH_TOKEN to read the artists the user follows (' + cliCommand('spotify login') + ')',
      );
    }
    return { spotify, artistIds };
  },

  async *extract(config, ctx) {
    const { client, done } = await spotifyClientFor(config.spotify, ctx);
    const artistIds = new Set(config.artistIds);
    if (artistIds.size === 0) {
      for await (const page of client.followedArtists()) {
        const records: SpotifyRecord[] = [];
        for (const artist of page) {
          // The follow list carries full artist objects: kept, so they are not fetched again.
          client.artists.prime(artist.id, artist);
          artistIds.add(artist.id);
          records.push({ kind: 'followed_artist', artistId: artist.id, asOf: ctx.logicalDate });
        }
        yield records;
      }
    }
    const albumIds = new Set<string>();
    for (const artistId of artistIds) {
      for await (const ids of client.artistAlbumIds(artistId)) for (const id of ids) albumIds.add(id);
    }
    const knownTrackIds = stateIds(ctx.state.previous, 'detailed_track_ids', 'spotify-artists');
    yield* expandAlbums(client, albumIds, { audioFeatures: false, trackDetails: config.spotify.trackDetails, knownTrackIds, artistIds });
    ctx.state.set({ detailed_track_ids: [...knownTrackIds].sort() });
    done();
  },

  transform: transformSpotify,
};
