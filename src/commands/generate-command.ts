import type { Command } from 'commander';
import { dateOption } from '../core/dates';
import { ConfigError } from '../core/errors';
import { intFlag } from './command-flags';
import { GENERATE_DEFAULTS, generateListeningEvents } from '../generate/listening-events-generator';

function rateFlag(raw: string): number {
  const value = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(value) || value < 0 || value > 1) {
    throw new ConfigError(`--bad-rate ${JSON.stringify(raw)}: expected a share from 0 to 1, e.g. 0.01`);
  }
  return value;
}


export function addGenerateCommand(program: Command): void {
  const generate = program.command('generate').description('write sample input data');
  const d = GENERATE_DEFAULTS;
  generate
    .command('listening-events')
    .description('write a deterministic users/songs/streams landing set (one streams file per day)')
    .requiredOption('--out <dir>', 'folder to write into (created if missing)')
    .option('--users <n>', 'distinct users', intFlag('--users', 1, 10_000_000), d.users)
    .option('--songs <n>', 'distinct songs', intFlag('--songs', 1, 10_000_000), d.songs)
    .option('--events <n>', 'stream events in all', intFlag('--events', 0, 1_000_000_000), d.events)
    .option('--days <n>', 'days the events spread over', intFlag('--days', 1, 3660), d.days)
    .option('--start <YYYY-MM-DD>', 'first day of events', dateOption('--start'), d.startDate)
    .option('--seed <n>', 'random seed; the same seed writes the same files', intFlag('--seed', 0, 2 ** 32 - 1), d.seed)
    .option('--bad-rate <r>', 'share of rows (0-1) with realistic defects and hostile text', rateFlag, d.badRate)
    .action(async (flags: { out: string; users: number; songs: number; events: number; days: number; start: string; seed: number; badRate: number }) => {
      const files = await generateListeningEvents({
        outDir: flags.out,
        users: flags.users,
        songs: flags.songs,
        events: flags.events,
        days: flags.days,
        startDate: flags.start,
        seed: flags.seed,
        badRate: flags.badRate,
      });
      for (const file of files) console.log(`${file.name.padEnd(28)} ${String(file.rows).padStart(10)} rows ${String(file.bytes).padStart(12)} bytes`);
    });
}
