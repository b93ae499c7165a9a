import type { Command } from 'commander';
import { writeDashboard } from '../dashboard/write-dashboard';
import { DEFAULT_DASHBOARD_DIR, DEFAULT_WAREHOUSE, openLake } from './local-lake';

export function addDashboardCommand(program: Command): void {
  program
    .command('dashboard')
    .description("the Looker listening dashboard as a static HTML page over the local warehouse (opens offline)")
    .option('--db <path>', 'local warehouse file', DEFAULT_WAREHOUSE)
    .option('--out <dir>', 'folder to write index.html into', DEFAULT_DASHBOARD_DIR)
    .option('--lake <url>', 'lake whose manifests give the run-health panel; default [lake] url')
    .action(async (flags: { db: string; out: string; lake?: string }) => {
      console.log(`wrote ${await writeDashboard({ db: flags.db, out: flags.out, lake: await openLake(flags.lake) })}`);
    });
}
