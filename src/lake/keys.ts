import { randomBytes } from 'node:crypto';
import { parseDate } from '../core/values';

/**
 * Every lake key, as pure functions. The layout (docs/lake.md):
 *   raw/{source}/{table}/year=YYYY/month=MM/day=DD/{table}_{job}_{runId}_{part:05}.csv.gz
 *   rejects/{source}/{table}/year=YYYY/month=MM/day=DD/{table}_{job}_{runId}_{part:05}.csv.gz
 *   _staging/{scope}/{runId}/…      written first; never loaded
 *   _packages/{scope}/{runId}.json  the run package while it commits (state "committing"), or a
 *                                   void marker: that run may never package (see run/commit-slots.ts)
 *   _commits/{scope}/{seq}.json     commit slot seq, claimed by exactly one run (create-only)
 *   _manifests/{job}/{runId}.json   the committed run's manifest
 *   _state/{job}.json               incremental state, written as part of the commit
 *   _locks/{scope}/{generation}.json the job's lease
 *   _sessions/distrokid.json        the DistroKid login session (private)
 *   landing/distrokid/…, error/distrokid/{runId}/   raw pages kept, error artifacts
 * and, in a landing area, archive/{runId}/{name} and error/{runId}/{name}.
 *
 * A scope is what one run at a time owns: today a job's name (a shard of a job gets its own).
 */

export type Zone = 'raw' | 'rejects';

/** `raw/`: the folder of a zone, which Snowflake's stage points at for `raw`. */
export const zonePrefix = (zone: Zone) => `${zone}/`;

const RUN_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

export function isValidRunId(runId: string): boolean {
  return RUN_ID.test(runId);
}

/** `year=2024/month=06/day=25` for `2024-06-25`; a date that is not a real day is refused. */
export function partitionPath(date: string): string {
  if (parseDate(date) === undefined) throw new Error(`not a real YYYY-MM-DD date: ${date}`);
  return `year=${date.slice(0, 4)}/month=${date.slice(5, 7)}/day=${date.slice(8, 10)}`;
}

/** The file name of a data part: table, job and run id, so two jobs writing one table never collide. */
export function dataFileName(table: string, job: string, runId: string, part: number): string {
  return `${table}_${job}_${runId}_${String(part).padStart(5, '0')}.csv.gz`;
}

export function dataFileKey(zone: Zone, source: string, table: string, date: string, job: string, runId: string, part: number): string {
  return `${zonePrefix(zone)}${source}/${table}/${partitionPath(date)}/${dataFileName(table, job, runId, part)}`;
}

/**
 * A committed data file's path below its table's folder (`year=…/month=…/day=…/{table}_…_00000.csv.gz`),
 * as a regular expression matching exactly the names dataFileKey writes. It is what a Snowflake
 * pipe's PATTERN is applied to: Snowpipe trims the stage URL and the FROM path (the table's folder)
 * from a file's location and matches the whole of the rest.
 */
export function partitionFilePattern(table: string): string {
  return `year=[0-9]{4}/month=[0-9]{2}/day=[0-9]{2}/${table}_[A-Za-z0-9_-]+_[0-9]{5}[.]csv[.]gz`;
}

/**
 * The one rule for a committed data file, as a regular expression over its path below raw/: the
 * table's folder, then partitionFilePattern. The local warehouse takes files by it, Snowflake's pipe
 * by its folder and partitionFilePattern, so both read the same files.
 */
export function dataFilePattern(source: string, table: string): string {
  return `${source}/${table}/${partitionFilePattern(table)}`;
}

export const stagingRoot = (scope: string) => `_staging/${scope}/`;
export const stagingPrefix = (scope: string, runId: string) => `${stagingRoot(scope)}${runId}/`;
export const stagingKey = (scope: string, runId: string, finalKey: string) => `${stagingPrefix(scope, runId)}${finalKey}`;
/** Private files a run hands to its housekeeping (a refreshed session), staged with the run. */
export const stagedPrivateKey = (scope: string, runId: string, name: string) => `${stagingPrefix(scope, runId)}_private/${name}`;
export const packagePrefix = (scope: string) => `_packages/${scope}/`;
export const packageKey = (scope: string, runId: string) => `${packagePrefix(scope)}${runId}.json`;
/** `_manifests/`: every committed run's manifest, `_manifests/{job}/{runId}.json`. */
export const MANIFESTS_PREFIX = '_manifests/';
export const manifestKey = (job: string, runId: string) => `${MANIFESTS_PREFIX}${job}/${runId}.json`;
export const commitSlotPrefix = (scope: string) => `_commits/${scope}/`;
export const commitSlotKey = (scope: string, seq: number) => `${commitSlotPrefix(scope)}${String(seq).padStart(10, '0')}.json`;
/** The slot number of a commit slot key, or undefined for another key. */
export function commitSlotOf(key: string): number | undefined {
  const m = /(\d{10})\.json$/.exec(key);
  return m ? Number(m[1]) : undefined;
}
export const stateKey = (job: string) => `_state/${job}.json`;
export const leasePrefix = (scope: string) => `_locks/${scope}/`;
export const leaseKey = (scope: string, generation: number) => `${leasePrefix(scope)}${String(generation).padStart(10, '0')}.json`;
export const sessionKey = (name: string) => `_sessions/${name}.json`;

/** In a landing area: processed inputs, and inputs that could not be processed (with `.reason.json`). */
export const landingArchiveKey = (runId: string, name: string) => `archive/${runId}/${name}`;
export const landingErrorKey = (runId: string, name: string) => `error/${runId}/${name}`;
export const reasonKey = (key: string) => `${key}.reason.json`;

/** DistroKid pages and downloads as fetched (kept, never loaded), and artifacts of a failed page. */
export const distrokidLandingPrefix = (date: string, runId: string) => `landing/distrokid/${partitionPath(date)}/${runId}/`;
export const distrokidErrorPrefix = (runId: string) => `error/distrokid/${runId}/`;

/**
 * A new run id: UTC time to the millisecond, then 64 random bits, e.g.
 * `20261121T234512345Z-3f9a0c1b2d4e5f60`. Ids sort by start time; two runs in one millisecond differ.
 */
export function newRunId(now: Date = new Date(), random: (bytes: number) => Buffer = randomBytes): string {
  const stamp = now.toISOString().replace(/[-:.]/g, '');
  return `${stamp}-${random(8).toString('hex')}`;
}
