import { configureSpotify, spotifyTokens } from '../../sources/spotify/spotify-connection';
import type { RunContext } from '../../run/run-context';
import { SpotifyApi } from '../../sources/spotify/spotify-api';
import { SpotifyClient } from '../../sources/spotify/spotify-client';
import type { SpotifySettings } from '../../sources/spotify/spotify-settings';
import type { Track } from '../../sources/spotify/spotify-objects';

/**
 * A client for this run: the process's token cache, the run's counters, logger and abort signal.
 * `done()` records the token requests the run made.
 */
export async function spotifyClientFor(settings: SpotifySettings, ctx: RunContext): Promise<{ client: SpotifyClient; done: () => void }> {
  await configureSpotify(settings);
  const tokens = spotifyTokens();
  const before = tokens.requests;
  const api = new SpotifyApi(settings, tokens, ctx.io, ctx.log, ctx.signal);
  return { client: new SpotifyClient(api, settings, ctx.log, ctx.io), done: () => ctx.io.add('spotify_token_requests', tokens.requests - before) };
}

/** Album and artist ids a set of tracks refers to. */
export function referencedIds(tracks: Iterable<Pick<Track, 'album' | 'artists'>>): { albumIds: Set<string>; artistIds: Set<string> } {
  const albumIds = new Set<string>();
  const artistIds = new Set<string>();
  for (const track of tracks) {
    if (track.album?.id) albumIds.add(track.album.id);
    for (const artist of track.artists) if (artist.id) artistIds.add(artist.id);
  }
  return { albumIds, artistIds };
}
