import * as fs from 'node:fs';
import * as path from 'node:path';
import * as ini from 'ini';
import * as dotenv from 'dotenv';
import { ConfigError } from './errors';
import { packageRoot } from './package-root';
import { closestName } from './closest-name';
import { OTHER_ENV_VARS } from './env-vars';
import { looksSecret, registerSecretsFromEnv, SECRET_ENV_VARS } from './secrets';

/** Where a setting's value came from; every config error names it. */
export type SettingSource =
  | { kind: 'default'; file: string }
  | { kind: 'file'; file: string }
  | { kind: 'env'; variable: string }
  | { kind: 'flag'; flag: string };

interface Setting {
  value: string;
  source: SettingSource;
}

export function describeSource(source: SettingSource): string {
  switch (source.kind) {
    case 'default':
      return `default in ${source.file}`;
    case 'file':
      return `file ${source.file}`;
    case 'env':
      return `environment variable ${source.variable}`;
    case 'flag':
      return `command-line flag ${source.flag}`;
  }
}

/** `[listening-events] landing_url` ↔ `LISTENING_EVENTS_LANDING_URL`. */
export function envVarName(section: string, key: string): string {
  return `${section}_${key}`.toUpperCase().replace(/[-.]/g, '_');
}

const settingId = (section: string, key: string) => `${section}.${key}`;

/**
 * Resolved configuration. Typed accessors validate on read and throw ConfigError naming the key,
 * its source and what was expected; jobs read everything they need in parseConfig, before any I/O.
 */
export class Config {
  constructor(
    private readonly settings: ReadonlyMap<string, Setting>,
    /** The environment the settings were read from (after .env), for credentials the SDKs take from it. */
    readonly env: Readonly<NodeJS.ProcessEnv> = {},
  ) {}

  /** The raw value, or undefined when unset or empty. */
  get(section: string, key: string): string | undefined {
    this.assertKnown(section, key);
    const value = this.settings.get(settingId(section, key))?.value;
    return value === undefined || value === '' ? undefined : value;
  }

  where(section: string, key: string): string {
    const setting = this.settings.get(settingId(section, key));
    return setting ? describeSource(setting.source) : 'nowhere (not set)';
  }

  fail(section: string, key: string, expected: string): never {
    const raw = this.settings.get(settingId(section, key))?.value ?? '';
    throw new ConfigError(
      `[${section}] ${key} = ${JSON.stringify(raw)} (from ${this.where(section, key)}; ` +
        `env ${envVarName(section, key)}): expected ${expected}`,
    );
  }

  string(section: string, key: string): string {
    const value = this.get(section, key);
    if (value === undefined) this.fail(section, key, 'a value (it is required)');
    return value;
  }

  optionalString(section: string, key: string): string | undefined {
    return this.get(section, key);
  }

  int(section: string, key: string, range: { min: number; max: number; unit?: string }): number {
    const raw = this.string(section, key);
    const value = Number(raw);
    if (!/^-?\d+$/.test(raw.trim()) || value < range.min || value > range.max) {
      this.fail(section, key, `a whole number${range.unit ? ` of ${range.unit}` : ''} from ${range.min} to ${range.max}`);
    }
    return value;
  }

  number(section: string, key: string, range: { min: number; max: number; unit?: string }): number {
    const raw = this.string(section, key);
    const value = Number(raw);
    if (raw.trim() === '' || !Number.isFinite(value) || value < range.min || value > range.max) {
      this.fail(section, key, `a number${range.unit ? ` of ${range.unit}` : ''} from ${range.min} to ${range.max}`);
    }
    return value;
  }

  bool(section: string, key: string): boolean {
    const raw = this.string(section, key).trim().toLowerCase();
    if (['true', 'yes', '1', 'on'].includes(raw)) return true;
    if (['false', 'no', '0', 'off'].includes(raw)) return false;
    return this.fail(section, key, 'true or false');
  }

  /** Comma-separated list; blanks dropped. */
  list(section: string, key: string): string[] {
    return (this.get(section, key) ?? '')
      .split(',')
      .map((item) => item.trim())
      .filter((item) => item !== '');
  }

  /**
   * An http(s) URL without its trailing slash, or undefined when unset and `optional`. `origin`:
   * scheme and host only (a base the client appends paths to).
   */
  httpUrl(section: string, key: string, options: { optional?: boolean; origin?: boolean; example?: string } = {}): string | undefined {
    const raw = options.optional ? this.get(section, key) : this.string(section, key);
    if (raw === undefined) return undefined;
    const value = raw.trim().replace(/\/+$/, '');
    const shape = options.origin ? /^https?:\/\/[^/\s]+$/ : /^https?:\/\/[^/\s]+/;
    if (!URL.canParse(value) || !shape.test(value)) {
      const what = options.origin ? 'an http:// or https:// origin' : 'an http:// or https:// URL';
      this.fail(section, key, `${what}${options.example ? ` such as ${options.example}` : ''}${options.optional ? ', or nothing' : ''}`);
    }
    return value;
  }

  /** A folder path or an s3://bucket/prefix URL. */
  lakeUrl(section: string, key: string): string {
    const value = this.string(section, key).trim();
    if (value.startsWith('s3://')) {
      const bucket = value.slice(5).split('/')[0];
      if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket)) {
        this.fail(section, key, 's3://BUCKET/PREFIX with a DNS-valid bucket name (3-63 of a-z 0-9 . -)');
      }
      return value.replace(/\/+$/, '');
    }
    // Anything that looks like a URL but is not s3://bucket (`s3:/b/x`, `S3://b`, `s3//b/x`,
    // `https://…`) is a typo, never a folder: taken as one, the rows would go to a local folder named
    // `s3:` that dies with the container while the run reports success.
    const looksLikeUrl = /^[a-z][a-z0-9+.-]*:/i.test(value) && !/^[a-z]:[\\/]/i.test(value);
    if (looksLikeUrl || /^s3\/\//i.test(value)) {
      const meant = `s3://${value.replace(/^s3:?\/*/i, '')}`;
      this.fail(section, key, `a folder path or an s3:// URL (s3://BUCKET/PREFIX); this looks like a URL but is not one${/^s3/i.test(value) ? ` (did you mean ${meant}?)` : ''}`);
    }
    return value;
  }

  private assertKnown(section: string, key: string): void {
    if (!this.settings.has(settingId(section, key))) {
      // A programming error, not a user one: every key must be listed in config/default.ini.
      throw new Error(`config key [${section}] ${key} is not declared in config/default.ini`);
    }
  }
}

export type FlagOverrides = Record<string, { value: string; flag: string }>;

/** `--lake URL` as a flag override of [lake] url (every command with --lake uses this). */
export function lakeFlag(lake: string | undefined): FlagOverrides {
  return lake !== undefined ? { 'lake.url': { value: lake, flag: '--lake' } } : {};
}

export interface LoadConfigOptions {
  env?: NodeJS.ProcessEnv;
  /** Flag overrides: `{ 'lake.url': { value, flag: '--lake' } }`. */
  flags?: FlagOverrides;
  /** Load `.env` from this folder into `env` (never overriding what is already set). Default: cwd. */
  dotenvDir?: string | null;
  defaultsFile?: string;
}

type IniTree = Record<string, unknown>;

function readIni(file: string, isDefault: boolean): Map<string, string> {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError(`cannot read config file ${file}: ${(error as Error).message}`);
  }
  const tree = ini.parse(text) as IniTree;
  const out = new Map<string, string>();
  for (const [section, body] of Object.entries(tree)) {
    if (typeof body !== 'object' || body === null) {
      throw new ConfigError(`${file}: "${section}" is outside any [section]; put every key under a section`);
    }
    for (const [key, value] of Object.entries(body as Record<string, unknown>)) {
      // ini turns bare true/false into booleans; settings are text until a typed accessor reads them.
      if (typeof value === 'boolean') {
        out.set(settingId(section, key), String(value));
        continue;
      }
      if (typeof value !== 'string') {
        throw new ConfigError(`${file}: [${section}] ${key} must be a plain value (found a nested section or array)`);
      }
      if (!isDefault && looksSecret(key)) {
        throw new ConfigError(
          `${file}: [${section}] ${key} looks like a secret; secrets are read only from the environment ` +
            `(set ${envVarName(section, key)} or see .env.example), never from config files`,
        );
      }
      out.set(settingId(section, key), value);
    }
  }
  return out;
}

/**
 * Layers, later wins: config/default.ini → the ini file named by SOUNDLAKE_CONFIG → environment
 * (after loading .env) → command-line flags. Only keys declared in default.ini exist, so a typo in a
 * user file is an error rather than a silently ignored setting.
 */
export function loadConfig(options: LoadConfigOptions = {}): Config {
  const env = options.env ?? process.env;
  if (options.dotenvDir !== null) {
    const envFile = path.join(options.dotenvDir ?? process.cwd(), '.env');
    if (fs.existsSync(envFile)) dotenv.config({ path: envFile, processEnv: env as Record<string, string>, quiet: true });
  }
  registerSecretsFromEnv(env);

  const defaultsFile = options.defaultsFile ?? path.join(packageRoot(), 'config', 'default.ini');
  const settings = new Map<string, Setting>();
  for (const [id, value] of readIni(defaultsFile, true)) {
    settings.set(id, { value, source: { kind: 'default', file: path.relative(process.cwd(), defaultsFile) || defaultsFile } });
  }

  const userFile = env.SOUNDLAKE_CONFIG;
  if (userFile) {
    for (const [id, value] of readIni(userFile, false)) {
      if (!settings.has(id)) {
        const [section, key] = splitId(id);
        const known = [...settings.keys()].filter((other) => other.startsWith(`${section}.`)).map((other) => splitId(other)[1]);
        const meant = closestName(key, known);
        throw new ConfigError(`${userFile}: unknown setting [${section}] ${key}${meant ? ` (did you mean ${meant}?)` : ''}; the known settings are listed in config/default.ini`);
      }
      settings.set(id, { value, source: { kind: 'file', file: userFile } });
    }
  }

  for (const id of settings.keys()) {
    const [section, key] = splitId(id);
    const variable = envVarName(section, key);
    const value = env[variable];
    if (value !== undefined) settings.set(id, { value, source: { kind: 'env', variable } });
  }
  refuseUnknownSettingVariables(env, [...settings.keys()]);

  for (const [id, { value, flag }] of Object.entries(options.flags ?? {})) {
    if (!settings.has(id)) throw new Error(`flag ${flag} maps to undeclared setting ${id}`);
    settings.set(id, { value, source: { kind: 'flag', flag } });
  }
  return new Config(settings, env);
}

/**
 * A variable named like a setting (its section's prefix: LAKE_, RUN_, LISTENING_EVENTS_, …) that is
 * no setting, secret or other variable soundlake reads is a typo: refused like an unknown key in an
 * ini file, instead of leaving the setting at its default without a word.
 */
function refuseUnknownSettingVariables(env: NodeJS.ProcessEnv, ids: readonly string[]): void {
  const settingVariables = ids.map((id) => envVarName(...splitId(id)));
  const known = new Set<string>([...settingVariables, ...SECRET_ENV_VARS, ...OTHER_ENV_VARS]);
  const prefixes = [...new Set(ids.map((id) => envVarName(splitId(id)[0], '')))];
  for (const variable of Object.keys(env)) {
    if (known.has(variable) || !prefixes.some((prefix) => variable.startsWith(prefix))) continue;
    const meant = closestName(variable, known);
    throw new ConfigError(
      `environment variable ${variable} names no setting${meant ? ` (did you mean ${meant}?)` : ''}; ` +
        'the settings and their variables are listed in config/default.ini (a variable not meant for soundlake must not start with a section prefix such as LAKE_ or RUN_)',
    );
  }
}

function splitId(id: string): [string, string] {
  const dot = id.indexOf('.');
  return [id.slice(0, dot), id.slice(dot + 1)];
}
