import type { RunManifest } from '../run/run-package';

const n = (value: number) => value.toLocaleString('en-US');

/**
 * What a finished run did, for a person at a terminal (`soundlake run` and `demo` print it on
 * stdout when it is a TTY; logs stay on stderr): per table, per input with the reason an input was
 * set aside, the reject reasons, and where to look.
 */
export function describeRun(manifest: RunManifest, manifestUrl: string | undefined): string {
  const lines: string[] = [];
  lines.push('', `run ${manifest.run_id} of ${manifest.job} into ${manifest.lake}${manifest.dry_run ? ' (dry run: nothing was written)' : ''}`, '');
  const width = Math.max(20, ...Object.keys(manifest.tables).map((t) => t.length));
  lines.push(`  ${'table'.padEnd(width)} ${'files'.padStart(6)} ${'rows'.padStart(10)} ${'rejects'.padStart(8)} ${'gzip bytes'.padStart(12)}`);
  for (const [table, t] of Object.entries(manifest.tables)) {
    lines.push(`  ${table.padEnd(width)} ${n(t.files).padStart(6)} ${n(t.rows).padStart(10)} ${n(t.rejects).padStart(8)} ${n(t.bytes).padStart(12)}`);
  }
  if (manifest.inputs.length > 0) {
    lines.push('', '  inputs:');
    const nameWidth = Math.min(40, Math.max(26, ...manifest.inputs.map((i) => i.name.length)));
    for (const input of manifest.inputs) {
      const detail = input.status === 'processed'
        ? `${n(input.rows_in)} in = ${n(input.rows_out)} out + ${n(input.rows_rejected)} rejected`
        : `${input.status}: ${input.reason ?? ''}`;
      lines.push(`    ${input.name.padEnd(nameWidth)} ${detail}`);
    }
  }
  if (manifest.rejects.total > 0) {
    lines.push('', '  reject reasons:');
    for (const [reason, count] of Object.entries(manifest.rejects.by_reason)) lines.push(`    ${n(count).padStart(7)}  ${reason}`);
  }
  const t = manifest.totals;
  lines.push('', `  ${n(t.rows_in)} rows read, ${n(t.rows_out)} written, ${n(t.rows_rejected)} rejected, ${t.files} files`);
  if (manifest.dry_run) return lines.join('\n');
  lines.push('', 'where to look:');
  lines.push(`  data       ${manifest.lake}/raw/<source>/<table>/year=…/month=…/day=…/*.csv.gz`);
  lines.push(`  rejects    ${manifest.lake}/rejects/<source>/<table>/… (column _reject_reason says why)`);
  if (manifestUrl) lines.push(`  manifest   ${manifestUrl}`);
  return lines.join('\n');
}
