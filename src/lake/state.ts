import { PermanentError } from '../core/errors';
import { stateKey } from './keys';
import type { Store } from './store';
import { jsonRecord } from './json-record';

/** The incremental state a job's last committed run left in `_state/{job}.json`, or undefined. */
export async function readJobState(store: Store, job: string): Promise<unknown> {
  const text = await store.readText(stateKey(job));
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new PermanentError(`${store.describe(stateKey(job))} is not valid JSON; fix or delete it to start from scratch`);
  }
}

/** Written only after a run's files are committed. */
export async function writeJobState(store: Store, job: string, state: unknown): Promise<void> {
  await store.putText(stateKey(job), jsonRecord(state));
}
