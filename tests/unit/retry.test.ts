import { PermanentError, TransientError } from '../../src/core/errors';
import { withRetry } from '../../src/core/retry';

describe('withRetry', () => {
  test('retries transient errors, honouring Retry-After as the minimum wait', async () => {
    const waits: number[] = [];
    let calls = 0;
    const result = await withRetry(
      async () => {
        calls++;
        if (calls === 1) throw new TransientError('429', { retryAfterMs: 7000 });
        if (calls === 2) throw new TransientError('503');
        return 'ok';
      },
      { baseDelayMs: 100, maxDelayMs: 1000, sleep: async (ms) => void waits.push(ms) },
    );
    expect(result).toBe('ok');
    expect(calls).toBe(3);
    expect(waits[0]).toBe(7000);
    expect(waits[1]).toBeGreaterThanOrEqual(100); // attempt 2: 200 ms with jitter in [100, 200]
    expect(waits[1]).toBeLessThanOrEqual(200);
  });

  test('does not retry permanent errors', async () => {
    let calls = 0;
    await expect(
      withRetry(
        async () => {
          calls++;
          throw new PermanentError('401');
        },
        { sleep: async () => undefined },
      ),
    ).rejects.toThrow('401');
    expect(calls).toBe(1);
  });

  test('gives up after the last attempt with the last error', async () => {
    let calls = 0;
    await expect(
      withRetry(
        async () => {
          calls++;
          throw new TransientError(`fail ${calls}`);
        },
        { attempts: 3, sleep: async () => undefined },
      ),
    ).rejects.toThrow('fail 3');
  });

  test('an abort during a wait ends the retries', async () => {
    const controller = new AbortController();
    const promise = withRetry(
      async () => {
        controller.abort('SIGTERM');
        throw new TransientError('503');
      },
      { signal: controller.signal, baseDelayMs: 60_000 },
    );
    await expect(promise).rejects.toThrow(/aborted/);
  });
});
