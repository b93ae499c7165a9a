import type { S3Client } from '@aws-sdk/client-s3';
import type { Config } from '../core/config';
import { ConfigError } from '../core/errors';
import { readSecret } from '../core/secrets';
import { lazyConnection } from './connection';

/** `[s3]` settings, read and validated before any I/O. */
export interface S3Settings {
  region: string;
  /** S3-compatible endpoint (MinIO, s3rver); undefined for AWS. */
  endpoint?: string;
  forcePathStyle: boolean;
  kmsKeyId?: string;
  /** Uploads and copies in flight at once. */
  concurrency: number;
  requestTimeoutMs: number;
  maxAttempts: number;
  /**
   * The server honours conditional writes (If-None-Match / If-Match, as AWS S3 does since 2024).
   * Off: a check before each write, which only the job lease keeps safe (docs/exactly-once-protocol.md).
   */
  conditionalWrites: boolean;
  /**
   * Static keys when the environment has AWS_ACCESS_KEY_ID (a laptop's .env, MinIO); otherwise the
   * SDK's default chain finds them (the ECS task role in production).
   */
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
}

export function readS3Settings(config: Config): S3Settings {
  // Empty for AWS.
  const endpoint = config.httpUrl('s3', 'endpoint', { optional: true });
  return {
    region: config.string('s3', 'region'),
    endpoint,
    forcePathStyle: config.bool('s3', 'force_path_style'),
    kmsKeyId: config.optionalString('s3', 'kms_key_id'),
    concurrency: config.int('s3', 'concurrency', { min: 1, max: 64 }),
    requestTimeoutMs: config.int('s3', 'request_timeout_ms', { min: 1000, max: 600_000, unit: 'milliseconds' }),
    maxAttempts: config.int('s3', 'max_attempts', { min: 1, max: 20 }),
    conditionalWrites: config.bool('s3', 'conditional_writes'),
    credentials: staticCredentials(config.env),
  };
}

function staticCredentials(env: Readonly<NodeJS.ProcessEnv>): S3Settings['credentials'] {
  const accessKeyId = env.AWS_ACCESS_KEY_ID;
  if (!accessKeyId) return undefined;
  const secretAccessKey = readSecret('AWS_SECRET_ACCESS_KEY', env);
  if (!secretAccessKey) {
    throw new ConfigError('AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not; set both, or neither to use the default credential chain');
  }
  return { accessKeyId, secretAccessKey, sessionToken: readSecret('AWS_SESSION_TOKEN', env) };
}

let settings: S3Settings | undefined;

const connection = lazyConnection(
  () => {
    if (!settings) throw new Error('S3 used before configureS3()');
    // Loaded on first use: runs on a local lake never pay the SDK's start-up time and memory.
    const { S3Client: Client } = require('@aws-sdk/client-s3') as typeof import('@aws-sdk/client-s3');
    return new Client({
      region: settings.region,
      endpoint: settings.endpoint,
      // S3-compatible servers want the bucket in the path; an explicit endpoint implies it too.
      forcePathStyle: settings.forcePathStyle || settings.endpoint !== undefined,
      maxAttempts: settings.maxAttempts,
      credentials: settings.credentials,
      // throwOnRequestTimeout: without it the SDK only logs a warning and a stalled request hangs the run.
      requestHandler: { requestTimeout: settings.requestTimeoutMs, connectionTimeout: 10_000, throwOnRequestTimeout: true },
      // SDK ≥ 3.729 sends streamed bodies aws-chunked with trailing checksums, which S3-compatible
      // servers may store verbatim inside the object (s3rver does). AWS itself accepts either.
      ...(settings.endpoint !== undefined
        ? { requestChecksumCalculation: 'WHEN_REQUIRED' as const, responseChecksumValidation: 'WHEN_REQUIRED' as const }
        : {}),
    });
  },
  (client) => client.destroy(),
);

/** Sets the settings the lazy client is created with; a change closes the current client. */
export async function configureS3(next: S3Settings): Promise<void> {
  if (settings && JSON.stringify(settings) !== JSON.stringify(next)) await connection.close();
  settings = next;
}

export function s3Settings(): S3Settings {
  if (!settings) throw new Error('S3 used before configureS3()');
  return settings;
}

export function s3Client(): S3Client {
  return connection.get();
}
