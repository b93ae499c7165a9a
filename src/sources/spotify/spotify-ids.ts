import { ConfigError } from '../../core/errors';

const ID = /^[A-Za-z0-9]{22}$/;

/**
 * An id from what people paste: `37i9dQZF1DXcBWIGoYBM5M`, `spotify:playlist:37i9…`, or
 * `https://open.spotify.com/playlist/37i9…?si=abc` (also with an `intl-xx/` segment). Playlists
 * also come in the user-scoped forms older payloads and links still carry
 * (`spotify:user:NAME:playlist:ID`, `open.spotify.com/user/NAME/playlist/ID`); the id is the same.
 */
export function parseSpotifyId(text: string, kind: 'playlist' | 'artist' | 'album' | 'track'): string | undefined {
  const value = text.trim();
  if (ID.test(value)) return value;
  const user = kind === 'playlist' ? '(?:user:[^:\\s]+:)?' : '';
  const uri = new RegExp(`^spotify:${user}${kind}:([A-Za-z0-9]{22})$`).exec(value);
  if (uri) return uri[1];
  const userPath = kind === 'playlist' ? '(?:user/[^/\\s]+/)?' : '';
  const url = new RegExp(`^https?://open\\.spotify\\.com/(?:intl-[a-z-]+/)?${userPath}${kind}/([A-Za-z0-9]{22})(?:[/?#].*)?$`).exec(value);
  return url ? url[1] : undefined;
}

/** Every entry parsed, or a ConfigError naming the entry that is not a `kind` id. */
export function parseSpotifyIds(entries: readonly string[], kind: 'playlist' | 'artist', key: string): string[] {
  const ids = entries.map((entry) => {
    const id = parseSpotifyId(entry, kind);
    if (!id) throw new ConfigError(`${key}: ${JSON.stringify(entry)} is not a Spotify ${kind} id, spotify:${kind}: URI or open.spotify.com/${kind}/ URL`);
    return id;
  });
  return [...new Set(ids)];
}
