import { SourceChangedError } from './errors';

/**
 * Small readers for JSON from outside: each takes the value, a path for messages, and returns the
 * typed value or throws SourceChangedError naming where and what was expected (exit 4).
 */
export class JsonShape {
  constructor(private readonly where: string) {}

  fail(path: string, expected: string, value: unknown): never {
    const found = value === undefined ? 'missing' : `found ${JSON.stringify(value)?.slice(0, 80)}`;
    throw new SourceChangedError(`${this.where}: ${path} should be ${expected}, ${found}; the API may have changed shape`);
  }

  object(value: unknown, path: string): Record<string, unknown> {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) this.fail(path, 'an object', value);
    return value as Record<string, unknown>;
  }

  array(value: unknown, path: string): unknown[] {
    if (!Array.isArray(value)) this.fail(path, 'an array', value);
    return value;
  }

  string(value: unknown, path: string): string {
    if (typeof value !== 'string') this.fail(path, 'a string', value);
    return value;
  }

  /** A string, or null when missing/null (fields some apps no longer receive). */
  optionalString(value: unknown, path: string): string | null {
    if (value === undefined || value === null) return null;
    return this.string(value, path);
  }

  number(value: unknown, path: string): number {
    if (typeof value !== 'number' || !Number.isFinite(value)) this.fail(path, 'a number', value);
    return value;
  }

  optionalNumber(value: unknown, path: string): number | null {
    if (value === undefined || value === null) return null;
    return this.number(value, path);
  }

  boolean(value: unknown, path: string): boolean {
    if (typeof value !== 'boolean') this.fail(path, 'true or false', value);
    return value;
  }

  optionalBoolean(value: unknown, path: string): boolean | null {
    if (value === undefined || value === null) return null;
    return this.boolean(value, path);
  }
}
