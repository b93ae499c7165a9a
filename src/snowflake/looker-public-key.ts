import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import type { Config } from '../core/config';

/**
 * The public half of Looker's key pair, from the PEM file `[looker] public_key_path` names, as the
 * bare base64 body Snowflake's RSA_PUBLIC_KEY takes; undefined when the setting is empty (setup
 * then skips the service user). The file is checked to hold an RSA public key: a private key put
 * there by mistake is refused, and its contents never reach a message.
 */
export function readLookerPublicKey(config: Config): string | undefined {
  const file = config.optionalString('looker', 'public_key_path');
  if (!file) return undefined;
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    return config.fail('looker', 'public_key_path', `a readable PEM file (${(error as NodeJS.ErrnoException).code ?? 'unreadable'})`);
  }
  if (/PRIVATE KEY-----/.test(text)) {
    return config.fail('looker', 'public_key_path', 'the PUBLIC key (openssl rsa -in key.p8 -pubout); this file holds a private key, which must stay with Looker');
  }
  let key: crypto.KeyObject;
  try {
    key = crypto.createPublicKey({ key: text, format: 'pem' });
  } catch {
    return config.fail('looker', 'public_key_path', 'a PEM public key (-----BEGIN PUBLIC KEY-----)');
  }
  if (key.asymmetricKeyType !== 'rsa') config.fail('looker', 'public_key_path', `an RSA public key (Snowflake key-pair auth), not ${key.asymmetricKeyType ?? 'this kind of key'}`);
  const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
  if (bits < 2048) config.fail('looker', 'public_key_path', `an RSA key of at least 2048 bits (this one has ${bits})`);
  return key.export({ type: 'spki', format: 'der' }).toString('base64');
}
