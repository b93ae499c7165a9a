import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import { findBrowser, HOW_TO_INSTALL_BROWSER } from '../../src/connections/find-browser';
import { faketimeLibrary } from './skewed-clock';

/** The default of [browser] executable_path (config/default.ini). */
const DEFAULT_BROWSER = '/usr/bin/chromium';

const onDebianAsRoot = () => process.platform === 'linux' && process.getuid?.() === 0 && fs.existsSync('/usr/bin/apt-get');

function aptInstall(packages: string[]): void {
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  execFileSync('apt-get', ['update', '-qq'], { env, stdio: 'inherit' });
  execFileSync('apt-get', ['install', '-y', '-qq', ...packages], { env, stdio: 'inherit' });
}

export default function globalSetup(): void {
  installBrowser();
  installFaketime();
}

/**
 * The skewed-clock fencing test runs a child with libfaketime preloaded; Debian's package is
 * installed as root on Debian (CI), and elsewhere that test says what to install.
 */
function installFaketime(): void {
  if (faketimeLibrary() || !onDebianAsRoot()) return;
  console.log('\nsoundlake tests: installing Debian\'s libfaketime package for the skewed-clock test …');
  try {
    aptInstall(['libfaketime']);
  } catch (error) {
    console.warn(`soundlake tests: could not install libfaketime (${(error as Error).message}); the skewed-clock test will fail.`);
  }
}

/**
 * Before any test: the browser tests (DistroKid) need a Chromium. Where none is found (the
 * configured path, PATH, Playwright's cache), one is installed — Debian's package as root on
 * Debian (what CI and the image use), else Playwright's own download — so `npm test` passes by
 * itself on a fresh machine. A failed install is reported, and those tests then say what to do.
 */
function installBrowser(): void {
  if (findBrowser(DEFAULT_BROWSER)) return;
  try {
    if (onDebianAsRoot()) {
      console.log("\nsoundlake tests: no Chromium found; installing Debian's chromium package (apt-get install chromium) for the browser tests …");
      aptInstall(['chromium']);
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
