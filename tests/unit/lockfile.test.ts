import { execFileSync } from 'node:child_process';
import * as path from 'node:path';

test('package-lock.json records every platform variant npm ci needs (npm run lock:complete after npm install)', () => {
  const script = path.join(__dirname, '..', '..', 'scripts', 'complete-lockfile.js');
  expect(() => execFileSync(process.execPath, [script, '--check'], { stdio: 'pipe' })).not.toThrow();
});
