import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import { findBrowser, HOW_TO_INSTALL_BROWSER } from '../../src/connections/find-browser';

/** The default of [browser] executable_path (config/default.ini). */
const DEFAULT_BROWSER = '/usr/bin/chromium';

/**
 * Before any test: the browser tests (DistroKid) need a Chromium. Where none is found (the
 * configured path, PATH, Playwright's cache), one is installed — Debian's package as root on
 * Debian (what CI and the image use), else Playwright's own download — so `npm test` passes by
 * itself on a fresh machine. A failed install is reported, and those tests then say what to do.
 */
export default function globalSetup(): void {
  if (findBrowser(DEFAULT_BROWSER)) return;
  const asRoot = process.getuid?.() === 0;
  try {
    if (process.platform === 'linux' && asRoot && fs.existsSync('/usr/bin/apt-get')) {
      console.log("\nsoundlake tests: no Chromium found; installing Debian's chromium package (apt-get install chromium) for the browser tests …");
      const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
      execFileSync('apt-get', ['update', '-qq'], { env, stdio: 'inherit' });
      execFileSync('apt-get', ['install', '-y', '-qq', 'chromium'], { env, stdio: 'inherit' });
    } else {
      console.log("\nsoundlake tests: no Chromium found; installing Playwright's Chromium (npx playwright-core install chromium) for the browser tests …");
      execFileSync(process.execPath, [require.resolve('playwright-core/cli'), 'install', 'chromium'], { stdio: 'inherit' });
    }
  } catch (error) {
    console.warn(`soundlake tests: could not install a Chromium (${(error as Error).message}); the browser tests will fail. ${HOW_TO_INSTALL_BROWSER}`);
    return;
  }
  if (!findBrowser(DEFAULT_BROWSER)) console.warn(`soundlake tests: still no Chromium after installing; ${HOW_TO_INSTALL_BROWSER}`);
}
