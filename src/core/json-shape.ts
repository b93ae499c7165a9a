import type { z } from 'zod';
import { SourceChangedError } from './errors';
import { excerpt } from './excerpt';

const EXPECTED: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
  object: 'an object',
  array: 'an array',
};

/** `['albums', 0, 'name']` after `response` → `response.albums[0].name`. */
function joinPath(base: string, path: readonly PropertyKey[]): string {
  return path.reduce<string>((out, key) => (typeof key === 'number' ? `${out}[${key}]` : `${out}.${String(key)}`), base);
}

function valueAt(value: unknown, path: readonly PropertyKey[]): unknown {
  let current = value;
  for (const key of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<PropertyKey, unknown>)[key];
  }
  return current;
}

/**
 * External JSON (an API response, a saved session, a state file) checked where it enters, against
 * a zod schema that gives both the type and the check. A value of another shape throws
 * SourceChangedError (exit 4) naming the source, the field and what was expected:
 * `Spotify GET /albums?ids=: response.albums[0].name should be a string, missing`.
 */
export class JsonShape {
  constructor(private readonly where: string) {}

  parse<S extends z.ZodType>(schema: S, value: unknown, path: string): z.output<S> {
    const result = schema.safeParse(value);
    if (result.success) return result.data;
    const issue = result.error.issues[0];
    const found = valueAt(value, issue.path);
    const expected = issue.code === 'invalid_type' ? (EXPECTED[issue.expected] ?? issue.expected) : excerpt(issue.message, 80);
    this.fail(joinPath(path, issue.path), expected, found);
  }

  fail(path: string, expected: string, value: unknown): never {
    const found = value === undefined ? 'missing' : `found ${excerpt(JSON.stringify(value) ?? String(value), 80)}`;
    throw new SourceChangedError(`${this.where}: ${path} should be ${expected}, ${found}; the API may have changed shape`);
  }
}
