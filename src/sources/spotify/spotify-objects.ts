import { z } from 'zod';
import type { JsonShape } from '../../core/json-shape';

/**
 * The parts of Spotify's objects soundlake uses, as zod schemas: each gives the check at the API
 * boundary and the type. Unknown fields are ignored; fields Development Mode apps no longer
 * receive (popularity, followers, label…) are nullable, missing or null alike.
 */

const text = z.string();
/** Missing or null → null. */
const maybe = <T extends z.ZodType>(schema: T) => schema.nullish().transform((v): z.output<T> | null => v ?? null);
const maybeText = maybe(text);
const maybeNumber = maybe(z.number());
const maybeBoolean = maybe(z.boolean());
const spotifyUrl = maybe(z.object({ spotify: maybeText })).transform((urls) => urls?.spotify ?? null);

const artistRef = z.object({ id: maybeText, name: text });

const artist = z
  .object({
    id: text,
    name: text,
    genres: maybe(z.array(text)),
    followers: maybe(z.object({ total: maybeNumber })),
    popularity: maybeNumber,
    external_urls: spotifyUrl,
  })
  .transform((o) => ({ id: o.id, name: o.name, genres: o.genres ?? [], followers: o.followers?.total ?? null, popularity: o.popularity, url: o.external_urls }));
export type Artist = z.output<typeof artist>;

/**
 * Track relinking: with a `market`, Spotify may answer with a playable substitute of the track asked
 * for and put the original under `linked_from` ("the original track requested"). soundlake keys a
 * track by the id the playlist, album or request holds, so the same entry keeps its id whatever the
 * market or the day's relinking, and keeps the substitute's id as `playableId`.
 */
const linkedFrom = maybe(z.object({ id: maybeText, uri: maybeText, external_urls: spotifyUrl }));

const simpleTrackFields = {
  id: maybeText,
  linked_from: linkedFrom,
  name: text,
  duration_ms: maybeNumber,
  explicit: maybeBoolean,
  track_number: maybeNumber,
  disc_number: maybeNumber,
  artists: maybe(z.array(artistRef)),
  external_urls: spotifyUrl,
  is_local: maybeBoolean,
};
const simpleTrackOf = (o: z.output<z.ZodObject<typeof simpleTrackFields>>) => ({
  /** The id asked for (the playlist's or album's own track): `linked_from.id` when Spotify relinked. */
  id: o.linked_from?.id ?? o.id,
  /** The track Spotify plays in the market asked for: differs from `id` only where it relinked. */
  playableId: o.id,
  name: o.name,
  durationMs: o.duration_ms,
  explicit: o.explicit,
  trackNumber: o.track_number,
  discNumber: o.disc_number,
  artists: o.artists ?? [],
  url: o.linked_from ? (o.linked_from.external_urls ?? null) : o.external_urls,
  isLocal: o.is_local === true,
});
const simpleTrack = z.object(simpleTrackFields).transform(simpleTrackOf);
export type SimpleTrack = z.output<typeof simpleTrack>;

const track = z
  .object({
    ...simpleTrackFields,
    album: maybe(z.object({ id: maybeText, name: text })),
    popularity: maybeNumber,
    external_ids: maybe(z.object({ isrc: maybeText })),
    uri: maybeText,
  })
  .transform((o) => ({ ...simpleTrackOf(o), album: o.album, popularity: o.popularity, isrc: o.external_ids?.isrc ?? null, uri: o.linked_from ? o.linked_from.uri : o.uri }));
export type Track = z.output<typeof track>;

/** An offset page `{items, total}`, or a cursor page `{items, cursors: {after}}`; null entries skipped and counted. */
function page<T extends z.ZodType>(item: T) {
  return z
    .object({ items: z.array(item.nullable()), total: maybeNumber, cursors: maybe(z.object({ after: maybeText })) })
    .transform((o) => {
      const items: z.output<T>[] = [];
      const positions: number[] = [];
      o.items.forEach((v, i) => {
        if (v === null) return;
        items.push(v);
        positions.push(i);
      });
      return { items, positions, received: o.items.length, skipped: o.items.length - items.length, total: o.total, after: o.cursors?.after ?? null };
    });
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

const album = z
  .object({
    id: text,
    name: text,
    album_type: maybeText,
    release_date: maybeText,
    release_date_precision: maybeText,
    total_tracks: maybeNumber,
    label: maybeText,
    external_ids: maybe(z.object({ upc: maybeText })),
    popularity: maybeNumber,
    external_urls: spotifyUrl,
    artists: maybe(z.array(artistRef)),
    tracks: maybe(page(simpleTrack)),
  })
  .transform((o) => ({
    id: o.id,
    name: o.name,
    albumType: o.album_type,
    releaseDate: o.release_date,
    releaseDatePrecision: o.release_date_precision,
    // Some responses omit total_tracks; the embedded page's total says the same.
    totalTracks: o.total_tracks ?? o.tracks?.total ?? null,
    label: o.label,
    upc: o.external_ids?.upc ?? null,
    popularity: o.popularity,
    url: o.external_urls,
    artists: o.artists ?? [],
    /** The first page of tracks embedded in a full album (more via /albums/{id}/tracks). */
    tracks: o.tracks?.items ?? [],
    tracksTotal: o.tracks?.total ?? null,
  }));
export type Album = z.output<typeof album>;

const addedBy = maybe(z.object({ id: maybeText })).transform((user) => user?.id ?? null);

/**
 * One playlist entry. The object sits under `item` on /playlists/{id}/items (2026) and under `track`
 * on the older /tracks and in some proxies' answers: `field` is the key the surface uses, the other
 * is read where it is absent. `null` is an unavailable entry; neither key at all is a changed shape
 * (never read as "unavailable", which would land a page of empty rows).
 */
function playlistEntry(field: 'item' | 'track') {
  const other = field === 'item' ? 'track' : 'item';
  const inner = z.record(z.string(), z.unknown()).nullish();
  return z.object({ added_at: maybeText, added_by: addedBy, is_local: maybeBoolean, item: inner, track: inner }).transform((o, ctx) => {
    const base = { addedAt: o.added_at as string | null, addedBy: o.added_by as string | null };
    const key = o[field] !== undefined ? field : o[other] !== undefined ? other : undefined;
    if (key === undefined) {
      ctx.addIssue({ code: 'custom', message: `an entry with neither "${field}" nor "${other}"`, path: [field] });
      return z.NEVER;
    }
    const item = o[key] as Record<string, unknown> | null;
    if (item === null) return { kind: 'unavailable' as const, ...base };
    const parse = <S extends z.ZodType>(schema: S): z.output<S> | undefined => {
      const result = schema.safeParse(item);
      if (result.success) return result.data;
      for (const issue of result.error.issues) ctx.addIssue({ ...issue, path: [key, ...issue.path] } as z.core.$ZodRawIssue);
      return undefined;
    };
    if (item.type === 'episode') {
      const episode = parse(z.object({ id: maybeText, uri: maybeText }));
      return episode ? { kind: 'episode' as const, ...base, id: episode.id, uri: episode.uri } : z.NEVER;
    }
    if (o.is_local === true || item.is_local === true) {
      const local = parse(z.object({ uri: maybeText }));
      return local ? { kind: 'local' as const, ...base, uri: local.uri } : z.NEVER;
    }
    const parsed = parse(track);
    if (!parsed) return z.NEVER;
    return parsed.id === null ? { kind: 'unavailable' as const, ...base } : { kind: 'track' as const, ...base, track: parsed };
  });
}
export type PlaylistEntry =
  | { kind: 'track'; addedAt: string | null; addedBy: string | null; track: Track }
  | { kind: 'episode'; addedAt: string | null; addedBy: string | null; id: string | null; uri: string | null }
  | { kind: 'local'; addedAt: string | null; addedBy: string | null; uri: string | null }
  | { kind: 'unavailable'; addedAt: string | null; addedBy: string | null };

const playlist = z
  .object({
    id: text,
    name: text,
    description: maybeText,
    owner: maybe(z.object({ id: maybeText })),
    public: maybeBoolean,
    collaborative: maybeBoolean,
    snapshot_id: maybeText,
    external_urls: spotifyUrl,
    // The entries sit under `items` on the 2026 surface and under `tracks` on the older one: a page
    // whose first entries the playlist object already carries (or only its total).
    items: maybe(z.object({ items: z.array(z.unknown()).optional(), total: maybeNumber }).passthrough()),
    tracks: maybe(z.object({ items: z.array(z.unknown()).optional(), total: maybeNumber }).passthrough()),
  })
  .transform((o) => ({
    id: o.id,
    name: o.name,
    description: o.description,
    ownerId: o.owner?.id ?? null,
    public: o.public,
    collaborative: o.collaborative,
    snapshotId: o.snapshot_id,
    totalItems: (o.items ?? o.tracks)?.total ?? null,
    url: o.external_urls,
    /** Raw, read by readPlaylist with the entry schema of its surface. */
    embedded: o.items ? { under: 'items' as const, value: o.items } : o.tracks ? { under: 'tracks' as const, value: o.tracks } : null,
  }));

export interface Playlist {
  /** The first page of entries embedded in GET /playlists/{id}, when present. */
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

const audioFeatures = z
  .object({
    id: text,
    danceability: maybeNumber,
    energy: maybeNumber,
    key: maybeNumber,
    loudness: maybeNumber,
    mode: maybeNumber,
    speechiness: maybeNumber,
    acousticness: maybeNumber,
    instrumentalness: maybeNumber,
    liveness: maybeNumber,
    valence: maybeNumber,
    tempo: maybeNumber,
    time_signature: maybeNumber,
  })
  .transform(({ time_signature, ...rest }) => ({ ...rest, timeSignature: time_signature }));
export type AudioFeatures = z.output<typeof audioFeatures>;

/** `{id}` of a listed object (search results, artist albums). */
const idOnly = z.object({ id: text }).transform((o) => o.id);

export const readArtist = (j: JsonShape, value: unknown, path: string): Artist => j.parse(artist, value, path);
export const readTrack = (j: JsonShape, value: unknown, path: string): Track => j.parse(track, value, path);
export const readAlbum = (j: JsonShape, value: unknown, path: string): Album => j.parse(album, value, path);
export const readAudioFeatures = (j: JsonShape, value: unknown, path: string): AudioFeatures => j.parse(audioFeatures, value, path);

export function readPlaylist(j: JsonShape, value: unknown, path: string): Playlist {
  const { embedded, ...rest } = j.parse(playlist, value, path);
  const field = embedded?.under === 'items' ? 'item' : 'track';
  const firstPage = embedded && Array.isArray(embedded.value.items) ? j.parse(page(playlistEntry(field)), embedded.value, `${path}.${embedded.under}`) : null;
  return { ...rest, firstPage: firstPage as Page<PlaylistEntry> | null };
}

/** A page of playlist entries. */
export const readPlaylistEntries = (j: JsonShape, value: unknown, path: string, field: 'item' | 'track'): Page<PlaylistEntry> =>
  j.parse(page(playlistEntry(field)), value, path) as Page<PlaylistEntry>;
export const readSimpleTrackPage = (j: JsonShape, value: unknown, path: string): Page<SimpleTrack> => j.parse(page(simpleTrack), value, path);
export const readArtistPage = (j: JsonShape, value: unknown, path: string): Page<Artist> => j.parse(page(artist), value, path);
export const readIdPage = (j: JsonShape, value: unknown, path: string): Page<string> => j.parse(page(idOnly), value, path);
/** `{albums: page}` (browse and search) or `{artists: page}` (follows). */
export const readWrapped = <K extends string>(j: JsonShape, value: unknown, key: K, path: string): unknown => j.parse(z.object({ [key]: z.unknown() }), value, path)[key];
/** The `?ids=` batch response: `{name: [object | null, …]}`. */
export const readBatch = (j: JsonShape, value: unknown, key: string, path: string): unknown[] =>
  j.parse(z.object({ [key]: z.array(z.unknown()) }), value, path)[key] as unknown[];
