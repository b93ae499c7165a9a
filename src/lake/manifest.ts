import type { InputRecord } from '../run/input-ledger';
import type { WrittenFile } from './partitioned-writer';

/** `_manifests/{job}/{runId}.json`: what one committed run wrote, written after its files. */
export interface RunManifest {
  manifest_version: 1;
  job: string;
  run_id: string;
  logical_date: string;
  status: 'succeeded';
  dry_run: boolean;
  lake: string;
  started_at: string;
  finished_at: string;
  files: {
    key: string;
    zone: WrittenFile['zone'];
    table: string;
    partition_date: string;
    rows: number;
    bytes: number;
    uncompressed_bytes: number;
    sha256: string;
  }[];
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
  io: Record<string, number>;
  timings: Record<string, number>;
}

export interface ManifestParts {
  job: string;
  runId: string;
  logicalDate: string;
  dryRun: boolean;
  lake: string;
  startedAt: Date;
  finishedAt: Date;
  files: readonly WrittenFile[];
  tableCounts: ReadonlyMap<string, { rows: number; rejects: number }>;
  inputs: readonly InputRecord[];
  rejectReasons: ReadonlyMap<string, number>;
  io: Record<string, number>;
  timings: Record<string, number>;
}

export function buildManifest(parts: ManifestParts): RunManifest {
  const tables: RunManifest['tables'] = {};
  for (const [name, counts] of parts.tableCounts) tables[name] = { ...counts, files: 0, bytes: 0 };
  for (const file of parts.files) {
    if (file.zone !== 'raw') continue;
    const entry = (tables[`${file.source}/${file.table}`] ??= { rows: 0, rejects: 0, files: 0, bytes: 0 });
    entry.files++;
    entry.bytes += file.bytes;
  }
  const sum = (pick: (r: InputRecord) => number) => parts.inputs.reduce((n, r) => n + pick(r), 0);
  return {
    manifest_version: 1,
    job: parts.job,
    run_id: parts.runId,
    logical_date: parts.logicalDate,
    status: 'succeeded',
    dry_run: parts.dryRun,
    lake: parts.lake,
    started_at: parts.startedAt.toISOString(),
    finished_at: parts.finishedAt.toISOString(),
    files: parts.files.map((f) => ({
      key: f.key,
      zone: f.zone,
      table: `${f.source}/${f.table}`,
      partition_date: f.partitionDate,
      rows: f.rows,
      bytes: f.bytes,
      uncompressed_bytes: f.uncompressedBytes,
      sha256: f.sha256,
    })),
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
    io: parts.io,
    timings: parts.timings,
  };
}
