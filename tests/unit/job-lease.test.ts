import * as path from 'node:path';
import { LeaseHeldError } from '../../src/core/errors';
import { createLogger } from '../../src/core/log';
import { leaseKey } from '../../src/lake/keys';
import { LocalStore } from '../../src/lake/local-store';
import { JobLease } from '../../src/run/job-lease';
import { LogCapture } from '../support/log-capture';
import { tempDir } from '../support/temp-dir';

const log = () => createLogger({ stream: new LogCapture() });

test('of many runs taking the lease at once, exactly one gets it; after its release the next one does', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const lake = new LocalStore(path.join(dir, 'lake'));
    const attempts = await Promise.allSettled(Array.from({ length: 12 }, (_, i) => JobLease.acquire(lake, 'job', `run-${i}`, 60_000, log())));
    const won = attempts.filter((a): a is PromiseFulfilledResult<JobLease> => a.status === 'fulfilled');
    const lost = attempts.filter((a): a is PromiseRejectedResult => a.status === 'rejected');
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(11);
    for (const l of lost) expect(l.reason).toBeInstanceOf(LeaseHeldError);
    await won[0].value.release();
    const next = await JobLease.acquire(lake, 'job', 'run-next', 60_000, log());
    expect(next.tookOverFrom).toBeUndefined();
    await next.release();
  } finally {
    cleanup();
  }
});

test('an expired lease of a run that died is taken over, naming that run; the old holder learns it lost', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const lake = new LocalStore(path.join(dir, 'lake'));
    const dead = { scope: 'job', run_id: 'dead-run', host: 'h', pid: 1, started_at: '2026-01-01T00:00:00.000Z', renewed_at: '2026-01-01T00:00:00.000Z', expires_at: '2026-01-01T00:02:00.000Z' };
    await lake.putText(leaseKey('job', 7), JSON.stringify(dead));
    const taker = await JobLease.acquire(lake, 'job', 'new-run', 60_000, log());
    expect(taker.tookOverFrom?.run_id).toBe('dead-run');
    expect(await lake.readText(leaseKey('job', 8))).toContain('new-run');
    await taker.assertHeld();
    // Should a later run take it over (generation 9), this holder has lost it: it must stop, not commit.
    await lake.putText(leaseKey('job', 9), JSON.stringify({ ...dead, run_id: 'later-run', expires_at: '2099-01-01T00:00:00.000Z' }));
    await expect(taker.assertHeld()).rejects.toBeInstanceOf(LeaseHeldError);
    expect(taker.signal.aborted).toBe(true);
    await taker.release();
    expect(await lake.readText(leaseKey('job', 9))).toContain('later-run');
  } finally {
    cleanup();
  }
});
