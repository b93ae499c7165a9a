import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/** Names a system Chromium or Chrome goes by on PATH (Debian, Ubuntu, Google's packages). */
const ON_PATH = ['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable'];

function onPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    const file = path.join(dir, name);
    if (dir && fs.existsSync(file)) return file;
  }
  return undefined;
}

/** Chromium builds Playwright downloaded (`npx playwright install chromium`), newest first. */
function playwrightCache(): string[] {
  const root = process.env.PLAYWRIGHT_BROWSERS_PATH ?? path.join(os.homedir(), '.cache', 'ms-playwright');
  let entries: string[] = [];
  try {
    entries = fs.readdirSync(root).filter((e) => /^chromium-\d+$/.test(e));
  } catch {
    return [];
  }
  return entries
    .sort((a, b) => Number(b.split('-')[1]) - Number(a.split('-')[1]))
    .flatMap((e) => ['chrome-linux/chrome', 'chrome-linux64/chrome', 'chrome-mac/Chromium.app/Contents/MacOS/Chromium'].map((p) => path.join(root, e, p)))
    .filter((file) => fs.existsSync(file));
}

/**
 * A Chromium to drive: the configured path when it exists, else a system Chromium or Chrome on
 * PATH, else one Playwright downloaded; undefined when there is none.
 */
export function findBrowser(configured: string): string | undefined {
  if (fs.existsSync(configured)) return configured;
  for (const name of ON_PATH) {
    const found = onPath(name);
    if (found) return found;
  }
  return playwrightCache()[0];
}

export const HOW_TO_INSTALL_BROWSER =
  'install one: `apt-get install chromium` on Debian or Ubuntu, or `npx playwright-core install chromium` elsewhere; or set [browser] executable_path (BROWSER_EXECUTABLE_PATH)';
