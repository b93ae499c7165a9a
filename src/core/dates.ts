import { ConfigError } from './errors';
import { parseDate } from './values';

/**
 * The one strict reader of `YYYY-MM-DD` flags (`--date`, `--since`, `--until`): a real calendar day,
 * so `2024-02-30` is refused instead of becoming `month=02/day=30` (Date.parse rolls it over).
 */
export function parseDateFlag(flag: string, raw: string): string {
  const date = parseDate(raw);
  if (date === undefined) throw new ConfigError(`${flag} ${JSON.stringify(raw)}: expected a real calendar date as YYYY-MM-DD`);
  return date;
}

/** `parseDateFlag` as a commander option parser. */
export const dateOption = (flag: string) => (raw: string) => parseDateFlag(flag, raw);

/** Today's UTC day, YYYY-MM-DD. */
export const utcToday = (now: Date = new Date()): string => now.toISOString().slice(0, 10);
