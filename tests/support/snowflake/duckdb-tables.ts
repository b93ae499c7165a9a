import type { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { sqlError } from './sql-text';

/**
 * Where the emulator keeps table data and runs views: an in-memory DuckDB. Snowflake's column
 * types map to the DuckDB types that hold the same values; the views are Snowflake SQL in the
 * subset both engines run (the project's model SQL is written that way), so they run unchanged.
 */
const TYPES: [RegExp, string][] = [
  [/^VARCHAR(\(\d+\))?$|^STRING$|^TEXT$/, 'VARCHAR'],
  [/^NUMBER\(\d+,0\)$|^INTEGER$|^INT$|^BIGINT$/, 'BIGINT'],
  [/^NUMBER\((\d+),(\d+)\)$/, 'DECIMAL($1,$2)'],
  [/^FLOAT$|^DOUBLE$/, 'DOUBLE'],
  [/^BOOLEAN$/, 'BOOLEAN'],
  [/^TIMESTAMP_NTZ$/, 'TIMESTAMP'],
  [/^TIMESTAMP_LTZ$|^TIMESTAMP_TZ$/, 'TIMESTAMPTZ'],
  [/^DATE$/, 'DATE'],
  // VARIANT holds the JSON text PARSE_JSON produced.
  [/^VARIANT$/, 'VARCHAR'],
];

export function duckdbType(snowflakeType: string): string {
  for (const [pattern, target] of TYPES) if (pattern.test(snowflakeType)) return snowflakeType.replace(pattern, target);
  throw sqlError('001003', `the emulator does not model column type ${snowflakeType}`);
}

export interface TableColumn {
  name: string;
  type: string;
  notNull: boolean;
}

const quoteText = (s: string) => `'${s.replace(/'/g, "''")}'`;

export class DuckdbTables {
  private constructor(
    private readonly instance: DuckDBInstance,
    readonly connection: DuckDBConnection,
  ) {}

  static async open(): Promise<DuckdbTables> {
    const { DuckDBInstance } = require('@duckdb/node-api') as typeof import('@duckdb/node-api');
    const instance = await DuckDBInstance.create(':memory:');
    const connection = await instance.connect();
    // Timestamps are UTC by the lake's contract; TIMESTAMP_LTZ shows in the session zone (UTC here).
    await connection.run("SET TimeZone = 'UTC'");
    return new DuckdbTables(instance, connection);
  }

  close(): void {
    this.connection.closeSync();
    this.instance.closeSync();
  }

  async ensureSchema(schema: string): Promise<void> {
    await this.connection.run(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
  }

  async createTable(schema: string, name: string, columns: readonly TableColumn[]): Promise<void> {
    await this.ensureSchema(schema);
    const body = columns.map((c) => `${c.name} ${duckdbType(c.type)}${c.notNull ? ' NOT NULL' : ''}`).join(', ');
    await this.connection.run(`CREATE TABLE IF NOT EXISTS ${schema}.${name} (${body})`);
  }

  async addColumn(schema: string, table: string, column: TableColumn): Promise<void> {
    await this.connection.run(`ALTER TABLE ${schema}.${table} ADD COLUMN ${column.name} ${duckdbType(column.type)}`);
  }

  /** A view (or a dynamic table, kept as a view: always current, so within any target lag) over the SELECT. */
  async createView(schema: string, name: string, select: string): Promise<void> {
    await this.ensureSchema(schema);
    try {
      await this.connection.run(`CREATE OR REPLACE VIEW ${schema}.${name} AS ${select}`);
    } catch (error) {
      throw sqlError('002003', `SQL compilation error: ${(error as Error).message}`);
    }
  }

  async dropView(schema: string, name: string): Promise<void> {
    await this.connection.run(`DROP VIEW IF EXISTS ${schema}.${name}`);
  }

  async query(sql: string): Promise<{ columns: string[]; rows: unknown[][] }> {
    const reader = await this.connection.runAndReadAll(sql);
    return { columns: reader.columnNames(), rows: reader.getRowsJS() };
  }

  /**
   * Appends rows of text values (already checked against the column types) to a table in one
   * transaction: all of them, or — on any error — none (what ON_ERROR = SKIP_FILE asks of a file).
   */
  async appendAll(schema: string, table: string, columns: readonly TableColumn[], rows: readonly (string | null)[][]): Promise<void> {
    const staging = `load_${Math.random().toString(36).slice(2)}`;
    await this.ensureSchema('EMULATOR_LOAD');
    await this.connection.run(`CREATE TABLE EMULATOR_LOAD.${staging} (${columns.map((c) => `${c.name} VARCHAR`).join(', ')})`);
    try {
      const appender = await this.connection.createAppender(staging, 'EMULATOR_LOAD');
      for (const row of rows) {
        for (const value of row) {
          if (value === null) appender.appendNull();
          else appender.appendVarchar(value);
        }
        appender.endRow();
      }
      appender.closeSync();
      await this.connection.run('BEGIN TRANSACTION');
      try {
        const casts = columns.map((c) => `CAST(${c.name} AS ${duckdbType(c.type)})`).join(', ');
        await this.connection.run(`INSERT INTO ${schema}.${table} (${columns.map((c) => c.name).join(', ')}) SELECT ${casts} FROM EMULATOR_LOAD.${staging}`);
        await this.connection.run('COMMIT');
      } catch (error) {
        await this.connection.run('ROLLBACK');
        throw error;
      }
    } finally {
      await this.connection.run(`DROP TABLE IF EXISTS EMULATOR_LOAD.${staging}`);
    }
  }

  static text = quoteText;
}
