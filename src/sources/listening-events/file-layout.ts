import type { TableDef } from '../../core/table';

/** How a landing file's columns map onto its table, decided from the header. */
export interface FileLayout {
  input: string;
  table: TableDef;
  /** For each table column, the field index in the file. */
  positions: readonly number[];
  /** True when the file's columns are exactly the table's, in order (no remapping per row). */
  identity: boolean;
  /** Number of header fields; a row with another count is rejected. */
  width: number;
  /** Header columns the table does not know; they stay in the archived file. */
  ignoredColumns: readonly string[];
}

export type LayoutResult = { ok: true; layout: FileLayout } | { ok: false; reason: string; missing?: string[] };

const normalise = (name: string) => name.replace(/^\uFEFF/, '').trim().toLowerCase();

/** Matches header names to table columns (case and surrounding spaces ignored). */
export function layoutFromHeader(input: string, table: TableDef, header: readonly string[]): LayoutResult {
  const names = header.map(normalise);
  const seen = new Set<string>();
  for (const name of names) {
    if (seen.has(name)) return { ok: false, reason: `header names column "${name}" twice` };
    seen.add(name);
  }
  const missing = table.columns.map((c) => c.name).filter((name) => !seen.has(name));
  if (missing.length > 0) {
    return {
      ok: false,
      reason: `header lacks required column${missing.length > 1 ? 's' : ''} ${missing.join(', ')} (found: ${names.join(', ')})`,
      missing,
    };
  }
  const positions = table.columns.map((c) => names.indexOf(c.name));
  return {
    ok: true,
    layout: {
      input,
      table,
      positions,
      identity: positions.every((p, i) => p === i) && names.length === positions.length,
      width: names.length,
      ignoredColumns: header.filter((_, i) => !positions.includes(i)),
    },
  };
}
