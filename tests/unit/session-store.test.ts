import * as fs from 'node:fs';
import * as path from 'node:path';
import { ExitCode, SoundlakeError } from '../../src/core/errors';
import type { DistrokidSettings } from '../../src/sources/distrokid/distrokid-settings';
import { readSession } from '../../src/sources/distrokid/session-store';
import { tempDir } from '../support/temp-dir';

const settingsFor = (dir: string) => ({ session: { storeUrl: dir, key: 'distrokid.json' } }) as unknown as DistrokidSettings;

test('a saved session of another shape asks a person to log in again, naming the field and never a value', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const secret = 'cookie-value-that-must-not-leak';
    const cookie = { name: 'dk_session', value: secret, domain: 'distrokid.com', path: '/', expires: -1, httpOnly: true, secure: true, sameSite: 'Sometimes' };
    fs.writeFileSync(path.join(dir, 'distrokid.json'), JSON.stringify({ cookies: [cookie], origins: [] }));
    const error = await readSession(settingsFor(dir)).then(
      () => undefined,
      (e: unknown) => e as SoundlakeError,
    );
    expect(error?.exitCode).toBe(ExitCode.needsPerson);
    expect(error?.message).toMatch(/not a Playwright storageState \(cookies\.0\.sameSite\); run `npx soundlake distrokid login` again/);
    expect(error?.message).not.toContain(secret);

    fs.writeFileSync(path.join(dir, 'distrokid.json'), JSON.stringify({ cookies: [{ ...cookie, sameSite: 'Lax' }], origins: [] }));
    expect((await readSession(settingsFor(dir))).cookies[0].value).toBe(secret);
  } finally {
    cleanup();
  }
});
