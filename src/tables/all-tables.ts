import { qualifiedName, type TableDef } from '../core/table';
import { distrokidTables } from './distrokid';
import { listeningTables } from './listening';
import * as spotify from './spotify';

/** Every lake table, in a stable order: the warehouse, the Snowflake DDL and the pipes cover exactly these. */
export const ALL_TABLES: readonly TableDef[] = [
  ...listeningTables,
  spotify.playlists,
  spotify.playlistItems,
  spotify.tracks,
  spotify.albums,
  spotify.artists,
  spotify.artistGenres,
  spotify.trackArtists,
  spotify.albumArtists,
  spotify.newReleases,
  spotify.audioFeatures,
  spotify.followedArtists,
  ...distrokidTables,
];

{
  const names = new Set<string>();
  for (const table of ALL_TABLES) {
    if (names.has(table.name)) throw new Error(`table name ${table.name} is used twice (${qualifiedName(table)}); ANALYTICS view names must be unique`);
    names.add(table.name);
  }
}
