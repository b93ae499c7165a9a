import type { TableColumn } from './duckdb-tables';
import { sqlError } from './sql-text';

/** An object the account holds (what CREATE made), under `KIND DB.SCHEMA.NAME` or `KIND NAME`. */
export interface SnowflakeObject {
  kind: string;
  name: string;
  created: number;
  replaced: number;
  /** A pipe's COPY statement (what DESC PIPE shows), as last created or replaced. */
  definition?: string;
  /** A table's columns in order, from CREATE TABLE and ALTER TABLE … ADD COLUMN. */
  columns?: TableColumn[];
  /** A pipe paused with ALTER PIPE … SET PIPE_EXECUTION_PAUSED = TRUE. */
  paused?: boolean;
  /** Other properties (a stage's URL, an integration's allowed locations, a dynamic table's lag). */
  properties?: Record<string, string>;
}

const SCHEMA_LEVEL = ['TABLE', 'DYNAMIC TABLE', 'VIEW', 'PIPE', 'STAGE', 'FILE FORMAT'];

export class Catalog {
  readonly objects = new Map<string, SnowflakeObject>();

  /** `DB.SCHEMA.NAME` for schema objects (from the session's database), `DB.SCHEMA` for schemas. */
  qualify(kind: string, name: string, database: string | undefined): string {
    const parts = name.toUpperCase().split('.');
    const depth = SCHEMA_LEVEL.includes(kind) ? 3 : kind === 'SCHEMA' ? 2 : 1;
    if (parts.length === depth) return parts.join('.');
    if (parts.length === depth - 1) {
      if (!database) throw sqlError('090105', 'Cannot perform operation. This session does not have a current database. Call \'USE DATABASE\', or use a qualified name.');
      return [database, ...parts].join('.');
    }
    throw sqlError('001003', `SQL compilation error: bad name ${name} for a ${kind.toLowerCase()}`);
  }

  get(kind: string, qualified: string): SnowflakeObject | undefined {
    return this.objects.get(`${kind} ${qualified}`);
  }

  /** The object, or "does not exist or not authorized" (002003) as Snowflake answers either case. */
  require(kind: string, qualified: string): SnowflakeObject {
    const object = this.get(kind, qualified);
    if (!object) throw sqlError('002003', `SQL compilation error: ${kind.charAt(0)}${kind.slice(1).toLowerCase()} '${qualified}' does not exist or not authorized.`);
    return object;
  }

  put(object: SnowflakeObject): void {
    this.objects.set(`${object.kind} ${object.name}`, object);
  }

  delete(kind: string, qualified: string): void {
    this.objects.delete(`${kind} ${qualified}`);
  }

  all(kind: string): SnowflakeObject[] {
    return [...this.objects.values()].filter((o) => o.kind === kind);
  }
}

/** `DB.SCHEMA.NAME` → [`DB`, `DB.SCHEMA`, `NAME`]. */
export function splitQualified(qualified: string): { database: string; schema: string; name: string } {
  const [database, schema, name] = qualified.split('.');
  return { database, schema: `${database}.${schema}`, name };
}
