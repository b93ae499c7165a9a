import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import S3rver from 's3rver';

export interface RunningS3 {
  endpoint: string;
  bucket: string;
  /** Environment for a soundlake run against this server. */
  env: Record<string, string>;
  /** Where s3rver keeps objects on disk. */
  directory: string;
  stop(): Promise<void>;
}

/**
 * A real S3 server (s3rver) on 127.0.0.1 with a random port, driven by the real AWS SDK.
 * s3rver needs a DNS-valid bucket name and path-style requests; its default keys are S3RVER/S3RVER.
 */
export async function startS3(bucket = 'music-lake'): Promise<RunningS3> {
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), 's3rver-'));
  const server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory, configureBuckets: [{ name: bucket }] });
  const { port } = await server.run();
  const endpoint = `http://127.0.0.1:${port}`;
  return {
    endpoint,
    bucket,
    directory,
    env: {
      S3_ENDPOINT: endpoint,
      S3_FORCE_PATH_STYLE: 'true',
      S3_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'S3RVER',
      AWS_SECRET_ACCESS_KEY: 'S3RVER',
    },
    async stop() {
      await server.close();
      fs.rmSync(directory, { recursive: true, force: true });
    },
  };
}
