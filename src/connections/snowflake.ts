import type { Config } from '../core/config';
import { ConfigError, NeedsPersonError, PermanentError, SoundlakeError, TransientError } from '../core/errors';
import { readSecret } from '../core/secrets';
import { lazyConnection } from './connection';

/** `[snowflake]` settings plus the secrets from the environment; validated before any I/O. */
export interface SnowflakeSettings {
  account: string;
  user: string;
  role: string;
  warehouse: string;
  database: string;
  accessUrl?: string;
  password?: string;
  privateKeyPath?: string;
  privateKeyPass?: string;
}

/**
 * `as`: the role the session starts as — the loader role for the everyday commands, or
 * `[snowflake] admin_role` for setup's bootstrap (a role setup itself creates cannot be the one it
 * logs in with on a new account).
 */
export function readSnowflakeSettings(config: Config, as: 'loader' | 'admin' = 'loader'): SnowflakeSettings {
  const account = config.string('snowflake', 'account');
  const user = config.string('snowflake', 'user');
  const privateKeyPath = config.optionalString('snowflake', 'private_key_path');
  const password = readSecret('SNOWFLAKE_PASSWORD', config.env);
  if (!privateKeyPath && !password) {
    throw new ConfigError('Snowflake needs SNOWFLAKE_PASSWORD in the environment, or [snowflake] private_key_path (SNOWFLAKE_PRIVATE_KEY_PATH) for key-pair authentication');
  }
  const accessUrl = config.httpUrl('snowflake', 'access_url', { optional: true });
  return {
    account,
    user,
    role: config.string('snowflake', as === 'admin' ? 'admin_role' : 'loader_role'),
    warehouse: config.string('snowflake', 'warehouse'),
    database: config.string('snowflake', 'database'),
    accessUrl,
    password: privateKeyPath ? undefined : password,
    privateKeyPath,
    privateKeyPass: readSecret('SNOWFLAKE_PRIVATE_KEY_PASSPHRASE', config.env),
  };
}

export type SqlRow = Record<string, unknown>;

/** What the snowflake commands need of a connection. */
export interface SqlRunner {
  query(sql: string): Promise<SqlRow[]>;
}

type SnowflakeModule = typeof import('snowflake-sdk');
type SnowflakeConnection = ReturnType<SnowflakeModule['createConnection']>;

/** Driver errors in terms of what to do; 390xxx codes are authentication failures. */
function describeError(error: unknown, what: string): SoundlakeError {
  const e = error as { code?: string | number; message?: string };
  const message = e.message ?? String(error);
  const authentication = /^390\d{3}$/.test(String(e.code ?? ''));
  // New accounts enforce multi-factor authentication on password logins; a tool cannot answer it.
  if (authentication && /\bMFA\b|multi-factor|\bDuo\b|passcode/i.test(message)) {
    return new NeedsPersonError(
      `Snowflake ${what} failed (${e.code}): the account requires multi-factor authentication for password logins (${message}). ` +
        'Use a key pair: generate one, run ALTER USER … SET RSA_PUBLIC_KEY = \'…\' as an administrator, and set [snowflake] private_key_path (SNOWFLAKE_PRIVATE_KEY_PATH); see docs/snowflake.md, "Logging in: key pairs"',
    );
  }
  if (authentication) {
    return new PermanentError(`Snowflake ${what} failed (${e.code}): ${message}; check [snowflake] user and SNOWFLAKE_PASSWORD or the key pair`);
  }
  if (/ECONNREFUSED|ENOTFOUND|ETIMEDOUT|ECONNRESET|socket hang up/i.test(message)) {
    return new TransientError(`Snowflake ${what} failed: cannot reach Snowflake (${message}); check [snowflake] account / access_url and the network`);
  }
  return new PermanentError(`Snowflake ${what} failed${e.code ? ` (${e.code})` : ''}: ${message}`);
}

let settings: SnowflakeSettings | undefined;

const connection = lazyConnection<Promise<SnowflakeConnection>>(
  async () => {
    if (!settings) throw new Error('Snowflake used before configureSnowflake()');
    const s = settings;
    // Loaded on first use: the driver is large and only these commands need it.
    const snowflake = require('snowflake-sdk') as SnowflakeModule;
    snowflake.configure({ logLevel: 'ERROR', additionalLogToConsole: false });
    const conn = snowflake.createConnection({
      account: s.account,
      username: s.user,
      role: s.role,
      warehouse: s.warehouse,
      database: s.database,
      application: 'soundlake',
      ...(s.accessUrl ? { accessUrl: s.accessUrl } : {}),
      ...(s.privateKeyPath
        ? { authenticator: 'SNOWFLAKE_JWT', privateKeyPath: s.privateKeyPath, ...(s.privateKeyPass ? { privateKeyPass: s.privateKeyPass } : {}) }
        : { password: s.password }),
    });
    await new Promise<void>((resolve, reject) => conn.connect((error) => (error ? reject(describeError(error, 'login')) : resolve())));
    return conn;
  },
  async (pending) => {
    const conn = await pending.catch(() => undefined);
    if (conn) await new Promise<void>((resolve) => conn.destroy(() => resolve()));
  },
);

export async function configureSnowflake(next: SnowflakeSettings): Promise<void> {
  if (settings && JSON.stringify(settings) !== JSON.stringify(next)) await connection.close();
  settings = next;
}

/** The process's one Snowflake session (created on first use, closed at exit). */
export const snowflakeRunner: SqlRunner = {
  async query(sql: string): Promise<SqlRow[]> {
    const conn = await connection.get();
    return new Promise((resolve, reject) =>
      conn.execute({
        sqlText: sql,
        complete: (error, _statement, rows) => (error ? reject(describeError(error, `statement "${sql.slice(0, 80)}…"`)) : resolve((rows ?? []) as SqlRow[])),
      }),
    );
  },
};
