import * as crypto from 'node:crypto';
import { sqlError } from './sql-text';

/**
 * Users and how they log in.
 *
 * - Key-pair authentication: "assign the public key to a Snowflake user using ALTER USER … SET
 *   RSA_PUBLIC_KEY='MIIBIjANBgkqh…'" — the base64 body of the PEM, no header lines. The client signs a
 *   JWT whose issuer is `ACCOUNT.USER.SHA256:<base64 SHA-256 of the public key's DER>`; Snowflake
 *   checks the signature against the user's key.
 * - CREATE USER, TYPE = SERVICE: "A service … Cannot use passwords or SAML SSO to log in." — a
 *   SERVICE user logs in with a key pair only.
 * - Multi-factor authentication: new accounts enforce MFA for password logins by default (the
 *   project's design notes, from Snowflake's MFA rollout); a tool has to use a key pair. The error a
 *   driver then gets is not documented word for word: the emulator answers with code 390100 and a
 *   message naming MFA, and soundlake detects it by those words.
 */
export interface SnowflakeUser {
  type: string;
  defaultRole?: string;
  password?: string;
  rsaPublicKey?: string;
  /** How many times RSA_PUBLIC_KEY was set (CREATE or ALTER). */
  keySets: number;
}

export interface LoginRequest {
  LOGIN_NAME?: string;
  ACCOUNT_NAME?: string;
  PASSWORD?: string;
  AUTHENTICATOR?: string;
  TOKEN?: string;
}

/** Snowflake takes the base64 DER (SPKI) body of an RSA public key, nothing else. */
export function checkPublicKey(body: string): void {
  try {
    const key = crypto.createPublicKey({ key: Buffer.from(body, 'base64'), format: 'der', type: 'spki' });
    if (key.asymmetricKeyType === 'rsa' && /^[A-Za-z0-9+/=]+$/.test(body)) return;
  } catch {
    // fall through to Snowflake's error
  }
  throw sqlError('002029', 'Invalid RSA public key');
}

const base64url = (text: string) => Buffer.from(text.replace(/-/g, '+').replace(/_/g, '/'), 'base64');

/** A JWT signed with the user's private key, issued for this account and user, not expired. */
function verifyJwt(token: string, user: string, publicKey: string, now: number): boolean {
  const [header, payload, signature] = token.split('.');
  if (!header || !payload || !signature) return false;
  const key = crypto.createPublicKey({ key: Buffer.from(publicKey, 'base64'), format: 'der', type: 'spki' });
  if (!crypto.verify('RSA-SHA256', Buffer.from(`${header}.${payload}`), key, base64url(signature))) return false;
  const claims = JSON.parse(base64url(payload).toString('utf8')) as { iss?: string; sub?: string; exp?: number };
  const fingerprint = crypto.createHash('sha256').update(Buffer.from(publicKey, 'base64')).digest('base64');
  return String(claims.iss).toUpperCase().endsWith(`.${user}.SHA256:${fingerprint}`.toUpperCase()) && (claims.exp ?? 0) * 1000 > now;
}

export class Users {
  readonly users = new Map<string, SnowflakeUser>();
  /** New accounts enforce MFA on password logins (off by default here so tests can choose). */
  mfaOnPasswordLogins = false;

  exists(name: string): boolean {
    return this.users.has(name);
  }

  /**
   * Who logs in, or the failure Snowflake reports (390100 wrong password, 390144 bad JWT). The
   * password itself is never part of an error.
   */
  authenticate(request: LoginRequest, now = Date.now()): string {
    const name = String(request.LOGIN_NAME ?? '').toUpperCase();
    const user = this.users.get(name);
    if (String(request.AUTHENTICATOR ?? '').toUpperCase() === 'SNOWFLAKE_JWT') {
      if (!user?.rsaPublicKey || !verifyJwt(String(request.TOKEN ?? ''), name, user.rsaPublicKey, now)) throw sqlError('390144', 'JWT token is invalid.');
      return name;
    }
    if (!user || user.type === 'SERVICE' || user.password === undefined || user.password !== request.PASSWORD) {
      throw sqlError('390100', 'Incorrect username or password was specified.');
    }
    if (this.mfaOnPasswordLogins) {
      throw sqlError('390100', 'Multi-factor authentication is required for this account: a password login must be completed with MFA (Duo). Use key-pair authentication for programmatic access.');
    }
    return name;
  }
}
