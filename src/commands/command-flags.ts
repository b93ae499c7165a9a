import { ConfigError } from '../core/errors';

/** Parses a whole number flag within bounds, or fails with exit 2 naming the flag. */
export function intFlag(flag: string, min: number, max: number) {
  return (raw: string): number => {
    const value = Number(raw);
    if (!/^\d+$/.test(raw) || value < min || value > max) {
      throw new ConfigError(`${flag} ${JSON.stringify(raw)}: expected a whole number from ${min} to ${max}`);
    }
    return value;
  };
}
