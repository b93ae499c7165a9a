import { cliCommand } from './core/cli-name';
import { Command, CommanderError } from 'commander';
import { addDemoCommand } from './commands/demo-command';
import { addDistrokidCommand } from './commands/distrokid-command';
import { addGenerateCommand } from './commands/generate-command';
import { addLookerCommand } from './commands/looker-command';
import { addDashboardCommand } from './commands/dashboard-command';
import { addJobsCommand, addResumeCommand, addRunCommand } from './commands/run-command';
import { addBackfillPlanCommand } from './commands/backfill-command';
import { addSnowflakeCommand } from './commands/snowflake-command';
import { addSpotifyCommand } from './commands/spotify-command';
import { addSqlCommand } from './commands/sql-command';
import { addWarehouseCommand } from './commands/warehouse-command';
import { closeAllConnections } from './connections/connection';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ExitCode, exitCodeOf, messageOf } from './core/errors';
import { packageRoot } from './core/package-root';
import { redact } from './core/secrets';

function packageVersion(): string {
  const pkg = JSON.parse(fs.readFileSync(path.join(packageRoot(), 'package.json'), 'utf8')) as { version: string };
  return pkg.version;
}

export function buildProgram(): Command {
  const program = new Command('soundlake')
    .description(
      'Job runner for music data: extract (files, Spotify, DistroKid), transform into typed rows, ' +
        'and land gzip CSV partitions in a lake (a folder or S3) for Snowpipe to load into Snowflake.',
    )
    .version(packageVersion())
    .showHelpAfterError('(add --help for usage)')
    .addHelpText('after', `\nStart with ${cliCommand('demo')}, then ${cliCommand('run listening-events --help')}.`);
  addJobsCommand(program);
  addRunCommand(program);
  addResumeCommand(program);
  addBackfillPlanCommand(program);
  addGenerateCommand(program);
  addDemoCommand(program);
  addSqlCommand(program);
  addWarehouseCommand(program);
  addSnowflakeCommand(program);
  addLookerCommand(program);
  addDashboardCommand(program);
  addSpotifyCommand(program);
  addDistrokidCommand(program);
  // Usage errors go through one place so they exit 2 like configuration errors.
  const exitOverride = (command: Command) => {
    command.exitOverride();
    command.commands.forEach(exitOverride);
  };
  exitOverride(program);
  return program;
}

/** An error's message with every known secret scrubbed, for the last line a failed command prints. */
export function redactedMessage(error: unknown): string {
  return redact(messageOf(error));
}

/** Runs the CLI and returns the exit code (documented in the README and docs/commands.md). */
export async function main(argv: readonly string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync([...argv]);
    return ExitCode.ok;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version are "errors" to commander; commander already printed the message.
      return error.exitCode === 0 ? ExitCode.ok : ExitCode.usage;
    }
    process.stderr.write(`soundlake: ${redactedMessage(error)}\n`);
    return exitCodeOf(error);
  } finally {
    await closeAllConnections();
  }
}
