import { z } from 'zod';

/**
 * The shapes of the records the exactly-once protocol writes to the lake and reads back (a lease
 * generation, a commit slot, a void marker, a run package), checked with zod where they are read,
 * like every other external shape: a hand-edited, truncated or foreign file is refused by name
 * instead of being trusted by a cast. Unknown fields are kept (a newer soundlake may add some).
 */

export const leaseRecordSchema = z.looseObject({
  scope: z.string(),
  run_id: z.string(),
  host: z.string(),
  pid: z.number(),
  started_at: z.string(),
  renewed_at: z.string(),
  expires_at: z.string(),
  released: z.boolean().optional(),
});

export const slotRecordSchema = z.looseObject({ scope: z.string(), seq: z.number(), run_id: z.string(), claimed_at: z.string() });

export const voidMarkerSchema = z.looseObject({ state: z.literal('void'), run_id: z.string(), voided_by: z.string(), voided_at: z.string(), reason: z.string() });

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
