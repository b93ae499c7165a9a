import * as os from 'node:os';
import * as path from 'node:path';
import { cliName } from '../../src/core/cli-name';

/** Commands the tool prints must run as printed: `npx soundlake` in a clone, `soundlake` where it is installed. */
describe('the command name messages print', () => {
  const cwd = process.cwd();
  const argv = process.argv;
  afterEach(() => {
    process.chdir(cwd);
    process.argv = argv;
  });

  test('in a clone of the repository (no soundlake on PATH): npx soundlake', () => {
    process.argv = [argv[0], path.join(__dirname, '..', '..', 'bin', 'soundlake.js')];
    process.chdir(path.join(__dirname, '..', '..'));
    expect(cliName()).toBe('npx soundlake');
    process.chdir(path.join(__dirname, '..', '..', 'config'));
    expect(cliName()).toBe('npx soundlake');
  });

  test('installed (npm link, a global install) or elsewhere (the image works in /data): soundlake', () => {
    process.argv = [argv[0], '/usr/local/bin/soundlake'];
    process.chdir(path.join(__dirname, '..', '..'));
    expect(cliName()).toBe('soundlake');
    process.argv = [argv[0], '/app/bin/soundlake.js'];
    process.chdir(os.tmpdir());
    expect(cliName()).toBe('soundlake');
  });
});
