import { Semaphore } from './semaphore';

/**
 * Runs async tasks with at most `concurrency` in flight; `drain()` waits for all and rethrows the
 * first failure. (p-limit does this too, but its current major is ESM-only, which CommonJS jest
 * cannot load without extra setup.)
 */
export class TaskPool {
  private readonly slots: Semaphore;
  private readonly pending = new Set<Promise<void>>();
  private failure: { error: unknown } | undefined;

  constructor(concurrency: number) {
    this.slots = new Semaphore(concurrency);
  }

  /** Queues the task; resolves once it has started (so callers feel backpressure). */
  async add(task: () => Promise<void>): Promise<void> {
    if (this.failure) throw this.failure.error;
    await this.slots.acquire();
    const promise = task()
      .catch((error: unknown) => {
        this.failure ??= { error };
      })
      .finally(() => {
        this.pending.delete(promise);
        this.slots.release();
      });
    this.pending.add(promise);
  }

  async drain(): Promise<void> {
    while (this.pending.size > 0) await Promise.all([...this.pending]);
    if (this.failure) throw this.failure.error;
  }
}
