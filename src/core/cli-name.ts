import * as path from 'node:path';
import { packageRoot } from './package-root';

/**
 * How a person runs the CLI from where they are, for the commands messages tell them to run: in a
 * clone of the repository there is no `soundlake` on PATH (until `npm link`), but `npx soundlake`
 * works there; where it is installed (a global install, the image) it is `soundlake`.
 */
export function cliName(): string {
  if (path.basename(process.argv[1] ?? '') === 'soundlake') return 'soundlake';
  const cwd = path.resolve(process.cwd());
  const root = packageRoot();
  return cwd === root || cwd.startsWith(root + path.sep) ? 'npx soundlake' : 'soundlake';
}

/** `soundlake ARGS` as the person should type it, in backticks for a message. */
export const cliCommand = (args: string): string => `\`${cliName()} ${args}\``;
