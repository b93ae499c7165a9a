import { s3Client, s3Settings } from '../connections/s3';
import { LocalStore } from './local-store';
import type { Store } from './store';

/** `s3://bucket/prefix` → S3Store (configure S3 first); anything else is a local folder. */
export function openStore(url: string): Store {
  if (!url.startsWith('s3://')) return new LocalStore(url);
  // Loaded on first use, with the AWS SDK behind it: a local lake never pays for it.
  const { S3Store } = require('./s3-store') as typeof import('./s3-store');
  return new S3Store(url, { settings: s3Settings(), client: s3Client });
}
