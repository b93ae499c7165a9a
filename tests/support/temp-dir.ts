import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/** A fresh temporary folder; removed by the returned cleanup. */
export function tempDir(prefix = 'soundlake-test-'): { dir: string; cleanup: () => void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  return { dir, cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

/** Copies a fixture folder's files (not subfolders) into `target`. */
export function copyFixtures(from: string, target: string): void {
  fs.mkdirSync(target, { recursive: true });
  for (const entry of fs.readdirSync(from, { withFileTypes: true })) {
    if (entry.isFile()) fs.copyFileSync(path.join(from, entry.name), path.join(target, entry.name));
  }
}

export const fixturePath = (...parts: string[]) => path.join(__dirname, '..', 'fixtures', ...parts);
