/**
 * Lake keys, as pure functions. The layout (DESIGN.md):
 *   raw/{source}/{table}/year=YYYY/month=MM/day=DD/{table}_{runId}_{part:05}.csv.gz
 *   rejects/{source}/{table}/year=YYYY/month=MM/day=DD/{table}_{runId}_{part:05}.csv.gz
 *   _staging/{runId}/…      written first; never loaded
 *   _manifests/{job}/{runId}.json, _state/{job}.json
 */

export type Zone = 'raw' | 'rejects';

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const RUN_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

export function isValidRunId(runId: string): boolean {
  return RUN_ID.test(runId);
}

/** `year=2024/month=06/day=25` for `2024-06-25`. */
export function partitionPath(date: string): string {
  const m = DATE.exec(date);
  if (!m) throw new Error(`not a YYYY-MM-DD date: ${date}`);
  return `year=${m[1]}/month=${m[2]}/day=${m[3]}`;
}

export function dataFileKey(zone: Zone, source: string, table: string, date: string, runId: string, part: number): string {
  return `${zone}/${source}/${table}/${partitionPath(date)}/${table}_${runId}_${String(part).padStart(5, '0')}.csv.gz`;
}

export const stagingPrefix = (runId: string) => `_staging/${runId}/`;
export const stagingKey = (runId: string, finalKey: string) => `${stagingPrefix(runId)}${finalKey}`;
export const finalKeyOf = (runId: string, key: string) => key.slice(stagingPrefix(runId).length);
export const manifestKey = (job: string, runId: string) => `_manifests/${job}/${runId}.json`;
export const stateKey = (job: string) => `_state/${job}.json`;

/** A new run id: sortable UTC time plus a random suffix, e.g. `20261121T234512Z-3f9a`. */
export function newRunId(now: Date = new Date(), random: () => number = Math.random): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
  const suffix = Math.floor(random() * 0x10000)
    .toString(16)
    .padStart(4, '0');
  return `${stamp}-${suffix}`;
}
