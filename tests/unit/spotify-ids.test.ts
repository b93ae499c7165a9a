import { ConfigError } from '../../src/core/errors';
import { parseSpotifyId, parseSpotifyIds } from '../../src/sources/spotify/spotify-ids';

describe('Spotify ids as people paste them', () => {
  test('playlist ids in the user-scoped forms older payloads and links still carry', () => {
    // Shapes of real URIs and links: the user segment is the owner's id (here Spotify's own).
    expect(parseSpotifyId('spotify:user:spotify:playlist:37i9dQZF1DXcBWIGoYBM5M', 'playlist')).toBe('37i9dQZF1DXcBWIGoYBM5M');
    expect(parseSpotifyId('spotify:user:1181574856:playlist:4tNzPGtGlDzzJ8TfpWTvRs', 'playlist')).toBe('4tNzPGtGlDzzJ8TfpWTvRs');
    expect(parseSpotifyId('https://open.spotify.com/user/spotifycharts/playlist/37i9dQZEVXbMDoHDwVN2tF?si=1a2b', 'playlist')).toBe('37i9dQZEVXbMDoHDwVN2tF');
    expect(parseSpotifyIds(['spotify:user:spotify:playlist:37i9dQZF1DXcBWIGoYBM5M', '37i9dQZF1DXcBWIGoYBM5M'], 'playlist', '[spotify-playlist] playlist_ids')).toEqual([
      '37i9dQZF1DXcBWIGoYBM5M',
    ]);
  });

  test('the plain forms still parse, and a user segment is no artist form', () => {
    expect(parseSpotifyId('spotify:playlist:37i9dQZF1DXcBWIGoYBM5M', 'playlist')).toBe('37i9dQZF1DXcBWIGoYBM5M');
    expect(parseSpotifyId('https://open.spotify.com/intl-de/playlist/37i9dQZF1DXcBWIGoYBM5M', 'playlist')).toBe('37i9dQZF1DXcBWIGoYBM5M');
    expect(parseSpotifyId('spotify:user:x:artist:0OdUWJ0sBjDrqHygGUXeCF', 'artist')).toBeUndefined();
    expect(() => parseSpotifyIds(['spotify:user::playlist:37i9dQZF1DXcBWIGoYBM5M'], 'playlist', '[spotify-playlist] playlist_ids')).toThrow(ConfigError);
  });
});
