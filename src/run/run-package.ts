import type { HousekeepingStep } from './housekeeping';
import type { InputRecord } from './input-ledger';
import type { WrittenFile } from '../lake/partitioned-writer';
import { runPackageSchema } from './durable-records';

/**
 * A run package: everything a run will make visible, written durably before the first of it is.
 * State `committing` at `_packages/{scope}/{runId}.json` lists every staged → final key with its
 * sha256, the job state to leave and the housekeeping still to do; whoever finishes it (the run
 * itself, or the next run after a crash) follows only this record and never extracts again. Once
 * done, it becomes the run's manifest, state `committed`, at `_manifests/{job}/{runId}.json`.
 */
export interface RunManifest {
  manifest_version: 2;
  state: 'committing' | 'committed';
  job: string;
  /** What one run at a time owns (lease, staging): the job's name, or a shard of it. */
  scope: string;
  /** `i/n` when the run took only shard i of n of the inputs. */
  shard?: string;
  run_id: string;
  logical_date: string;
  dry_run: boolean;
  lake: string;
  started_at: string;
  /** When the package record was written (extraction finished). */
  packaged_at: string;
  /** When the last step finished; only on a committed manifest. */
  committed_at?: string;
  files: {
    key: string;
    /** Where the file waits until the commit moves it to `key`. */
    staged_key: string;
    zone: WrittenFile['zone'];
    table: string;
    partition_date: string;
    rows: number;
    bytes: number;
    uncompressed_bytes: number;
    sha256: string;
  }[];
  /** The job's incremental state, written to `_state/{job}.json` by the commit; null when the job set none. */
  next_state: unknown;
  /** Idempotent steps after the files are committed (landing moves, a refreshed session), in order. */
  housekeeping: HousekeepingStep[];
  tables: Record<string, { rows: number; rejects: number; files: number; bytes: number }>;
  inputs: {
    name: string;
    status: InputRecord['status'];
    rows_in: number;
    rows_out: number;
    rows_rejected: number;
    reason?: string;
    moved_to?: string;
  }[];
  rejects: { total: number; by_reason: Record<string, number> };
  totals: { rows_in: number; rows_out: number; rows_rejected: number; files: number; bytes: number; uncompressed_bytes: number };
  /** Inputs set aside whole (moved to error/, or left alone); a run with any still succeeds, and says so. */
  outcome: { inputs_in_error: number; inputs_ignored: number; entries_skipped: number };
  io: Record<string, number>;
  timings: Record<string, number>;
  /** A package that could never finish, ended by `soundlake resume --abandon`: `files` lists only what was published. */
  abandoned?: { by: string; at: string; lost_files: string[]; lost_rows: number; reason: string };
  /** The commit slot the package claimed (run/commit-slots.ts); absent on packages of soundlake before 0.2. */
  commit_seq?: number;
  /** How the commit went: files published now, files found already in place (a resumed commit), who finished it. */
  commit?: { published: number; already_present: number; finished_by: string; attempts: number };
}

export interface ManifestParts {
  job: string;
  scope: string;
  shard?: { index: number; count: number };
  runId: string;
  logicalDate: string;
  dryRun: boolean;
  lake: string;
  startedAt: Date;
  files: readonly WrittenFile[];
  stagedKey: (finalKey: string) => string;
  nextState: unknown;
  housekeeping: readonly HousekeepingStep[];
  tableCounts: ReadonlyMap<string, { rows: number; rejects: number }>;
  inputs: readonly InputRecord[];
  rejectReasons: ReadonlyMap<string, number>;
  io: Record<string, number>;
  timings: Record<string, number>;
}

/** The package record of a run that finished extracting (state `committing`). */
export function buildPackage(parts: ManifestParts): RunManifest {
  const tables: RunManifest['tables'] = {};
  for (const [name, counts] of parts.tableCounts) tables[name] = { ...counts, files: 0, bytes: 0 };
  for (const file of parts.files) {
    if (file.zone !== 'raw') continue;
    const entry = (tables[`${file.source}/${file.table}`] ??= { rows: 0, rejects: 0, files: 0, bytes: 0 });
    entry.files++;
    entry.bytes += file.bytes;
  }
  const sum = (pick: (r: InputRecord) => number) => parts.inputs.reduce((n, r) => n + pick(r), 0);
  const count = (status: InputRecord['status']) => parts.inputs.filter((r) => r.status === status).length;
  return {
    manifest_version: 2,
    state: 'committing',
    job: parts.job,
    scope: parts.scope,
    ...(parts.shard ? { shard: `${parts.shard.index}/${parts.shard.count}` } : {}),
    run_id: parts.runId,
    logical_date: parts.logicalDate,
    dry_run: parts.dryRun,
    lake: parts.lake,
    started_at: parts.startedAt.toISOString(),
    packaged_at: new Date().toISOString(),
    files: parts.files.map((f) => ({
      key: f.key,
      staged_key: parts.stagedKey(f.key),
      zone: f.zone,
      table: `${f.source}/${f.table}`,
      partition_date: f.partitionDate,
      rows: f.rows,
      bytes: f.bytes,
      uncompressed_bytes: f.uncompressedBytes,
      sha256: f.sha256,
    })),
    next_state: parts.nextState ?? null,
    housekeeping: [...parts.housekeeping],
    tables,
    inputs: parts.inputs.map((r) => ({
      name: r.name,
      status: r.status,
      rows_in: r.rowsIn,
      rows_out: r.rowsOut,
      rows_rejected: r.rowsRejected,
      ...(r.reason !== undefined ? { reason: r.reason } : {}),
      ...(r.movedTo !== undefined ? { moved_to: r.movedTo } : {}),
    })),
    rejects: {
      total: sum((r) => r.rowsRejected),
      by_reason: Object.fromEntries([...parts.rejectReasons.entries()].sort(([, a], [, b]) => b - a)),
    },
    totals: {
      rows_in: sum((r) => r.rowsIn),
      rows_out: sum((r) => r.rowsOut),
      rows_rejected: sum((r) => r.rowsRejected),
      files: parts.files.length,
      bytes: parts.files.reduce((n, f) => n + f.bytes, 0),
      uncompressed_bytes: parts.files.reduce((n, f) => n + f.uncompressedBytes, 0),
    },
    outcome: { inputs_in_error: count('error'), inputs_ignored: count('ignored'), entries_skipped: parts.io.entries_skipped ?? 0 },
    io: parts.io,
    timings: parts.timings,
  };
}

/** Reads a package or manifest record, refusing anything that is not one (a hand-edited or foreign file). */
export function parseManifest(text: string, where: string): RunManifest {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new Error(`${where} is not valid JSON`);
  }
  const checked = runPackageSchema.safeParse(value);
  if (!checked.success) {
    const issue = checked.error.issues[0];
    throw new Error(`${where} is not a soundlake run package (manifest_version 2): ${issue.path.join('.') || 'the record'} ${issue.message}`);
  }
  // The fields the commit follows are checked; the rest is the record as this version wrote it.
  return value as RunManifest;
}
