import type { TableDef } from '../../core/table';
import { songs, streams, users } from '../../tables/listening';

/** Which table a landing file feeds, by its name: users*.csv, songs*.csv, streams*.csv (optionally .gz). */
const KINDS: readonly { pattern: RegExp; table: TableDef }[] = [
  { pattern: /^users[^/]*\.csv(\.gz)?$/i, table: users },
  { pattern: /^songs[^/]*\.csv(\.gz)?$/i, table: songs },
  { pattern: /^streams[^/]*\.csv(\.gz)?$/i, table: streams },
];

export function tableForFile(name: string): TableDef | undefined {
  return KINDS.find((kind) => kind.pattern.test(name))?.table;
}

/**
 * Files in processing order: users, then songs, then streams, each by name. Within a run the last
 * row per key wins, so a later file's row replaces an earlier file's.
 */
export function orderLandingFiles(names: readonly string[]): { name: string; table: TableDef }[] {
  const order = (table: TableDef) => KINDS.findIndex((k) => k.table === table);
  return names
    .flatMap((name) => {
      const table = tableForFile(name);
      return table ? [{ name, table }] : [];
    })
    .sort((a, b) => order(a.table) - order(b.table) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
