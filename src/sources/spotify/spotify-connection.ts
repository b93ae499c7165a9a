import { SpotifyTokens } from './spotify-tokens';
import type { SpotifySettings } from './spotify-settings';
import { lazyConnection } from '../../connections/connection';

let settings: SpotifySettings | undefined;

/**
 * The process's Spotify credentials: one token cache shared by every client in the process (a
 * token is good for an hour; the jobs' clients come and go per run).
 */
const connection = lazyConnection(
  () => {
    if (!settings) throw new Error('Spotify used before configureSpotify()');
    return new SpotifyTokens(settings);
  },
  () => undefined,
);

export async function configureSpotify(next: SpotifySettings): Promise<void> {
  if (settings && JSON.stringify(settings) !== JSON.stringify(next)) await connection.close();
  settings = next;
}

export function spotifyTokens(): SpotifyTokens {
  return connection.get();
}
