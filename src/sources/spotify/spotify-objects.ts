import { JsonShape } from '../../core/json-shape';

/**
 * The parts of Spotify's objects soundlake uses, read from JSON with every field checked.
 * Fields Development Mode apps no longer receive (popularity, followers, label…) are nullable.
 */

export interface ArtistRef {
  id: string | null;
  name: string;
}

export interface Artist {
  id: string;
  name: string;
  genres: string[];
  followers: number | null;
  popularity: number | null;
  url: string | null;
}

export interface AlbumRef {
  id: string | null;
  name: string;
}

export interface SimpleTrack {
  id: string | null;
  name: string;
  durationMs: number | null;
  explicit: boolean | null;
  trackNumber: number | null;
  discNumber: number | null;
  artists: ArtistRef[];
  url: string | null;
  isLocal: boolean;
}

export interface Track extends SimpleTrack {
  album: AlbumRef | null;
  popularity: number | null;
  isrc: string | null;
  uri: string | null;
}

export interface Album {
  id: string;
  name: string;
  albumType: string | null;
  releaseDate: string | null;
  releaseDatePrecision: string | null;
  totalTracks: number | null;
  label: string | null;
  upc: string | null;
  popularity: number | null;
  url: string | null;
  artists: ArtistRef[];
  /** The first page of tracks embedded in a full album (more via /albums/{id}/tracks). */
  tracks: SimpleTrack[];
  tracksTotal: number | null;
}

export interface Playlist {
  /** The first page of entries embedded in GET /playlists/{id} (under `items`, or `tracks` on the older surface), when present. */
  firstPage: Page<PlaylistEntry> | null;
  id: string;
  name: string;
  description: string | null;
  ownerId: string | null;
  public: boolean | null;
  collaborative: boolean | null;
  snapshotId: string | null;
  totalItems: number | null;
  url: string | null;
}

export type PlaylistEntry =
  | { kind: 'track'; addedAt: string | null; addedBy: string | null; track: Track }
  | { kind: 'episode'; addedAt: string | null; addedBy: string | null; id: string | null; uri: string | null }
  | { kind: 'local'; addedAt: string | null; addedBy: string | null; uri: string | null }
  | { kind: 'unavailable'; addedAt: string | null; addedBy: string | null };

export interface AudioFeatures {
  id: string;
  danceability: number | null;
  energy: number | null;
  key: number | null;
  loudness: number | null;
  mode: number | null;
  speechiness: number | null;
  acousticness: number | null;
  instrumentalness: number | null;
  liveness: number | null;
  valence: number | null;
  tempo: number | null;
  timeSignature: number | null;
}

export interface Page<T> {
  /** The entries that are not null. */
  items: T[];
  /** Each item's index in the page as received (a null entry takes a place too). */
  positions: number[];
  /** Entries as received, nulls included: what the next offset advances by. */
  received: number;
  /** Null entries skipped (search and paging endpoints send them). */
  skipped: number;
  total: number | null;
  /** Cursor for cursor-paged lists (followed artists). */
  after: string | null;
}

function spotifyUrl(j: JsonShape, o: Record<string, unknown>, path: string): string | null {
  if (o.external_urls === undefined || o.external_urls === null) return null;
  return j.optionalString(j.object(o.external_urls, `${path}.external_urls`).spotify, `${path}.external_urls.spotify`);
}

export function readArtistRef(j: JsonShape, value: unknown, path: string): ArtistRef {
  const o = j.object(value, path);
  return { id: j.optionalString(o.id, `${path}.id`), name: j.string(o.name, `${path}.name`) };
}

export function readArtist(j: JsonShape, value: unknown, path: string): Artist {
  const o = j.object(value, path);
  const followers = o.followers === undefined || o.followers === null ? null : j.optionalNumber(j.object(o.followers, `${path}.followers`).total, `${path}.followers.total`);
  return {
    id: j.string(o.id, `${path}.id`),
    name: j.string(o.name, `${path}.name`),
    genres: o.genres === undefined || o.genres === null ? [] : j.array(o.genres, `${path}.genres`).map((g, i) => j.string(g, `${path}.genres[${i}]`)),
    followers,
    popularity: j.optionalNumber(o.popularity, `${path}.popularity`),
    url: spotifyUrl(j, o, path),
  };
}

export function readSimpleTrack(j: JsonShape, value: unknown, path: string): SimpleTrack {
  const o = j.object(value, path);
  return {
    id: j.optionalString(o.id, `${path}.id`),
    name: j.string(o.name, `${path}.name`),
    durationMs: j.optionalNumber(o.duration_ms, `${path}.duration_ms`),
    explicit: j.optionalBoolean(o.explicit, `${path}.explicit`),
    trackNumber: j.optionalNumber(o.track_number, `${path}.track_number`),
    discNumber: j.optionalNumber(o.disc_number, `${path}.disc_number`),
    artists: j.array(o.artists ?? [], `${path}.artists`).map((a, i) => readArtistRef(j, a, `${path}.artists[${i}]`)),
    url: spotifyUrl(j, o, path),
    isLocal: o.is_local === true,
  };
}

export function readTrack(j: JsonShape, value: unknown, path: string): Track {
  const o = j.object(value, path);
  const externalIds = o.external_ids === undefined || o.external_ids === null ? {} : j.object(o.external_ids, `${path}.external_ids`);
  const album = o.album === undefined || o.album === null ? null : j.object(o.album, `${path}.album`);
  return {
    ...readSimpleTrack(j, value, path),
    album: album ? { id: j.optionalString(album.id, `${path}.album.id`), name: j.string(album.name, `${path}.album.name`) } : null,
    popularity: j.optionalNumber(o.popularity, `${path}.popularity`),
    isrc: j.optionalString(externalIds.isrc, `${path}.external_ids.isrc`),
    uri: j.optionalString(o.uri, `${path}.uri`),
  };
}

export function readAlbum(j: JsonShape, value: unknown, path: string): Album {
  const o = j.object(value, path);
  const externalIds = o.external_ids === undefined || o.external_ids === null ? {} : j.object(o.external_ids, `${path}.external_ids`);
  const tracks = o.tracks === undefined || o.tracks === null ? null : j.object(o.tracks, `${path}.tracks`);
  return {
    id: j.string(o.id, `${path}.id`),
    name: j.string(o.name, `${path}.name`),
    albumType: j.optionalString(o.album_type, `${path}.album_type`),
    releaseDate: j.optionalString(o.release_date, `${path}.release_date`),
    releaseDatePrecision: j.optionalString(o.release_date_precision, `${path}.release_date_precision`),
    // Some responses omit total_tracks; the embedded page's total says the same.
    totalTracks: j.optionalNumber(o.total_tracks, `${path}.total_tracks`) ?? (tracks ? j.optionalNumber(tracks.total, `${path}.tracks.total`) : null),
    label: j.optionalString(o.label, `${path}.label`),
    upc: j.optionalString(externalIds.upc, `${path}.external_ids.upc`),
    popularity: j.optionalNumber(o.popularity, `${path}.popularity`),
    url: spotifyUrl(j, o, path),
    artists: j.array(o.artists ?? [], `${path}.artists`).map((a, i) => readArtistRef(j, a, `${path}.artists[${i}]`)),
    tracks: tracks ? j.array(tracks.items, `${path}.tracks.items`).map((t, i) => readSimpleTrack(j, t, `${path}.tracks.items[${i}]`)) : [],
    tracksTotal: tracks ? j.optionalNumber(tracks.total, `${path}.tracks.total`) : null,
  };
}

export function readPlaylist(j: JsonShape, value: unknown, path: string): Playlist {
  const o = j.object(value, path);
  const owner = o.owner === undefined || o.owner === null ? null : j.object(o.owner, `${path}.owner`);
  // The entries sit under `items` on the 2026 surface and under `tracks` on the older one: a page
  // ({items, total, …}) whose first entries the playlist object already carries.
  const under = typeof o.items === 'object' && o.items !== null ? 'items' : typeof o.tracks === 'object' && o.tracks !== null ? 'tracks' : null;
  const counted = under ? j.object(o[under], `${path}.${under}`) : undefined;
  const field = under === 'items' ? 'item' : 'track';
  const firstPage =
    counted && Array.isArray(counted.items) ? readPage(j, counted, `${path}.${under}`, (v, p) => readPlaylistEntry(j, v, p, field)) : null;
  return {
    firstPage,
    id: j.string(o.id, `${path}.id`),
    name: j.string(o.name, `${path}.name`),
    description: j.optionalString(o.description, `${path}.description`),
    ownerId: owner ? j.optionalString(owner.id, `${path}.owner.id`) : null,
    public: j.optionalBoolean(o.public, `${path}.public`),
    collaborative: j.optionalBoolean(o.collaborative, `${path}.collaborative`),
    snapshotId: j.optionalString(o.snapshot_id, `${path}.snapshot_id`),
    totalItems: counted ? j.optionalNumber(counted.total, `${path}.items.total`) : null,
    url: spotifyUrl(j, o, path),
  };
}

/** One playlist entry; `field` is `item` on /playlists/{id}/items and `track` on the older /tracks. */
export function readPlaylistEntry(j: JsonShape, value: unknown, path: string, field: 'item' | 'track'): PlaylistEntry {
  const o = j.object(value, path);
  const addedAt = j.optionalString(o.added_at, `${path}.added_at`);
  const addedBy = o.added_by === undefined || o.added_by === null ? null : j.optionalString(j.object(o.added_by, `${path}.added_by`).id, `${path}.added_by.id`);
  const base = { addedAt, addedBy };
  const inner = o[field];
  if (inner === null || inner === undefined) return { kind: 'unavailable', ...base };
  const item = j.object(inner, `${path}.${field}`);
  if (item.type === 'episode') return { kind: 'episode', ...base, id: j.optionalString(item.id, `${path}.${field}.id`), uri: j.optionalString(item.uri, `${path}.${field}.uri`) };
  if (o.is_local === true || item.is_local === true) return { kind: 'local', ...base, uri: j.optionalString(item.uri, `${path}.${field}.uri`) };
  const track = readTrack(j, item, `${path}.${field}`);
  if (track.id === null) return { kind: 'unavailable', ...base };
  return { kind: 'track', ...base, track };
}

export function readAudioFeatures(j: JsonShape, value: unknown, path: string): AudioFeatures {
  const o = j.object(value, path);
  const n = (key: string) => j.optionalNumber(o[key], `${path}.${key}`);
  return {
    id: j.string(o.id, `${path}.id`),
    danceability: n('danceability'),
    energy: n('energy'),
    key: n('key'),
    loudness: n('loudness'),
    mode: n('mode'),
    speechiness: n('speechiness'),
    acousticness: n('acousticness'),
    instrumentalness: n('instrumentalness'),
    liveness: n('liveness'),
    valence: n('valence'),
    tempo: n('tempo'),
    timeSignature: n('time_signature'),
  };
}

/** An offset page `{items, total}`, or a cursor page `{items, cursors: {after}}`. */
export function readPage<T>(j: JsonShape, value: unknown, path: string, item: (v: unknown, p: string) => T): Page<T> {
  const o = j.object(value, path);
  const cursors = o.cursors === undefined || o.cursors === null ? null : j.object(o.cursors, `${path}.cursors`);
  const raw = j.array(o.items, `${path}.items`);
  const items: T[] = [];
  const positions: number[] = [];
  raw.forEach((v, i) => {
    if (v === null) return;
    items.push(item(v, `${path}.items[${i}]`));
    positions.push(i);
  });
  return {
    items,
    positions,
    received: raw.length,
    skipped: raw.length - items.length,
    total: j.optionalNumber(o.total, `${path}.total`),
    after: cursors ? j.optionalString(cursors.after, `${path}.cursors.after`) : null,
  };
}
