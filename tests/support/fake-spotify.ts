import * as fs from 'node:fs';
import * as http from 'node:http';
import { LoopbackService } from './loopback-server';
import { fixturePath } from './temp-dir';

/**
 * A local Spotify (Web API + accounts service) serving tests/fixtures/spotify/catalog.json over
 * real HTTP, in two modes:
 * - `full`: the older surface: batch endpoints, /browse/new-releases, /playlists/{id}/tracks
 *   (entries under `track`; /items is 404), every field;
 * - `dev`: the February 2026 Development Mode surface: batch endpoints, /browse/new-releases and
 *   /playlists/{id}/tracks answer 403, /playlists/{id}/items (entries under `item`), no popularity /
 *   followers / label, search limit > 10 and artist-albums limit > 10 refused with 400, audio
 *   features 403.
 * Faults are queued per path and applied to the next matching requests.
 */

type Json = Record<string, unknown>;
interface Catalog {
  artists: Json[];
  albums: (Json & { id: string; artists: string[]; tracks: string[] })[];
  tracks: (Json & { id: string; album: string; artists: string[]; isrc: string | null })[];
  audio_features: (Json & { id: string })[];
  playlists: (Json & { id: string; owner: string; entries: (Json | null)[] })[];
  /** Album ids as the listings send them; null is an entry the real API sends as null. */
  new_releases: (string | null)[];
  followed_artists: string[];
  artist_albums: Record<string, string[]>;
}

export type Fault =
  | { kind: '429'; retryAfter: number }
  | { kind: 'quota' }
  | { kind: '500' }
  | { kind: 'drop' }
  | { kind: 'malformed' }
  | { kind: 'expire-token' }
  | { kind: 'body'; body: string }
  /** A 403 with Spotify's message, e.g. its allowlist or Premium refusals. */
  | { kind: '403'; message: string };

export const CLIENT_ID = 'test-client-id';
export const CLIENT_SECRET = 'test-client-secret-value';
export const REFRESH_TOKEN = 'test-refresh-token-value';
export const EXPIRED_REFRESH_TOKEN = 'expired-refresh-token-value';

const PAGE_CAP = { entries: 3, newReleases: 2, search: 2, following: 1, artistAlbums: 10, albumTracks: 50 };
/** Whose token the fake's user tokens are: in Development Mode only this user's playlists are readable. */
const ME = 'spotifyuser';
const EMBEDDED_ALBUM_TRACKS = 2;

export class FakeSpotify extends LoopbackService {
  private readonly catalog: Catalog = JSON.parse(fs.readFileSync(fixturePath('spotify', 'catalog.json'), 'utf8')) as Catalog;
  private readonly validTokens = new Map<string, 'app' | 'user'>();
  private tokenCounter = 0;
  private readonly faults: { match: RegExp; fault: Fault; times: number }[] = [];
  /** Every API request as `GET /path/template`, in order. */
  readonly requests: string[] = [];
  /** Every API request's full path and query. */
  readonly urls: string[] = [];
  readonly tokenRequests: string[] = [];
  /** When each API request arrived, in ms. */
  readonly times: { template: string; at: number }[] = [];

  constructor(public mode: 'full' | 'dev') {
    super();
  }

  env(extra: Record<string, string> = {}): Record<string, string> {
    return {
      SPOTIFY_API_URL: `${this.url}/v1`,
      SPOTIFY_ACCOUNTS_URL: this.url,
      SPOTIFY_CLIENT_ID: CLIENT_ID,
      SPOTIFY_CLIENT_SECRET: CLIENT_SECRET,
      SPOTIFY_RETRY_BASE_MS: '5',
      ...extra,
    };
  }

  /** Applies `fault` to the next `times` requests whose path matches. */
  inject(match: RegExp, fault: Fault, times = 1): void {
    this.faults.push({ match, fault, times });
  }

  count(template: string): number {
    return this.requests.filter((r) => r === template).length;
  }

  /** Request counts by template, for exact comparisons. */
  counts(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const r of this.requests) out[r] = (out[r] ?? 0) + 1;
    return out;
  }

  protected handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', this.url);
      const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
        res.writeHead(status, { 'content-type': 'application/json', ...headers });
        res.end(typeof body === 'string' ? body : JSON.stringify(body));
      };
      if (req.method === 'POST' && url.pathname === '/api/token') return this.token(req, Buffer.concat(chunks).toString('utf8'), send);
      if (!url.pathname.startsWith('/v1/')) return send(404, { error: { status: 404, message: 'Service not found' } });
      const path = url.pathname.slice(3);
      const template = `GET ${templateOf(path, url.searchParams)}`;
      this.requests.push(template);
      this.times.push({ template, at: Date.now() });
      this.urls.push(`${path}${url.search}`);
      const fault = this.takeFault(path);
      if (fault?.kind === 'drop') return void req.socket.destroy();
      if (fault?.kind === '429') return send(429, { error: { status: 429, message: 'API rate limit exceeded' } }, { 'retry-after': String(fault.retryAfter) });
      if (fault?.kind === 'quota') return send(429, { error: { status: 429, message: 'Quota exceeded', reason: 'QUOTA_EXCEEDED' } }, { 'retry-after': '86400' });
      if (fault?.kind === '500') return send(500, { error: { status: 500, message: 'Server error' } });
      if (fault?.kind === '403') return send(403, { error: { status: 403, message: fault.message } });
      if (fault?.kind === 'expire-token') this.validTokens.clear();
      const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
      const kind = token ? this.validTokens.get(token) : undefined;
      if (!kind) return send(401, { error: { status: 401, message: 'The access token expired' } });
      if (fault?.kind === 'malformed') return send(200, '{"albums": [{"id": "4aawyAB9vmqN3uQ7F');
      if (fault?.kind === 'body') return send(200, fault.body);
      try {
        const [status, body] = this.route(path, url.searchParams, kind);
        send(status, body);
      } catch (error) {
        send(500, { error: { status: 500, message: String(error) } });
      }
    });
  }

  private takeFault(path: string): Fault | undefined {
    const entry = this.faults.find((f) => f.times > 0 && f.match.test(path));
    if (!entry) return undefined;
    entry.times--;
    return entry.fault;
  }

  private token(req: http.IncomingMessage, body: string, send: (s: number, b: unknown) => void): void {
    const form = new URLSearchParams(body);
    this.tokenRequests.push(form.get('grant_type') ?? '');
    const basic = /^Basic (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    if (Buffer.from(basic ?? '', 'base64').toString('utf8') !== `${CLIENT_ID}:${CLIENT_SECRET}`) {
      return send(400, { error: 'invalid_client', error_description: 'Invalid client secret' });
    }
    const issue = (kind: 'app' | 'user', extra: Json = {}) => {
      const token = `fake-access-token-${++this.tokenCounter}`;
      this.validTokens.set(token, kind);
      send(200, { access_token: token, token_type: 'Bearer', expires_in: 3600, ...extra });
    };
    const grant = form.get('grant_type');
    if (grant === 'client_credentials') return issue('app');
    if (grant === 'refresh_token') {
      if (form.get('refresh_token') === REFRESH_TOKEN) return issue('user', { scope: 'user-follow-read' });
      return send(400, { error: 'invalid_grant', error_description: 'Refresh token revoked' });
    }
    if (grant === 'authorization_code') {
      if (form.get('code') !== 'good-code') return send(400, { error: 'invalid_grant', error_description: 'Invalid authorization code' });
      return issue('user', { refresh_token: REFRESH_TOKEN, scope: 'user-follow-read playlist-read-private playlist-read-collaborative' });
    }
    send(400, { error: 'unsupported_grant_type' });
  }

  // ---- the catalogue as Spotify objects ----

  private strip<T extends Json>(object: T, fields: string[]): T {
    if (this.mode !== 'dev') return object;
    const copy: Json = { ...object };
    for (const f of fields) delete copy[f];
    return copy as T;
  }

  private artistRef(id: string): Json {
    const a = this.catalog.artists.find((x) => x.id === id)!;
    return { id, name: a.name, type: 'artist', uri: `spotify:artist:${id}`, external_urls: { spotify: `https://open.spotify.com/artist/${id}` } };
  }

  private artist(id: string): Json | null {
    const a = this.catalog.artists.find((x) => x.id === id);
    return a ? this.strip(a, ['popularity', 'followers']) : null;
  }

  private simpleTrack(id: string): Json {
    const t = this.catalog.tracks.find((x) => x.id === id)!;
    return {
      id,
      name: t.name,
      duration_ms: t.duration_ms,
      explicit: t.explicit,
      track_number: t.track_number,
      disc_number: t.disc_number,
      artists: t.artists.map((a) => this.artistRef(a)),
      type: 'track',
      uri: `spotify:track:${id}`,
      is_local: false,
      external_urls: { spotify: `https://open.spotify.com/track/${id}` },
    };
  }

  private track(id: string): Json | null {
    const t = this.catalog.tracks.find((x) => x.id === id);
    if (!t) return null;
    const album = this.catalog.albums.find((a) => a.id === t.album)!;
    return this.strip(
      {
        ...this.simpleTrack(id),
        album: { id: album.id, name: album.name, album_type: album.album_type, artists: album.artists.map((a) => this.artistRef(a)) },
        popularity: t.popularity,
        external_ids: t.isrc === null ? {} : { isrc: t.isrc },
      },
      ['popularity'],
    );
  }

  private simpleAlbum(a: Catalog['albums'][number]): Json {
    return { id: a.id, name: a.name, album_type: a.album_type, release_date: a.release_date, release_date_precision: a.release_date_precision, total_tracks: a.total_tracks, artists: a.artists.map((x) => this.artistRef(x)), external_urls: { spotify: `https://open.spotify.com/album/${a.id}` } };
  }

  private album(id: string): Json | null {
    const a = this.catalog.albums.find((x) => x.id === id);
    if (!a) return null;
    return this.strip(
      {
        ...this.simpleAlbum(a),
        label: a.label,
        popularity: a.popularity,
        external_ids: a.external_ids,
        tracks: { items: a.tracks.slice(0, EMBEDDED_ALBUM_TRACKS).map((t) => this.simpleTrack(t)), total: a.tracks.length, limit: EMBEDDED_ALBUM_TRACKS, offset: 0 },
      },
      ['popularity', 'label'],
    );
  }

  private entry(e: Json | null, field: 'item' | 'track'): Json | null {
    if (e === null) return null;
    const base = { added_at: e.added_at, added_by: e.added_by === null ? null : { id: e.added_by, type: 'user' }, is_local: Boolean(e.local) };
    if (typeof e.track === 'string') return { ...base, [field]: this.track(e.track) };
    if (e.local) {
      const local = e.local as Json;
      return { ...base, [field]: { id: null, name: local.name, uri: local.uri, type: 'track', is_local: true, artists: [{ id: null, name: 'Someone' }], album: { id: null, name: 'Tape' }, duration_ms: 200000 } };
    }
    if (e.episode) {
      const ep = e.episode as Json;
      return { ...base, [field]: { id: ep.id, uri: ep.uri, type: 'episode', name: 'An Episode' } };
    }
    return { ...base, [field]: null };
  }

  private page(items: unknown[], params: URLSearchParams, cap: number): Json {
    const offset = Number(params.get('offset') ?? 0);
    const limit = Math.min(Number(params.get('limit') ?? 20), cap);
    return { items: items.slice(offset, offset + limit), total: items.length, limit, offset };
  }

  private route(path: string, params: URLSearchParams, tokenKind: 'app' | 'user'): [number, unknown] {
    const dev = this.mode === 'dev';
    const forbidden: [number, unknown] = [403, { error: { status: 403, message: 'Forbidden' } }];
    const notFound: [number, unknown] = [404, { error: { status: 404, message: 'Resource not found' } }];
    const badLimit: [number, unknown] = [400, { error: { status: 400, message: 'Invalid limit' } }];
    const ids = (params.get('ids') ?? '').split(',').filter(Boolean);
    let m: RegExpExecArray | null;

    if ((m = /^\/playlists\/([^/]+)$/.exec(path))) {
      const p = this.catalog.playlists.find((x) => x.id === m![1]);
      if (!p) return notFound;
      // As the real API does: the playlist carries the first page of its entries (under `items` on
      // the 2026 surface, `tracks` on the older one). In Development Mode, a playlist of another
      // user carries no entries (and /items answers 403).
      const field = dev ? 'item' : 'track';
      const readable = !dev || p.owner === ME;
      const entries = readable ? this.page(p.entries.map((e) => this.entry(e, field)), new URLSearchParams({ limit: '100' }), PAGE_CAP.entries) : { total: p.entries.length };
      return [200, { id: p.id, name: p.name, description: p.description, owner: { id: p.owner, type: 'user' }, public: p.public, collaborative: p.collaborative, snapshot_id: p.snapshot_id, [dev ? 'items' : 'tracks']: entries, external_urls: { spotify: `https://open.spotify.com/playlist/${p.id}` } }];
    }
    if ((m = /^\/playlists\/([^/]+)\/(items|tracks)$/.exec(path))) {
      if (dev && m[2] === 'tracks') return forbidden;
      if (!dev && m[2] === 'items') return notFound;
      const p = this.catalog.playlists.find((x) => x.id === m![1]);
      if (!p) return notFound;
      if (dev && p.owner !== ME) return forbidden;
      return [200, this.page(p.entries.map((e) => this.entry(e, m![2] === 'items' ? 'item' : 'track')), params, PAGE_CAP.entries)];
    }
    if (path === '/albums') {
      if (dev) return forbidden;
      if (ids.length > 20) return [400, { error: { status: 400, message: 'Too many ids requested' } }];
      return [200, { albums: ids.map((id) => this.album(id)) }];
    }
    if ((m = /^\/albums\/([^/]+)\/tracks$/.exec(path))) {
      const a = this.catalog.albums.find((x) => x.id === m![1]);
      return a ? [200, this.page(a.tracks.map((t) => this.simpleTrack(t)), params, PAGE_CAP.albumTracks)] : notFound;
    }
    if ((m = /^\/albums\/([^/]+)$/.exec(path))) {
      const a = this.album(m[1]);
      return a ? [200, a] : notFound;
    }
    if (path === '/artists') {
      if (dev) return forbidden;
      if (ids.length > 50) return [400, { error: { status: 400, message: 'Too many ids requested' } }];
      return [200, { artists: ids.map((id) => this.artist(id)) }];
    }
    if ((m = /^\/artists\/([^/]+)\/albums$/.exec(path))) {
      if (dev && Number(params.get('limit') ?? 20) > 10) return badLimit;
      const albums = (this.catalog.artist_albums[m[1]] ?? []).map((id) => this.simpleAlbum(this.catalog.albums.find((a) => a.id === id)!));
      return [200, this.page(albums, params, PAGE_CAP.artistAlbums)];
    }
    if ((m = /^\/artists\/([^/]+)$/.exec(path))) {
      const a = this.artist(m[1]);
      return a ? [200, a] : notFound;
    }
    if (path === '/tracks') {
      if (dev) return forbidden;
      if (ids.length > 50) return [400, { error: { status: 400, message: 'Too many ids requested' } }];
      return [200, { tracks: ids.map((id) => this.track(id)) }];
    }
    if ((m = /^\/tracks\/([^/]+)$/.exec(path))) {
      const t = this.track(m[1]);
      return t ? [200, t] : notFound;
    }
    if (path === '/audio-features') {
      if (dev) return forbidden;
      return [200, { audio_features: ids.map((id) => this.catalog.audio_features.find((f) => f.id === id) ?? null) }];
    }
    if ((m = /^\/audio-features\/([^/]+)$/.exec(path))) {
      if (dev) return forbidden;
      const f = this.catalog.audio_features.find((x) => x.id === m![1]);
      return f ? [200, f] : notFound;
    }
    if (path === '/browse/new-releases') {
      if (dev) return forbidden;
      const albums = this.catalog.new_releases.map((id) => (id === null ? null : this.simpleAlbum(this.catalog.albums.find((a) => a.id === id)!)));
      return [200, { albums: this.page(albums, params, PAGE_CAP.newReleases) }];
    }
    if (path === '/search') {
      if (dev && Number(params.get('limit') ?? 20) > 10) return badLimit;
      if (params.get('q') !== 'tag:new' || params.get('type') !== 'album') return [400, { error: { status: 400, message: 'unsupported query in the fake' } }];
      const albums = this.catalog.new_releases.map((id) => (id === null ? null : this.simpleAlbum(this.catalog.albums.find((a) => a.id === id)!)));
      return [200, { albums: this.page(albums, params, PAGE_CAP.search) }];
    }
    if (path === '/me/following') {
      if (tokenKind !== 'user') return [401, { error: { status: 401, message: 'This endpoint needs a user token' } }];
      const after = params.get('after');
      const list = this.catalog.followed_artists;
      const start = after ? list.indexOf(after) + 1 : 0;
      const items = list.slice(start, start + PAGE_CAP.following).map((id) => this.artist(id));
      const last = start + PAGE_CAP.following < list.length ? list[start + PAGE_CAP.following - 1] : null;
      return [200, { artists: { items, total: list.length, limit: PAGE_CAP.following, cursors: { after: last } } }];
    }
    return notFound;
  }
}

/** `/albums/4aaw…` → `/albums/{id}`; batch requests keep `?ids=` so they are told apart. */
function templateOf(path: string, params: URLSearchParams): string {
  const template = path.replace(/\/[A-Za-z0-9]{22}(?=\/|$)/g, '/{id}');
  return params.has('ids') ? `${template}?ids=` : template;
}
