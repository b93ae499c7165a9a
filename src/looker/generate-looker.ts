import * as fs from 'node:fs';
import * as path from 'node:path';
import { packageRoot } from '../core/package-root';
import { ALL_TABLES } from '../tables/all-tables';
import { describeAnalytics } from './describe-analytics';
import { lookmlProject } from './lookml-project';

export const lookerDir = () => path.join(packageRoot(), 'looker');

/** Writes the LookML project, or with `check` only lists the files that differ from what is there. */
export async function generateLooker(options: { connection: string; check: boolean; dir?: string }): Promise<string[]> {
  const dir = options.dir ?? lookerDir();
  const files = lookmlProject(await describeAnalytics(), ALL_TABLES, options.connection);
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
  // A file the generator no longer writes is stale too.
  for (const sub of ['views', 'dashboards']) {
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
