import type * as http from 'node:http';
import * as zlib from 'node:zlib';
import { LoopbackService } from '../loopback-server';
import { SnowflakeAccount, type ResultSet, type Session } from './account';
import type { ObjectSource } from './pipes';
import { SqlError } from './sql-text';
import type { LoginRequest } from './users';

/**
 * A local Snowflake for tests: the REST protocol snowflake-sdk speaks (POST
 * /session/v1/login-request, /queries/v1/query-request with JSON result sets, /telemetry/send,
 * /session?delete=true) in front of an account (account.ts) that evaluates what Snowflake
 * evaluates: privileges, pipe PATTERNs, file formats, loads into tables held in DuckDB.
 *
 * A new emulator is a new account: one user (`SOUNDLAKE`, with a password) holds ACCOUNTADMIN,
 * as the person who set the account up; nothing of soundlake's exists until `snowflake setup`.
 */
export class SnowflakeEmulator extends LoopbackService {
  readonly statements: string[] = [];
  readonly logins: Record<string, unknown>[] = [];
  /** When set, every login fails with this error (an outage, a locked user). */
  loginError?: { code: string; message: string };
  private readonly sessions = new Map<string, Session>();
  private lastSession?: Session;
  private deliveries: Promise<void> = Promise.resolve();

  private constructor(
    readonly account: SnowflakeAccount,
    private readonly source: ObjectSource,
  ) {
    super();
  }

  /**
   * An S3 event notification for a created object reached the account's queue (auto-ingest.ts sends
   * them from s3rver; a test may send one by hand). Events are handled in arrival order.
   */
  deliver(location: string): void {
    this.deliveries = this.deliveries.then(async () => {
      const object = await this.source.get(location);
      if (object) await this.account.notify(object);
    });
  }

  /** Resolves once every delivered event has been routed and every queued file loaded or failed. */
  async drain(): Promise<void> {
    await this.deliveries;
    await this.account.drain();
  }

  /** `source` is the bucket the storage integration reads (REFRESH lists it). */
  static async open(source: ObjectSource): Promise<SnowflakeEmulator> {
    const emulator = new SnowflakeEmulator(await SnowflakeAccount.create(source), source);
    emulator.account.users.users.set('SOUNDLAKE', { type: 'PERSON', password: 'fake-password-123', keySets: 0 });
    emulator.account.access.grantRoleToUser('ACCOUNTADMIN', 'SOUNDLAKE');
    return emulator.start();
  }

  override async stop(): Promise<void> {
    await super.stop();
    await this.drain().catch(() => undefined);
    this.account.tables.close();
  }

  /** Environment for soundlake to use this account (LAKE_URL matches the s3rver harness's lake). */
  env(extra: Record<string, string> = {}): Record<string, string> {
    return {
      SNOWFLAKE_ACCOUNT: 'emulated-account',
      SNOWFLAKE_USER: 'SOUNDLAKE',
      SNOWFLAKE_PASSWORD: 'fake-password-123',
      SNOWFLAKE_ACCESS_URL: this.url,
      SNOWFLAKE_STORAGE_ROLE_ARN: 'arn:aws:iam::123456789012:role/snowflake-lake',
      LAKE_URL: 's3://music-lake/lake',
      ...extra,
    };
  }

  /** The role of the most recent session (after its last USE ROLE). */
  get currentRole(): string {
    return this.lastSession?.role ?? '';
  }

  get objects() {
    return this.account.catalog.objects;
  }

  get users() {
    return this.account.users.users;
  }

  count(kind: string): number {
    return this.account.catalog.all(kind).length;
  }

  /** A query straight against the account's tables and views (DuckDB), for assertions. */
  query(sql: string) {
    return this.account.tables.query(sql);
  }

  protected handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void this.respond(req, Buffer.concat(chunks)).then((payload) => {
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify(payload));
      });
    });
  }

  private async respond(req: http.IncomingMessage, raw: Buffer): Promise<unknown> {
    const body = req.headers['content-encoding'] === 'gzip' ? zlib.gunzipSync(raw) : raw;
    const json = body.length > 0 ? (JSON.parse(body.toString('utf8')) as Record<string, unknown>) : {};
    const url = new URL(req.url ?? '/', 'http://emulator');
    if (url.pathname === '/session/v1/login-request') return this.login(json.data as LoginRequest, url);
    if (url.pathname === '/queries/v1/query-request') {
      const sql = String(json.sqlText ?? '');
      this.statements.push(sql);
      const token = /Token="([^"]+)"/.exec(String(req.headers.authorization ?? ''))?.[1] ?? '';
      const session = this.sessions.get(token);
      if (!session) return { success: false, code: '390112', message: 'Your session has expired. Please login again.', data: null };
      this.lastSession = session;
      try {
        return { success: true, data: this.resultSet(await this.account.execute(sql, session)) };
      } catch (error) {
        const e = error as SqlError;
        if (!(e instanceof SqlError)) throw error;
        return { success: false, code: e.code, message: e.message, data: { sqlState: '42000', queryId: `q${this.statements.length}` } };
      }
    }
    return { success: true, data: {} }; // telemetry, logout, heartbeat
  }

  /** Login: the user authenticates, then the role in the connect string must be one the user may use. */
  private login(data: LoginRequest, url: URL): unknown {
    this.logins.push({ ...data });
    if (this.loginError) return { success: false, code: this.loginError.code, message: this.loginError.message, data: null };
    let user: string;
    try {
      user = this.account.users.authenticate(data);
    } catch (error) {
      const e = error as SqlError;
      return { success: false, code: e.code, message: e.message, data: null };
    }
    const role = String(url.searchParams.get('roleName') ?? 'PUBLIC').toUpperCase();
    if (!this.account.access.mayUse(user, role)) {
      return {
        success: false,
        code: '390189',
        message: `Role '${role}' specified in the connect string does not exist or not authorized. Contact your local system administrator, or attempt to login with another role, e.g. PUBLIC.`,
        data: null,
      };
    }
    const token = `session-${this.sessions.size + 1}`;
    const session: Session = { user, role };
    const database = url.searchParams.get('databaseName')?.toUpperCase();
    if (database && this.account.catalog.get('DATABASE', database)) session.database = database;
    this.sessions.set(token, session);
    this.lastSession = session;
    return {
      success: true,
      data: { token, masterToken: `master-${token}`, sessionId: this.sessions.size, parameters: [], sessionInfo: { databaseName: session.database ?? null, schemaName: null, warehouseName: null, roleName: role } },
    };
  }

  private resultSet(set: ResultSet): Record<string, unknown> {
    const numeric = set.columns.map((_, i) => set.rows.length > 0 && set.rows.every((r) => r[i] === null || typeof r[i] === 'number'));
    return {
      rowtype: set.columns.map((name, i) =>
        numeric[i]
          ? { name, type: 'fixed', nullable: true, scale: 0, precision: 38, length: null, byteLength: null }
          : { name, type: 'text', nullable: true, length: 16777216, byteLength: 16777216, scale: null, precision: null },
      ),
      rowset: set.rows.map((r) => r.map((v) => (v === null ? null : String(v)))),
      total: set.rows.length,
      returned: set.rows.length,
      queryId: `q${this.statements.length}`,
      queryResultFormat: 'json',
    };
  }
}
