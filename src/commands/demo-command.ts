import * as path from 'node:path';
import type { Command } from 'commander';
import { generateListeningEvents } from '../generate/listening-events-generator';
import { listeningEventsJob } from '../jobs/listening-events';
import type { RunManifest } from '../lake/manifest';
import { runJob } from '../runner';
import { withAbortOnSignals } from './run-command';

const n = (value: number) => value.toLocaleString('en-US');

/** What the demo prints after the run: per table, per input, and where to look. */
export function describeRun(manifest: RunManifest, manifestUrl: string | undefined): string {
  const lines: string[] = [];
  lines.push('', `run ${manifest.run_id} of ${manifest.job} into ${manifest.lake}`, '');
  lines.push(`  ${'table'.padEnd(20)} ${'files'.padStart(6)} ${'rows'.padStart(10)} ${'rejects'.padStart(8)} ${'gzip bytes'.padStart(12)}`);
  for (const [table, t] of Object.entries(manifest.tables)) {
    lines.push(`  ${table.padEnd(20)} ${n(t.files).padStart(6)} ${n(t.rows).padStart(10)} ${n(t.rejects).padStart(8)} ${n(t.bytes).padStart(12)}`);
  }
  lines.push('', '  input files:');
  for (const input of manifest.inputs) {
    const detail = input.status === 'processed'
      ? `${n(input.rows_in)} in = ${n(input.rows_out)} out + ${n(input.rows_rejected)} rejected`
      : `${input.status}: ${input.reason ?? ''}`;
    lines.push(`    ${input.name.padEnd(26)} ${detail}`);
  }
  if (manifest.rejects.total > 0) {
    lines.push('', '  reject reasons:');
    for (const [reason, count] of Object.entries(manifest.rejects.by_reason)) lines.push(`    ${n(count).padStart(7)}  ${reason}`);
  }
  const t = manifest.totals;
  lines.push('', `  ${n(t.rows_in)} rows read, ${n(t.rows_out)} written, ${n(t.rows_rejected)} rejected, ${t.files} files`);
  lines.push('', 'where to look:');
  lines.push(`  data       ${manifest.lake}/raw/listening/<table>/year=…/month=…/day=…/*.csv.gz`);
  lines.push(`  rejects    ${manifest.lake}/rejects/listening/<table>/… (column _reject_reason says why)`);
  if (manifestUrl) lines.push(`  manifest   ${manifestUrl}`);
  lines.push(`  try        zcat ${manifest.lake}/raw/listening/users/year=*/month=*/day=*/*.csv.gz | head`);
  return lines.join('\n');
}

export function addDemoCommand(program: Command): void {
  program
    .command('demo')
    .description('generate ~100k streams over 7 days into ./landing, run listening-events into the lake, show what happened')
    .option('--landing <dir>', 'local folder for the generated input', 'landing')
    .option('--lake <url>', 'lake folder or s3://bucket/prefix; default [lake] url (./lake)')
    .option('--events <n>', 'stream events to generate', (raw) => Number(raw), 100_000)
    .action(async (flags: { landing: string; lake?: string; events: number }) => {
      const landing = path.resolve(flags.landing);
      console.log(`generating sample data into ${landing} …`);
      await generateListeningEvents({
        outDir: landing,
        users: 2_000,
        songs: 5_000,
        events: flags.events,
        days: 7,
        startDate: '2024-06-24',
        seed: 7,
        badRate: 0.002,
      });
      const result = await withAbortOnSignals((signal) =>
        runJob(listeningEventsJob, {
          lake: flags.lake,
          signal,
          env: { ...process.env, LISTENING_EVENTS_LANDING_URL: landing },
        }),
      );
      console.log(describeRun(result.manifest, result.manifestUrl));
    });
}
