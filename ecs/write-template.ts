import * as fs from 'node:fs';
import * as path from 'node:path';
import { packageRoot } from '../src/core/package-root';
import { buildApp } from './app';

/** The example settings and the template synthesized from them, kept in git for review. */
export const EXAMPLE_SETTINGS = path.join(packageRoot(), 'ecs', 'settings.example.json');
export const TEMPLATE_FILE = path.join(packageRoot(), 'ecs', 'soundlake.template.json');

/** The stack's CloudFormation template for the example settings, as the file holds it. */
export function exampleTemplate(settingsFile = EXAMPLE_SETTINGS): string {
  const { app } = buildApp(settingsFile);
  return `${JSON.stringify(app.synth().getStackByName('soundlake').template, null, 2)}\n`;
}

if (require.main === module) {
  const text = exampleTemplate();
  const current = fs.existsSync(TEMPLATE_FILE) ? fs.readFileSync(TEMPLATE_FILE, 'utf8') : '';
  if (process.argv.includes('--check')) {
    if (current !== text) {
      process.stderr.write('ecs/soundlake.template.json is stale: run `npm run deploy:template`\n');
      process.exit(1);
    }
    console.log('ecs/soundlake.template.json is up to date');
  } else {
    fs.writeFileSync(TEMPLATE_FILE, text);
    console.log(`wrote ecs/soundlake.template.json (${text.length} bytes)`);
  }
}
