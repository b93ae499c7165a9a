import { cliCommand } from '../core/cli-name';
import type { Command } from 'commander';
import { loadConfig } from '../core/config';
import { SoundlakeError } from '../core/errors';
import { generateLooker } from '../looker/generate-looker';

export function addLookerCommand(program: Command): void {
  const looker = program.command('looker').description('the Looker layer generated from the table definitions and the ANALYTICS views');
  looker
    .command('generate')
    .description('write the LookML project under looker/ (views, model with explores, dashboards)')
    .option('--check', 'write nothing; exit 1 when the committed files differ from what would be generated')
    .action(async (flags: { check?: boolean }) => {
      const config = loadConfig();
      const differing = await generateLooker({ connection: config.string('looker', 'connection'), check: flags.check ?? false });
      if (flags.check && differing.length > 0) {
        throw new SoundlakeError(`looker/ is stale: ${differing.join(', ')}; run ${cliCommand('looker generate')}`, 1);
      }
      console.log(differing.length === 0 ? 'looker/ is up to date' : `wrote ${differing.join(', ')}`);
    });
}
