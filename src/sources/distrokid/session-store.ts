import { NeedsPersonError } from '../../core/errors';
import { registerSecretValue } from '../../core/secrets';
import { openStore } from '../../lake/open-store';
import type { DistrokidSettings } from './distrokid-settings';

/** Playwright's storageState: cookies and origins' localStorage. */
export interface StorageState {
  cookies: { name: string; value: string; domain: string; path: string; expires: number; httpOnly: boolean; secure: boolean; sameSite: 'Strict' | 'Lax' | 'None' }[];
  origins: { origin: string; localStorage: { name: string; value: string }[] }[];
}

export const LOGIN_COMMAND = 'soundlake distrokid login';

/** Every cookie and storage value is a secret: registered so no log line can show it. */
export function registerSessionSecrets(state: StorageState): void {
  for (const cookie of state.cookies) registerSecretValue(cookie.value);
  for (const origin of state.origins) for (const item of origin.localStorage) registerSecretValue(item.value);
}

function isStorageState(value: unknown): value is StorageState {
  const v = value as Partial<StorageState> | null;
  return !!v && Array.isArray(v.cookies) && Array.isArray(v.origins);
}

export async function readSession(settings: DistrokidSettings): Promise<StorageState> {
  const store = openStore(settings.session.storeUrl);
  const text = await store.readText(settings.session.key);
  if (text === undefined) {
    throw new NeedsPersonError(`no DistroKid session at ${store.describe(settings.session.key)}; a person must log in once: run \`${LOGIN_COMMAND}\``);
  }
  let state: unknown;
  try {
    state = JSON.parse(text);
  } catch {
    throw new NeedsPersonError(`the DistroKid session at ${store.describe(settings.session.key)} is not valid JSON; run \`${LOGIN_COMMAND}\` again`);
  }
  if (!isStorageState(state)) throw new NeedsPersonError(`the DistroKid session file is not a Playwright storageState; run \`${LOGIN_COMMAND}\` again`);
  registerSessionSecrets(state);
  return state;
}

/** Written private: mode 0600 locally, server-side encrypted on S3 (aws:kms with [s3] kms_key_id). */
export async function writeSession(settings: DistrokidSettings, state: StorageState): Promise<string> {
  registerSessionSecrets(state);
  const store = openStore(settings.session.storeUrl);
  await store.putText(settings.session.key, `${JSON.stringify(state)}\n`, { private: true });
  return store.describe(settings.session.key);
}
