/** Formats a query result as an aligned text table, or as CSV for `--csv`. */

export function formatCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (value instanceof Date) {
    const iso = value.toISOString();
    return iso.endsWith('T00:00:00.000Z') ? iso.slice(0, 10) : iso.replace('.000Z', 'Z');
  }
  if (typeof value === 'object') return JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
  return String(value);
}

export function textTable(columns: readonly string[], rows: readonly (readonly unknown[])[]): string {
  const cells = rows.map((row) => row.map(formatCell));
  const widths = columns.map((c, i) => Math.min(120, Math.max(c.length, ...cells.map((r) => r[i].length))));
  const numeric = columns.map((_, i) => rows.length > 0 && rows.every((r) => r[i] === null || typeof r[i] === 'number' || typeof r[i] === 'bigint'));
  const line = (values: readonly string[]) =>
    values
      .map((v, i) => {
        const cut = v.length > widths[i] ? `${v.slice(0, widths[i] - 1)}…` : v;
        return numeric[i] ? cut.padStart(widths[i]) : cut.padEnd(widths[i]);
      })
      .join('  ')
      .trimEnd();
  return [line(columns), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.map(line), `(${rows.length} row${rows.length === 1 ? '' : 's'})`].join('\n');
}

export function csvTable(columns: readonly string[], rows: readonly (readonly unknown[])[]): string {
  const field = (v: unknown) => {
    if (v === null || v === undefined) return '';
    const s = formatCell(v);
    return /[",\r\n]/.test(s) || s === '' ? `"${s.replace(/"/g, '""')}"` : s;
  };
  return [columns.map(field).join(','), ...rows.map((r) => r.map(field).join(','))].join('\n');
}
