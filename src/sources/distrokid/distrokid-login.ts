import type { Page } from 'playwright-core';
import { launchBrowser } from '../../connections/browser';
import { ConfigError, PermanentError } from '../../core/errors';
import type { DistrokidSettings } from './distrokid-settings';
import { writeSession, type StorageState } from './session-store';

export interface LoginOptions {
  /** Without a window (tests, or a person driving it another way); the default opens one. */
  headless: boolean;
  timeoutMs: number;
  /** Pre-filled into the form; the person still completes the captcha and the emailed code. */
  email?: string;
  password?: string;
  /** Called with the sign-in page once it is open (tests drive the form through it). */
  onPage?: (page: Page) => Promise<void>;
}

/**
 * A person logs in once in a real browser window (password, invisible reCAPTCHA, the emailed
 * new-device code); soundlake waits for the dashboard (/mymusic/) and saves the Playwright
 * storageState where the job reads it.
 */
export async function distrokidLogin(settings: DistrokidSettings, options: LoginOptions): Promise<string> {
  if (!options.headless && !process.env.DISPLAY) {
    throw new ConfigError('no display for the login window (DISPLAY is not set): run it on a desktop, under xvfb-run, or add --headless');
  }
  const browser = await launchBrowser(settings.browser, { headless: options.headless });
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    await page.goto(`${settings.baseUrl}/signin/`, { waitUntil: 'domcontentloaded', timeout: settings.browser.timeoutMs });
    if (options.email) await page.locator('#inputEmail').fill(options.email);
    if (options.password) await page.locator('#inputPassword').fill(options.password);
    const signedIn = page.waitForURL((url) => url.pathname.startsWith('/mymusic'), { timeout: options.timeoutMs });
    await options.onPage?.(page);
    try {
      await signedIn;
    } catch {
      throw new PermanentError(`DistroKid login: the dashboard (/mymusic/) did not open within ${Math.round(options.timeoutMs / 1000)} s`);
    }
    const state = (await context.storageState()) as StorageState;
    return await writeSession(settings, state);
  } finally {
    await context.close();
  }
}
