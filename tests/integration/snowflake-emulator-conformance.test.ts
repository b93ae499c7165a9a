import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import type { Session } from '../support/snowflake/account';
import { notificationMatches, stackNotification } from '../support/snowflake/auto-ingest';
import { SnowflakeEmulator } from '../support/snowflake/emulator';
import { folderObjectSource } from '../support/snowflake/object-sources';
import { routeToPipe } from '../support/snowflake/pipe-routing';
import { tempDir } from '../support/temp-dir';

/**
 * One test per documented Snowflake rule the emulator implements (each rule's sentence is quoted
 * beside its code in tests/support/snowflake/). These check the emulator against the documentation,
 * independently of soundlake's SQL: the other Snowflake tests are only as good as these rules.
 */
const ADMIN: Session = { user: 'SOUNDLAKE', role: 'ACCOUNTADMIN' };
const FORMAT =
  "CREATE OR REPLACE FILE FORMAT T.RAW.CSV TYPE = CSV COMPRESSION = GZIP SKIP_HEADER = 1 FIELD_OPTIONALLY_ENCLOSED_BY = '\"' ESCAPE = NONE ESCAPE_UNENCLOSED_FIELD = NONE EMPTY_FIELD_AS_NULL = TRUE NULL_IF = () ENCODING = 'UTF8'";

describe('the Snowflake emulator follows the documented rules', () => {
  let emulator: SnowflakeEmulator;
  let bucket: string;
  let cleanup: () => void;
  const run = (sql: string, session: Session = ADMIN) => emulator.account.execute(sql, session);
  const fails = async (sql: string, pattern: RegExp, session: Session = ADMIN) => expect(run(sql, session)).rejects.toThrow(pattern);
  /** Puts s3://lake-bucket/<key> (gzip CSV of `lines`) in the emulated bucket, written `ageDays` ago. */
  const stage = (key: string, lines: string[], ageDays = 0) => {
    const file = path.join(bucket, key);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, zlib.gzipSync(`${lines.join('\n')}\n`));
    const when = new Date(Date.now() - ageDays * 86_400_000);
    fs.utimesSync(file, when, when);
  };
  const announce = async (...keys: string[]) => {
    for (const key of keys) emulator.deliver(`s3://lake-bucket/${key}`);
    await emulator.drain();
  };
  const rows = async (sql: string) => (await emulator.query(sql)).rows;
  const history = () => emulator.account.copyHistory.get('T.RAW.EVENTS') ?? [];

  /** A database with a stage on s3://lake-bucket/data/ and a table EVENTS (ID NOT NULL, NOTE, N, AT). */
  async function account(pipe?: { from: string; pattern?: string }): Promise<void> {
    for (const sql of [
      'CREATE DATABASE T',
      'USE DATABASE T',
      'CREATE SCHEMA T.RAW',
      "CREATE STORAGE INTEGRATION LAKE TYPE = EXTERNAL_STAGE STORAGE_PROVIDER = 'S3' ENABLED = TRUE STORAGE_AWS_ROLE_ARN = 'arn:aws:iam::123456789012:role/r' STORAGE_ALLOWED_LOCATIONS = ('s3://lake-bucket/data/')",
      FORMAT,
      "CREATE STAGE T.RAW.S URL = 's3://lake-bucket/data/' STORAGE_INTEGRATION = LAKE",
      'CREATE TABLE T.RAW.EVENTS (ID VARCHAR NOT NULL, NOTE VARCHAR, N NUMBER(38,0), TS TIMESTAMP_NTZ, F VARCHAR, R NUMBER(38,0))',
    ]) {
      await run(sql);
    }
    if (pipe) {
      const pattern = pipe.pattern === undefined ? '' : ` PATTERN = '${pipe.pattern}'`;
      await run(
        `CREATE PIPE T.RAW.P AUTO_INGEST = TRUE AS COPY INTO T.RAW.EVENTS (ID, NOTE, N, TS, F, R) FROM (SELECT $1, $2, $3, $4, METADATA$FILENAME, METADATA$FILE_ROW_NUMBER FROM @T.RAW.S/${pipe.from}) FILE_FORMAT = (FORMAT_NAME = 'T.RAW.CSV')${pattern} ON_ERROR = SKIP_FILE`,
      );
    }
  }

  beforeEach(async () => {
    ({ dir: bucket, cleanup } = tempDir('bucket-'));
    emulator = await SnowflakeEmulator.open(folderObjectSource('lake-bucket', bucket));
  });
  afterEach(async () => {
    await emulator.stop();
    cleanup();
  });

  describe('PATTERN in a pipe (CREATE PIPE usage notes)', () => {
    test('the stage URL and the FROM path are trimmed, and the regular expression must match all that remains', () => {
      // The documentation's example: stage URL s3://mybucket/path1/, FROM @s/path2/ → the pattern sees what follows path2/.
      const pipe = { stageUrl: 's3://mybucket/path1/', fromPath: 'path2/' };
      const file = 's3://mybucket/path1/path2/a/b.csv';
      expect(routeToPipe(file, { ...pipe, pattern: /^(?:.*b[.]csv)$/ })).toEqual({ remainder: 'a/b.csv', stagePath: 'path2/a/b.csv' });
      expect(routeToPipe(file, { ...pipe, pattern: /^(?:a\/b[.]csv)$/ })).toBeDefined();
      // A pattern written for the whole location, or for the path below the stage, matches nothing.
      expect(routeToPipe(file, { ...pipe, pattern: /^(?:.*path2\/a\/b[.]csv)$/ })).toBeUndefined();
      expect(routeToPipe(file, { ...pipe, pattern: /^(?:b[.]csv)$/ })).toBeUndefined();
      expect(routeToPipe('s3://mybucket/path1/other/a/b.csv', pipe)).toBeUndefined();
    });

    test('a pipe whose PATTERN names the folders of its FROM path loads nothing; one on the remainder loads', async () => {
      const key = 'data/events/year=2024/e_00000.csv.gz';
      stage(key, ['id,note,n,at', '"a","x",1,2024-06-24T00:00:00Z']);
      await account({ from: 'events/', pattern: '.*events/year=[0-9]{4}/e_[0-9]{5}[.]csv[.]gz' });
      await announce(key);
      expect(history()).toEqual([]);
      await run(
        "CREATE OR REPLACE PIPE T.RAW.P AUTO_INGEST = TRUE AS COPY INTO T.RAW.EVENTS (ID, NOTE, N, TS, F, R) FROM (SELECT $1, $2, $3, $4, METADATA$FILENAME, METADATA$FILE_ROW_NUMBER FROM @T.RAW.S/events/) FILE_FORMAT = (FORMAT_NAME = 'T.RAW.CSV') PATTERN = 'year=[0-9]{4}/e_[0-9]{5}[.]csv[.]gz' ON_ERROR = SKIP_FILE",
      );
      await announce(key);
      expect(await rows('SELECT ID, F, R FROM RAW.EVENTS')).toEqual([['a', 'events/year=2024/e_00000.csv.gz', 1n]]);
    });
  });

  test('CSV file format: "" is an empty string, ,, is NULL, \\N and backslashes are data, quotes double, fields span lines', async () => {
    const key = 'data/events/e.csv.gz';
    stage(key, ['id,note,n,at', '"a","",,', '"b",,2,', '"c","\\N C:\\dir",3,', '"d","say ""hi""\nnext line",4,2024-06-24T10:11:12Z']);
    await account({ from: 'events/' });
    await announce(key);
    expect(await rows('SELECT ID, NOTE, N, CAST(TS AS VARCHAR) FROM RAW.EVENTS ORDER BY ID')).toEqual([
      ['a', '', null, null],
      ['b', null, 2n, null],
      ['c', '\\N C:\\dir', 3n, null],
      ['d', 'say "hi"\nnext line', 4n, '2024-06-24 10:11:12'],
    ]);
  });

  test('a file format option the emulator does not model is refused, not guessed', async () => {
    await run('CREATE DATABASE T');
    await run('CREATE SCHEMA T.RAW');
    await fails(FORMAT.replace('NULL_IF = ()', "NULL_IF = ('\\\\N')"), /does not model NULL_IF/);
    await fails(FORMAT.replace(" NULL_IF = ()", ''), /needs NULL_IF stated/);
  });

  test('ON_ERROR = SKIP_FILE: one bad record and no row of the file loads; COPY_HISTORY shows the first error and its line', async () => {
    const key = 'data/events/bad.csv.gz';
    stage(key, ['id,note,n,at', '"a","ok",1,', '"b","ok",abc,', ',"no id",3,']);
    await account({ from: 'events/' });
    await announce(key);
    expect(await rows('SELECT COUNT(*) FROM RAW.EVENTS')).toEqual([[0n]]);
    expect(history()).toMatchObject([{ FILE_NAME: 'events/bad.csv.gz', STATUS: 'Load failed', ROW_COUNT: 0, FIRST_ERROR_MESSAGE: "Numeric value 'abc' is not recognized", FIRST_ERROR_LINE_NUMBER: 3 }]);
  });

  test('NOT NULL: a NULL into a non-nullable column fails the file', async () => {
    const key = 'data/events/null.csv.gz';
    stage(key, ['id,note,n,at', ',"no id",3,']);
    await account({ from: 'events/' });
    await announce(key);
    expect(history()).toMatchObject([{ STATUS: 'Load failed', FIRST_ERROR_MESSAGE: 'NULL result in a non-nullable column' }]);
  });

  test('a position past the last field reads NULL: the guard IFF($n+1 IS NULL, $n, NULL) fails a file with a column more', async () => {
    await account();
    await run(
      "CREATE PIPE T.RAW.P AUTO_INGEST = TRUE AS COPY INTO T.RAW.EVENTS (ID, NOTE) FROM (SELECT IFF($3 IS NULL, $1, NULL), $2 FROM @T.RAW.S/events/) FILE_FORMAT = (FORMAT_NAME = 'T.RAW.CSV') ON_ERROR = SKIP_FILE",
    );
    stage('data/events/two.csv.gz', ['id,note', '"a","x"']);
    stage('data/events/three.csv.gz', ['id,note,extra', '"b","y","z"']);
    await announce('data/events/two.csv.gz', 'data/events/three.csv.gz');
    expect(await rows('SELECT ID, NOTE FROM RAW.EVENTS')).toEqual([['a', 'x']]);
    expect(history().map((h) => h.STATUS)).toEqual(['Loaded', 'Load failed']);
  });

  test('load history: a file loads once per pipe, even when announced again or refreshed; a replaced pipe starts without history', async () => {
    const key = 'data/events/once.csv.gz';
    stage(key, ['id,note,n,at', '"a","x",1,']);
    await account({ from: 'events/' });
    await announce(key, key);
    await run('ALTER PIPE T.RAW.P REFRESH');
    await emulator.drain();
    expect(await rows('SELECT COUNT(*) FROM RAW.EVENTS')).toEqual([[1n]]);
    await run(
      "CREATE OR REPLACE PIPE T.RAW.P AUTO_INGEST = TRUE AS COPY INTO T.RAW.EVENTS (ID, NOTE, N, TS, F, R) FROM (SELECT $1, $2, $3, $4, METADATA$FILENAME, METADATA$FILE_ROW_NUMBER FROM @T.RAW.S/events/) FILE_FORMAT = (FORMAT_NAME = 'T.RAW.CSV') ON_ERROR = SKIP_FILE",
    );
    await run('ALTER PIPE T.RAW.P REFRESH');
    await emulator.drain();
    expect(await rows('SELECT COUNT(*) FROM RAW.EVENTS')).toEqual([[2n]]);
  });

  test('REFRESH takes files staged in the last 7 days, after MODIFIED_AFTER, under PREFIX', async () => {
    stage('data/events/a/new.csv.gz', ['id,note,n,at', '"new",,,'], 1);
    stage('data/events/b/newer.csv.gz', ['id,note,n,at', '"newer",,,'], 0.5);
    stage('data/events/a/old.csv.gz', ['id,note,n,at', '"old",,,'], 8);
    await account({ from: 'events/' });
    const prefixed = await run('ALTER PIPE T.RAW.P REFRESH PREFIX = \'a/\'');
    expect(prefixed.rows).toEqual([['events/a/new.csv.gz', 'SENT']]);
    const after = new Date(Date.now() - 0.75 * 86_400_000).toISOString();
    expect((await run(`ALTER PIPE T.RAW.P REFRESH MODIFIED_AFTER = '${after}'`)).rows).toEqual([['events/b/newer.csv.gz', 'SENT']]);
    await emulator.drain();
    expect(await rows('SELECT ID FROM RAW.EVENTS ORDER BY ID')).toEqual([['new'], ['newer']]);
  });

  test('a paused pipe queues files (pendingFileCount) and loads them once resumed', async () => {
    stage('data/events/p.csv.gz', ['id,note,n,at', '"p",,,']);
    await account({ from: 'events/' });
    await run('ALTER PIPE T.RAW.P SET PIPE_EXECUTION_PAUSED = TRUE');
    await announce('data/events/p.csv.gz');
    expect(JSON.parse(String((await run("SELECT SYSTEM$PIPE_STATUS('T.RAW.P')")).rows[0][0]))).toMatchObject({ executionState: 'PAUSED', pendingFileCount: 1 });
    await run('ALTER PIPE T.RAW.P SET PIPE_EXECUTION_PAUSED = FALSE');
    await emulator.drain();
    expect(JSON.parse(String((await run("SELECT SYSTEM$PIPE_STATUS('T.RAW.P')")).rows[0][0]))).toMatchObject({ executionState: 'RUNNING', pendingFileCount: 0, lastIngestedFilePath: 'events/p.csv.gz' });
  });

  test('a pipe is compiled when created: a column its COPY names must exist', async () => {
    await account();
    await fails(
      "CREATE PIPE T.RAW.P AUTO_INGEST = TRUE AS COPY INTO T.RAW.EVENTS (ID, COLOUR) FROM (SELECT $1, $2 FROM @T.RAW.S/events/) FILE_FORMAT = (FORMAT_NAME = 'T.RAW.CSV') ON_ERROR = SKIP_FILE",
      /invalid identifier 'COLOUR'/,
    );
  });

  describe('access control', () => {
    const LOADER: Session = { user: 'SOUNDLAKE', role: 'LOADER' };
    beforeEach(async () => {
      await account();
      await run('CREATE SCHEMA T.ANALYTICS');
      await run('CREATE WAREHOUSE WH');
      await run('CREATE ROLE LOADER');
      await run('GRANT ROLE LOADER TO USER SOUNDLAKE');
      await run('GRANT USAGE ON DATABASE T TO ROLE LOADER');
      await run('GRANT USAGE, CREATE VIEW ON SCHEMA T.ANALYTICS TO ROLE LOADER');
      await run('GRANT USAGE ON WAREHOUSE WH TO ROLE LOADER');
    });

    test('system roles: SYSADMIN creates databases but not roles; USERADMIN creates users; only ACCOUNTADMIN creates integrations', async () => {
      await run('CREATE DATABASE D2', { user: 'SOUNDLAKE', role: 'SYSADMIN' });
      await fails('CREATE ROLE R2', /operate on account \(CREATE ROLE needed, role SYSADMIN\)/, { user: 'SOUNDLAKE', role: 'SYSADMIN' });
      await run('CREATE USER U2', { user: 'SOUNDLAKE', role: 'USERADMIN' });
      await fails("CREATE STORAGE INTEGRATION I2 TYPE = EXTERNAL_STAGE STORAGE_PROVIDER = 'S3' ENABLED = TRUE STORAGE_AWS_ROLE_ARN = 'x' STORAGE_ALLOWED_LOCATIONS = ('s3://b/')", /CREATE INTEGRATION needed, role SECURITYADMIN/, {
        user: 'SOUNDLAKE',
        role: 'SECURITYADMIN',
      });
    });

    test('USE ROLE only for a role granted to the user', async () => {
      await run('CREATE ROLE OTHER');
      await fails('USE ROLE OTHER', /Role 'OTHER' does not exist or not authorized/, { ...LOADER });
      await run('USE ROLE LOADER', { ...ADMIN });
    });

    test('CREATE DYNAMIC TABLE needs that privilege on the schema and USAGE on the warehouse', async () => {
      const dynamic = "CREATE OR REPLACE DYNAMIC TABLE T.ANALYTICS.K TARGET_LAG = '1 hour' WAREHOUSE = WH REFRESH_MODE = AUTO AS SELECT 1 AS X";
      await fails(dynamic, /operate on schema 'ANALYTICS' \(CREATE DYNAMIC TABLE needed, role LOADER\)/, { ...LOADER });
      await run('GRANT CREATE DYNAMIC TABLE ON SCHEMA T.ANALYTICS TO ROLE LOADER');
      await run(dynamic, { ...LOADER });
    });

    test("TARGET_LAG: '<num> <unit>' of at least a minute, or the bare keyword DOWNSTREAM", async () => {
      const lag = (value: string) => `CREATE OR REPLACE DYNAMIC TABLE T.ANALYTICS.K TARGET_LAG = ${value} WAREHOUSE = WH AS SELECT 1 AS X`;
      await fails(lag("'downstream'"), /invalid value \['downstream'\] for parameter 'TARGET_LAG'/);
      await fails(lag("'30 seconds'"), /the minimum target lag is 1 minute/);
      await run(lag('DOWNSTREAM'));
      await run(lag("'1 minute'"));
    });

    test('a stage may only use a location its storage integration allows, and needs USAGE on the integration', async () => {
      await fails("CREATE STAGE T.RAW.S2 URL = 's3://other-bucket/x/' STORAGE_INTEGRATION = LAKE", /is not allowed by integration LAKE/);
      await run('GRANT USAGE, CREATE STAGE ON SCHEMA T.RAW TO ROLE LOADER');
      await fails("CREATE STAGE T.RAW.S3 URL = 's3://lake-bucket/data/x/' STORAGE_INTEGRATION = LAKE", /integration 'LAKE' \(USAGE needed, role LOADER\)/, { ...LOADER });
    });

    test('future grants reach views created later; they need MANAGE GRANTS', async () => {
      await run('CREATE ROLE READER');
      await fails('GRANT SELECT ON FUTURE VIEWS IN SCHEMA T.ANALYTICS TO ROLE READER', /MANAGE GRANTS needed, role LOADER/, { ...LOADER });
      await run('GRANT SELECT ON FUTURE VIEWS IN SCHEMA T.ANALYTICS TO ROLE READER');
      await run('CREATE OR REPLACE VIEW T.ANALYTICS.V AS SELECT 1 AS X', { ...LOADER });
      expect(emulator.account.access.has('READER', 'SELECT', { kind: 'VIEW', name: 'T.ANALYTICS.V' })).toBe(true);
    });

    test('OR REPLACE needs OWNERSHIP of the object it replaces', async () => {
      await run('CREATE OR REPLACE VIEW T.ANALYTICS.V AS SELECT 1 AS X');
      await fails('CREATE OR REPLACE VIEW T.ANALYTICS.V AS SELECT 2 AS X', /view 'V' \(OWNERSHIP needed, role LOADER\)/, { ...LOADER });
    });

    test('COPY_HISTORY shows a role the loads of tables it has a privilege on, nothing of others', async () => {
      stage('data/events/h.csv.gz', ['id,note,n,at', '"h",,,']);
      await run(
        "CREATE PIPE T.RAW.P AUTO_INGEST = TRUE AS COPY INTO T.RAW.EVENTS (ID) FROM (SELECT $1 FROM @T.RAW.S/events/) FILE_FORMAT = (FORMAT_NAME = 'T.RAW.CSV') ON_ERROR = SKIP_FILE",
      );
      await announce('data/events/h.csv.gz');
      const query = "SELECT FILE_NAME, STATUS FROM TABLE(INFORMATION_SCHEMA.COPY_HISTORY(TABLE_NAME => 'RAW.EVENTS', START_TIME => DATEADD(DAY, -14, CURRENT_TIMESTAMP())))";
      expect((await run(query, { ...ADMIN, database: 'T' })).rows).toEqual([['events/h.csv.gz', 'Loaded']]);
      expect((await run(query, { ...LOADER, database: 'T' })).rows).toEqual([]);
    });
  });

  describe('users', () => {
    test('TYPE = SERVICE users cannot have a password and cannot log in with one', async () => {
      await fails("CREATE USER SVC TYPE = SERVICE PASSWORD = 'secret-1234'", /SERVICE users cannot have a password/);
      await run('CREATE USER SVC TYPE = SERVICE');
      expect(() => emulator.account.users.authenticate({ LOGIN_NAME: 'SVC', PASSWORD: '' })).toThrow(/Incorrect username or password/);
    });

    test('RSA_PUBLIC_KEY takes the base64 body of an RSA public key, nothing else', async () => {
      const { publicKey } = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' });
      const ec = publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
      await fails(`ALTER USER SOUNDLAKE SET RSA_PUBLIC_KEY = '${ec}'`, /Invalid RSA public key/);
      await fails("ALTER USER SOUNDLAKE SET RSA_PUBLIC_KEY = '-----BEGIN PUBLIC KEY-----'", /Invalid RSA public key/);
    });
  });

  test("the bucket notification follows the stack's event type and prefix/suffix filter", () => {
    const notification = stackNotification();
    expect(notification).toEqual({ events: ['s3:ObjectCreated:*'], prefix: 'lake/raw/', suffix: '.csv.gz' });
    expect(notificationMatches(notification, 'ObjectCreated:Copy', 'lake/raw/listening/users/year=2024/month=06/day=24/u.csv.gz')).toBe(true);
    expect(notificationMatches(notification, 'ObjectCreated:Post', 'lake/raw/x.csv.gz')).toBe(true);
    expect(notificationMatches(notification, 'ObjectRemoved:Delete', 'lake/raw/x.csv.gz')).toBe(false);
    expect(notificationMatches(notification, 'ObjectCreated:Put', 'lake/_staging/r/raw/x.csv.gz')).toBe(false);
    expect(notificationMatches(notification, 'ObjectCreated:Put', 'lake/raw/x.csv')).toBe(false);
  });
});
