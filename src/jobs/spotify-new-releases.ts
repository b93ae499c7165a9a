import { JsonShape } from '../core/json-shape';
import { readSpotifySettings, type SpotifySettings } from '../sources/spotify/spotify-settings';
import type { SpotifyClient } from '../sources/spotify/spotify-client';
import type { RunContext } from '../run/run-context';
import * as t from '../tables/spotify';
import type { Job } from './job';
import { counted, referencedIds, spotifyClientFor } from './spotify/spotify-job-context';
import { transformSpotify, type SpotifyRecord } from './spotify/spotify-records';
import type { Album } from '../sources/spotify/spotify-objects';

export interface SpotifyNewReleasesConfig {
  spotify: SpotifySettings;
  maxAlbums: number;
}

/** `_state/spotify-new-releases.json`: album ids already expanded by earlier committed runs. */
function seenAlbumIds(previous: unknown): Set<string> {
  if (previous === undefined) return new Set();
  const j = new JsonShape('_state/spotify-new-releases.json');
  const ids = j.array(j.object(previous, 'state').seen_album_ids, 'state.seen_album_ids');
  return new Set(ids.map((id, i) => j.string(id, `state.seen_album_ids[${i}]`)));
}

/** Albums, their tracks (full track objects), artists and audio features, yielded as records. */
export async function* expandAlbums(client: SpotifyClient, ctx: RunContext, albumIds: Iterable<string>, options: { audioFeatures: boolean; artistIds?: Set<string> }): AsyncGenerator<SpotifyRecord[]> {
  const albums = await client.albums.getMany(albumIds);
  yield counted(ctx, [...albums.values()].map((album) => ({ kind: 'album' as const, album })));
  const trackIds = new Set<string>();
  for (const album of albums.values() as Iterable<Album>) {
    for (const track of await client.albumTracks(album)) if (track.id) trackIds.add(track.id);
  }
  const tracks = await client.tracks.getMany(trackIds);
  yield counted(ctx, [...tracks.values()].map((track) => ({ kind: 'track' as const, track })));
  const { artistIds } = referencedIds(tracks.values());
  for (const id of options.artistIds ?? []) artistIds.add(id);
  for (const album of albums.values()) for (const artist of album.artists) if (artist.id) artistIds.add(artist.id);
  const artists = await client.artists.getMany(artistIds);
  yield counted(ctx, [...artists.values()].map((artist) => ({ kind: 'artist' as const, artist })));
  if (options.audioFeatures && trackIds.size > 0) {
    const features = await client.audioFeatures.getMany(trackIds);
    yield counted(ctx, [...features.values()].map((f) => ({ kind: 'audio_features' as const, features: f })));
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
    const seen = seenAlbumIds(ctx.state.previous);
    const { client, done } = await spotifyClientFor(config.spotify, ctx);
    const fresh: string[] = [];
    for await (const releases of client.newReleases(config.maxAlbums)) {
      const records: SpotifyRecord[] = [];
      for (const release of releases) {
        if (seen.has(release.albumId) || fresh.includes(release.albumId)) continue;
        fresh.push(release.albumId);
        records.push({ kind: 'new_release', albumId: release.albumId, rank: release.rank, source: release.source, firstSeenAt: ctx.extractedAt });
      }
      yield counted(ctx, records);
    }
    ctx.log.info('new releases', { listed_new: fresh.length, already_seen: seen.size });
    if (fresh.length > 0) yield* expandAlbums(client, ctx, fresh, { audioFeatures: config.spotify.audioFeatures });
    ctx.state.set({ seen_album_ids: [...seen, ...fresh].sort() });
    done();
  },

  transform: transformSpotify,
};
