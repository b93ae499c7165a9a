import { z } from 'zod';

/**
 * The shapes of the records the exactly-once protocol writes to the lake and reads back (a lease
 * generation, a commit slot, a void marker, a run package), checked with zod where they are read,
 * like every other external shape: a hand-edited, truncated or foreign file is refused by name
 * instead of being trusted by a cast. Unknown fields are kept (a newer soundlake may add some).
 */

// What the fencing decides on is required (a lease's holder and expiry, a slot's owner, a void
// marker's state), exactly as before the schemas; the rest is descriptive and may be absent, so a
// record an older soundlake wrote keeps its meaning.

export const leaseRecordSchema = z.looseObject({
  run_id: z.string(),
  expires_at: z.string(),
  released: z.boolean().optional(),
  scope: z.string().optional(),
  host: z.string().optional(),
  pid: z.number().optional(),
  started_at: z.string().optional(),
  renewed_at: z.string().optional(),
});
/** A lease generation as read back. */
export type ReadLease = z.output<typeof leaseRecordSchema>;

export const slotRecordSchema = z.looseObject({ run_id: z.string(), scope: z.string().optional(), seq: z.number().optional(), claimed_at: z.string().optional() });

export const voidMarkerSchema = z.looseObject({ state: z.literal('void') });

const housekeepingStepSchema = z.looseObject({ kind: z.enum(['move', 'copy-private']) });

/** What the commit follows: the files to publish, the housekeeping, and who the package belongs to. */
export const runPackageSchema = z.looseObject({
  manifest_version: z.literal(2),
  state: z.enum(['committing', 'committed']),
  job: z.string(),
  scope: z.string(),
  run_id: z.string(),
  files: z.array(z.looseObject({ key: z.string(), staged_key: z.string(), zone: z.enum(['raw', 'rejects']), table: z.string(), sha256: z.string(), rows: z.number(), bytes: z.number() })),
  housekeeping: z.array(housekeepingStepSchema),
});

/** Parses JSON text against a schema: the value, or undefined when the text is not JSON or not of that shape. */
export function parseRecord<S extends z.ZodType>(schema: S, text: string | undefined): z.output<S> | undefined {
  if (text === undefined) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  const result = schema.safeParse(value);
  return result.success ? result.data : undefined;
}
