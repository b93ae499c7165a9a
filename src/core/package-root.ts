import * as fs from 'node:fs';
import * as path from 'node:path';

let cached: string | undefined;

/**
 * The folder holding soundlake's package.json. Compiled code runs from dist/src/…, tests from src/…,
 * so files shipped with the package (config/default.ini, sql/) are found by walking up, not by a fixed depth.
 */
export function packageRoot(): string {
  if (cached) return cached;
  let dir = __dirname;
  for (;;) {
    const candidate = path.join(dir, 'package.json');
    if (fs.existsSync(candidate)) {
      const pkg = JSON.parse(fs.readFileSync(candidate, 'utf8')) as { name?: unknown };
      if (pkg.name === 'soundlake') return (cached = dir);
    }
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`soundlake's package.json not found above ${__dirname}`);
    dir = parent;
  }
}
