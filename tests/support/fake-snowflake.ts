import * as crypto from 'node:crypto';
import * as http from 'node:http';
import { LoopbackService } from './loopback-server';
import * as zlib from 'node:zlib';

/**
 * A local stand-in for Snowflake that speaks the REST protocol snowflake-sdk uses:
 * POST /session/v1/login-request, POST /queries/v1/query-request (JSON result sets),
 * POST /telemetry/send and POST /session?delete=true. It records every statement and models the
 * objects CREATE statements make, so idempotency is observable: CREATE on an existing object
 * without IF NOT EXISTS or OR REPLACE fails the way Snowflake does (002002).
 *
 * It honours roles the way a new account does: a session logs in with a role that exists and is
 * granted to the user (ACCOUNTADMIN, SYSADMIN and PUBLIC are), `USE ROLE` switches only to a role
 * granted to the user, and account-level work — CREATE DATABASE / WAREHOUSE / ROLE / STORAGE
 * INTEGRATION, GRANT ROLE, GRANT … ON FUTURE — needs ACCOUNTADMIN (003001 otherwise). With
 * `freshAccount` false (the default for tests of the other commands), setup has run before: the
 * soundlake roles exist and are granted to the user.
 */

type Cell = string | number | null;
interface ResultSet {
  columns: { name: string; type: 'text' | 'fixed' }[];
  rows: Cell[][];
}

export interface SnowflakeObject {
  kind: string;
  name: string;
  created: number;
  replaced: number;
  /** A pipe's COPY statement (what DESC PIPE shows), as last created or replaced. */
  definition?: string;
  /** A table's columns in order, from CREATE TABLE and ALTER TABLE … ADD COLUMN. */
  columns?: { name: string; type: string }[];
  /** A pipe paused with ALTER PIPE … SET PIPE_EXECUTION_PAUSED = TRUE. */
  paused?: boolean;
}

/** Column definitions of a (whitespace-normalized) CREATE TABLE: NAME TYPE [NOT NULL], types may hold commas. */
function tableColumns(sql: string): { name: string; type: string }[] {
  const end = sql.search(/\) COMMENT = /);
  const body = sql.slice(sql.indexOf('(') + 1, end >= 0 ? end : sql.lastIndexOf(')')).trim();
  return [...body.matchAll(/(?:^|, )([A-Za-z_][A-Za-z0-9_$]*) ([A-Z_]+(?:\(\d+,\d+\))?)/g)].map((m) => ({ name: m[1].toUpperCase(), type: m[2] }));
}

export interface CopyHistoryRow {
  FILE_NAME: string;
  STATUS: string;
  ROW_COUNT: number | null;
  FIRST_ERROR_MESSAGE: string | null;
  LAST_LOAD_TIME: string;
}

const BUILTIN_ROLES = ['ACCOUNTADMIN', 'SYSADMIN', 'PUBLIC'];
/** Statements only an account administrator may run (a simplified privilege model). */
const ACCOUNT_LEVEL = /^(CREATE (OR REPLACE )?(DATABASE|WAREHOUSE|ROLE|STORAGE INTEGRATION|USER)\b|ALTER USER\b|GRANT ROLE\b|GRANT .* ON FUTURE\b)/i;

export interface SnowflakeUser {
  type: string;
  defaultRole?: string;
  rsaPublicKey?: string;
  /** How many times RSA_PUBLIC_KEY was set (CREATE or ALTER). */
  keySets: number;
}

export class FakeSnowflake extends LoopbackService {
  /** A new account: none of soundlake's roles exist or are granted yet. */
  freshAccount = false;
  /** Users created with CREATE USER (the login user exists without one). */
  readonly users = new Map<string, SnowflakeUser>();
  /** Roles granted to users (`GRANT ROLE r TO USER u`). */
  readonly userRoles = new Set<string>();
  /** The session's role, from the login or USE ROLE. */
  currentRole = '';
  private loginUser = '';
  readonly statements: string[] = [];
  readonly logins: Record<string, unknown>[] = [];
  readonly objects = new Map<string, SnowflakeObject>();
  /** COPY_HISTORY rows per raw table name (RAW.LISTENING_STREAMS). */
  readonly copyHistory = new Map<string, CopyHistoryRow[]>();
  /** SYSTEM$PIPE_STATUS JSON per pipe (RAW.X_PIPE). */
  readonly pipeStatus = new Map<string, Record<string, unknown>>();
  /**
   * Files in each pipe's path on the stage (relative to it) and when each was written, as ALTER PIPE
   * … REFRESH sees them: PREFIX queues those under the prefix, MODIFIED_AFTER those written after
   * the time; either way only files written in the last 7 days (Snowflake's limit).
   */
  readonly stagedFiles = new Map<string, { path: string; modified: Date }[]>();
  /** False: DESC INTEGRATION reports no IAM user or external id (an integration not yet usable). */
  reportsHandshake = true;
  /** When set, login fails with this Snowflake error code and message. */
  loginError?: { code: string; message: string };
  private database: string | undefined;

  /** Environment for soundlake to use this fake. */
  env(extra: Record<string, string> = {}): Record<string, string> {
    return {
      SNOWFLAKE_ACCOUNT: 'fake-account',
      SNOWFLAKE_USER: 'SOUNDLAKE',
      SNOWFLAKE_PASSWORD: 'fake-password-123',
      SNOWFLAKE_ACCESS_URL: this.url,
      SNOWFLAKE_STORAGE_ROLE_ARN: 'arn:aws:iam::123456789012:role/snowflake-lake',
      LAKE_URL: 's3://music-lake/lake',
      ...extra,
    };
  }

  count(kind: string): number {
    return [...this.objects.values()].filter((o) => o.kind === kind).length;
  }

  protected handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      let body = Buffer.concat(chunks);
      if (req.headers['content-encoding'] === 'gzip') body = zlib.gunzipSync(body);
      const json = body.length > 0 ? (JSON.parse(body.toString('utf8')) as Record<string, unknown>) : {};
      const send = (payload: unknown) => {
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify(payload));
      };
      const url = req.url ?? '';
      if (url.startsWith('/session/v1/login-request')) {
        const data = (json.data ?? {}) as Record<string, unknown>;
        this.logins.push(data);
        if (this.loginError) return send({ success: false, code: this.loginError.code, message: this.loginError.message, data: null });
        const role = String(new URL(url, 'http://x').searchParams.get('roleName') ?? 'PUBLIC').toUpperCase();
        this.loginUser = String(data.LOGIN_NAME ?? '').toUpperCase();
        if (!this.mayUse(role)) {
          return send({ success: false, code: '390189', message: `Role '${role}' specified in the connect string does not exist or not authorized. Contact your local system administrator, or attempt to login with another role, e.g. PUBLIC.`, data: null });
        }
        this.currentRole = role;
        return send({
          success: true,
          data: { token: 'session-token', masterToken: 'master-token', sessionId: 1, parameters: [], sessionInfo: { databaseName: 'SOUNDLAKE', schemaName: null, warehouseName: 'SOUNDLAKE_WH', roleName: 'SOUNDLAKE_LOADER' } },
        });
      }
      if (url.startsWith('/queries/v1/query-request')) {
        const sql = String(json.sqlText ?? '');
        this.statements.push(sql);
        try {
          return send({ success: true, data: this.result(this.execute(sql)) });
        } catch (error) {
          const e = error as { code?: string; message: string };
          return send({ success: false, code: e.code ?? '001003', message: e.message, data: { sqlState: '42000', queryId: `q${this.statements.length}` } });
        }
      }
      return send({ success: true, data: {} }); // telemetry, logout, heartbeat
    });
  }

  private result(set: ResultSet): Record<string, unknown> {
    return {
      rowtype: set.columns.map((c) =>
        c.type === 'fixed'
          ? { name: c.name, type: 'fixed', nullable: true, scale: 0, precision: 38, length: null, byteLength: null }
          : { name: c.name, type: 'text', nullable: true, length: 16777216, byteLength: 16777216, scale: null, precision: null },
      ),
      rowset: set.rows.map((r) => r.map((v) => (v === null ? null : String(v)))),
      total: set.rows.length,
      returned: set.rows.length,
      queryId: `q${this.statements.length}`,
      queryResultFormat: 'json',
    };
  }

  private qualify(kind: string, name: string): string {
    const parts = name.toUpperCase().split('.');
    const schemaLevel = ['TABLE', 'VIEW', 'PIPE', 'STAGE', 'FILE FORMAT'].includes(kind);
    if (schemaLevel && parts.length === 2) {
      if (!this.database) throw Object.assign(new Error('Cannot perform CREATE. This session does not have a current database.'), { code: '090105' });
      return `${this.database}.${parts.join('.')}`;
    }
    return parts.join('.');
  }

  private roleExists(role: string): boolean {
    return BUILTIN_ROLES.includes(role) || this.objects.has(`ROLE ${role}`) || (!this.freshAccount && role.startsWith('SOUNDLAKE_'));
  }

  private mayUse(role: string): boolean {
    if (!this.roleExists(role)) return false;
    return BUILTIN_ROLES.includes(role) || this.userRoles.has(`${role} ${this.loginUser}`) || (!this.freshAccount && role.startsWith('SOUNDLAKE_'));
  }

  /**
   * What a new table or pipe holds. A pipe's COPY is compiled when the pipe is created, so a column
   * its COPY names that the table lacks fails then (000904), as in Snowflake.
   */
  private describeNew(kind: string, sql: string): Pick<SnowflakeObject, 'definition' | 'columns'> {
    if (kind === 'TABLE') return { columns: tableColumns(sql) };
    if (kind !== 'PIPE') return {};
    const definition = sql.slice(sql.search(/ AS COPY INTO /i) + 4);
    const target = /^COPY INTO ([A-Za-z0-9_$.]+) \(([^)]*)\)/i.exec(definition);
    const table = target && this.objects.get(`TABLE ${this.qualify('TABLE', target[1])}`);
    if (target && table?.columns) {
      for (const column of target[2].split(', ')) {
        if (!table.columns.some((c) => c.name === column.toUpperCase())) throw Object.assign(new Error(`SQL compilation error: error line 1 at position 0 invalid identifier '${column}'`), { code: '000904' });
      }
    }
    return { definition };
  }

  private object(kind: string, name: string): SnowflakeObject {
    const object = this.objects.get(`${kind} ${this.qualify(kind, name)}`);
    if (!object) throw Object.assign(new Error(`SQL compilation error: ${kind === 'PIPE' ? 'Pipe' : 'Table'} '${name.toUpperCase()}' does not exist or not authorized.`), { code: '002003' });
    return object;
  }

  private userExists(name: string): boolean {
    return name === this.loginUser || this.users.has(name);
  }

  /** Snowflake takes the base64 DER (SPKI) body of an RSA public key, nothing else. */
  private checkPublicKey(body: string): void {
    try {
      const key = crypto.createPublicKey({ key: Buffer.from(body, 'base64'), format: 'der', type: 'spki' });
      if (key.asymmetricKeyType === 'rsa' && /^[A-Za-z0-9+/=]+$/.test(body)) return;
    } catch {
      // fall through to Snowflake's error
    }
    throw Object.assign(new Error('Invalid RSA public key'), { code: '002029' });
  }

  private status(message: string): ResultSet {
    return { columns: [{ name: 'status', type: 'text' }], rows: [[message]] };
  }

  private execute(raw: string): ResultSet {
    const sql = raw.replace(/--[^\n]*/g, '').replace(/\/\*[\s\S]*?\*\//g, '').replace(/\s+/g, ' ').trim();
    if (ACCOUNT_LEVEL.test(sql) && this.currentRole !== 'ACCOUNTADMIN') {
      throw Object.assign(new Error(`SQL access control error: Insufficient privileges to operate on account as role ${this.currentRole}`), { code: '003001' });
    }
    const grantRole = /^GRANT ROLE ([A-Za-z0-9_$]+) TO USER ([A-Za-z0-9_$]+)$/i.exec(sql);
    if (grantRole) {
      if (!this.roleExists(grantRole[1].toUpperCase())) throw Object.assign(new Error(`Role '${grantRole[1]}' does not exist or not authorized.`), { code: '002003' });
      if (!this.userExists(grantRole[2].toUpperCase())) throw Object.assign(new Error(`User '${grantRole[2]}' does not exist or not authorized.`), { code: '002003' });
      this.userRoles.add(`${grantRole[1].toUpperCase()} ${grantRole[2].toUpperCase()}`);
      return this.status('Statement executed successfully.');
    }
    const createUser = /^CREATE USER (IF NOT EXISTS )?([A-Za-z0-9_$]+)\b(.*)$/i.exec(sql);
    if (createUser) {
      const name = createUser[2].toUpperCase();
      if (this.userExists(name)) {
        if (!createUser[1]) throw Object.assign(new Error(`SQL compilation error: User '${name}' already exists.`), { code: '002002' });
        return this.status(`${name} already exists, statement succeeded.`);
      }
      const property = (key: string) => new RegExp(`\\b${key} = ('[^']*'|[A-Za-z0-9_$.]+)`, 'i').exec(createUser[3])?.[1].replace(/^'|'$/g, '');
      const key = property('RSA_PUBLIC_KEY');
      if (key !== undefined) this.checkPublicKey(key);
      this.users.set(name, { type: (property('TYPE') ?? 'NULL').toUpperCase(), defaultRole: property('DEFAULT_ROLE')?.toUpperCase(), rsaPublicKey: key, keySets: key === undefined ? 0 : 1 });
      return this.status(`User ${name} successfully created.`);
    }
    const alterUserKey = /^ALTER USER ([A-Za-z0-9_$]+) SET RSA_PUBLIC_KEY = '([^']*)'$/i.exec(sql);
    if (alterUserKey) {
      const user = this.users.get(alterUserKey[1].toUpperCase());
      if (!user) throw Object.assign(new Error(`User '${alterUserKey[1]}' does not exist or not authorized.`), { code: '002003' });
      this.checkPublicKey(alterUserKey[2]);
      user.rsaPublicKey = alterUserKey[2];
      user.keySets++;
      return this.status('Statement executed successfully.');
    }
    const useRole = /^USE ROLE ([A-Za-z0-9_$]+)$/i.exec(sql);
    if (useRole) {
      const role = useRole[1].toUpperCase();
      if (!this.mayUse(role)) throw Object.assign(new Error(`Role '${role}' does not exist or not authorized.`), { code: '002003' });
      this.currentRole = role;
      return this.status('Statement executed successfully.');
    }
    const create = /^CREATE (OR REPLACE )?(?:SECURE )?(DATABASE|SCHEMA|DYNAMIC TABLE|TABLE|VIEW|PIPE|STAGE|FILE FORMAT|STORAGE INTEGRATION|WAREHOUSE|ROLE) (IF NOT EXISTS )?([A-Za-z0-9_$.]+)/i.exec(sql);
    if (create) {
      const kind = create[2].toUpperCase();
      const name = this.qualify(kind, create[4]);
      const key = `${kind} ${name}`;
      const existing = this.objects.get(key);
      const details = this.describeNew(kind, sql);
      if (existing) {
        if (create[1]) Object.assign(existing, { replaced: existing.replaced + 1, paused: false }, details);
        else if (!create[3]) throw Object.assign(new Error(`SQL compilation error: Object '${name}' already exists.`), { code: '002002' });
        return this.status(`${name} already exists, statement succeeded.`);
      }
      this.objects.set(key, { kind, name, created: 1, replaced: 0, ...details });
      return this.status(`${kind} ${name} successfully created.`);
    }
    // DROP … IF EXISTS of a kind of object: gone afterwards, whether it was there or not.
    const drop = /^DROP (DYNAMIC TABLE|TABLE|VIEW) IF EXISTS ([A-Za-z0-9_$.]+)$/i.exec(sql);
    if (drop) {
      const kind = drop[1].toUpperCase();
      this.objects.delete(`${kind} ${this.qualify(kind, drop[2])}`);
      return this.status('Statement executed successfully.');
    }
    let m = /^USE DATABASE ([A-Za-z0-9_$]+)$/i.exec(sql);
    if (m) {
      if (!this.objects.has(`DATABASE ${m[1].toUpperCase()}`)) throw Object.assign(new Error(`Object does not exist: ${m[1]}`), { code: '002043' });
      this.database = m[1].toUpperCase();
      return this.status('Statement executed successfully.');
    }
    if (/^GRANT /i.test(sql)) return this.status('Statement executed successfully.');
    m = /^DESC(?:RIBE)? INTEGRATION ([A-Za-z0-9_$]+)$/i.exec(sql);
    if (m) {
      if (!this.objects.has(`STORAGE INTEGRATION ${m[1].toUpperCase()}`)) throw Object.assign(new Error(`Integration '${m[1]}' does not exist.`), { code: '002003' });
      return {
        columns: ['property', 'property_type', 'property_value', 'property_default'].map((name) => ({ name, type: 'text' as const })),
        rows: [
          ['ENABLED', 'Boolean', 'true', 'false'],
          ...(this.reportsHandshake ? [['STORAGE_AWS_IAM_USER_ARN', 'String', 'arn:aws:iam::999999999999:user/abc1-s-fake', '']] : []),
          ['STORAGE_AWS_ROLE_ARN', 'String', 'arn:aws:iam::123456789012:role/snowflake-lake', ''],
          ...(this.reportsHandshake ? [['STORAGE_AWS_EXTERNAL_ID', 'String', 'FAKE_SFCRole=2_abcdefg=', '']] : []),
        ],
      };
    }
    if (/^SHOW PIPES IN SCHEMA RAW$/i.test(sql)) {
      const pipes = [...this.objects.values()].filter((o) => o.kind === 'PIPE');
      return {
        columns: ['created_on', 'name', 'database_name', 'schema_name', 'notification_channel'].map((name) => ({ name, type: 'text' as const })),
        rows: pipes.map((p) => {
          const [db, schema, name] = p.name.split('.');
          return ['2026-11-21 00:00:00', name, db, schema, 'arn:aws:sqs:us-east-1:999999999999:sf-snowpipe-FAKE'];
        }),
      };
    }
    m = /^SELECT SYSTEM\$PIPE_STATUS\('([A-Za-z0-9_$.]+)'\) AS STATUS$/i.exec(sql);
    if (m) {
      const paused = [...this.objects.values()].some((o) => o.kind === 'PIPE' && o.paused && o.name.endsWith(m![1].toUpperCase()));
      const status = { executionState: paused ? 'PAUSED' : 'RUNNING', pendingFileCount: 0, ...this.pipeStatus.get(m[1].toUpperCase()) };
      return { columns: [{ name: 'STATUS', type: 'text' }], rows: [[JSON.stringify(status)]] };
    }
    m = /COPY_HISTORY\(TABLE_NAME => '([A-Za-z0-9_$.]+)'/i.exec(sql);
    if (m) {
      const rows = this.copyHistory.get(m[1].toUpperCase()) ?? [];
      return {
        columns: [
          { name: 'FILE_NAME', type: 'text' },
          { name: 'STATUS', type: 'text' },
          { name: 'ROW_COUNT', type: 'fixed' },
          { name: 'FIRST_ERROR_MESSAGE', type: 'text' },
          { name: 'LAST_LOAD_TIME', type: 'text' },
        ],
        rows: rows.map((r) => [r.FILE_NAME, r.STATUS, r.ROW_COUNT, r.FIRST_ERROR_MESSAGE, r.LAST_LOAD_TIME]),
      };
    }
    m = /^DESC(?:RIBE)? TABLE ([A-Za-z0-9_$.]+)$/i.exec(sql);
    if (m) {
      const table = this.object('TABLE', m[1]);
      return {
        columns: ['name', 'type', 'kind', 'null?'].map((name) => ({ name, type: 'text' as const })),
        rows: (table.columns ?? []).map((c) => [c.name, c.type, 'COLUMN', 'Y']),
      };
    }
    m = /^DESC(?:RIBE)? PIPE ([A-Za-z0-9_$.]+)$/i.exec(sql);
    if (m) {
      const pipe = this.object('PIPE', m[1]);
      return {
        columns: ['created_on', 'name', 'definition', 'notification_channel'].map((name) => ({ name, type: 'text' as const })),
        rows: [['2026-11-21 00:00:00', pipe.name.split('.').pop()!, pipe.definition ?? '', 'arn:aws:sqs:us-east-1:999999999999:sf-snowpipe-FAKE']],
      };
    }
    m = /^ALTER TABLE ([A-Za-z0-9_$.]+) ADD COLUMN (IF NOT EXISTS )?([A-Za-z_][A-Za-z0-9_$]*) ([A-Z_]+(?:\(\d+,\d+\))?)$/i.exec(sql);
    if (m) {
      const table = this.object('TABLE', m[1]);
      const name = m[3].toUpperCase();
      if (table.columns?.some((c) => c.name === name)) {
        if (!m[2]) throw Object.assign(new Error(`SQL compilation error: column '${name}' already exists`), { code: '002025' });
      } else {
        table.columns = [...(table.columns ?? []), { name, type: m[4].toUpperCase() }];
      }
      return this.status('Statement executed successfully.');
    }
    m = /^ALTER PIPE ([A-Za-z0-9_$.]+) SET PIPE_EXECUTION_PAUSED = (TRUE|FALSE)$/i.exec(sql);
    if (m) {
      this.object('PIPE', m[1]).paused = m[2].toUpperCase() === 'TRUE';
      return this.status('Statement executed successfully.');
    }
    m = /^ALTER PIPE ([A-Za-z0-9_$.]+) REFRESH (PREFIX|MODIFIED_AFTER) = '([^']*)'$/i.exec(sql);
    if (m) {
      const weekAgo = Date.now() - 7 * 86_400_000;
      const after = m[2].toUpperCase() === 'MODIFIED_AFTER' ? Date.parse(m[3]) : NaN;
      if (m[2].toUpperCase() === 'MODIFIED_AFTER' && Number.isNaN(after)) throw Object.assign(new Error(`Invalid timestamp '${m[3]}'`), { code: '100035' });
      const files = (this.stagedFiles.get(m[1].toUpperCase()) ?? []).filter(
        (f) => f.modified.getTime() > weekAgo && (Number.isNaN(after) ? f.path.startsWith(m![3]) : f.modified.getTime() > after),
      );
      return { columns: [{ name: 'File', type: 'text' }, { name: 'Status', type: 'text' }], rows: files.map((f) => [f.path, 'SENT']) };
    }
    m = /^SELECT SYSTEM\$GET_AWS_SNS_IAM_POLICY\('([^']*)'\) AS POLICY$/i.exec(sql);
    if (m) {
      // The shape Snowflake documents: one statement allowing its queue owner to subscribe.
      const policy = { Version: '2012-10-17', Statement: [{ Sid: '1', Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::999999999999:user/sns-fake-subscriber' }, Action: ['sns:Subscribe'], Resource: [m[1]] }] };
      return { columns: [{ name: 'POLICY', type: 'text' }], rows: [[JSON.stringify(policy)]] };
    }
    if (/^SELECT 1$/i.test(sql)) return { columns: [{ name: '1', type: 'fixed' }], rows: [[1]] };
    // Other reads (the monitoring queries): an empty result, as on an account with no loads yet.
    if (/^(SELECT|WITH) /i.test(sql)) return { columns: [{ name: 'RESULT', type: 'text' }], rows: [] };
    throw Object.assign(new Error(`fake Snowflake does not understand: ${sql.slice(0, 120)}`), { code: '001003' });
  }
}
