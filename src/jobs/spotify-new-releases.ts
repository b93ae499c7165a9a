import { z } from 'zod';
import { JsonShape } from '../core/json-shape';
import { readSpotifySettings, type SpotifySettings } from '../sources/spotify/spotify-settings';
import type { SpotifyClient } from '../sources/spotify/spotify-client';
import * as t from '../tables/spotify';
import type { Job } from '../run/job';
import { referencedIds, spotifyClientFor } from './spotify/spotify-job-context';
import { transformSpotify, type SpotifyRecord } from './spotify/spotify-records';
import type { Album, Track } from '../sources/spotify/spotify-objects';

export interface SpotifyNewReleasesConfig {
  spotify: SpotifySettings;
  maxAlbums: number;
}

const idList = z.array(z.string());

/** A list of ids in a job's state (`_state/{job}.json`), or none. */
export function stateIds(previous: unknown, key: string, job: string): Set<string> {
  if (previous === undefined) return new Set();
  const state = new JsonShape(`_state/${job}.json`).parse(z.object({ [key]: idList.optional() }), previous, 'state');
  return new Set(state[key] ?? []);
}

export interface ExpandOptions {
  audioFeatures: boolean;
  /** Fetch full track objects (see [spotify] track_details); else tracks come from the album listings. */
  trackDetails: boolean;
  /** Tracks fetched in full by earlier committed runs: not fetched (nor landed) again; grows with this run's. */
  knownTrackIds: Set<string>;
  artistIds?: Set<string>;
}

/** Albums, their tracks, artists and audio features, yielded as records. */
export async function* expandAlbums(client: SpotifyClient, albumIds: Iterable<string>, options: ExpandOptions): AsyncGenerator<SpotifyRecord[]> {
  const albums = await client.albums.getMany(albumIds);
  yield [...albums.values()].map((album) => ({ kind: 'album' as const, album }));
  const listed = new Map<string, Track>();
  for (const album of albums.values() as Iterable<Album>) {
    for (const track of await client.albumTracks(album)) {
      if (!track.id || listed.has(track.id) || options.knownTrackIds.has(track.id)) continue;
      listed.set(track.id, { ...track, album: { id: album.id, name: album.name }, popularity: null, isrc: null, uri: null });
    }
  }
  let tracks: Track[] = [...listed.values()];
  if (options.trackDetails) {
    const fetched = await client.tracks.getMany(listed.keys());
    tracks = [...fetched.values()];
    for (const id of fetched.keys()) options.knownTrackIds.add(id);
  }
  yield tracks.map((track) => ({ kind: 'track' as const, track }));
  const { artistIds } = referencedIds(tracks);
  for (const id of options.artistIds ?? []) artistIds.add(id);
  for (const album of albums.values()) for (const artist of album.artists) if (artist.id) artistIds.add(artist.id);
  const artists = await client.artists.getMany(artistIds);
  yield [...artists.values()].map((artist) => ({ kind: 'artist' as const, artist }));
  if (options.audioFeatures && listed.size > 0) {
    const features = await client.audioFeatures.getMany(listed.keys());
    yield [...features.values()].map((f) => ({ kind: 'audio_features' as const, features: f }));
  }
}

/** New albums, incrementally: only albums no committed run has seen are expanded. */
export const spotifyNewReleasesJob: Job<SpotifyNewReleasesConfig, SpotifyRecord> = {
  name: 'spotify-new-releases',
  description: 'Spotify new releases (or search tag:new), incremental by album → new_releases, albums, tracks, artists, audio_features',
  tables: [t.newReleases, t.albums, t.tracks, t.artists, t.artistGenres, t.trackArtists, t.albumArtists, t.audioFeatures],

  parseConfig(config) {
    return {
      spotify: readSpotifySettings(config),
      maxAlbums: config.int('spotify-new-releases', 'max_albums', { min: 1, max: 1000 }),
    };
  },

  async *extract(config, ctx) {
    const seen = stateIds(ctx.state.previous, 'seen_album_ids', 'spotify-new-releases');
    const knownTrackIds = stateIds(ctx.state.previous, 'detailed_track_ids', 'spotify-new-releases');
    const { client, done } = await spotifyClientFor(config.spotify, ctx);
    const fresh: string[] = [];
    for await (const releases of client.newReleases(config.maxAlbums)) {
      const records: SpotifyRecord[] = [];
      for (const release of releases) {
        if (seen.has(release.albumId) || fresh.includes(release.albumId)) continue;
        fresh.push(release.albumId);
        records.push({ kind: 'new_release', albumId: release.albumId, rank: release.rank, source: release.source, firstSeenAt: ctx.extractedAt });
      }
      yield records;
    }
    ctx.log.info('new releases', { listed_new: fresh.length, already_seen: seen.size });
    if (fresh.length > 0) {
      yield* expandAlbums(client, fresh, { audioFeatures: config.spotify.audioFeatures, trackDetails: config.spotify.trackDetails, knownTrackIds });
    }
    ctx.state.set({ seen_album_ids: [...seen, ...fresh].sort(), detailed_track_ids: [...knownTrackIds].sort() });
    done();
  },

  transform: transformSpotify,
};
