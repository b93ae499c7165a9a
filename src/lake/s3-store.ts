import * as fs from 'node:fs';
import * as fsp from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import {
  CopyObjectCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
  type ServerSideEncryption,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { PermanentError, SoundlakeError } from '../core/errors';
import { s3Client, s3Settings } from '../connections/s3';
import type { Store, StoredObject } from './store';

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

/** An S3 failure, said in terms of what the user can fix. */
function describeS3Error(error: unknown, action: string, where: string): SoundlakeError {
  if (error instanceof SoundlakeError) return error;
  const message = error instanceof Error ? error.message : String(error);
  // The SDK may wrap a network error as "AWS SDK error wrapper for Error: connect ECONNREFUSED …",
  // keeping the code only in the text.
  const code = errorCode(error) !== 'Error' ? errorCode(error) : (NETWORK_CODE.exec(message)?.[1] ?? 'Error');
  const endpoint = s3Settings().endpoint ?? `AWS S3 (${s3Settings().region})`;
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

/** A lake or landing area under s3://bucket/prefix. */
export class S3Store implements Store {
  private readonly bucket: string;
  private readonly prefix: string;

  constructor(readonly url: string) {
    ({ bucket: this.bucket, prefix: this.prefix } = parseS3Url(url));
  }

  private get client(): S3Client {
    return s3Client();
  }

  describe(key: string): string {
    return `s3://${this.bucket}/${this.prefix}${key}`;
  }

  private async call<T>(action: string, key: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (error) {
      throw describeS3Error(error, action, this.describe(key));
    }
  }

  /**
   * A listing of the prefix (one page), not HeadBucket: HeadBucket needs s3:ListBucket on the whole
   * bucket, while the task role may list only its own prefixes (ecs/stack.yaml).
   */
  async check(): Promise<void> {
    await this.call('ListObjectsV2', '', () => this.client.send(new ListObjectsV2Command({ Bucket: this.bucket, Prefix: this.prefix })));
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
        out.push({ key: item.Key.slice(this.prefix.length), size: item.Size ?? 0 });
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return out.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }

  async read(key: string): Promise<Readable> {
    const response = await this.call('GetObject', key, () =>
      this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: this.prefix + key })),
    );
    if (!(response.Body instanceof Readable)) throw new PermanentError(`S3 GetObject ${this.describe(key)}: no body`);
    return response.Body;
  }

  async readText(key: string): Promise<string | undefined> {
    try {
      const response = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: this.prefix + key }));
      return await response.Body?.transformToString('utf8');
    } catch (error) {
      if (errorCode(error) === 'NoSuchKey') return undefined;
      throw describeS3Error(error, 'GetObject', this.describe(key));
    }
  }

  private encryption(isPrivate: boolean): { ServerSideEncryption?: ServerSideEncryption; SSEKMSKeyId?: string } {
    if (!isPrivate) return {};
    const kmsKeyId = s3Settings().kmsKeyId;
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

  async putFile(key: string, localPath: string): Promise<void> {
    await this.call('Upload', key, async () => {
      // lib-storage: one PutObject under 5 MiB, a multipart upload (Buffer parts) above.
      const upload = new Upload({
        client: this.client,
        params: {
          Bucket: this.bucket,
          Key: this.prefix + key,
          Body: fs.createReadStream(localPath, { highWaterMark: 1 << 20 }),
          ContentType: 'application/gzip',
        },
        queueSize: 2,
        partSize: 8 * 1024 * 1024,
        leavePartsOnError: false,
      });
      await upload.done();
    });
    await fsp.unlink(localPath);
  }

  async copy(fromKey: string, toKey: string): Promise<void> {
    // URL-encoded per segment, except `=` (partition folders): S3 accepts it either way, and
    // S3-compatible servers that decode with decodeURI (s3rver) only accept it bare.
    const encoded = (this.prefix + fromKey)
      .split('/')
      .map((segment) => encodeURIComponent(segment).replace(/%3D/g, '='))
      .join('/');
    const source = `${this.bucket}/${encoded}`;
    await this.call('CopyObject', toKey, () =>
      this.client.send(new CopyObjectCommand({ Bucket: this.bucket, Key: this.prefix + toKey, CopySource: source })),
    );
  }

  async move(fromKey: string, toKey: string): Promise<void> {
    await this.copy(fromKey, toKey);
    await this.delete([fromKey]);
  }

  async delete(keys: readonly string[]): Promise<void> {
    for (const key of keys) {
      await this.call('DeleteObject', key, () =>
        this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: this.prefix + key })),
      );
    }
  }

  spoolDir(runId: string): string {
    return path.join(os.tmpdir(), 'soundlake-spool', runId);
  }
}
