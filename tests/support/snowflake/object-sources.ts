import * as fs from 'node:fs';
import * as path from 'node:path';
import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import type { ObjectSource, StagedObject } from './pipes';

/**
 * The bucket as the emulated storage integration reads it: an s3rver through the AWS SDK, or a
 * local folder standing for `s3://bucket/` (a test whose lake is a folder).
 */
const split = (location: string) => {
  const m = /^s3:\/\/([^/]+)\/(.*)$/.exec(location);
  if (!m) throw new Error(`not an s3:// location: ${location}`);
  return { bucket: m[1], key: m[2] };
};

export function s3ObjectSource(endpoint: string): ObjectSource {
  const client = new S3Client({ endpoint, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } });
  const object = (bucket: string, key: string, lastModified: Date, size: number): StagedObject => ({
    location: `s3://${bucket}/${key}`,
    lastModified,
    size,
    body: async () => Buffer.from(await (await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }))).Body!.transformToByteArray()),
  });
  return {
    async list(prefixLocation) {
      const { bucket, key: prefix } = split(prefixLocation);
      const out: StagedObject[] = [];
      let token: string | undefined;
      do {
        const page = await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }));
        for (const o of page.Contents ?? []) out.push(object(bucket, o.Key!, o.LastModified ?? new Date(), o.Size ?? 0));
        token = page.NextContinuationToken;
      } while (token);
      return out;
    },
    async get(location) {
      const { bucket, key } = split(location);
      const page = await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: key, MaxKeys: 1 }));
      const found = page.Contents?.find((o) => o.Key === key);
      return found ? object(bucket, key, found.LastModified ?? new Date(), found.Size ?? 0) : undefined;
    },
  };
}

/** `s3://bucket/<key>` read from `<root>/<key>`; a file's mtime is its LAST_MODIFIED. */
export function folderObjectSource(bucket: string, root: string): ObjectSource {
  const object = (key: string): StagedObject => {
    const file = path.join(root, key);
    const stat = fs.statSync(file);
    return { location: `s3://${bucket}/${key}`, lastModified: stat.mtime, size: stat.size, body: async () => fs.readFileSync(file) };
  };
  const walk = (dir: string): string[] =>
    fs.existsSync(dir) ? fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(path.join(dir, e.name)) : [path.join(dir, e.name)])) : [];
  return {
    async list(prefixLocation) {
      const { key: prefix } = split(prefixLocation);
      return walk(root)
        .map((file) => path.relative(root, file).split(path.sep).join('/'))
        .filter((key) => key.startsWith(prefix))
        .map(object);
    },
    async get(location) {
      const { key } = split(location);
      return fs.existsSync(path.join(root, key)) ? object(key) : undefined;
    },
  };
}
