import { cliCommand } from '../../core/cli-name';
import { PermanentError } from '../../core/errors';
import type { IoCounters } from '../../run/io-counters';
import { JsonShape } from '../../core/json-shape';
import type { Logger } from '../../core/log';
import { BatchFetcher } from './batch-fetcher';
import { SpotifyHttpError, type SpotifyApi } from './spotify-api';
import {
  readAlbum,
  readArtist,
  readAudioFeatures,
  readArtistPage,
  readIdPage,
  readPlaylist,
  readPlaylistEntries,
  readSimpleTrackPage,
  readWrapped,
  readTrack,
  type Album,
  type Artist,
  type Page,
  type Playlist,
  type PlaylistEntry,
  type SimpleTrack,
} from './spotify-objects';
import type { SpotifySettings } from './spotify-settings';

export interface NewRelease {
  albumId: string;
  /** 1-based position in the listing. */
  rank: number;
  source: 'browse' | 'search';
}

/**
 * Spotify refuses a playlist's entries (403): a Development Mode app may read only playlists the
 * user owns or collaborates on. The job skips that playlist and lands the others.
 */
export class PlaylistRefusedError extends PermanentError {
  constructor(readonly playlistId: string) {
    super(
      `Spotify refuses the entries of playlist ${playlistId} (403): Development Mode apps may read only playlists the user ` +
        `owns or collaborates on; set SPOTIFY_REFRESH_TOKEN from ${cliCommand('spotify login')} as that user, or use an app with extended quota`,
    );
  }
}

/**
 * GET /playlists/{id} answered 404. Since 2024-11-27 Spotify answers 404 to newly registered apps
 * for Spotify-owned editorial and algorithmic playlists (ids starting 37i9dQZF1 and the like); a
 * deleted playlist or a mistyped id answers the same. The job skips it and lands the others.
 */
export class PlaylistNotFoundError extends PermanentError {
  constructor(readonly playlistId: string) {
    super(
      `Spotify answers 404 for playlist ${playlistId}: apps registered after 2024-11-27 cannot read Spotify-owned editorial or ` +
        `algorithmic playlists (Spotify's Web API change of that day), and a deleted or mistyped playlist answers the same; ` +
        `remove it from [spotify-playlist] playlist_ids, or use an app with extended quota`,
    );
  }
}

/** Search offsets stop here (Spotify refuses offsets past 1000). */
const SEARCH_MAX_OFFSET = 1000;

/** The Web API calls the Spotify jobs make; batch/single and /items vs /tracks are decided here. */
export class SpotifyClient {
  readonly albums: BatchFetcher<Album>;
  readonly artists: BatchFetcher<Artist>;
  readonly tracks: BatchFetcher<ReturnType<typeof readTrack>>;
  readonly audioFeatures: BatchFetcher<ReturnType<typeof readAudioFeatures>>;
  private playlistItemsPath: 'items' | 'tracks' = 'items';
  private artistAlbumsLimit = 50;
  private newReleasesSource: 'browse' | 'search' = 'browse';

  private readonly warnedNulls = new Set<string>();

  constructor(
    private readonly api: SpotifyApi,
    private readonly settings: SpotifySettings,
    private readonly log: Logger,
    private readonly io: IoCounters,
  ) {
    const market = { market: settings.market };
    this.albums = new BatchFetcher(api, log, { name: 'albums', batchSize: 20, path: '/albums', read: readAlbum, query: market });
    this.artists = new BatchFetcher(api, log, { name: 'artists', batchSize: 50, path: '/artists', read: readArtist });
    this.tracks = new BatchFetcher(api, log, { name: 'tracks', batchSize: 50, path: '/tracks', read: readTrack, query: market });
    this.audioFeatures = new BatchFetcher(api, log, { name: 'audio_features', batchSize: 100, path: '/audio-features', read: readAudioFeatures, deprecated: true });
  }

  /** Null entries in a page are skipped, counted in the manifest (`entries_skipped`) and logged once per endpoint. */
  private skipNulls<T>(page: Page<T>, endpoint: string): Page<T> {
    if (page.skipped > 0) {
      this.io.add('entries_skipped', page.skipped);
      this.io.add(`entries_skipped ${endpoint}`, page.skipped);
      if (!this.warnedNulls.has(endpoint)) {
        this.warnedNulls.add(endpoint);
        this.log.warn(`Spotify ${endpoint} sent null entries; skipping them (counted in the manifest as entries_skipped)`);
      }
    }
    return page;
  }

  async playlist(id: string): Promise<Playlist> {
    const endpoint = 'GET /playlists/{id}';
    let body: unknown;
    try {
      body = await this.api.get(`/playlists/${id}`, { market: this.settings.market }, endpoint);
    } catch (error) {
      if (error instanceof SpotifyHttpError && error.status === 404) throw new PlaylistNotFoundError(id);
      throw error;
    }
    return readPlaylist(new JsonShape(`Spotify ${endpoint}`), body, 'response');
  }

  /**
   * A playlist's entries in order, with their positions: the first page GET /playlists/{id} already
   * carried, then /playlists/{id}/items (entries under `item`), or the older /playlists/{id}/tracks
   * (entries under `track`) where /items does not exist, from where that page ended.
   */
  async *playlistEntries(playlist: Playlist): AsyncGenerator<{ position: number; entry: PlaylistEntry }[]> {
    const id = playlist.id;
    let offset = 0;
    const first = playlist.firstPage;
    if (first) {
      this.skipNulls(first, 'GET /playlists/{id}');
      if (first.items.length > 0) yield first.items.map((entry, i) => ({ position: first.positions[i], entry }));
      offset = first.received;
      if (first.received === 0 || (first.total !== null && offset >= first.total)) return;
    }
    let firstRequest = true;
    for (;;) {
      const field = this.playlistItemsPath === 'items' ? 'item' : 'track';
      const endpoint = `GET /playlists/{id}/${this.playlistItemsPath}`;
      let body: unknown;
      try {
        body = await this.api.get(`/playlists/${id}/${this.playlistItemsPath}`, { limit: 50, offset, market: this.settings.market }, endpoint);
      } catch (error) {
        if (error instanceof SpotifyHttpError && error.status === 404 && this.playlistItemsPath === 'items' && firstRequest) {
          this.playlistItemsPath = 'tracks';
          this.log.warn('Spotify has no /playlists/{id}/items here; using /playlists/{id}/tracks for the rest of the run');
          continue;
        }
        if (error instanceof SpotifyHttpError && error.status === 403) throw new PlaylistRefusedError(id);
        throw error;
      }
      firstRequest = false;
      const j = new JsonShape(`Spotify ${endpoint}`);
      const page = this.skipNulls(
        readPlaylistEntries(j, body, 'response', field),
        endpoint,
      );
      const start = offset;
      if (page.items.length > 0) yield page.items.map((entry, i) => ({ position: start + page.positions[i], entry }));
      offset += page.received;
      if (page.received === 0 || (page.total !== null && offset >= page.total)) return;
    }
  }

  /** New albums: /browse/new-releases, or search `tag:new` where that endpoint is gone (403/404). */
  async *newReleases(max: number): AsyncGenerator<NewRelease[]> {
    let offset = 0;
    let rank = 0;
    while (rank < max) {
      const source = this.newReleasesSource;
      const endpoint = source === 'browse' ? 'GET /browse/new-releases' : 'GET /search?type=album&q=tag:new';
      let body: unknown;
      try {
        body =
          source === 'browse'
            ? await this.api.get('/browse/new-releases', { country: this.settings.market, limit: Math.min(50, max - rank), offset }, endpoint)
            : await this.api.get('/search', { q: 'tag:new', type: 'album', market: this.settings.market, limit: Math.min(10, max - rank), offset }, endpoint);
      } catch (error) {
        if (error instanceof SpotifyHttpError && (error.status === 403 || error.status === 404) && source === 'browse' && offset === 0) {
          this.newReleasesSource = 'search';
          this.log.warn(`Spotify refuses /browse/new-releases (${error.status}); listing new albums with search q=tag:new instead`);
          continue;
        }
        throw error;
      }
      const j = new JsonShape(`Spotify ${endpoint}`);
      const page = this.skipNulls(
        readIdPage(j, readWrapped(j, body, 'albums', 'response'), 'response.albums'),
        endpoint,
      );
      const releases = page.items.slice(0, max - rank).map((albumId) => ({ albumId, rank: ++rank, source }));
      if (releases.length > 0) yield releases;
      offset += page.received;
      if (page.received === 0 || (page.total !== null && offset >= page.total) || (source === 'search' && offset >= SEARCH_MAX_OFFSET)) return;
    }
  }

  /** Album ids of an artist's albums and singles; the page size drops to 10 where 50 is refused. */
  async *artistAlbumIds(artistId: string): AsyncGenerator<string[]> {
    const endpoint = 'GET /artists/{id}/albums';
    let offset = 0;
    for (;;) {
      let body: unknown;
      try {
        body = await this.api.get(`/artists/${artistId}/albums`, { include_groups: 'album,single', market: this.settings.market, limit: this.artistAlbumsLimit, offset }, endpoint);
      } catch (error) {
        if (error instanceof SpotifyHttpError && error.status === 400 && this.artistAlbumsLimit > 10) {
          this.artistAlbumsLimit = 10;
          this.log.warn('Spotify refuses limit=50 for artist albums; using 10 for the rest of the run');
          continue;
        }
        throw error;
      }
      const j = new JsonShape(`Spotify ${endpoint}`);
      const page = this.skipNulls(
        readIdPage(j, body, 'response'),
        endpoint,
      );
      if (page.items.length > 0) yield page.items;
      offset += page.received;
      if (page.received === 0 || (page.total !== null && offset >= page.total)) return;
    }
  }

  /** Every track of an album: the page embedded in the album, then /albums/{id}/tracks for the rest. */
  async albumTracks(album: Album): Promise<SimpleTrack[]> {
    const tracks = [...album.tracks];
    let offset = album.tracks.length;
    const total = album.tracksTotal ?? tracks.length;
    const endpoint = 'GET /albums/{id}/tracks';
    while (offset < total) {
      const body = await this.api.get(`/albums/${album.id}/tracks`, { limit: 50, offset, market: this.settings.market }, endpoint);
      const j = new JsonShape(`Spotify ${endpoint}`);
      const page = this.skipNulls(
        readSimpleTrackPage(j, body, 'response'),
        endpoint,
      );
      if (page.received === 0) break;
      tracks.push(...page.items);
      offset += page.received;
    }
    return tracks;
  }

  /** The user's followed artists (cursor pages); needs a user token with user-follow-read. */
  async *followedArtists(): AsyncGenerator<Artist[]> {
    const endpoint = 'GET /me/following';
    let after: string | null = null;
    for (;;) {
      const body = await this.api.get('/me/following', { type: 'artist', limit: 50, ...(after ? { after } : {}) }, endpoint);
      const j = new JsonShape(`Spotify ${endpoint}`);
      const page: Page<Artist> = this.skipNulls(
        readArtistPage(j, readWrapped(j, body, 'artists', 'response'), 'response.artists'),
        endpoint,
      );
      if (page.items.length > 0) yield page.items;
      after = page.after;
      if (!after || page.received === 0) return;
    }
  }
}
