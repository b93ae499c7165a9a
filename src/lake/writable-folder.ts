import * as fs from 'node:fs';
import * as path from 'node:path';
import { ConfigError } from '../core/errors';

/** What the process runs as, for the fix a refusal suggests (Docker bind mounts belong to the host user). */
function whoAmI(): string {
  const uid = process.getuid?.();
  return uid === undefined ? 'this user' : `uid ${uid}`;
}

function ownerOf(stat: fs.Stats): string {
  return process.platform === 'win32' ? '' : ` (owned by uid ${stat.uid}, mode ${(stat.mode & 0o777).toString(8)})`;
}

/**
 * Before a run takes its lease: `dir` (a lake, landing or spool folder) must be a folder this
 * process can write, or — when `mayCreate` — not exist yet under a folder it can write. Otherwise a
 * ConfigError (exit 2) names the folder, the setting and the fix, instead of a bare EACCES halfway
 * through a commit. Synchronous: a handful of stat calls, once per run.
 */
export function assertWritableFolder(dir: string, what: string, setting: string, options: { mayCreate: boolean }): void {
  const absolute = path.resolve(dir);
  let stat: fs.Stats | undefined;
  try {
    stat = fs.statSync(absolute);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOTDIR') throw new ConfigError(`${what} ${absolute} is inside a file, not a folder (${setting})`);
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  if (stat && !stat.isDirectory()) throw new ConfigError(`${what} ${absolute} is a file, not a folder (${setting}); point ${setting} at a folder`);
  if (!stat) {
    if (!options.mayCreate) throw new ConfigError(`${what} ${absolute} does not exist (${setting})`);
    // The nearest folder that exists must let us create the rest.
    let parent = path.dirname(absolute);
    while (!fs.existsSync(parent) && path.dirname(parent) !== parent) parent = path.dirname(parent);
    if (!fs.statSync(parent).isDirectory()) throw new ConfigError(`${what} ${absolute} cannot be created: ${parent} is a file (${setting})`);
    return assertAccess(parent, `${what} ${absolute} cannot be created: ${parent}`, setting);
  }
  assertAccess(absolute, `${what} ${absolute}`, setting);
}

function assertAccess(dir: string, subject: string, setting: string): void {
  try {
    fs.accessSync(dir, fs.constants.W_OK | fs.constants.X_OK);
  } catch {
    throw new ConfigError(
      `${subject} is not writable by ${whoAmI()}${ownerOf(fs.statSync(dir))} (${setting}). ` +
        `Give it to this user (\`chown -R ${process.getuid?.() ?? 'USER'} ${dir}\`), or run as its owner (docker run --user UID:GID); ` +
        'the folder is checked before the run starts so that no run stops halfway through its commit',
    );
  }
}
