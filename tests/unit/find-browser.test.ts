import * as fs from 'node:fs';
import * as path from 'node:path';
import { findBrowser } from '../../src/connections/find-browser';
import { tempDir } from '../support/temp-dir';

test('a Chromium is found at the configured path, else on PATH, else in Playwright\'s cache', () => {
  const { dir, cleanup } = tempDir();
  const saved = { PATH: process.env.PATH, PLAYWRIGHT_BROWSERS_PATH: process.env.PLAYWRIGHT_BROWSERS_PATH };
  try {
    const bin = path.join(dir, 'bin');
    const cache = path.join(dir, 'ms-playwright');
    fs.mkdirSync(bin);
    process.env.PATH = bin;
    process.env.PLAYWRIGHT_BROWSERS_PATH = cache;
    const configured = path.join(dir, 'configured-chrome');
    expect(findBrowser(configured)).toBeUndefined();

    for (const build of ['chromium-1100', 'chromium-1200']) {
      fs.mkdirSync(path.join(cache, build, 'chrome-linux'), { recursive: true });
      fs.writeFileSync(path.join(cache, build, 'chrome-linux', 'chrome'), '');
    }
    expect(findBrowser(configured)).toBe(path.join(cache, 'chromium-1200', 'chrome-linux', 'chrome'));

    fs.writeFileSync(path.join(bin, 'chromium-browser'), '');
    expect(findBrowser(configured)).toBe(path.join(bin, 'chromium-browser'));

    fs.writeFileSync(configured, '');
    expect(findBrowser(configured)).toBe(configured);
  } finally {
    process.env.PATH = saved.PATH;
    if (saved.PLAYWRIGHT_BROWSERS_PATH === undefined) delete process.env.PLAYWRIGHT_BROWSERS_PATH;
    else process.env.PLAYWRIGHT_BROWSERS_PATH = saved.PLAYWRIGHT_BROWSERS_PATH;
    cleanup();
  }
});
