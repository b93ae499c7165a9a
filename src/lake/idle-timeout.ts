import { pipeline, Transform, type Readable } from 'node:stream';

/**
 * A response body that must keep arriving: when no data comes for `idleMs`, the body is destroyed
 * with `onIdle()`'s error. The AWS SDK's request timeout ends at the response headers; a body that
 * stalls after its first bytes would otherwise hang a run for ever (while its lease heartbeat kept
 * every other run away).
 */
export function withIdleTimeout(source: Readable, idleMs: number, onIdle: () => Error): Readable {
  let timer: NodeJS.Timeout | undefined;
  const stop = () => clearTimeout(timer);
  const out = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      arm();
      done(null, chunk);
    },
    flush(done) {
      stop();
      done();
    },
  });
  const arm = () => {
    stop();
    timer = setTimeout(() => {
      const error = onIdle();
      source.destroy(error);
      out.destroy(error);
    }, idleMs);
  };
  out.on('close', stop);
  pipeline(source, out, (error) => {
    stop();
    if (error && !out.destroyed) out.destroy(error);
  });
  arm();
  return out;
}
