import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { setupStatements, setupVariables } from '../../src/snowflake/setup-script';
import { loadConfig } from '../../src/core/config';
import { ALL_TABLES } from '../../src/tables/all-tables';
import { runCli } from '../support/cli-run';
import type { SnowflakeEmulator } from '../support/snowflake/emulator';
import { useSnowflakeEmulator } from '../support/snowflake/use-emulator';
import { put, R1 } from '../support/hand-made-lake';
import { putSmallLanding, runListening } from '../support/listening-scenario';
import { tempDir } from '../support/temp-dir';

describe('soundlake snowflake … against the Snowflake emulator speaking the driver protocol', () => {
  const world = useSnowflakeEmulator({ env: true });
  let fake: SnowflakeEmulator;
  /** The bucket the storage integration reads: s3://music-lake/<key> is <bucketDir>/<key>. */
  let bucketDir: string;
  beforeEach(() => ({ fake, dir: bucketDir } = world));
  const setUp = async () => expect((await runCli(['snowflake', 'setup'])).code).toBe(0);

  test('setup --dry-run prints every statement with variables filled and connects to nothing', async () => {
    const { code, stdout } = await runCli(['snowflake', 'setup', '--dry-run']);
    expect(code).toBe(0);
    expect(stdout).toContain('CREATE DATABASE IF NOT EXISTS SOUNDLAKE;');
    expect(stdout).toContain("URL = 's3://music-lake/lake/raw/'");
    expect(stdout).toContain("STORAGE_AWS_ROLE_ARN = 'arn:aws:iam::123456789012:role/snowflake-lake'");
    expect(stdout).toContain('CREATE PIPE IF NOT EXISTS RAW.LISTENING_STREAMS_PIPE');
    expect(stdout).not.toContain('${');
    expect(fake.logins).toHaveLength(0);
    expect(fake.statements).toHaveLength(0);
  });

  test('SNS route: sns-policy works on a new account before setup (as admin_role) and prints the principal; setup then creates every pipe on the topic', async () => {
    const topic = 'arn:aws:sns:eu-west-1:123456789012:soundlake-lake-raw';
    const policy = await runCli(['snowflake', 'sns-policy', '--topic', topic]);
    expect(policy.code).toBe(0);
    expect(policy.stdout).toContain(`Snowflake subscribes to ${topic} as arn:aws:iam::999999999999:user/sns-fake-subscriber`);
    // The loader role does not exist yet: the first step logged in as the admin role.
    expect(fake.currentRole).toBe('ACCOUNTADMIN');
    process.env.SNOWFLAKE_AWS_SNS_TOPIC = topic;
    const { code, stdout } = await runCli(['snowflake', 'setup', '--dry-run']);
    expect(code).toBe(0);
    const pipes = stdout.split(';').filter((statement) => /CREATE PIPE IF NOT EXISTS/.test(statement));
    expect(pipes).toHaveLength(ALL_TABLES.length);
    for (const pipe of pipes) expect(pipe).toMatch(new RegExp(`AUTO_INGEST = TRUE\\n  AWS_SNS_TOPIC = '${topic}'\\n`));
    process.env.SNOWFLAKE_AWS_SNS_TOPIC = 'not-an-arn';
    const bad = await runCli(['snowflake', 'setup', '--dry-run']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/\[snowflake\] aws_sns_topic = "not-an-arn".*expected an SNS topic ARN/);
  });

  test('setup applies sql/snowflake/ in order and prints the IAM user, external id and notification channel', async () => {
    const { code, stdout, stderr } = await runCli(['snowflake', 'setup']);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const all = setupStatements(setupVariables(loadConfig({ dotenvDir: null }), { requireRoleArn: true }));
    const bootstrap = all.filter((s) => /^0\d_/.test(s.file)).map((s) => s.sql);
    const rest = all.filter((s) => !/^0\d_/.test(s.file)).map((s) => s.sql);
    // The bootstrap as the admin role, the integration's handshake, then the rest as the loader role.
    expect(fake.statements).toEqual([...bootstrap, 'DESC INTEGRATION SOUNDLAKE_LAKE', 'USE ROLE SOUNDLAKE_LOADER', ...rest, 'SHOW PIPES IN SCHEMA RAW']);
    expect(stdout.indexOf('storage integration SOUNDLAKE_LAKE: IAM user arn:aws:iam::999999999999:user/abc1-s-fake')).toBeGreaterThanOrEqual(0);
    expect(stdout).toMatch(/principal\s+arn:aws:iam::999999999999:user\/abc1-s-fake/);
    expect(stdout).toMatch(/sts:ExternalId\s+FAKE_SFCRole=2_abcdefg=/);
    expect(stdout).toContain('arn:aws:sqs:us-east-1:999999999999:sf-snowpipe-FAKE');
    expect(fake.logins[0]).toMatchObject({ LOGIN_NAME: 'SOUNDLAKE', PASSWORD: 'fake-password-123' });
    expect(stdout + stderr).not.toContain('fake-password-123');
  });

  test('on a fresh account: the loader role cannot log in before setup; setup bootstraps as ACCOUNTADMIN, then works as the loader', async () => {
    // What the old setup did: log in as the role it is about to create.
    const before = await runCli(['snowflake', 'status']);
    expect(before.code).toBe(1);
    expect(before.stderr).toMatch(/Role 'SOUNDLAKE_LOADER' specified in the connect string does not exist or not authorized/);
    const { code, stderr } = await runCli(['snowflake', 'setup']);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(fake.statements.some((s) => s.endsWith('GRANT ROLE SOUNDLAKE_LOADER TO USER SOUNDLAKE'))).toBe(true);
    // Account-level statements ran as ACCOUNTADMIN; after setup the loader role logs in.
    expect((await runCli(['snowflake', 'status'])).code).toBe(0);
    expect(fake.currentRole).toBe('SOUNDLAKE_LOADER');
  });

  describe("Looker's service user", () => {
    const cleanups: (() => void)[] = [];
    afterEach(() => cleanups.splice(0).forEach((cleanup) => cleanup()));
    const keys = () => {
      const { dir, cleanup } = tempDir('looker-key-');
      cleanups.push(cleanup);
      const pair = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
      const pub = path.join(dir, 'looker_key.pub');
      const priv = path.join(dir, 'looker_key.p8');
      fs.writeFileSync(pub, pair.publicKey.export({ type: 'spki', format: 'pem' }));
      fs.writeFileSync(priv, pair.privateKey.export({ type: 'pkcs8', format: 'pem' }));
      // The body Snowflake stores: the PEM's base64 lines joined, worked out from the file itself.
      const body = fs.readFileSync(pub, 'utf8').split('\n').filter((l) => l && !l.startsWith('-----')).join('');
      return { pub, priv, body };
    };

    test('on a new account setup creates it as a key-pair SERVICE user holding only the Looker role; twice changes nothing', async () => {
      const { pub, body } = keys();
      process.env.LOOKER_PUBLIC_KEY_PATH = pub;
      const first = await runCli(['snowflake', 'setup']);
      expect(first.stderr).toBe('');
      expect(first.code).toBe(0);
      expect(first.stdout).toContain('Looker connects as SOUNDLAKE_LOOKER_SERVICE');
      expect(fake.users.get('SOUNDLAKE_LOOKER_SERVICE')).toEqual({ type: 'SERVICE', defaultRole: 'SOUNDLAKE_LOOKER', rsaPublicKey: body, keySets: 2 });
      const lookerGrants = fake.statements.filter((s) => /TO USER SOUNDLAKE_LOOKER_SERVICE$/.test(s));
      expect(lookerGrants).toEqual(['GRANT ROLE SOUNDLAKE_LOOKER TO USER SOUNDLAKE_LOOKER_SERVICE']);
      // Created as the admin role, before setup switches to the loader role.
      const created = fake.statements.findIndex((s) => /^CREATE USER IF NOT EXISTS SOUNDLAKE_LOOKER_SERVICE\s/m.test(s));
      expect(created).toBeGreaterThan(-1);
      expect(created).toBeLessThan(fake.statements.indexOf('USE ROLE SOUNDLAKE_LOADER'));
      const second = await runCli(['snowflake', 'setup']);
      expect(second.code).toBe(0);
      expect([...fake.users.keys()]).toEqual(['SOUNDLAKE', 'SOUNDLAKE_LOOKER_SERVICE']);
      expect(fake.users.get('SOUNDLAKE_LOOKER_SERVICE')?.rsaPublicKey).toBe(body);
    });

    test('a rotated key in the file reaches the existing user on the next setup', async () => {
      process.env.LOOKER_PUBLIC_KEY_PATH = keys().pub;
      expect((await runCli(['snowflake', 'setup'])).code).toBe(0);
      const rotated = keys();
      process.env.LOOKER_PUBLIC_KEY_PATH = rotated.pub;
      expect((await runCli(['snowflake', 'setup'])).code).toBe(0);
      expect(fake.users.get('SOUNDLAKE_LOOKER_SERVICE')?.rsaPublicKey).toBe(rotated.body);
    });

    test('without a public key setup creates no user and says how to get one', async () => {
      const { code, stdout } = await runCli(['snowflake', 'setup']);
      expect(code).toBe(0);
      expect([...fake.users.keys()]).toEqual(['SOUNDLAKE']);
      expect(fake.statements.some((s) => /USER SOUNDLAKE_LOOKER_SERVICE/.test(s))).toBe(false);
      expect(stdout).toContain('no Looker user: [looker] public_key_path is empty');
    });

    test('a private key in public_key_path is refused before connecting, and never printed', async () => {
      const { priv } = keys();
      process.env.LOOKER_PUBLIC_KEY_PATH = priv;
      const { code, stdout, stderr } = await runCli(['snowflake', 'setup']);
      expect(code).toBe(2);
      expect(stderr).toMatch(/\[looker\] public_key_path = .*LOOKER_PUBLIC_KEY_PATH.*expected the PUBLIC key/);
      const secretLine = fs.readFileSync(priv, 'utf8').split('\n')[1];
      expect(stdout + stderr).not.toContain(secretLine);
      expect(fake.logins).toHaveLength(0);
    });
  });

  test('the loader role may not do account-level work (why setup needs admin_role)', async () => {
    process.env.SNOWFLAKE_ADMIN_ROLE = 'SYSADMIN';
    const { code, stderr } = await runCli(['snowflake', 'setup']);
    expect(code).toBe(1);
    // SYSADMIN creates databases and warehouses, not roles (USERADMIN's privilege).
    expect(stderr).toMatch(/Insufficient privileges to operate on account \(CREATE ROLE needed, role SYSADMIN\)/);
  });

  test('setup never runs the monitoring queries, and exits 1 when Snowflake did not report what AWS needs', async () => {
    const statements = setupStatements(setupVariables(loadConfig({ dotenvDir: null }), { requireRoleArn: true }));
    expect(statements.some((s) => s.file.startsWith('90_'))).toBe(false);
    fake.account.reportsHandshake = false;
    const { code, stderr } = await runCli(['snowflake', 'setup']);
    expect(code).toBe(1);
    expect(stderr).toMatch(/snowflake setup did not finish: Snowflake did not report the integration's STORAGE_AWS_IAM_USER_ARN/);
  });

  test('applying setup twice succeeds and creates nothing twice; pipes are never replaced', async () => {
    expect((await runCli(['snowflake', 'setup'])).code).toBe(0);
    const afterFirst = new Map([...fake.objects].map(([k, o]) => [k, { ...o }]));
    const second = await runCli(['snowflake', 'setup']);
    expect(second.stderr).toBe('');
    expect(second.code).toBe(0);
    expect([...fake.objects.keys()]).toEqual([...afterFirst.keys()]);
    for (const object of fake.objects.values()) {
      expect(object.created).toBe(1);
      if (!['VIEW', 'FILE FORMAT'].includes(object.kind)) expect(object.replaced).toBe(0);
    }
    expect(fake.count('PIPE')).toBe(ALL_TABLES.length);
    expect(fake.count('TABLE')).toBe(ALL_TABLES.length);
    expect(fake.objects.get('PIPE SOUNDLAKE.RAW.LISTENING_STREAMS_PIPE')).toMatchObject({ created: 1, replaced: 0 });
    expect(fake.objects.get('VIEW SOUNDLAKE.ANALYTICS.LISTENING_GENRE_DAILY')).toMatchObject({ created: 1, replaced: 1 });
  });

  test('KPIs as dynamic tables: on a new account setup creates them as the loader role (CREATE DYNAMIC TABLE granted), with a valid TARGET_LAG', async () => {
    process.env.SNOWFLAKE_KPI_MATERIALIZATION = 'dynamic_table';
    process.env.SNOWFLAKE_KPI_TARGET_LAG = '15 minutes';
    const { code, stderr } = await runCli(['snowflake', 'setup']);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const dynamic = [...fake.objects.values()].filter((o) => o.kind === 'DYNAMIC TABLE');
    expect(dynamic.map((o) => [o.name, o.properties?.targetLag])).toEqual([
      ['SOUNDLAKE.ANALYTICS.LISTENING_GENRE_DAILY_DT', "'15 minutes'"],
      ['SOUNDLAKE.ANALYTICS.LISTENING_TOP_SONGS_DAILY_DT', "'15 minutes'"],
      ['SOUNDLAKE.ANALYTICS.LISTENING_TOP_GENRES_DAILY_DT', "'15 minutes'"],
    ]);
    for (const table of dynamic) expect(fake.account.access.owner({ kind: 'DYNAMIC TABLE', name: table.name })).toBe('SOUNDLAKE_LOADER');
  });

  test.each([
    ['downstream', /DOWNSTREAM would never refresh the KPI tables/],
    ['30 seconds', /at least 1 minute/],
    ['soon', /a lag such as '1 hour'/],
  ])('kpi_target_lag = %s is refused before connecting (exit 2)', async (lag, message) => {
    process.env.SNOWFLAKE_KPI_MATERIALIZATION = 'dynamic_table';
    process.env.SNOWFLAKE_KPI_TARGET_LAG = lag;
    const { code, stderr } = await runCli(['snowflake', 'setup']);
    expect(code).toBe(2);
    expect(stderr).toMatch(/\[snowflake\] kpi_target_lag/);
    expect(stderr).toMatch(message);
    expect(fake.logins).toHaveLength(0);
  });

  test('setup without a storage role ARN fails before connecting, naming the key', async () => {
    delete process.env.SNOWFLAKE_STORAGE_ROLE_ARN;
    const { code, stderr } = await runCli(['snowflake', 'setup']);
    expect(code).toBe(2);
    expect(stderr).toMatch(/\[snowflake\] storage_role_arn/);
    expect(fake.logins).toHaveLength(0);
  });

  test('setup refuses a local lake: Snowflake reads from S3', async () => {
    process.env.LAKE_URL = './lake';
    const { code, stderr } = await runCli(['snowflake', 'setup', '--dry-run']);
    expect(code).toBe(2);
    expect(stderr).toMatch(/Snowflake reads the lake from S3/);
  });

  test('status shows SYSTEM$PIPE_STATUS of every pipe', async () => {
    await setUp();
    // A state the emulator cannot reach by itself: the stage was altered under the pipe.
    fake.account.pipeFaults.set('RAW.LISTENING_SONGS_PIPE', { executionState: 'STOPPED_STAGE_ALTERED', pendingFileCount: 2, error: 'stage changed' });
    const { code, stdout } = await runCli(['snowflake', 'status']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/RAW\.LISTENING_USERS_PIPE\s+RUNNING\s+0/);
    expect(stdout).toMatch(/RAW\.LISTENING_SONGS_PIPE\s+STOPPED_STAGE_ALTERED\s+2\s+stage changed/);
    expect(stdout).toMatch(/RAW\.LISTENING_STREAMS_PIPE\s+RUNNING/);
  });

  test('a rejected login exits 1 with what to check, and never shows the password', async () => {
    fake.loginError = { code: '390100', message: 'Incorrect username or password was specified.' };
    const { code, stderr, stdout } = await runCli(['snowflake', 'status']);
    expect(code).toBe(1);
    expect(stderr).toMatch(/Snowflake login failed \(390100\).*check \[snowflake\] user and SNOWFLAKE_PASSWORD/);
    expect(stderr + stdout).not.toContain('fake-password-123');
  });

  test('refresh queues files by write time, so a back-dated partition written yesterday is not missed', async () => {
    await setUp();
    const yesterday = new Date(Date.now() - 86_400_000);
    // A late landing file: written yesterday, into the partition of its event day months back.
    const staged = (key: string, modified: Date) => {
      put(path.join(bucketDir, 'lake'), key, ['user_id,track_id,listen_time,_run_id,_extracted_at', `"u1","t1",2024-06-10T08:00:00Z${R1}`]);
      fs.utimesSync(path.join(bucketDir, 'lake', key), modified, modified);
    };
    staged('raw/listening/streams/year=2024/month=06/day=10/streams_listening-events_r_00000.csv.gz', yesterday);
    staged('raw/listening/streams/year=2024/month=06/day=09/streams_listening-events_old_00000.csv.gz', new Date(Date.now() - 3 * 86_400_000));
    const since = new Date(yesterday.getTime() - 3_600_000).toISOString();
    const { code, stdout } = await runCli(['snowflake', 'refresh', '--since', since]);
    expect(code).toBe(0);
    const refreshes = fake.statements.filter((s) => s.startsWith('ALTER PIPE'));
    expect(refreshes).toHaveLength(ALL_TABLES.length);
    expect(refreshes).toContain(`ALTER PIPE RAW.LISTENING_STREAMS_PIPE REFRESH MODIFIED_AFTER = '${since}'`);
    // The back-dated file written yesterday is queued; the one written before --since is not.
    expect(stdout).toMatch(/RAW\.LISTENING_STREAMS_PIPE\s+\S+\s+1\n/);
    expect((await runCli(['snowflake', 'refresh', '--since', 'last week'])).code).toBe(2);
    // The queued file loads: the pipe's PATTERN takes it.
    await fake.drain();
    expect((await fake.query('SELECT USER_ID, _FILE_NAME FROM RAW.LISTENING_STREAMS')).rows).toEqual([['u1', 'listening/streams/year=2024/month=06/day=10/streams_listening-events_r_00000.csv.gz']]);
  });

  describe('verify --run', () => {
    const RUN = 'verify-run';
    const day = (table: string, d: string) => `raw/listening/${table}/year=${d.slice(0, 4)}/month=${d.slice(5, 7)}/day=${d.slice(8)}/${table}_listening-events_${RUN}_00000.csv.gz`;
    const files = { users: day('users', '2026-11-21'), songs: day('songs', '2026-11-21'), streams24: day('streams', '2024-06-24'), streams25: day('streams', '2024-06-25') };
    /** S3 told Snowflake about these committed files (the bucket notification), and the pipes took them. */
    const announce = async (...keys: string[]) => {
      for (const key of keys) fake.deliver(`s3://music-lake/lake/${key}`);
      await fake.drain();
    };

    beforeEach(async () => {
      await setUp();
      // The run writes into the folder the emulated bucket reads (s3://music-lake/lake/…).
      const setup = { lakeUrl: path.join(bucketDir, 'lake'), landingUrl: path.join(bucketDir, 'landing'), env: {} };
      await putSmallLanding(setup);
      await runListening(setup, { runId: RUN });
      process.env.LAKE_URL = setup.lakeUrl;
      process.env.SNOWFLAKE_VERIFY_POLL_SECONDS = '0.05';
    });

    test('exit 0 when every file loaded with the manifest row count', async () => {
      await announce(...Object.values(files));
      // Row counts of the hand-written expected files (tests/fixtures/listening-small/expected/).
      expect((await fake.query('SELECT COUNT(*) FROM RAW.LISTENING_USERS')).rows).toEqual([[4n]]);
      expect((await fake.query('SELECT COUNT(*) FROM RAW.LISTENING_STREAMS')).rows).toEqual([[7n]]);
      const { code, stdout, stderr } = await runCli(['snowflake', 'verify', '--run', RUN]);
      expect(stderr).toBe('');
      expect(code).toBe(0);
      expect(stdout).toMatch(/4 loaded, 0 pending, 0 failed, 0 with other row counts, 0 laid out for another table version, of 4 files/);
    });

    test('a file not in COPY_HISTORY yet is pending (exit 1)', async () => {
      await announce(files.users, files.songs, files.streams24);
      const { code, stdout, stderr } = await runCli(['snowflake', 'verify', '--run', RUN]);
      expect(code).toBe(1);
      expect(stdout).toMatch(/streams_listening-events_verify-run_00000\.csv\.gz\s+pending\s+3/);
      expect(stderr).toMatch(/3 loaded, 1 pending, 0 failed/);
    });

    test('a failed load shows Snowflake’s first error (exit 1)', async () => {
      // The committed songs file, damaged in the bucket: a duration that is not a number.
      const file = path.join(bucketDir, 'lake', files.songs);
      const text = zlib.gunzipSync(fs.readFileSync(file)).toString('utf8').replace(',200000,', ',abc,');
      fs.writeFileSync(file, zlib.gzipSync(text));
      await announce(...Object.values(files));
      const { code, stdout } = await runCli(['snowflake', 'verify', '--run', RUN]);
      expect(code).toBe(1);
      expect(stdout).toMatch(/failed.*Load failed: Numeric value 'abc' is not recognized/);
    });

    test('a load with other row counts than the manifest is reported (exit 1)', async () => {
      // A file replaced in the bucket after the run recorded it: one row less than the manifest says.
      const file = path.join(bucketDir, 'lake', files.users);
      const lines = zlib.gunzipSync(fs.readFileSync(file)).toString('utf8').split('\n');
      expect(lines[1]).toMatch(/^"u1",/); // a one-line record: dropping its line drops one row
      fs.writeFileSync(file, zlib.gzipSync([lines[0], ...lines.slice(2)].join('\n')));
      await announce(...Object.values(files));
      const { code, stdout } = await runCli(['snowflake', 'verify', '--run', RUN]);
      expect(code).toBe(1);
      expect(stdout).toMatch(/users_listening-events_verify-run_00000\.csv\.gz\s+row_mismatch\s+4\s+3/);
    });

    test('--wait polls until the pending file arrives', async () => {
      await announce(files.users, files.songs, files.streams24);
      setTimeout(() => fake.deliver(`s3://music-lake/lake/${files.streams25}`), 200);
      const { code, stdout } = await runCli(['snowflake', 'verify', '--run', RUN, '--wait', '10']);
      expect(code).toBe(0);
      expect(stdout).toMatch(/4 loaded, 0 pending/);
      expect(fake.statements.filter((s) => s.includes('COPY_HISTORY')).length).toBeGreaterThan(2);
    });

    test('an unknown run id says so', async () => {
      const { code, stderr } = await runCli(['snowflake', 'verify', '--run', 'no-such-run']);
      expect(code).toBe(1);
      expect(stderr).toMatch(/no manifest for run no-such-run/);
    });
  });
});

describe('key-pair authentication, the path on accounts that enforce MFA for passwords', () => {
  const saved = { ...process.env };
  const world = useSnowflakeEmulator();
  let fake: SnowflakeEmulator;
  let dir: string;
  beforeEach(() => ({ fake, dir } = world));
  const keyPair = (name: string) => {
    const { privateKey, publicKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
    const file = path.join(dir, `${name}.p8`);
    fs.writeFileSync(file, privateKey.export({ type: 'pkcs8', format: 'pem' }));
    // What ALTER USER takes: the PEM's base64 body without its header lines.
    const body = publicKey.export({ type: 'spki', format: 'pem' }).toString().split('\n').filter((l) => l && !l.startsWith('-----')).join('');
    return { file, body };
  };

  test('a password login that meets MFA exits 3 and names the key-pair way; with the key set, setup and every command log in by JWT', async () => {
    fake.account.users.mfaOnPasswordLogins = true;
    process.env = { ...saved, ...fake.env(), RUN_LOG_LEVEL: 'error' };
    const refused = await runCli(['snowflake', 'setup']);
    expect(refused.code).toBe(3);
    expect(refused.stderr).toMatch(/requires multi-factor authentication for password logins.*ALTER USER … SET RSA_PUBLIC_KEY.*\[snowflake\] private_key_path \(SNOWFLAKE_PRIVATE_KEY_PATH\)/);
    expect(refused.stderr).not.toContain('fake-password-123');

    // The administrator's step (docs/snowflake.md, "Logging in: key pairs"), run as ACCOUNTADMIN.
    const { file, body } = keyPair('rsa_key');
    await fake.account.execute(`ALTER USER SOUNDLAKE SET RSA_PUBLIC_KEY = '${body}'`, { user: 'SOUNDLAKE', role: 'ACCOUNTADMIN' });
    process.env = { ...saved, ...fake.env({ SNOWFLAKE_PRIVATE_KEY_PATH: file }), RUN_LOG_LEVEL: 'error' };
    delete process.env.SNOWFLAKE_PASSWORD;
    const setup = await runCli(['snowflake', 'setup']);
    expect(setup.stderr).toBe('');
    expect(setup.code).toBe(0);
    expect((await runCli(['snowflake', 'status'])).code).toBe(0);
    const jwtLogins = fake.logins.slice(1);
    expect(jwtLogins.length).toBeGreaterThanOrEqual(2);
    for (const login of jwtLogins) {
      expect(login).toMatchObject({ AUTHENTICATOR: 'SNOWFLAKE_JWT' });
      expect(String(login.TOKEN)).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
      expect(login.PASSWORD).toBeUndefined();
    }
  });

  test('a private key that is not the user\'s is refused: the emulator checks the JWT signature against RSA_PUBLIC_KEY', async () => {
    const registered = keyPair('registered');
    const other = keyPair('other');
    await fake.account.execute(`ALTER USER SOUNDLAKE SET RSA_PUBLIC_KEY = '${registered.body}'`, { user: 'SOUNDLAKE', role: 'ACCOUNTADMIN' });
    process.env = { ...saved, ...fake.env({ SNOWFLAKE_PRIVATE_KEY_PATH: other.file }), RUN_LOG_LEVEL: 'error' };
    delete process.env.SNOWFLAKE_PASSWORD;
    const { code, stderr } = await runCli(['snowflake', 'setup']);
    expect(code).toBe(1);
    expect(stderr).toMatch(/Snowflake login failed \(390144\): JWT token is invalid/);
  });
});
