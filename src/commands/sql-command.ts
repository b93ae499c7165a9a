import { cliCommand } from '../core/cli-name';
import type { Command } from 'commander';
import { SoundlakeError } from '../core/errors';
import { writeGeneratedFiles } from '../sql/snowflake-files';
import { ALL_TABLES } from '../tables/all-tables';

export function addSqlCommand(program: Command): void {
  const sql = program.command('sql').description('the Snowflake SQL in sql/snowflake/');
  sql
    .command('generate')
    .description('write the generated files of sql/snowflake/ (raw tables, pipes, models, monitoring) from the table definitions')
    .option('--check', 'write nothing; exit 1 when a committed file differs from what would be generated')
    .action((flags: { check?: boolean }) => {
      const differing = writeGeneratedFiles(ALL_TABLES, { check: flags.check ?? false });
      if (flags.check) {
        if (differing.length > 0) {
          throw new SoundlakeError(`sql/snowflake/ is out of date: ${differing.join(', ')}; run ${cliCommand('sql generate')} and commit`, 1);
        }
        console.log('sql/snowflake/ is up to date');
      } else {
        console.log(differing.length > 0 ? `wrote ${differing.join(', ')}` : 'sql/snowflake/ was already up to date');
      }
    });
}
