/** The text of every JSON record soundlake writes to a store (manifests, packages, leases, state, reasons): indented, newline-terminated. */
export function jsonRecord(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}
