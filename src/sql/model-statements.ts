import * as fs from 'node:fs';
import * as path from 'node:path';
import { packageRoot } from '../core/package-root';
import type { TableDef } from '../core/table';
import { dedupView } from './dedup-views';

export const modelsDir = () => path.join(packageRoot(), 'sql', 'models');

/** The hand-written portable model files, in name order. */
export function modelFiles(): { name: string; sql: string }[] {
  return fs
    .readdirSync(modelsDir())
    .filter((name) => name.endsWith('.sql'))
    .sort()
    .map((name) => ({ name, sql: fs.readFileSync(path.join(modelsDir(), name), 'utf8') }));
}

/** Everything ANALYTICS holds, in dependency order: the deduplicated views, then sql/models/*.sql. */
export function modelScript(tables: readonly TableDef[]): string {
  const parts = ['-- Deduplicated views: the latest row per primary key (generated from the table definitions).', ...tables.map(dedupView)];
  for (const file of modelFiles()) parts.push(`-- From sql/models/${file.name}`, file.sql.trim());
  return `${parts.join('\n\n')}\n`;
}
