/**
 * Secrets are read from the environment only (ECS injects them from Secrets Manager) and every value
 * read is remembered here so that log lines, error messages and manifests can be scrubbed of it.
 */

/** Every environment variable soundlake treats as a secret. Config files may not set these. */
export const SECRET_ENV_VARS = [
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'SPOTIFY_CLIENT_SECRET',
  'SPOTIFY_REFRESH_TOKEN',
  'SNOWFLAKE_PASSWORD',
  'SNOWFLAKE_PRIVATE_KEY_PASSPHRASE',
  'DISTROKID_PASSWORD',
] as const;
export type SecretName = (typeof SECRET_ENV_VARS)[number];

/** A config key whose name looks like one of these holds a secret and is refused in ini files. */
const SECRET_KEY_PATTERN = /(password|passphrase|secret|token|private_key)(?!_path)/i;

export function looksSecret(key: string): boolean {
  return SECRET_KEY_PATTERN.test(key);
}

const knownValues = new Set<string>();

/** Values shorter than this are not scrubbed: "1" or "abc" would mangle ordinary text and reveal nothing. */
const MIN_REDACTED_LENGTH = 4;

export function registerSecretValue(value: string | undefined): void {
  if (value && value.length >= MIN_REDACTED_LENGTH) knownValues.add(value);
}

/** Reads a secret from the environment and registers it for redaction. */
export function readSecret(name: SecretName, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const value = env[name];
  if (value === undefined || value === '') return undefined;
  registerSecretValue(value);
  return value;
}

/** Registers every secret present in the environment, so it is scrubbed even before a client reads it. */
export function registerSecretsFromEnv(env: NodeJS.ProcessEnv = process.env): void {
  for (const name of SECRET_ENV_VARS) registerSecretValue(env[name]);
}

export function redact(text: string): string {
  let out = text;
  for (const value of knownValues) {
    if (out.includes(value)) out = out.split(value).join('***');
  }
  return out;
}

/**
 * Scrubs secrets from every string inside a value (nested objects and arrays included), before the
 * value is serialised: redacting serialised JSON would miss a secret holding `"` or `\\`, which
 * JSON escapes.
 */
export function redactDeep(value: unknown, seen = new WeakSet<object>()): unknown {
  if (typeof value === 'string') return redact(value);
  if (value === null || typeof value !== 'object') return value;
  if (seen.has(value)) return value;
  seen.add(value);
  if (Array.isArray(value)) return value.map((item) => redactDeep(item, seen));
  if (value instanceof Error) return redact(value.message);
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) out[key] = redactDeep(item, seen);
  return out;
}
