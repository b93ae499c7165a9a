import type { Browser } from 'playwright-core';
import { PermanentError } from '../core/errors';
import { closeAtExit } from './connection';
import { findBrowser, HOW_TO_INSTALL_BROWSER } from './find-browser';
import type { Config } from '../core/config';

/** The [browser] settings: which Chromium, how it runs, how long a page may take. */
export interface BrowserSettings {
  executablePath: string;
  headless: boolean;
  noSandbox: boolean;
  timeoutMs: number;
}

export function readBrowserSettings(config: Config): BrowserSettings {
  return {
    executablePath: config.string('browser', 'executable_path'),
    headless: config.bool('browser', 'headless'),
    noSandbox: config.bool('browser', 'no_sandbox'),
    timeoutMs: config.int('browser', 'timeout_ms', { min: 1000, max: 600_000, unit: 'milliseconds' }),
  };
}

/**
 * Flags for Chromium in a container with no network beyond its targets: no background traffic,
 * no component updates, no first-run UI.
 */
const QUIET_FLAGS = ['--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'];

let browser: Promise<Browser> | undefined;

/** The process's Chromium, launched on first use (playwright-core with the system Chromium). */
export async function launchBrowser(settings: BrowserSettings, options: { headless?: boolean } = {}): Promise<Browser> {
  const executablePath = findBrowser(settings.executablePath);
  if (!executablePath) {
    throw new PermanentError(`no Chromium at ${settings.executablePath} ([browser] executable_path), on PATH or in Playwright's cache; ${HOW_TO_INSTALL_BROWSER}`);
  }
  const { chromium } = require('playwright-core') as typeof import('playwright-core');
  const headless = options.headless ?? settings.headless;
  closeAtExit(closeBrowser);
  browser ??= chromium.launch({
    executablePath,
    headless,
    timeout: settings.timeoutMs,
    args: [...QUIET_FLAGS, ...(settings.noSandbox ? ['--no-sandbox'] : [])],
  });
  return browser;
}

export async function closeBrowser(): Promise<void> {
  const current = browser;
  browser = undefined;
  if (current) await (await current.catch(() => undefined))?.close();
}
