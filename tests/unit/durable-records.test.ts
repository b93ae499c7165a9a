import { leaseRecordSchema, parseRecord, slotRecordSchema, voidMarkerSchema } from '../../src/run/durable-records';
import { parseManifest } from '../../src/run/run-package';

const lease = { scope: 'j', run_id: 'r1', host: 'h', pid: 7, started_at: 'a', renewed_at: 'b', expires_at: '2026-12-05T00:00:00Z' };

test('a lease, a slot and a void marker are read only when they have their shape', () => {
  expect(parseRecord(leaseRecordSchema, JSON.stringify(lease))).toEqual(lease);
  expect(parseRecord(leaseRecordSchema, JSON.stringify({ ...lease, expires_at: 5 }))).toBeUndefined();
  // What the fencing reads is required; what only describes the holder may be absent (older records).
  expect(parseRecord(leaseRecordSchema, JSON.stringify({ run_id: 'r1', expires_at: 'x' }))).toEqual({ run_id: 'r1', expires_at: 'x' });
  expect(parseRecord(leaseRecordSchema, JSON.stringify({ ...lease, run_id: undefined }))).toBeUndefined();
  expect(parseRecord(leaseRecordSchema, '{"run_id": "r1", "expires_at": "2026')).toBeUndefined();
  expect(parseRecord(slotRecordSchema, JSON.stringify({ scope: 'j', seq: 3, run_id: 'r1', claimed_at: 'x' }))?.run_id).toBe('r1');
  expect(parseRecord(slotRecordSchema, JSON.stringify({ scope: 'j', seq: 3, run_id: 7, claimed_at: 'x' }))).toBeUndefined();
  expect(parseRecord(voidMarkerSchema, JSON.stringify({ state: 'void', run_id: 'r1', voided_by: 'r2', voided_at: 'x', reason: 'y' }))).toBeDefined();
  expect(parseRecord(voidMarkerSchema, JSON.stringify({ state: 'void' }))).toBeDefined();
  expect(parseRecord(voidMarkerSchema, JSON.stringify({ state: 'committed', run_id: 'r1' }))).toBeUndefined();
});

test('a run package missing what the commit follows is refused, naming the field', () => {
  const pkg = { manifest_version: 2, state: 'committing', job: 'j', scope: 'j', run_id: 'r1', files: [{ key: 'raw/a', staged_key: '_staging/j/r1/raw/a', zone: 'raw', table: 't', sha256: 'x', rows: 1, bytes: 2 }], housekeeping: [] };
  expect(parseManifest(JSON.stringify(pkg), 'p.json').run_id).toBe('r1');
  expect(() => parseManifest(JSON.stringify({ ...pkg, files: [{ key: 'raw/a' }] }), 'p.json')).toThrow(/p\.json is not a soundlake run package \(manifest_version 2\): files\.0\.staged_key/);
  expect(() => parseManifest(JSON.stringify({ ...pkg, housekeeping: [{ kind: 'rm -rf' }] }), 'p.json')).toThrow(/housekeeping\.0\.kind/);
  expect(() => parseManifest(JSON.stringify({ ...pkg, manifest_version: 1 }), 'p.json')).toThrow(/manifest_version/);
});
