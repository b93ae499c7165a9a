import { AccessControl, ACCOUNT, type Securable } from './access-control';
import { Catalog, splitQualified, type SnowflakeObject } from './catalog';
import { DuckdbTables, type TableColumn } from './duckdb-tables';
import { parseFileFormat, type FileFormat } from './file-format';
import { parsePipeCopy } from './pipe-definition';
import { Pipe, type CopyHistoryRow, type ObjectSource, type StagedObject } from './pipes';
import { foldStatement, identifier, splitTopLevel, sqlError, unquote } from './sql-text';
import { checkPublicKey, Users } from './users';

type Cell = string | number | null;
export interface ResultSet {
  columns: string[];
  rows: Cell[][];
}

export interface Session {
  user: string;
  role: string;
  database?: string;
}

const ok = (message = 'Statement executed successfully.'): ResultSet => ({ columns: ['status'], rows: [[message]] });
const NAME = '([A-Za-z_][A-Za-z0-9_$.]*)';

/**
 * The account: objects, roles, users, pipes and their loads. Every statement soundlake sends goes
 * through `execute`, which checks the privileges the documentation names for it (access-control.ts)
 * and changes the state; a statement it does not understand is an error, never a silent success.
 */
export class SnowflakeAccount {
  readonly catalog = new Catalog();
  readonly access = new AccessControl();
  readonly users = new Users();
  readonly pipes = new Map<string, Pipe>();
  /** COPY_HISTORY per target table (`DB.RAW.TABLE`). */
  readonly copyHistory = new Map<string, CopyHistoryRow[]>();
  /** Faults the emulator cannot reach by itself (a stage altered under a pipe), per pipe: merged into SYSTEM$PIPE_STATUS. */
  readonly pipeFaults = new Map<string, Record<string, unknown>>();
  /** False: DESC INTEGRATION reports no IAM user or external id (an integration not yet usable). */
  reportsHandshake = true;
  /** The SQS queue every auto-ingest pipe of the account shares (SHOW PIPES notification_channel). */
  readonly notificationChannel = 'arn:aws:sqs:us-east-1:999999999999:sf-snowpipe-FAKE';
  now = () => new Date();
  private work: Promise<void> = Promise.resolve();

  constructor(
    readonly tables: DuckdbTables,
    private readonly source: ObjectSource,
  ) {}

  static async create(source: ObjectSource): Promise<SnowflakeAccount> {
    return new SnowflakeAccount(await DuckdbTables.open(), source);
  }

  /** USAGE on the database and the schema, and `privilege` on the schema: what creating in a schema takes. */
  private requireInSchema(session: Session, qualified: string, privilege: string): void {
    const { database, schema } = splitQualified(qualified);
    this.catalog.require('DATABASE', database);
    this.catalog.require('SCHEMA', schema);
    this.access.require(session.role, 'USAGE', { kind: 'DATABASE', name: database });
    this.access.require(session.role, 'USAGE', { kind: 'SCHEMA', name: schema });
    this.access.require(session.role, privilege, { kind: 'SCHEMA', name: schema });
  }

  /**
   * CREATE [OR REPLACE] … [IF NOT EXISTS]: IF NOT EXISTS leaves an existing object alone; OR REPLACE
   * needs OWNERSHIP of the object it replaces; neither fails on an existing one (002002).
   */
  private create(session: Session, kind: string, qualified: string, mode: { replace: boolean; ifNotExists: boolean }, build: () => Partial<SnowflakeObject>): 'created' | 'kept' | 'replaced' {
    const existing = this.catalog.get(kind, qualified);
    if (existing && mode.ifNotExists && !mode.replace) return 'kept';
    if (existing && !mode.replace) throw sqlError('002002', `SQL compilation error: Object '${qualified}' already exists.`);
    if (existing) this.access.require(session.role, 'OWNERSHIP', { kind, name: qualified });
    const details = build();
    if (existing) {
      Object.assign(existing, details, { replaced: existing.replaced + 1, paused: false });
      return 'replaced';
    }
    this.catalog.put({ kind, name: qualified, created: 1, replaced: 0, ...details });
    this.access.setOwner({ kind, name: qualified }, session.role);
    return 'created';
  }

  columnsOf(table: string): TableColumn[] {
    return this.catalog.require('TABLE', table).columns ?? [];
  }

  history(table: string): CopyHistoryRow[] {
    const rows = this.copyHistory.get(table) ?? [];
    this.copyHistory.set(table, rows);
    return rows;
  }

  private pipeContext(database: string) {
    return {
      tables: this.tables,
      columnsOf: (table: string) => this.columnsOf(this.catalog.qualify('TABLE', table, database)),
      format: (name: string) => JSON.parse(this.catalog.require('FILE FORMAT', this.catalog.qualify('FILE FORMAT', name, database)).properties!.options) as FileFormat,
      stageUrl: (stage: string) => this.catalog.require('STAGE', this.catalog.qualify('STAGE', stage, database)).properties!.url,
      history: (table: string) => this.history(this.catalog.qualify('TABLE', table, database)),
      now: this.now,
    };
  }

  /** An S3 event for a created object reached Snowflake's queue: every pipe that selects it queues it. */
  notify(object: StagedObject): Promise<void> {
    for (const pipe of this.pipes.values()) pipe.enqueue(object);
    return this.kick();
  }

  /** Loads what the pipes have queued, one file at a time, in arrival order. */
  private kick(): Promise<void> {
    this.work = this.work.then(async () => {
      for (const pipe of this.pipes.values()) await pipe.process();
    });
    return this.work;
  }

  /** Resolves when every queued file of every running pipe has been loaded or failed. */
  drain(): Promise<void> {
    return this.kick();
  }

  async execute(raw: string, session: Session): Promise<ResultSet> {
    const sql = foldStatement(raw);
    const handlers: [RegExp, (m: RegExpExecArray) => ResultSet | Promise<ResultSet>][] = [
      [/^USE ROLE ([A-Za-z0-9_$]+)$/i, (m) => this.useRole(session, identifier(m[1]))],
      [/^USE DATABASE ([A-Za-z0-9_$]+)$/i, (m) => this.useDatabase(session, identifier(m[1]))],
      [/^USE WAREHOUSE ([A-Za-z0-9_$]+)$/i, () => ok()],
      [/^CREATE (OR REPLACE )?(DATABASE|WAREHOUSE|ROLE) (IF NOT EXISTS )?([A-Za-z0-9_$]+)\b/i, (m) => this.createAccountObject(session, m)],
      [new RegExp(`^CREATE (OR REPLACE )?SCHEMA (IF NOT EXISTS )?${NAME}`, 'i'), (m) => this.createSchema(session, m)],
      [/^CREATE (OR REPLACE )?STORAGE INTEGRATION (IF NOT EXISTS )?([A-Za-z0-9_$]+) (.*)$/i, (m) => this.createIntegration(session, m)],
      [/^CREATE USER (IF NOT EXISTS )?([A-Za-z0-9_$]+)\b(.*)$/i, (m) => this.createUser(session, m)],
      [/^ALTER USER ([A-Za-z0-9_$]+) SET RSA_PUBLIC_KEY = '([^']*)'$/i, (m) => this.alterUserKey(session, identifier(m[1]), m[2])],
      [/^GRANT ROLE ([A-Za-z0-9_$]+) TO (USER|ROLE) ([A-Za-z0-9_$]+)$/i, (m) => this.grantRole(session, identifier(m[1]), m[2].toUpperCase(), identifier(m[3]))],
      [new RegExp(`^GRANT ([A-Z ,]+) ON FUTURE (VIEWS|TABLES|DYNAMIC TABLES) IN SCHEMA ${NAME} TO ROLE ([A-Za-z0-9_$]+)$`, 'i'), (m) => this.grantFuture(session, m)],
      [new RegExp(`^GRANT ([A-Z ,]+) ON ALL (VIEWS|TABLES) IN SCHEMA ${NAME} TO ROLE ([A-Za-z0-9_$]+)$`, 'i'), (m) => this.grantAll(session, m)],
      [new RegExp(`^GRANT ([A-Z ,]+) ON (DATABASE|SCHEMA|WAREHOUSE|INTEGRATION) ${NAME} TO ROLE ([A-Za-z0-9_$]+)$`, 'i'), (m) => this.grantOn(session, m)],
      [new RegExp(`^CREATE (OR REPLACE )?FILE FORMAT (IF NOT EXISTS )?${NAME}`, 'i'), (m) => this.createFileFormat(session, m, sql)],
      [new RegExp(`^CREATE (OR REPLACE )?STAGE (IF NOT EXISTS )?${NAME} (.*)$`, 'i'), (m) => this.createStage(session, m)],
      [new RegExp(`^CREATE (OR REPLACE )?TABLE (IF NOT EXISTS )?${NAME} \\((.*)\\)( COMMENT = '(?:[^']|'')*')?$`, 'i'), (m) => this.createTable(session, m)],
      [new RegExp(`^CREATE (OR REPLACE )?(?:SECURE )?VIEW (IF NOT EXISTS )?${NAME} AS (.*)$`, 'i'), (m) => this.createView(session, m)],
      [new RegExp(`^CREATE (OR REPLACE )?DYNAMIC TABLE (IF NOT EXISTS )?${NAME} TARGET_LAG = ('[^']*'|[A-Za-z]+) WAREHOUSE = ([A-Za-z0-9_$]+)(?: REFRESH_MODE = (AUTO|FULL|INCREMENTAL))? AS (.*)$`, 'i'), (m) => this.createDynamicTable(session, m)],
      [new RegExp(`^CREATE (OR REPLACE )?PIPE (IF NOT EXISTS )?${NAME} (.*?) AS (COPY INTO .*)$`, 'i'), (m) => this.createPipe(session, m)],
      [new RegExp(`^DROP (DYNAMIC TABLE|TABLE|VIEW|PIPE) IF EXISTS ${NAME}$`, 'i'), (m) => this.drop(session, m[1].toUpperCase(), m[2])],
      [/^DESC(?:RIBE)? (?:STORAGE )?INTEGRATION ([A-Za-z0-9_$]+)$/i, (m) => this.describeIntegration(session, identifier(m[1]))],
      [new RegExp(`^DESC(?:RIBE)? TABLE ${NAME}$`, 'i'), (m) => this.describeTable(session, m[1])],
      [new RegExp(`^DESC(?:RIBE)? PIPE ${NAME}$`, 'i'), (m) => this.describePipe(session, m[1])],
      [/^SHOW PIPES IN SCHEMA ([A-Za-z0-9_$.]+)$/i, (m) => this.showPipes(session, m[1])],
      [new RegExp(`^ALTER TABLE ${NAME} ADD COLUMN (IF NOT EXISTS )?([A-Za-z_][A-Za-z0-9_$]*) ([A-Z_]+(?:\\(\\d+,\\d+\\))?)$`, 'i'), (m) => this.addColumn(session, m)],
      [new RegExp(`^ALTER PIPE ${NAME} SET PIPE_EXECUTION_PAUSED = (TRUE|FALSE)$`, 'i'), (m) => this.pausePipe(session, m[1], m[2].toUpperCase() === 'TRUE')],
      [new RegExp(`^ALTER PIPE ${NAME} REFRESH(?: PREFIX = '([^']*)')?(?: MODIFIED_AFTER = '([^']*)')?$`, 'i'), (m) => this.refreshPipe(session, m)],
      [/^SELECT SYSTEM\$PIPE_STATUS\('([A-Za-z0-9_$.]+)'\)( AS [A-Z_]+)?$/i, (m) => this.pipeStatus(session, m[1])],
      [/^SELECT SYSTEM\$GET_AWS_SNS_IAM_POLICY\('([^']*)'\)( AS [A-Z_]+)?$/i, (m) => this.snsPolicy(m[1])],
      [/^SELECT CURRENT_VERSION\(\)( AS ([A-Z_]+))?$/i, (m) => ({ columns: [m[2] ?? 'CURRENT_VERSION()'], rows: [['9.40.0']] })],
      [/^(SELECT|WITH) /i, () => this.select(session, sql)],
    ];
    for (const [pattern, handle] of handlers) {
      const m = pattern.exec(sql);
      if (m) return handle(m);
    }
    throw sqlError('001003', `SQL compilation error: the emulator does not understand: ${sql.slice(0, 160)}`);
  }

  /** USE ROLE: only a role granted to the user, directly or below a granted role in the hierarchy. */
  private useRole(session: Session, role: string): ResultSet {
    if (!this.access.mayUse(session.user, role)) throw sqlError('002003', `SQL compilation error: Role '${role}' does not exist or not authorized.`);
    session.role = role;
    return ok();
  }

  private useDatabase(session: Session, database: string): ResultSet {
    if (!this.catalog.get('DATABASE', database) || !this.access.hasAny(session.role, { kind: 'DATABASE', name: database })) {
      throw sqlError('002043', `SQL compilation error: Object does not exist, or operation cannot be performed.`);
    }
    session.database = database;
    return ok();
  }

  /** CREATE DATABASE / WAREHOUSE / ROLE need the account privilege of that name (SYSADMIN, USERADMIN). */
  private createAccountObject(session: Session, m: RegExpExecArray): ResultSet {
    const kind = m[2].toUpperCase();
    const name = identifier(m[4]);
    this.access.require(session.role, `CREATE ${kind}`, ACCOUNT);
    if (kind === 'ROLE') {
      if (this.access.roleExists(name)) return ok(`${name} already exists, statement succeeded.`);
      this.access.createRole(name, session.role);
      return ok(`Role ${name} successfully created.`);
    }
    const result = this.create(session, kind, name, { replace: Boolean(m[1]), ifNotExists: Boolean(m[3]) }, () => ({}));
    return ok(`${kind} ${name} ${result === 'kept' ? 'already exists, statement succeeded' : 'successfully created'}.`);
  }

  /** CREATE SCHEMA: CREATE SCHEMA on the database (its owner has it). */
  private async createSchema(session: Session, m: RegExpExecArray): Promise<ResultSet> {
    const qualified = this.catalog.qualify('SCHEMA', m[3], session.database);
    const { database } = splitQualified(`${qualified}.X`);
    this.catalog.require('DATABASE', database);
    this.access.require(session.role, 'CREATE SCHEMA', { kind: 'DATABASE', name: database });
    this.create(session, 'SCHEMA', qualified, { replace: Boolean(m[1]), ifNotExists: Boolean(m[2]) }, () => ({}));
    await this.tables.ensureSchema(qualified.split('.')[1]);
    return ok();
  }

  /**
   * CREATE STORAGE INTEGRATION needs ACCOUNTADMIN or CREATE INTEGRATION. STORAGE_ALLOWED_LOCATIONS
   * "Explicitly limits external stages that use the integration to reference one or more storage
   * locations" (checked by CREATE STAGE).
   */
  private createIntegration(session: Session, m: RegExpExecArray): ResultSet {
    this.access.require(session.role, 'CREATE INTEGRATION', ACCOUNT);
    const name = identifier(m[3]);
    const allowed = /STORAGE_ALLOWED_LOCATIONS = \(([^)]*)\)/i.exec(m[4])?.[1] ?? '';
    const roleArn = /STORAGE_AWS_ROLE_ARN = '([^']*)'/i.exec(m[4])?.[1] ?? '';
    this.create(session, 'STORAGE INTEGRATION', name, { replace: Boolean(m[1]), ifNotExists: Boolean(m[2]) }, () => ({
      properties: { allowed: JSON.stringify(splitTopLevel(allowed).map(unquote)), roleArn },
    }));
    return ok(`Integration ${name} successfully created.`);
  }

  /** CREATE USER needs CREATE USER (USERADMIN and above); TYPE = SERVICE users take no password. */
  private createUser(session: Session, m: RegExpExecArray): ResultSet {
    this.access.require(session.role, 'CREATE USER', ACCOUNT);
    const name = identifier(m[2]);
    if (this.users.exists(name)) {
      if (!m[1]) throw sqlError('002002', `SQL compilation error: User '${name}' already exists.`);
      return ok(`${name} already exists, statement succeeded.`);
    }
    const property = (key: string) => new RegExp(`\\b${key} = ('[^']*'|[A-Za-z0-9_$.]+)`, 'i').exec(m[3])?.[1].replace(/^'|'$/g, '');
    const type = (property('TYPE') ?? 'NULL').toUpperCase();
    const key = property('RSA_PUBLIC_KEY');
    if (key !== undefined) checkPublicKey(key);
    if (type === 'SERVICE' && property('PASSWORD') !== undefined) throw sqlError('002033', 'SERVICE users cannot have a password.');
    this.users.users.set(name, { type, defaultRole: property('DEFAULT_ROLE')?.toUpperCase(), rsaPublicKey: key, keySets: key === undefined ? 0 : 1, password: property('PASSWORD') });
    this.access.setOwner({ kind: 'USER', name }, session.role);
    return ok(`User ${name} successfully created.`);
  }

  /** ALTER USER … SET RSA_PUBLIC_KEY: the user's owner (or a role with MANAGE GRANTS, as a security administrator). */
  private alterUserKey(session: Session, name: string, key: string): ResultSet {
    const user = this.users.users.get(name);
    if (!user) throw sqlError('002003', `User '${name}' does not exist or not authorized.`);
    if (!this.access.has(session.role, 'OWNERSHIP', { kind: 'USER', name }) && !this.access.has(session.role, 'MANAGE GRANTS', ACCOUNT)) {
      this.access.require(session.role, 'OWNERSHIP', { kind: 'USER', name });
    }
    checkPublicKey(key);
    user.rsaPublicKey = key;
    user.keySets++;
    return ok();
  }

  /** GRANT <privilege> … TO ROLE: the object's owner, or a role with MANAGE GRANTS. */
  private requireGrantor(session: Session, on: Securable): void {
    if (this.access.has(session.role, 'MANAGE GRANTS', ACCOUNT)) return;
    this.access.require(session.role, 'OWNERSHIP', on);
  }

  /** GRANT ROLE: by the role's owner or a role with MANAGE GRANTS (as for any grant); role and grantee must exist. */
  private grantRole(session: Session, role: string, to: string, grantee: string): ResultSet {
    if (!this.access.roleExists(role)) throw sqlError('002003', `SQL compilation error: Role '${role}' does not exist or not authorized.`);
    if (to === 'USER' && !this.users.exists(grantee)) throw sqlError('002003', `SQL compilation error: User '${grantee}' does not exist or not authorized.`);
    if (to === 'ROLE' && !this.access.roleExists(grantee)) throw sqlError('002003', `SQL compilation error: Role '${grantee}' does not exist or not authorized.`);
    this.requireGrantor(session, { kind: 'ROLE', name: role });
    if (to === 'USER') this.access.grantRoleToUser(role, grantee);
    else this.access.grantRoleToRole(role, grantee);
    return ok();
  }

  private grantee(name: string): string {
    const role = identifier(name);
    if (!this.access.roleExists(role)) throw sqlError('002003', `SQL compilation error: Role '${role}' does not exist or not authorized.`);
    return role;
  }

  private grantOn(session: Session, m: RegExpExecArray): ResultSet {
    const kind = m[2].toUpperCase() === 'INTEGRATION' ? 'STORAGE INTEGRATION' : m[2].toUpperCase();
    const name = kind === 'SCHEMA' ? this.catalog.qualify('SCHEMA', m[3], session.database) : identifier(m[3]);
    this.catalog.require(kind, name);
    const on = { kind, name };
    this.requireGrantor(session, on);
    const role = this.grantee(m[4]);
    for (const privilege of m[1].split(',').map((p) => p.trim().toUpperCase())) this.access.grant(privilege, on, role);
    return ok();
  }

  /**
   * GRANT … ON FUTURE … IN SCHEMA: modelled as needing the global MANAGE GRANTS privilege (the schema
   * owner may also define them in a managed-access schema; soundlake's schemas are not managed
   * access, and the stricter rule can only make a setup fail here that would pass there). They
   * apply to objects created afterwards.
   */
  private grantFuture(session: Session, m: RegExpExecArray): ResultSet {
    this.access.require(session.role, 'MANAGE GRANTS', ACCOUNT);
    const schema = this.catalog.qualify('SCHEMA', m[3], session.database);
    this.catalog.require('SCHEMA', schema);
    const kind = m[2].toUpperCase().replace(/S$/, '');
    const role = this.grantee(m[4]);
    for (const privilege of m[1].split(',').map((p) => p.trim().toUpperCase())) this.access.grantFuture(privilege, kind, schema, role);
    return ok();
  }

  private grantAll(session: Session, m: RegExpExecArray): ResultSet {
    const schema = this.catalog.qualify('SCHEMA', m[3], session.database);
    this.catalog.require('SCHEMA', schema);
    const kind = m[2].toUpperCase().replace(/S$/, '');
    const role = this.grantee(m[4]);
    for (const object of this.catalog.all(kind).filter((o) => o.name.startsWith(`${schema}.`))) {
      this.requireGrantor(session, { kind, name: object.name });
      for (const privilege of m[1].split(',').map((p) => p.trim().toUpperCase())) this.access.grant(privilege, { kind, name: object.name }, role);
    }
    return ok();
  }

  private createFileFormat(session: Session, m: RegExpExecArray, sql: string): ResultSet {
    const qualified = this.catalog.qualify('FILE FORMAT', m[3], session.database);
    this.requireInSchema(session, qualified, 'CREATE FILE FORMAT');
    const options = parseFileFormat(sql);
    this.create(session, 'FILE FORMAT', qualified, { replace: Boolean(m[1]), ifNotExists: Boolean(m[2]) }, () => ({ properties: { options: JSON.stringify(options) } }));
    return ok();
  }

  /** CREATE STAGE with a storage integration: USAGE on the integration, and a URL within its allowed locations. */
  private createStage(session: Session, m: RegExpExecArray): ResultSet {
    const qualified = this.catalog.qualify('STAGE', m[3], session.database);
    this.requireInSchema(session, qualified, 'CREATE STAGE');
    const url = /URL = '([^']*)'/i.exec(m[4])?.[1];
    const integrationName = /STORAGE_INTEGRATION = ([A-Za-z0-9_$]+)/i.exec(m[4])?.[1];
    if (!url || !integrationName) throw sqlError('001003', 'the emulator models external stages with a URL and a STORAGE_INTEGRATION only (no credentials in a stage)');
    const integration = this.catalog.require('STORAGE INTEGRATION', identifier(integrationName));
    this.access.require(session.role, 'USAGE', { kind: 'STORAGE INTEGRATION', name: integration.name });
    const allowed = JSON.parse(integration.properties!.allowed) as string[];
    if (!allowed.some((location) => url.startsWith(location))) {
      throw sqlError('003120', `SQL execution error: URL '${url}' is not allowed by integration ${integration.name} (STORAGE_ALLOWED_LOCATIONS ${allowed.join(', ')})`);
    }
    this.create(session, 'STAGE', qualified, { replace: Boolean(m[1]), ifNotExists: Boolean(m[2]) }, () => ({ properties: { url: url.endsWith('/') ? url : `${url}/` } }));
    return ok();
  }

  private async createTable(session: Session, m: RegExpExecArray): Promise<ResultSet> {
    const qualified = this.catalog.qualify('TABLE', m[3], session.database);
    this.requireInSchema(session, qualified, 'CREATE TABLE');
    const columns = splitTopLevel(m[4]).map((definition) => {
      const c = /^([A-Za-z_][A-Za-z0-9_$]*) ([A-Z_]+(?:\(\d+(?:,\d+)?\))?)( NOT NULL)?$/i.exec(definition.replace(/\s*,\s*/g, ','));
      if (!c) throw sqlError('001003', `the emulator does not understand the column definition ${definition}`);
      return { name: identifier(c[1]), type: c[2].toUpperCase(), notNull: Boolean(c[3]) };
    });
    const result = this.create(session, 'TABLE', qualified, { replace: Boolean(m[1]), ifNotExists: Boolean(m[2]) }, () => ({ columns }));
    const { schema, name } = splitQualified(qualified);
    if (result !== 'kept') await this.tables.createTable(schema.split('.')[1], name, columns);
    return ok(`Table ${name} successfully created.`);
  }

  private async createView(session: Session, m: RegExpExecArray): Promise<ResultSet> {
    const qualified = this.catalog.qualify('VIEW', m[3], session.database);
    this.requireInSchema(session, qualified, 'CREATE VIEW');
    const { schema, name } = splitQualified(qualified);
    await this.tables.createView(schema.split('.')[1], name, m[4]);
    this.create(session, 'VIEW', qualified, { replace: Boolean(m[1]), ifNotExists: Boolean(m[2]) }, () => ({ definition: m[4] }));
    return ok(`View ${name} successfully created.`);
  }

  /**
   * CREATE DYNAMIC TABLE: "To create a dynamic table, you must use a role that has the following
   * privileges: CREATE DYNAMIC TABLE [on the] Schema in which you plan to create the dynamic table
   * … USAGE [on the] Warehouse that you plan to use to refresh the table." Syntax: `TARGET_LAG = {
   * '<num> { seconds | minutes | hours | days }' | DOWNSTREAM }`; the minimum target lag is 1
   * minute. Kept as a view in the emulator: always current, so within any target lag.
   */
  private async createDynamicTable(session: Session, m: RegExpExecArray): Promise<ResultSet> {
    const qualified = this.catalog.qualify('DYNAMIC TABLE', m[3], session.database);
    this.requireInSchema(session, qualified, 'CREATE DYNAMIC TABLE');
    const lag = m[4];
    const quoted = /^'(\d+) (seconds?|minutes?|hours?|days?)'$/i.exec(lag);
    if (!quoted && lag.toUpperCase() !== 'DOWNSTREAM') throw sqlError('001003', `SQL compilation error: invalid value [${lag}] for parameter 'TARGET_LAG'`);
    if (quoted) {
      const seconds = Number(quoted[1]) * { s: 1, m: 60, h: 3600, d: 86400 }[quoted[2][0].toLowerCase() as 's' | 'm' | 'h' | 'd'];
      if (seconds < 60) throw sqlError('001003', `SQL compilation error: invalid value [${lag}] for parameter 'TARGET_LAG': the minimum target lag is 1 minute`);
    }
    const warehouse = this.catalog.require('WAREHOUSE', identifier(m[5]));
    this.access.require(session.role, 'USAGE', { kind: 'WAREHOUSE', name: warehouse.name });
    const { schema, name } = splitQualified(qualified);
    await this.tables.createView(schema.split('.')[1], name, m[7]);
    this.create(session, 'DYNAMIC TABLE', qualified, { replace: Boolean(m[1]), ifNotExists: Boolean(m[2]) }, () => ({ definition: m[7], properties: { targetLag: lag } }));
    return ok(`Dynamic table ${name} successfully created.`);
  }

  /**
   * CREATE PIPE: CREATE PIPE on the schema; the COPY is compiled when the pipe is created, so its
   * table, columns, stage and file format must exist then. OR REPLACE makes a new pipe object, whose
   * load history starts empty.
   */
  private createPipe(session: Session, m: RegExpExecArray): ResultSet {
    const qualified = this.catalog.qualify('PIPE', m[3], session.database);
    this.requireInSchema(session, qualified, 'CREATE PIPE');
    if (!/\bAUTO_INGEST = TRUE\b/i.test(m[4])) throw sqlError('001003', 'the emulator models AUTO_INGEST = TRUE pipes only');
    const copy = parsePipeCopy(m[5]);
    const database = splitQualified(qualified).database;
    const table = this.catalog.require('TABLE', this.catalog.qualify('TABLE', copy.table, database));
    for (const column of copy.columns) {
      if (!table.columns?.some((c) => c.name === column)) throw sqlError('000904', `SQL compilation error: error line 1 at position 0 invalid identifier '${column}'`);
    }
    const stage = this.catalog.require('STAGE', this.catalog.qualify('STAGE', copy.stage, database));
    this.access.require(session.role, 'USAGE', { kind: 'STAGE', name: stage.name });
    this.catalog.require('FILE FORMAT', this.catalog.qualify('FILE FORMAT', copy.formatName, database));
    const result = this.create(session, 'PIPE', qualified, { replace: Boolean(m[1]), ifNotExists: Boolean(m[2]) }, () => ({
      definition: m[5],
      properties: { snsTopic: /AWS_SNS_TOPIC = '([^']*)'/i.exec(m[4])?.[1] ?? '' },
    }));
    if (result !== 'kept') this.pipes.set(qualified, new Pipe(qualified, copy, this.pipeContext(database)));
    return ok(`Pipe ${splitQualified(qualified).name} successfully created.`);
  }

  private async drop(session: Session, kind: string, name: string): Promise<ResultSet> {
    const qualified = this.catalog.qualify(kind, name, session.database);
    if (this.catalog.get(kind, qualified)) {
      this.access.require(session.role, 'OWNERSHIP', { kind, name: qualified });
      this.catalog.delete(kind, qualified);
      this.access.drop({ kind, name: qualified });
      this.pipes.delete(qualified);
      if (kind === 'VIEW' || kind === 'DYNAMIC TABLE') await this.tables.dropView(qualified.split('.')[1], splitQualified(qualified).name);
    }
    return ok(`${kind} successfully dropped.`);
  }

  private describeIntegration(session: Session, name: string): ResultSet {
    const integration = this.catalog.require('STORAGE INTEGRATION', name);
    if (!this.access.hasAny(session.role, { kind: 'STORAGE INTEGRATION', name })) this.access.require(session.role, 'USAGE', { kind: 'STORAGE INTEGRATION', name });
    return {
      columns: ['property', 'property_type', 'property_value', 'property_default'],
      rows: [
        ['ENABLED', 'Boolean', 'true', 'false'],
        ...(this.reportsHandshake ? [['STORAGE_AWS_IAM_USER_ARN', 'String', 'arn:aws:iam::999999999999:user/abc1-s-fake', '']] : []),
        ['STORAGE_AWS_ROLE_ARN', 'String', integration.properties!.roleArn, ''],
        ...(this.reportsHandshake ? [['STORAGE_AWS_EXTERNAL_ID', 'String', 'FAKE_SFCRole=2_abcdefg=', '']] : []),
      ],
    };
  }

  private describeTable(session: Session, name: string): ResultSet {
    const table = this.catalog.require('TABLE', this.catalog.qualify('TABLE', name, session.database));
    if (!this.access.hasAny(session.role, { kind: 'TABLE', name: table.name })) throw sqlError('002003', `SQL compilation error: Table '${table.name}' does not exist or not authorized.`);
    return { columns: ['name', 'type', 'kind', 'null?'], rows: (table.columns ?? []).map((c) => [c.name, c.type, 'COLUMN', c.notNull ? 'N' : 'Y']) };
  }

  private describePipe(session: Session, name: string): ResultSet {
    const pipe = this.catalog.require('PIPE', this.catalog.qualify('PIPE', name, session.database));
    if (!this.access.hasAny(session.role, { kind: 'PIPE', name: pipe.name })) throw sqlError('002003', `SQL compilation error: Pipe '${pipe.name}' does not exist or not authorized.`);
    return {
      columns: ['created_on', 'name', 'definition', 'notification_channel'],
      rows: [['2026-11-21 00:00:00', splitQualified(pipe.name).name, pipe.definition ?? '', this.notificationChannel]],
    };
  }

  /** SHOW PIPES lists the pipes the role has a privilege on. */
  private showPipes(session: Session, schemaName: string): ResultSet {
    const schema = this.catalog.qualify('SCHEMA', schemaName, session.database);
    const pipes = this.catalog.all('PIPE').filter((p) => p.name.startsWith(`${schema}.`) && this.access.hasAny(session.role, { kind: 'PIPE', name: p.name }));
    return {
      columns: ['created_on', 'name', 'database_name', 'schema_name', 'notification_channel'],
      rows: pipes.map((p) => {
        const [db, sch, name] = p.name.split('.');
        return ['2026-11-21 00:00:00', name, db, sch, this.notificationChannel];
      }),
    };
  }

  private async addColumn(session: Session, m: RegExpExecArray): Promise<ResultSet> {
    const table = this.catalog.require('TABLE', this.catalog.qualify('TABLE', m[1], session.database));
    this.access.require(session.role, 'OWNERSHIP', { kind: 'TABLE', name: table.name });
    const column = { name: identifier(m[3]), type: m[4].toUpperCase(), notNull: false };
    if (table.columns?.some((c) => c.name === column.name)) {
      if (!m[2]) throw sqlError('002025', `SQL compilation error: column '${column.name}' already exists`);
      return ok();
    }
    table.columns = [...(table.columns ?? []), column];
    const { schema, name } = splitQualified(table.name);
    await this.tables.addColumn(schema.split('.')[1], name, column);
    return ok();
  }

  private pipe(session: Session, name: string): Pipe {
    const qualified = this.catalog.qualify('PIPE', name, session.database);
    this.catalog.require('PIPE', qualified);
    if (!this.access.hasAny(session.role, { kind: 'PIPE', name: qualified })) throw sqlError('002003', `SQL compilation error: Pipe '${qualified}' does not exist or not authorized.`);
    return this.pipes.get(qualified)!;
  }

  private async pausePipe(session: Session, name: string, paused: boolean): Promise<ResultSet> {
    const pipe = this.pipe(session, name);
    this.access.require(session.role, 'OWNERSHIP', { kind: 'PIPE', name: pipe.name });
    pipe.paused = paused;
    this.catalog.require('PIPE', pipe.name).paused = paused;
    if (!paused) await this.kick();
    return ok();
  }

  private async refreshPipe(session: Session, m: RegExpExecArray): Promise<ResultSet> {
    const pipe = this.pipe(session, m[1]);
    this.access.require(session.role, 'OWNERSHIP', { kind: 'PIPE', name: pipe.name });
    let modifiedAfter: Date | undefined;
    if (m[3] !== undefined) {
      modifiedAfter = new Date(m[3]);
      if (Number.isNaN(modifiedAfter.getTime())) throw sqlError('100035', `Timestamp '${m[3]}' is not recognized`);
    }
    const sent = await pipe.refresh(this.source, { prefix: m[2], modifiedAfter });
    void this.kick();
    return { columns: ['File', 'Status'], rows: sent.map((file) => [file, 'SENT']) };
  }

  /**
   * SYSTEM$PIPE_STATUS: a JSON object with executionState (RUNNING, PAUSED, …), pendingFileCount,
   * lastIngestedTimestamp, lastIngestedFilePath, notificationChannelName,
   * lastReceivedMessageTimestamp, and error when there is one.
   */
  private pipeStatus(session: Session, name: string): ResultSet {
    const pipe = this.pipe(session, name);
    const status: Record<string, unknown> = {
      executionState: pipe.paused ? 'PAUSED' : 'RUNNING',
      pendingFileCount: pipe.queue.length,
      notificationChannelName: this.notificationChannel,
      ...(pipe.lastIngestedTimestamp ? { lastIngestedTimestamp: pipe.lastIngestedTimestamp, lastIngestedFilePath: pipe.lastIngestedFilePath } : {}),
      ...(pipe.lastReceivedMessageTimestamp ? { lastReceivedMessageTimestamp: pipe.lastReceivedMessageTimestamp } : {}),
      ...this.pipeFaults.get(name.toUpperCase()),
    };
    return { columns: ['STATUS'], rows: [[JSON.stringify(status)]] };
  }

  /** SYSTEM$GET_AWS_SNS_IAM_POLICY: a policy whose one statement lets Snowflake's principal subscribe to the topic. */
  private snsPolicy(topicArn: string): ResultSet {
    const policy = { Version: '2012-10-17', Statement: [{ Sid: '1', Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::999999999999:user/sns-fake-subscriber' }, Action: ['sns:Subscribe'], Resource: [topicArn] }] };
    return { columns: ['POLICY'], rows: [[JSON.stringify(policy)]] };
  }

  /**
   * Queries run on DuckDB. COPY_HISTORY(TABLE_NAME => …) reads the account's load history; COPY_HISTORY:
   * "For Snowpipe data loads, this function returns results for a role that has MONITOR privilege on
   * your Snowflake account, or a role with USAGE privilege on schema and database that contains the
   * pipe and any privilege on table."
   */
  private async select(session: Session, sql: string): Promise<ResultSet> {
    let query = sql;
    const histories = [...sql.matchAll(/TABLE\(INFORMATION_SCHEMA\.COPY_HISTORY\(TABLE_NAME => '([A-Za-z0-9_$.]+)', START_TIME => (?:[^()]|\((?:[^()]|\([^()]*\))*\))*\)\)/gi)];
    for (const [i, h] of histories.entries()) {
      const table = this.catalog.qualify('TABLE', h[1], session.database);
      const visible = this.access.hasAny(session.role, { kind: 'TABLE', name: table }) ? this.history(table) : [];
      const name = `EMULATOR_LOAD.copy_history_${i}`;
      await this.tables.ensureSchema('EMULATOR_LOAD');
      await this.tables.connection.run(
        `CREATE OR REPLACE TABLE ${name} (FILE_NAME VARCHAR, STAGE_LOCATION VARCHAR, LAST_LOAD_TIME TIMESTAMPTZ, ROW_COUNT BIGINT, ROW_PARSED BIGINT, FILE_SIZE BIGINT, FIRST_ERROR_MESSAGE VARCHAR, FIRST_ERROR_LINE_NUMBER BIGINT, FIRST_ERROR_COLUMN_NAME VARCHAR, ERROR_COUNT BIGINT, STATUS VARCHAR, TABLE_NAME VARCHAR, PIPE_NAME VARCHAR)`,
      );
      for (const row of visible) {
        const values = [row.FILE_NAME, row.STAGE_LOCATION, row.LAST_LOAD_TIME, row.ROW_COUNT, row.ROW_PARSED, row.FILE_SIZE, row.FIRST_ERROR_MESSAGE, row.FIRST_ERROR_LINE_NUMBER, row.FIRST_ERROR_COLUMN_NAME, row.ERROR_COUNT, row.STATUS, row.TABLE_NAME.split('.').pop(), row.PIPE_NAME.split('.').pop()];
        await this.tables.connection.run(`INSERT INTO ${name} VALUES (${values.map((v) => (v === null ? 'NULL' : typeof v === 'number' ? String(v) : DuckdbTables.text(String(v)))).join(', ')})`);
      }
      query = query.replace(h[0], name);
    }
    if (/^SELECT 1$/i.test(query)) return { columns: ['1'], rows: [[1]] };
    try {
      const { columns, rows } = await this.tables.query(query);
      return { columns, rows: rows.map((r) => r.map(cell)) };
    } catch (error) {
      throw sqlError('001003', `SQL compilation error: ${(error as Error).message}`);
    }
  }
}

/** DuckDB's JS values as the text the wire carries. */
function cell(value: unknown): Cell {
  if (value === null || value === undefined) return null;
  if (typeof value === 'number') return value;
  if (typeof value === 'bigint') return Number(value);
  if (value instanceof Date) return value.toISOString();
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}
