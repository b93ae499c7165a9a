import { AUTO_THREADS_MIN_BYTES, shapingThreads } from '../../src/run/file-shaping-pool';
import { autoWorkers } from '../../src/runner/run-settings';

/**
 * How many threads a run shapes its files on. The figures behind the rules are measured
 * (docs/benchmarks.md): on 2 cores threads lose to the main thread, and starting them costs
 * 60–105 ms, more than small inputs take on the main thread.
 */
describe('threads only where they pay', () => {
  const MiB = 1024 * 1024;

  test('auto: none up to 2 cores, one per core but one above', () => {
    expect([1, 2, 3, 4, 8, 16].map(autoWorkers)).toEqual([1, 1, 2, 3, 7, 15]);
  });

  test('auto: small inputs stay on the main thread whatever the cores; large ones get the threads', () => {
    const auto = { workers: 3, workersAuto: true };
    expect(shapingThreads(auto, [10 * MiB, 10 * MiB, 10 * MiB])).toBe(1);
    expect(shapingThreads(auto, [AUTO_THREADS_MIN_BYTES / 2, AUTO_THREADS_MIN_BYTES / 2 - 1])).toBe(1);
    expect(shapingThreads(auto, [AUTO_THREADS_MIN_BYTES / 2, AUTO_THREADS_MIN_BYTES / 2])).toBe(3);
    expect(shapingThreads(auto, [50 * MiB, 1 * MiB, 1 * MiB])).toBe(3);
  });

  test('a count set by hand is taken as given, except that one file never needs threads', () => {
    const set = { workers: 4, workersAuto: false };
    expect(shapingThreads(set, [1000, 1000])).toBe(4);
    expect(shapingThreads(set, [100 * MiB])).toBe(1);
    expect(shapingThreads({ workers: 1, workersAuto: false }, [100 * MiB, 100 * MiB])).toBe(1);
  });
});
