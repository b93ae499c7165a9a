import { cliCommand } from '../../core/cli-name';
import { z } from 'zod';
import { NeedsPersonError } from '../../core/errors';
import { registerSecretValue } from '../../core/secrets';
import { openStore } from '../../lake/open-store';
import type { DistrokidSettings } from './distrokid-settings';

/** Playwright's storageState: cookies and origins' localStorage; checked where it is read back. */
const storageState = z.object({
  cookies: z.array(
    z.object({
      name: z.string(),
      value: z.string(),
      domain: z.string(),
      path: z.string(),
      expires: z.number(),
      httpOnly: z.boolean(),
      secure: z.boolean(),
      sameSite: z.enum(['Strict', 'Lax', 'None']),
    }),
  ),
  origins: z.array(z.object({ origin: z.string(), localStorage: z.array(z.object({ name: z.string(), value: z.string() })) })),
});
export type StorageState = z.output<typeof storageState>;

/** The command that saves a DistroKid session, as the person should type it (in backticks). */
export const loginCommand = () => cliCommand('distrokid login');

/** Every cookie and storage value is a secret: registered so no log line can show it. */
export function registerSessionSecrets(state: StorageState): void {
  for (const cookie of state.cookies) registerSecretValue(cookie.value);
  for (const origin of state.origins) for (const item of origin.localStorage) registerSecretValue(item.value);
}


export async function readSession(settings: DistrokidSettings): Promise<StorageState> {
  const store = openStore(settings.session.storeUrl);
  const text = await store.readText(settings.session.key);
  if (text === undefined) {
    throw new NeedsPersonError(`no DistroKid session at ${store.describe(settings.session.key)}; a person must log in once: run ${loginCommand()}`);
  }
  let state: unknown;
  try {
    state = JSON.parse(text);
  } catch {
    throw new NeedsPersonError(`the DistroKid session at ${store.describe(settings.session.key)} is not valid JSON; run ${loginCommand()} again`);
  }
  const checked = storageState.safeParse(state);
  if (!checked.success) {
    // The message names the field only: the file is full of secrets.
    const field = checked.error.issues[0].path.join('.');
    throw new NeedsPersonError(`the DistroKid session file is not a Playwright storageState (${field || 'top level'}); run ${loginCommand()} again`);
  }
  registerSessionSecrets(checked.data);
  return checked.data;
}

/** Written private: mode 0600 locally, server-side encrypted on S3 (aws:kms with [s3] kms_key_id). */
export async function writeSession(settings: DistrokidSettings, state: StorageState): Promise<string> {
  registerSessionSecrets(state);
  const store = openStore(settings.session.storeUrl);
  await store.putText(settings.session.key, `${JSON.stringify(state)}\n`, { private: true });
  return store.describe(settings.session.key);
}
