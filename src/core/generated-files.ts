import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * Brings a folder of generated files (`sql/snowflake/`, `looker/`) in line with what the generator
 * produces, or with `check` only reports. Returns the names that differ: changed or missing files,
 * and under `prune` folders, files the generator no longer writes (named "… (no longer generated)").
 */
export function syncGeneratedFiles(dir: string, files: ReadonlyMap<string, string>, options: { check: boolean; prune?: readonly string[] }): string[] {
  const differing: string[] = [];
  for (const [name, text] of files) {
    const file = path.join(dir, name);
    const current = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : undefined;
    if (current === text) continue;
    differing.push(name);
    if (!options.check) {
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, text);
    }
  }
  for (const sub of options.prune ?? []) {
    const folder = path.join(dir, sub);
    if (!fs.existsSync(folder)) continue;
    for (const name of fs.readdirSync(folder)) {
      if (files.has(`${sub}/${name}`)) continue;
      differing.push(`${sub}/${name} (no longer generated)`);
      if (!options.check) fs.rmSync(path.join(folder, name));
    }
  }
  return differing;
}
