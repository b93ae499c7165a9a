import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as fsp from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import {
  CopyObjectCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
  type ServerSideEncryption,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { ConfigError, PermanentError, SoundlakeError, TransientError } from '../core/errors';
import { withRetry } from '../core/retry';
import type { S3Settings } from '../connections/s3';
import { withIdleTimeout } from './idle-timeout';
import { sameVersion, type GuardedMoveOutcome, type ObjectVersion, type PublishOutcome, type Store, type StoredObject } from './store';

/** `s3://bucket/some/prefix` → bucket and prefix (no leading slash, trailing slash when not empty). */
export function parseS3Url(url: string): { bucket: string; prefix: string } {
  const m = /^s3:\/\/([^/]+)\/?(.*)$/.exec(url);
  if (!m) throw new Error(`not an s3:// URL: ${url}`);
  const prefix = m[2].replace(/^\/+|\/+$/g, '');
  return { bucket: m[1], prefix: prefix ? `${prefix}/` : '' };
}

const NETWORK_CODE = /\b(ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|ECONNRESET|EPIPE)\b/;

function errorCode(error: unknown): string {
  const e = error as { name?: string; code?: string; Code?: string };
  return e.code ?? e.Code ?? e.name ?? 'Error';
}

function httpStatus(error: unknown): number | undefined {
  return (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
}

/** 412: a conditional write found the key taken (If-None-Match) or the source changed (If-Match). */
const isPreconditionFailed = (error: unknown) => httpStatus(error) === 412 || errorCode(error) === 'PreconditionFailed';
/** 409: two conditional writes to one key raced; S3 asks to retry. */
const isConflict = (error: unknown) => httpStatus(error) === 409 || errorCode(error) === 'ConditionalRequestConflict';
const isMissing = (error: unknown) => httpStatus(error) === 404 || errorCode(error) === 'NoSuchKey' || errorCode(error) === 'NotFound';

/** A 409 while it is retried; the SDK's own error once the retries are spent. */
class ConflictRetry extends TransientError {}

/**
 * Tries a conditional write again while S3 answers 409 (a concurrent conditional write to the
 * key), through the one retry helper: 6 attempts, 100 ms backoff doubling. Callers get the SDK's
 * error as it was, to tell 412 from 404.
 */
async function retryConflicts<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await withRetry(
      async () => {
        try {
          return await fn();
        } catch (error) {
          throw isConflict(error) ? new ConflictRetry('S3 answered 409 (a concurrent conditional write)', { cause: error }) : error;
        }
      },
      { attempts: 6, baseDelayMs: 100, maxDelayMs: 3200 },
    );
  } catch (error) {
    throw error instanceof ConflictRetry ? error.cause : error;
  }
}

/** Keys per DeleteObjects request (S3's limit). */
const DELETE_BATCH = 1000;

/** An S3 failure, said in terms of what the user can fix. */
function describeS3Error(error: unknown, action: string, where: string, settings: S3Settings): SoundlakeError {
  if (error instanceof SoundlakeError) return error;
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof Error && error.name === 'CredentialsProviderError') {
    // Configuration, not a failed run: nothing will work until credentials are set (exit 2).
    return new ConfigError(
      `S3 ${action} ${where}: no AWS credentials found. Set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (plus AWS_SESSION_TOKEN for temporary ones) ` +
        'in the environment or .env, or AWS_PROFILE with ~/.aws/credentials mounted; on ECS the task role provides them',
      { cause: error },
    );
  }
  // The SDK may wrap a network error as "AWS SDK error wrapper for Error: connect ECONNREFUSED …",
  // keeping the code only in the text.
  const code = errorCode(error) !== 'Error' ? errorCode(error) : (NETWORK_CODE.exec(message)?.[1] ?? 'Error');
  const endpoint = settings.endpoint ?? `AWS S3 (${settings.region})`;
  let hint = '';
  if (NETWORK_CODE.test(code) || code === 'TimeoutError') {
    hint = `cannot reach ${endpoint}; check [s3] endpoint (S3_ENDPOINT) and the network`;
  } else if (code === 'NoSuchBucket') {
    hint = 'the bucket does not exist; create it or fix the URL';
  } else if (code === 'AccessDenied' || code === 'Forbidden' || code === 'InvalidAccessKeyId' || code === 'SignatureDoesNotMatch') {
    hint = 'access denied; check the AWS credentials or the task role policy for this prefix';
  }
  return new PermanentError(`S3 ${action} ${where} failed (${code}): ${hint || message}`, { cause: error });
}

/**
 * What an S3Store is handed: the settings it was configured with and its client, created on first
 * use (a run that never calls S3 never loads the SDK's connection).
 */
export interface S3Connection {
  settings: S3Settings;
  client: () => S3Client;
}

/** A lake or landing area under s3://bucket/prefix. */
export class S3Store implements Store {
  private readonly bucket: string;
  private readonly prefix: string;
  private readonly settings: S3Settings;

  constructor(
    readonly url: string,
    private readonly connection: S3Connection,
  ) {
    ({ bucket: this.bucket, prefix: this.prefix } = parseS3Url(url));
    this.settings = connection.settings;
  }

  private get client(): S3Client {
    return this.connection.client();
  }

  describe(key: string): string {
    return `s3://${this.bucket}/${this.prefix}${key}`;
  }

  private async call<T>(action: string, key: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (error) {
      throw describeS3Error(error, action, this.describe(key), this.settings);
    }
  }

  /**
   * A listing of the prefix (one page), not HeadBucket: HeadBucket needs s3:ListBucket on the whole
   * bucket, while the task role may list only its own prefixes (ecs/job-tasks.ts).
   */
  async check(): Promise<void> {
    // The top level only (a handful of folders): enough to prove the bucket answers and the credentials may list it.
    await this.call('ListObjectsV2', '', () => this.client.send(new ListObjectsV2Command({ Bucket: this.bucket, Prefix: this.prefix, Delimiter: '/' })));
  }

  async list(prefix: string, options: { recursive?: boolean } = {}): Promise<StoredObject[]> {
    const out: StoredObject[] = [];
    let token: string | undefined;
    do {
      const page = await this.call('ListObjectsV2', prefix, () =>
        this.client.send(
          new ListObjectsV2Command({
            Bucket: this.bucket,
            Prefix: this.prefix + prefix,
            Delimiter: options.recursive === false ? '/' : undefined,
            ContinuationToken: token,
          }),
        ),
      );
      for (const item of page.Contents ?? []) {
        if (item.Key === undefined) continue;
        out.push({
          key: item.Key.slice(this.prefix.length),
          size: item.Size ?? 0,
          modifiedMs: item.LastModified?.getTime() ?? 0,
          etag: item.ETag,
        });
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return out.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }

  async stat(key: string): Promise<ObjectVersion | undefined> {
    try {
      const head = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: this.prefix + key }));
      return { size: head.ContentLength ?? 0, modifiedMs: head.LastModified?.getTime() ?? 0, etag: head.ETag, sha256: head.Metadata?.sha256 };
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw describeS3Error(error, 'HeadObject', this.describe(key), this.settings);
    }
  }

  /** With `version`, GetObject If-Match its ETag: a version overwritten since it was listed is not read. */
  async read(key: string, version?: ObjectVersion): Promise<Readable> {
    const response = await this.call('GetObject', key, () =>
      this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: this.prefix + key, IfMatch: version?.etag })),
    );
    if (!(response.Body instanceof Readable)) throw new PermanentError(`S3 GetObject ${this.describe(key)}: no body`);
    return this.watched(response.Body, key);
  }

  /** The body of a GetObject, failed (transient: retried where reads are retried) when it stops arriving for the request timeout. */
  private watched(body: Readable, key: string): Readable {
    const idleMs = this.settings.requestTimeoutMs;
    return withIdleTimeout(body, idleMs, () => new TransientError(`S3 GetObject ${this.describe(key)}: the response body stopped arriving (no data for ${idleMs} ms, [s3] request_timeout_ms)`));
  }

  async readText(key: string): Promise<string | undefined> {
    try {
      const response = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: this.prefix + key }));
      if (!(response.Body instanceof Readable)) return await response.Body?.transformToString('utf8');
      const chunks: Buffer[] = [];
      for await (const chunk of this.watched(response.Body, key)) chunks.push(chunk as Buffer);
      return Buffer.concat(chunks).toString('utf8');
    } catch (error) {
      if (error instanceof TransientError) throw error;
      if (errorCode(error) === 'NoSuchKey') return undefined;
      throw describeS3Error(error, 'GetObject', this.describe(key), this.settings);
    }
  }

  private encryption(isPrivate: boolean): { ServerSideEncryption?: ServerSideEncryption; SSEKMSKeyId?: string } {
    if (!isPrivate) return {};
    const kmsKeyId = this.settings.kmsKeyId;
    return kmsKeyId ? { ServerSideEncryption: 'aws:kms', SSEKMSKeyId: kmsKeyId } : { ServerSideEncryption: 'AES256' };
  }

  async putText(key: string, text: string, options: { private?: boolean } = {}): Promise<void> {
    await this.call('PutObject', key, () =>
      this.client.send(
        new PutObjectCommand({
          Bucket: this.bucket,
          Key: this.prefix + key,
          Body: text,
          ContentType: key.endsWith('.json') ? 'application/json' : 'text/plain; charset=utf-8',
          ...this.encryption(options.private ?? false),
        }),
      ),
    );
  }

  /**
   * PutObject If-None-Match: * (S3 conditional writes). With `[s3] conditional_writes = false`, for
   * servers without them, a HeadObject first: racy, so only the job lease keeps two writers apart.
   */
  async putTextIfAbsent(key: string, text: string): Promise<boolean> {
    const conditional = this.settings.conditionalWrites;
    if (!conditional && (await this.stat(key)) !== undefined) return false;
    try {
      await retryConflicts(() =>
        this.client.send(
          new PutObjectCommand({
            Bucket: this.bucket,
            Key: this.prefix + key,
            Body: text,
            ContentType: 'application/json',
            ...(conditional ? { IfNoneMatch: '*' } : {}),
          }),
        ),
      );
      return true;
    } catch (error) {
      // A 412 after a dropped answer may be our own first attempt: the object then holds our text.
      if (isPreconditionFailed(error)) return (await this.readText(key)) === text;
      throw describeS3Error(error, 'PutObject', this.describe(key), this.settings);
    }
  }

  async putFile(key: string, localPath: string, options: { sha256?: string; private?: boolean } = {}): Promise<void> {
    await this.call('Upload', key, async () => {
      // lib-storage: one PutObject under 5 MiB, a multipart upload (Buffer parts) above.
      const upload = new Upload({
        client: this.client,
        params: {
          Bucket: this.bucket,
          Key: this.prefix + key,
          Body: fs.createReadStream(localPath, { highWaterMark: 1 << 20 }),
          ContentType: key.endsWith('.gz') ? 'application/gzip' : 'application/octet-stream',
          // Kept with the object (CopyObject copies metadata): a resumed commit compares it.
          ...(options.sha256 ? { Metadata: { sha256: options.sha256 } } : {}),
          ...this.encryption(options.private ?? false),
        },
        queueSize: 2,
        partSize: 8 * 1024 * 1024,
        leavePartsOnError: false,
      });
      try {
        await upload.done();
      } catch (error) {
        // A retried CompleteMultipartUpload whose first answer was lost fails on some servers although
        // the object is whole: the sha256 it carries tells.
        const stored = options.sha256 ? await this.stat(key).catch(() => undefined) : undefined;
        if (stored?.sha256 !== options.sha256 || stored?.size !== (await fsp.stat(localPath)).size) throw error;
      }
    });
    await fsp.unlink(localPath);
  }

  /** CopyObject, raw errors: callers decide what 412 and 404 mean. */
  private copy(fromKey: string, toKey: string, conditions: { ifNoneMatch?: boolean; sourceEtag?: string }): Promise<unknown> {
    // URL-encoded per segment, except `=` (partition folders): S3 accepts it either way, and
    // S3-compatible servers that decode with decodeURI (s3rver) only accept it bare.
    const encoded = (this.prefix + fromKey)
      .split('/')
      .map((segment) => encodeURIComponent(segment).replace(/%3D/g, '='))
      .join('/');
    return this.client.send(
      new CopyObjectCommand({
        Bucket: this.bucket,
        Key: this.prefix + toKey,
        CopySource: `${this.bucket}/${encoded}`,
        ...(conditions.ifNoneMatch ? { IfNoneMatch: '*' } : {}),
        ...(conditions.sourceEtag ? { CopySourceIfMatch: conditions.sourceEtag } : {}),
      }),
    );
  }

  async publish(fromKey: string, toKey: string, sha256: string): Promise<PublishOutcome> {
    const conditional = this.settings.conditionalWrites;
    let taken = !conditional && (await this.stat(toKey)) !== undefined;
    if (!taken) {
      try {
        await retryConflicts(() => this.copy(fromKey, toKey, { ifNoneMatch: conditional }));
        await this.delete([fromKey]);
        return 'published';
      } catch (error) {
        if (!isPreconditionFailed(error) && !isMissing(error)) throw describeS3Error(error, 'CopyObject', this.describe(toKey), this.settings);
        taken = true;
      }
    }
    const present = await this.stat(toKey);
    if (present === undefined) throw new PermanentError(`staged file ${this.describe(fromKey)} is missing and ${this.describe(toKey)} does not exist: the run package cannot be committed`);
    if (present.sha256 !== sha256) {
      throw new PermanentError(
        `${this.describe(toKey)} already exists with other contents (sha256 ${present.sha256 ?? 'unknown'}, expected ${sha256}); a final key is never replaced`,
      );
    }
    await this.delete([fromKey]);
    return 'present';
  }

  /** CopyObject with CopySourceIfMatch (the ETag read), then DeleteObject. */
  async moveIfUnchanged(fromKey: string, toKey: string, expected: ObjectVersion): Promise<GuardedMoveOutcome> {
    const [current, target] = await Promise.all([this.stat(fromKey), this.stat(toKey)]);
    if (current === undefined) return target ? 'moved' : 'gone';
    if (!sameVersion(current, expected)) return 'changed';
    if (target === undefined) {
      try {
        await retryConflicts(() => this.copy(fromKey, toKey, { ifNoneMatch: this.settings.conditionalWrites, sourceEtag: expected.etag }));
      } catch (error) {
        if (isMissing(error)) return (await this.stat(toKey)) ? 'moved' : 'gone';
        if (!isPreconditionFailed(error)) throw describeS3Error(error, 'CopyObject', this.describe(toKey), this.settings);
        if ((await this.stat(toKey)) === undefined) return 'changed';
      }
    }
    await this.delete([fromKey]);
    return 'moved';
  }

  /** One key: DeleteObject; more: DeleteObjects, 1000 keys a request (a key already gone counts as deleted). */
  async delete(keys: readonly string[]): Promise<void> {
    if (keys.length === 1) {
      await this.call('DeleteObject', keys[0], () => this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: this.prefix + keys[0] })));
      return;
    }
    for (let at = 0; at < keys.length; at += DELETE_BATCH) {
      const batch = keys.slice(at, at + DELETE_BATCH);
      const answer = await this.call('DeleteObjects', batch[0], () =>
        this.client.send(
          new DeleteObjectsCommand({ Bucket: this.bucket, Delete: { Objects: batch.map((key) => ({ Key: this.prefix + key })), Quiet: true } }),
        ),
      );
      // DeleteObjects answers 200 and lists per key what failed (AccessDenied, InternalError, …).
      const failed = answer.Errors ?? [];
      if (failed.length > 0) {
        const first = failed[0];
        throw new PermanentError(
          `S3 DeleteObjects failed for ${failed.length} of ${batch.length} keys, e.g. s3://${this.bucket}/${first.Key ?? '?'} (${first.Code ?? 'Error'}: ${first.Message ?? 'no message'})`,
        );
      }
    }
  }

  spoolDir(scope: string, runId: string): string {
    return path.join(this.spoolRoot(scope), runId);
  }

  /** Per lake and scope: runs of one scope on one lake are kept apart by the lease, other lakes by the hash. */
  spoolRoot(scope: string): string {
    const lake = createHash('sha256').update(`${this.settings.endpoint ?? 'aws'} ${this.url}`).digest('hex').slice(0, 12);
    return path.join(os.tmpdir(), 'soundlake-spool', lake, scope);
  }
}
