import { execFileSync } from 'node:child_process';
import * as path from 'node:path';

const ROOT = path.join(__dirname, '..', '..');

/**
 * The CLI compiled into its own folder (not dist/, which the crash test rebuilds at the same time):
 * child processes and worker threads run compiled JavaScript, as the image does.
 */
export function buildCli(outDir: string): void {
  execFileSync(process.execPath, [path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', path.join(ROOT, 'tsconfig.build.json'), '--outDir', outDir], { cwd: ROOT });
}

/** `node` arguments that run the CLI built into `outDir` with `args`; the exit code is main()'s. */
export function builtCliArgs(outDir: string, args: readonly string[]): string[] {
  const cli = `require(${JSON.stringify(path.join(outDir, 'src', 'cli.js'))}).main(process.argv.slice(1)).then((code) => { process.exitCode = code; })`;
  return ['-e', cli, 'node', 'soundlake', ...args];
}
