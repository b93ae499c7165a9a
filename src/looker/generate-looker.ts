import * as path from 'node:path';
import { syncGeneratedFiles } from '../core/generated-files';
import { packageRoot } from '../core/package-root';
import { ALL_TABLES } from '../tables/all-tables';
import { describeAnalytics } from './describe-analytics';
import { lookmlProject } from './lookml-project';

export const lookerDir = () => path.join(packageRoot(), 'looker');

/** Writes the LookML project, or with `check` only lists the files that differ from what is there. */
export async function generateLooker(options: { connection: string; check: boolean; dir?: string }): Promise<string[]> {
  const dir = options.dir ?? lookerDir();
  const files = lookmlProject(await describeAnalytics(), ALL_TABLES, options.connection);
  // A view or dashboard the generator no longer writes is stale too.
  return syncGeneratedFiles(dir, files, { check: options.check, prune: ['views', 'dashboards'] });
}
