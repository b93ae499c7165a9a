import * as http from 'node:http';
import { listenOnLoopback } from './loopback-server';

/** S3 operations as the front sees them on the wire. */
export type S3Op =
  | 'PutObject'
  | 'CopyObject'
  | 'CreateMultipartUpload'
  | 'UploadPart'
  | 'CompleteMultipartUpload'
  | 'AbortMultipartUpload'
  | 'DeleteObject'
  | 'DeleteObjects'
  | 'GetObject'
  | 'HeadObject'
  | 'ListObjects'
  | 'Other';

/**
 * A fault to inject (`stall-body`: the answer starts, then its body stops, the connection open);
 * `reset` drops the connection before the request reaches S3; `reset-after`
 * lets S3 do the request and drops the answer (the client cannot tell whether it happened);
 * 500/503 answer InternalError/SlowDown without doing it; `slow` delays the answer by `delayMs`;
 * `hang` never answers (the connection stays open until the front stops).
 */
export interface FaultRule {
  op: S3Op;
  fault: 'reset' | 'reset-after' | 500 | 503 | 'slow' | 'hang' | 'stall-body';
  /** Only requests whose object key matches. */
  key?: RegExp;
  /** Let this many matching requests through first. Default 0. */
  after?: number;
  /** Inject this many times, then let requests through. Default: always. */
  times?: number;
  delayMs?: number;
}

interface ActiveRule extends FaultRule {
  seen: number;
  injected: number;
}

function classify(method: string, url: URL, headers: http.IncomingHttpHeaders): { op: S3Op; key: string } {
  const parts = url.pathname.split('/').filter(Boolean);
  const key = decodeURIComponent(parts.slice(1).join('/'));
  const q = url.searchParams;
  let op: S3Op = 'Other';
  if (method === 'PUT' && key) op = headers['x-amz-copy-source'] ? 'CopyObject' : q.has('partNumber') ? 'UploadPart' : 'PutObject';
  else if (method === 'POST') op = q.has('uploads') ? 'CreateMultipartUpload' : q.has('uploadId') ? 'CompleteMultipartUpload' : q.has('delete') ? 'DeleteObjects' : 'Other';
  else if (method === 'DELETE' && key) op = q.has('uploadId') ? 'AbortMultipartUpload' : 'DeleteObject';
  else if (method === 'GET') op = key ? 'GetObject' : 'ListObjects';
  else if (method === 'HEAD' && key) op = 'HeadObject';
  return { op, key };
}

function errorXml(code: string, message: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message><RequestId>front</RequestId></Error>`;
}

/**
 * What stands in front of s3rver in every S3 test: a pass-through proxy that (1) gives s3rver the
 * conditional writes AWS S3 has had since 2024 and s3rver 3.7 predates — `If-None-Match: *` on
 * PutObject, CopyObject and CompleteMultipartUpload, `If-Match` on PutObject and GetObject,
 * `x-amz-copy-source-if-match` on CopyObject, checked against the stored object under a per-key
 * lock so two racing writers get one 200 and one 412 — and (2) injects faults per operation.
 */
export class S3Front {
  url = '';
  private close?: () => Promise<void>;
  private rules: ActiveRule[] = [];
  private readonly locks = new Map<string, Promise<void>>();
  /** Requests seen per operation (faulted ones included). */
  readonly counts = new Map<S3Op, number>();
  /** Faults injected so far. */
  injected = 0;

  constructor(private readonly upstream: string) {}

  async start(): Promise<this> {
    const { url, close } = await listenOnLoopback((req, res) => void this.handle(req, res));
    this.url = url;
    this.close = close;
    return this;
  }

  async stop(): Promise<void> {
    await this.close?.();
  }

  addFault(rule: FaultRule): void {
    this.rules.push({ ...rule, seen: 0, injected: 0 });
  }

  clearFaults(): void {
    this.rules = [];
  }

  private pickFault(op: S3Op, key: string): ActiveRule | undefined {
    for (const rule of this.rules) {
      if (rule.op !== op || (rule.key && !rule.key.test(key))) continue;
      rule.seen++;
      if (rule.seen <= (rule.after ?? 0)) continue;
      if (rule.injected >= (rule.times ?? Infinity)) continue;
      rule.injected++;
      this.injected++;
      return rule;
    }
    return undefined;
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://front');
    const { op, key } = classify(req.method ?? 'GET', url, req.headers);
    this.counts.set(op, (this.counts.get(op) ?? 0) + 1);
    const fault = this.pickFault(op, key);
    if (fault?.fault === 'reset') {
      req.socket.destroy();
      return;
    }
    if (fault?.fault === 500 || fault?.fault === 503) {
      req.resume();
      const [code, message] = fault.fault === 500 ? ['InternalError', 'We encountered an internal error. Please try again.'] : ['SlowDown', 'Please reduce your request rate.'];
      res.writeHead(fault.fault, { 'content-type': 'application/xml' }).end(errorXml(code, message));
      return;
    }
    if (fault?.fault === 'hang') {
      req.resume();
      return;
    }
    if (fault?.fault === 'slow') await new Promise((resolve) => setTimeout(resolve, fault.delayMs ?? 2000));

    const bucket = url.pathname.split('/').filter(Boolean)[0] ?? '';
    const conditional = req.headers['if-none-match'] !== undefined || req.headers['if-match'] !== undefined || req.headers['x-amz-copy-source-if-match'] !== undefined;
    const release = conditional && key ? await this.lock(`${bucket}/${key}`) : () => undefined;
    try {
      const refusal = conditional ? await this.checkConditions(op, bucket, key, req.headers) : undefined;
      if (refusal) {
        req.resume();
        res.writeHead(refusal.status, { 'content-type': 'application/xml' }).end(errorXml(refusal.code, refusal.message));
        return;
      }
      await this.forward(req, res, fault?.fault === 'reset-after', fault?.fault === 'stall-body');
    } finally {
      release();
    }
  }

  private async checkConditions(op: S3Op, bucket: string, key: string, headers: http.IncomingHttpHeaders): Promise<{ status: number; code: string; message: string } | undefined> {
    const writes = op === 'PutObject' || op === 'CopyObject' || op === 'CompleteMultipartUpload';
    if (writes && headers['if-none-match'] === '*' && (await this.etagOf(bucket, key)) !== undefined) {
      return { status: 412, code: 'PreconditionFailed', message: 'At least one of the pre-conditions you specified did not hold' };
    }
    const ifMatch = headers['if-match'];
    if (typeof ifMatch === 'string' && (writes || op === 'GetObject') && (await this.etagOf(bucket, key)) !== ifMatch) {
      return { status: 412, code: 'PreconditionFailed', message: 'At least one of the pre-conditions you specified did not hold' };
    }
    const sourceMatch = headers['x-amz-copy-source-if-match'];
    if (op === 'CopyObject' && typeof sourceMatch === 'string') {
      const source = decodeURIComponent(String(headers['x-amz-copy-source']).replace(/^\//, ''));
      const slash = source.indexOf('/');
      if ((await this.etagOf(source.slice(0, slash), source.slice(slash + 1))) !== sourceMatch) {
        return { status: 412, code: 'PreconditionFailed', message: 'At least one of the pre-conditions you specified did not hold' };
      }
    }
    return undefined;
  }

  /** The stored object's ETag (anonymous HEAD: s3rver serves unsigned requests), or undefined. */
  private etagOf(bucket: string, key: string): Promise<string | undefined> {
    const target = new URL(this.upstream);
    const path = `/${bucket}/${key.split('/').map(encodeURIComponent).join('/')}`;
    return new Promise((resolve, reject) => {
      const head = http.request({ host: target.hostname, port: target.port, method: 'HEAD', path }, (answer) => {
        answer.resume();
        resolve(answer.statusCode === 200 ? String(answer.headers.etag) : undefined);
      });
      head.on('error', reject);
      head.end();
    });
  }

  /**
   * Passes the request to s3rver. `dropAnswer`: S3 acts, the answer is lost. `stallBody`: the
   * answer's headers and first bytes arrive, then nothing more, with the connection left open (a
   * body that stalls). Resolves when the answer is done or the client went away, so a key lock is
   * never held past a disconnect.
   */
  private forward(req: http.IncomingMessage, res: http.ServerResponse, dropAnswer: boolean, stallBody = false): Promise<void> {
    const target = new URL(this.upstream);
    return new Promise((resolve) => {
      res.on('close', () => resolve());
      const forward = http.request({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers }, (answer) => {
        if (stallBody) {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.once('data', (chunk: Buffer) => {
            res.write(chunk.subarray(0, 16));
            answer.destroy();
          });
          return;
        }
        if (dropAnswer) {
          answer.resume();
          answer.on('end', () => {
            req.socket.destroy();
            resolve();
          });
          return;
        }
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
        answer.on('end', () => resolve());
        answer.on('error', () => resolve());
      });
      forward.on('error', () => {
        res.destroy();
        resolve();
      });
      req.pipe(forward);
    });
  }

  private async lock(name: string): Promise<() => void> {
    while (this.locks.has(name)) await this.locks.get(name);
    let release!: () => void;
    this.locks.set(name, new Promise<void>((resolve) => (release = resolve)));
    return () => {
      this.locks.delete(name);
      release();
    };
  }
}
