/**
 * Lazy per-process singletons for external connections (S3 now; Snowflake, Spotify and the browser
 * later): created on first use, shared by everything in the process, closed once at exit.
 */
interface Lazy<T> {
  get(): T;
  close(): Promise<void>;
}

const open = new Set<Lazy<unknown>>();

export function lazyConnection<T>(create: () => T, destroy: (value: T) => void | Promise<void>): Lazy<T> {
  let value: T | undefined;
  const lazy: Lazy<T> = {
    get() {
      if (value === undefined) {
        value = create();
        open.add(lazy);
      }
      return value;
    },
    async close() {
      if (value === undefined) return;
      const current = value;
      value = undefined;
      open.delete(lazy);
      await destroy(current);
    },
  };
  return lazy;
}

const closers = new Set<() => Promise<void>>();

/** For connections that are not a lazyConnection (the browser): closed with the rest. */
export function closeAtExit(close: () => Promise<void>): void {
  closers.add(close);
}

/** Closes every connection opened in this process; the CLI calls it before exiting. */
export async function closeAllConnections(): Promise<void> {
  await Promise.allSettled([...[...open].map((connection) => connection.close()), ...[...closers].map((close) => close())]);
}
