import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { setupStatements, setupVariables } from '../../src/snowflake/setup-script';
import { loadConfig } from '../../src/core/config';
import { ALL_TABLES } from '../../src/tables/all-tables';
import { runCli } from '../support/cli-run';
import { FakeSnowflake } from '../support/fake-snowflake';
import { putSmallLanding, runListening } from '../support/listening-scenario';
import { tempDir } from '../support/temp-dir';

describe('soundlake snowflake … against a fake Snowflake speaking the driver protocol', () => {
  const savedEnv = { ...process.env };
  let fake: FakeSnowflake;
  beforeEach(async () => {
    fake = await new FakeSnowflake().start();
    process.env = { ...savedEnv, ...fake.env(), RUN_LOG_LEVEL: 'error' };
  });
  afterEach(async () => {
    process.env = { ...savedEnv };
    await fake.stop();
  });

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

  test('SNS route: sns-policy prints the principal Snowflake subscribes as; setup then creates every pipe on the topic', async () => {
    const topic = 'arn:aws:sns:eu-west-1:123456789012:soundlake-lake-raw';
    const policy = await runCli(['snowflake', 'sns-policy', '--topic', topic]);
    expect(policy.code).toBe(0);
    expect(policy.stdout).toContain(`Snowflake subscribes to ${topic} as arn:aws:iam::999999999999:user/sns-fake-subscriber`);
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
    fake.freshAccount = true;
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
      fake.freshAccount = true;
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
      expect(fake.users.size).toBe(1);
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
      expect(fake.users.size).toBe(0);
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
    fake.freshAccount = true;
    process.env.SNOWFLAKE_ADMIN_ROLE = 'SYSADMIN';
    const { code, stderr } = await runCli(['snowflake', 'setup']);
    expect(code).toBe(1);
    expect(stderr).toMatch(/Insufficient privileges to operate on account as role SYSADMIN/);
  });

  test('setup never runs the monitoring queries, and exits 1 when Snowflake did not report what AWS needs', async () => {
    const statements = setupStatements(setupVariables(loadConfig({ dotenvDir: null }), { requireRoleArn: true }));
    expect(statements.some((s) => s.file.startsWith('90_'))).toBe(false);
    fake.reportsHandshake = false;
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
    fake.pipeStatus.set('RAW.LISTENING_SONGS_PIPE', { executionState: 'STOPPED_STAGE_ALTERED', pendingFileCount: 2, error: 'stage changed' });
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
    const yesterday = new Date(Date.now() - 86_400_000);
    // A late landing file: written yesterday, into the partition of its event day months back.
    fake.stagedFiles.set('RAW.LISTENING_STREAMS_PIPE', [
      { path: 'year=2024/month=06/day=10/streams_listening-events_r_00000.csv.gz', modified: yesterday },
      { path: 'year=2024/month=06/day=09/streams_listening-events_old_00000.csv.gz', modified: new Date(Date.now() - 3 * 86_400_000) },
    ]);
    const since = new Date(yesterday.getTime() - 3_600_000).toISOString();
    const { code, stdout } = await runCli(['snowflake', 'refresh', '--since', since]);
    expect(code).toBe(0);
    const refreshes = fake.statements.filter((s) => s.startsWith('ALTER PIPE'));
    expect(refreshes).toHaveLength(ALL_TABLES.length);
    expect(refreshes).toContain(`ALTER PIPE RAW.LISTENING_STREAMS_PIPE REFRESH MODIFIED_AFTER = '${since}'`);
    // The back-dated file written yesterday is queued; the one written before --since is not.
    expect(stdout).toMatch(/RAW\.LISTENING_STREAMS_PIPE\s+\S+\s+1\n/);
    expect((await runCli(['snowflake', 'refresh', '--since', 'last week'])).code).toBe(2);
  });

  describe('verify --run', () => {
    let lakeDir: string;
    let cleanup: () => void;
    const RUN = 'verify-run';
    const day = (table: string, d: string) => `listening/${table}/year=${d.slice(0, 4)}/month=${d.slice(5, 7)}/day=${d.slice(8)}/${table}_listening-events_${RUN}_00000.csv.gz`;
    const loaded = (file: string, rows: number) => ({ FILE_NAME: file, STATUS: 'Loaded', ROW_COUNT: rows, FIRST_ERROR_MESSAGE: null, LAST_LOAD_TIME: '2026-11-21 10:00:00' });

    beforeEach(async () => {
      // The tables exist: verify compares each file's header with its table's columns.
      expect((await runCli(['snowflake', 'setup'])).code).toBe(0);
      ({ dir: lakeDir, cleanup } = tempDir());
      const setup = { lakeUrl: path.join(lakeDir, 'lake'), landingUrl: path.join(lakeDir, 'landing'), env: {} };
      await putSmallLanding(setup);
      await runListening(setup, { runId: RUN });
      process.env.LAKE_URL = setup.lakeUrl;
      process.env.SNOWFLAKE_VERIFY_POLL_SECONDS = '0.05';
      // Row counts of the hand-written expected files (tests/fixtures/listening-small/expected/).
      fake.copyHistory.set('RAW.LISTENING_USERS', [loaded(day('users', '2026-11-21'), 4)]);
      fake.copyHistory.set('RAW.LISTENING_SONGS', [loaded(day('songs', '2026-11-21'), 3)]);
      fake.copyHistory.set('RAW.LISTENING_STREAMS', [loaded(day('streams', '2024-06-24'), 4), loaded(day('streams', '2024-06-25'), 3)]);
    });
    afterEach(() => cleanup());

    test('exit 0 when every file loaded with the manifest row count', async () => {
      const { code, stdout } = await runCli(['snowflake', 'verify', '--run', RUN]);
      expect(code).toBe(0);
      expect(stdout).toMatch(/4 loaded, 0 pending, 0 failed, 0 with other row counts, 0 laid out for another table version, of 4 files/);
    });

    test('a file not in COPY_HISTORY yet is pending (exit 1)', async () => {
      fake.copyHistory.set('RAW.LISTENING_STREAMS', [loaded(day('streams', '2024-06-24'), 4)]);
      const { code, stdout, stderr } = await runCli(['snowflake', 'verify', '--run', RUN]);
      expect(code).toBe(1);
      expect(stdout).toMatch(/streams_listening-events_verify-run_00000\.csv\.gz\s+pending\s+3/);
      expect(stderr).toMatch(/3 loaded, 1 pending, 0 failed/);
    });

    test('a failed load shows Snowflake’s first error (exit 1)', async () => {
      fake.copyHistory.set('RAW.LISTENING_SONGS', [
        { FILE_NAME: day('songs', '2026-11-21'), STATUS: 'Load failed', ROW_COUNT: 0, FIRST_ERROR_MESSAGE: "Numeric value 'abc' is not recognized", LAST_LOAD_TIME: '2026-11-21 10:00:00' },
      ]);
      const { code, stdout } = await runCli(['snowflake', 'verify', '--run', RUN]);
      expect(code).toBe(1);
      expect(stdout).toMatch(/failed.*Load failed: Numeric value 'abc' is not recognized/);
    });

    test('a load with other row counts than the manifest is reported (exit 1)', async () => {
      fake.copyHistory.set('RAW.LISTENING_USERS', [loaded(day('users', '2026-11-21'), 3)]);
      const { code, stdout } = await runCli(['snowflake', 'verify', '--run', RUN]);
      expect(code).toBe(1);
      expect(stdout).toMatch(/users_listening-events_verify-run_00000\.csv\.gz\s+row_mismatch\s+4\s+3/);
    });

    test('--wait polls until the pending file arrives', async () => {
      fake.copyHistory.set('RAW.LISTENING_STREAMS', [loaded(day('streams', '2024-06-24'), 4)]);
      setTimeout(() => fake.copyHistory.get('RAW.LISTENING_STREAMS')!.push(loaded(day('streams', '2024-06-25'), 3)), 200);
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

describe('key-pair authentication', () => {
  test('with SNOWFLAKE_PRIVATE_KEY_PATH the driver logs in with a JWT and sends no password', async () => {
    const { generateKeyPairSync } = await import('node:crypto');
    const fs = await import('node:fs');
    const { dir, cleanup } = tempDir();
    const fake = await new FakeSnowflake().start();
    const saved = { ...process.env };
    try {
      const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
      const keyFile = path.join(dir, 'rsa_key.p8');
      fs.writeFileSync(keyFile, privateKey.export({ type: 'pkcs8', format: 'pem' }));
      process.env = { ...saved, ...fake.env({ SNOWFLAKE_PRIVATE_KEY_PATH: keyFile }), RUN_LOG_LEVEL: 'error' };
      delete process.env.SNOWFLAKE_PASSWORD;
      const { code } = await runCli(['snowflake', 'status']);
      expect(code).toBe(0);
      expect(fake.logins[0]).toMatchObject({ AUTHENTICATOR: 'SNOWFLAKE_JWT' });
      expect(String(fake.logins[0].TOKEN)).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
      expect(fake.logins[0].PASSWORD).toBeUndefined();
    } finally {
      process.env = saved;
      await fake.stop();
      cleanup();
    }
  });
});
