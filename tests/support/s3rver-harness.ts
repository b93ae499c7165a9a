import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import S3rver from 's3rver';
import { S3Front } from './s3-front';

export interface RunningS3 {
  /** Where clients connect: the front (conditional writes, injected faults) before s3rver. */
  endpoint: string;
  /** Add faults here; see S3Front. */
  front: S3Front;
  bucket: string;
  /** Environment for a soundlake run against this server. */
  env: Record<string, string>;
  /** Where s3rver keeps objects on disk. */
  directory: string;
  /** Calls `listener` with each S3 event notification record s3rver emits (object created, removed). */
  onEvent(listener: (record: S3EventRecord) => void): void;
  stop(): Promise<void>;
}

/**
 * A real S3 server (s3rver) on 127.0.0.1 with a random port, driven by the real AWS SDK through
 * S3Front, which adds the conditional writes AWS S3 has and s3rver lacks, and injects faults.
 * s3rver needs a DNS-valid bucket name and path-style requests; its default keys are S3RVER/S3RVER.
 */
/** The part of an S3 event notification record the tests read (s3rver emits AWS's shape). */
export interface S3EventRecord {
  eventName: string;
  s3: { bucket: { name: string }; object: { key: string; size?: number } };
}

export async function startS3(bucket = 'music-lake'): Promise<RunningS3> {
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), 's3rver-'));
  const server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory, configureBuckets: [{ name: bucket }] });
  const { port } = await server.run();
  const front = await new S3Front(`http://127.0.0.1:${port}`).start();
  const endpoint = front.url;
  return {
    endpoint,
    front,
    bucket,
    directory,
    env: {
      S3_ENDPOINT: endpoint,
      S3_FORCE_PATH_STYLE: 'true',
      S3_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'S3RVER',
      AWS_SECRET_ACCESS_KEY: 'S3RVER',
    },
    onEvent(listener) {
      server.on('event', (event: { Records: S3EventRecord[] }) => event.Records.forEach(listener));
    },
    async stop() {
      await front.stop();
      await server.close();
      fs.rmSync(directory, { recursive: true, force: true });
    },
  };
}
