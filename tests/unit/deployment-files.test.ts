import * as fs from 'node:fs';
import * as path from 'node:path';
import * as dotenv from 'dotenv';
import { parse as parseYaml, type Tags } from 'yaml';
import { buildProgram } from '../../src/cli';
import { envVarName } from '../../src/core/config';
import { OTHER_ENV_VARS } from '../../src/core/env-vars';
import { SECRET_ENV_VARS } from '../../src/core/secrets';
import { JOBS } from '../../src/jobs/registry';

const root = path.join(__dirname, '..', '..');
const read = (file: string) => fs.readFileSync(path.join(root, file), 'utf8');

/** CloudFormation's short intrinsic tags (!Ref, !Sub …) as their long JSON forms. */
const INTRINSICS = ['Ref', 'Sub', 'GetAtt', 'If', 'Equals', 'Not', 'And', 'Or', 'Join', 'Select', 'Split', 'FindInMap', 'Base64', 'GetAZs', 'ImportValue'];
const cfnTags: Tags = INTRINSICS.flatMap((name) => {
  const key = name === 'Ref' ? 'Ref' : `Fn::${name}`;
  return (['scalar', 'seq', 'map'] as const).map((collection) => ({
    tag: `!${name}`,
    ...(collection === 'scalar' ? {} : { collection }),
    resolve: (value: unknown) => {
      const plain = value && typeof value === 'object' && 'toJSON' in value ? (value as { toJSON(): unknown }).toJSON() : value;
      return { [key]: name === 'GetAtt' && typeof plain === 'string' ? plain.split('.') : plain };
    },
  }));
}) as Tags;

/** Parsed CloudFormation: deeply dynamic by nature, so navigated loosely here and checked by the assertions. */
type Json = Record<string, any>;
const stack = parseYaml(read('ecs/stack.yaml'), { customTags: cfnTags }) as Json;
const resources = stack.Resources as Record<string, Json>;
const byType = (type: string) => Object.entries(resources).filter(([, r]) => r.Type === type);
const taskDefs = byType('AWS::ECS::TaskDefinition');
const container = (task: Json) => task.Properties.ContainerDefinitions[0] as Json;

describe('ecs/stack.yaml', () => {
  test('every job has one task definition whose command the CLI accepts, and one schedule for it', async () => {
    for (const job of JOBS) {
      const tasks = taskDefs.filter(([, t]) => container(t).Command[1] === job.name);
      expect(tasks).toHaveLength(1);
      const [taskId, task] = tasks[0];
      const command = container(task).Command as string[];
      // The CLI's own parser, with the action replaced so nothing runs.
      const program = buildProgram();
      program.commands.find((c) => c.name() === 'run')!.action(() => undefined);
      await expect(program.parseAsync(['node', 'soundlake', ...command])).resolves.toBeDefined();
      expect(JOBS.map((j) => j.name)).toContain(command[1]);
      const schedules = byType('AWS::Scheduler::Schedule').filter(([, s]) => s.Properties.Target.EcsParameters.TaskDefinitionArn.Ref === taskId);
      expect(schedules).toHaveLength(1);
      const target = schedules[0][1].Properties.Target;
      expect(schedules[0][1].Properties.ScheduleExpression).toMatch(/^cron\(.+\)$/);
      expect(target.RetryPolicy.MaximumRetryAttempts).toBeGreaterThanOrEqual(1);
      expect(target.DeadLetterConfig.Arn).toEqual({ 'Fn::GetAtt': ['ScheduleDeadLetterQueue', 'Arn'] });
      expect(target.EcsParameters.LaunchType).toBe('FARGATE');
    }
    expect(taskDefs).toHaveLength(JOBS.length);
  });

  test('task definitions: Fargate, awsvpc, awslogs, init process; the browser job gets the most memory', () => {
    for (const [, task] of taskDefs) {
      expect(task.Properties.RequiresCompatibilities).toEqual(['FARGATE']);
      expect(task.Properties.NetworkMode).toBe('awsvpc');
      expect(container(task).LogConfiguration.LogDriver).toBe('awslogs');
      // One init process: tini is the image's PID 1, so ECS's init is not added on top.
      expect(container(task).LinuxParameters?.InitProcessEnabled).toBeUndefined();
    }
    const memory = Object.fromEntries(taskDefs.map(([, t]) => [container(t).Command[1], Number(t.Properties.Memory)]));
    expect(memory.distrokid).toBe(Math.max(...(Object.values(memory) as number[])));
  });

  test('every variable a task sets is one soundlake knows; every secret comes from a secret reference', () => {
    const settings = new Set<string>();
    const ini = read('config/default.ini');
    let section = '';
    for (const line of ini.split('\n')) {
      const s = /^\[([^\]]+)\]/.exec(line);
      if (s) section = s[1];
      const k = /^([a-z_]+)\s*=/.exec(line);
      if (k) settings.add(envVarName(section, k[1]));
    }
    const secrets = new Set<string>(SECRET_ENV_VARS);
    const known = new Set<string>([...settings, ...secrets, ...OTHER_ENV_VARS]);
    for (const [id, task] of taskDefs) {
      const c = container(task);
      for (const { Name } of c.Environment as { Name: string }[]) {
        expect({ task: id, variable: Name, known: known.has(Name) }).toEqual({ task: id, variable: Name, known: true });
        expect({ task: id, variable: Name, secret: secrets.has(Name) }).toEqual({ task: id, variable: Name, secret: false });
      }
      for (const secret of (c.Secrets ?? []) as { Name: string; ValueFrom: unknown }[]) {
        expect(known.has(secret.Name)).toBe(true);
        expect(secret.ValueFrom).toEqual({ Ref: expect.stringMatching(/Arn$/) });
      }
    }
    // The Spotify jobs need the app secret, and get it from Secrets Manager.
    for (const [, task] of taskDefs.filter(([, t]) => String(container(t).Command[1]).startsWith('spotify-'))) {
      expect((container(task).Secrets as { Name: string }[]).map((s) => s.Name)).toContain('SPOTIFY_CLIENT_SECRET');
    }
  });

  test('the task role reaches only the lake and landing prefixes, and KMS only for the session key', () => {
    const statements = resources.TaskRole.Properties.Policies.flatMap((p: Json) => p.PolicyDocument.Statement) as Json[];
    const allowed = [
      'arn:aws:s3:::${LakeBucketName}/${LakePrefix}/*',
      'arn:aws:s3:::${LakeBucketName}/${LandingPrefix}/*',
      'arn:aws:s3:::${LakeBucketName}',
    ];
    for (const statement of statements) {
      const actions = ([] as string[]).concat(statement.Action);
      const resourceList = ([] as Json[]).concat(statement.Resource);
      if (actions.some((a) => a.startsWith('s3:'))) {
        for (const r of resourceList) expect(allowed).toContain(r['Fn::Sub']);
        if (actions.includes('s3:ListBucket')) {
          const prefixes = ([] as Json[]).concat(statement.Condition.StringLike['s3:prefix']).map((p) => p['Fn::Sub']);
          for (const p of prefixes) expect(p).toMatch(/^\$\{(LakePrefix|LandingPrefix)\}(\/\*)?$/);
        }
      } else {
        expect(actions.every((a) => a.startsWith('kms:'))).toBe(true);
        expect(resourceList).toEqual([{ Ref: 'SessionKmsKeyArn' }]);
      }
      expect(statement.Effect).toBe('Allow');
    }
    // Snowflake's role reads raw/ only.
    const snowflake = resources.SnowflakeStorageRole.Properties.Policies[0].PolicyDocument.Statement as Json[];
    expect(snowflake[0].Resource['Fn::Sub']).toBe('arn:aws:s3:::${LakeBucketName}/${LakePrefix}/raw/*');
  });

  test('the bucket aborts stale multipart uploads, expires _staging/, and notifies Snowpipe about raw/', () => {
    const bucket = resources.LakeBucket.Properties;
    const rules = bucket.LifecycleConfiguration.Rules as Json[];
    expect(rules.find((r) => r.AbortIncompleteMultipartUpload)?.AbortIncompleteMultipartUpload.DaysAfterInitiation).toBe(1);
    expect(rules.find((r) => r.ExpirationInDays === 7)?.Prefix['Fn::Sub']).toBe('${LakePrefix}/_staging/');
    const queue = bucket.NotificationConfiguration['Fn::If'][1].QueueConfigurations[0];
    expect(queue.Filter.S3Key.Rules).toEqual([
      { Name: 'prefix', Value: { 'Fn::Sub': '${LakePrefix}/raw/' } },
      { Name: 'suffix', Value: '.csv.gz' },
    ]);
  });
});

describe('Dockerfile and .dockerignore', () => {
  const dockerfile = read('Dockerfile');
  const stages = dockerfile.split(/^FROM /m).slice(1);

  test('the runtime stages run as a non-root user, start through tini, and copy no .env', () => {
    for (const name of ['slim', 'full']) {
      const stage = stages.find((s) => new RegExp(` AS ${name}\\b`).test(s.split('\n')[0]))!;
      const users = [...stage.matchAll(/^USER (\S+)/gm)].map((m) => m[1]);
      expect(users[users.length - 1]).toBe('node');
    }
    expect(dockerfile).toMatch(/^ENTRYPOINT \["\/usr\/bin\/tini", "--", "node", "\/app\/bin\/soundlake.js"\]$/m);
    expect(dockerfile).toMatch(/^CMD \["jobs"\]$/m);
    expect(dockerfile).not.toMatch(/^COPY .*\.env/m);
    expect(dockerfile).not.toMatch(/^COPY \. /m);
  });

  test('.dockerignore keeps secrets, data, dependencies, tests and git out of the build context', () => {
    const ignored = read('.dockerignore').split('\n');
    for (const entry of ['.env', 'lake/', 'landing/', 'warehouse.duckdb', 'node_modules/', 'tests/', '.git/']) expect(ignored).toContain(entry);
  });
});

/** `docker run --env-file`: VAR=VAL per line, # starts a comment line, values taken literally. */
function parseDockerEnvFile(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const raw of text.split('\n')) {
    const line = raw.replace(/^\s+/, '');
    if (line === '' || line.startsWith('#')) continue;
    const eq = line.indexOf('=');
    if (eq <= 0) throw new Error(`not VAR=VAL: ${raw}`);
    out[line.slice(0, eq)] = line.slice(eq + 1);
  }
  return out;
}

test('.env.example means the same to dotenv and to docker run --env-file', () => {
  const text = read('.env.example');
  const docker = parseDockerEnvFile(text);
  expect(dotenv.parse(text)).toEqual(docker);
  expect(Object.keys(docker).length).toBeGreaterThan(10);
  expect(text).not.toMatch(/^\s*export\s/m);
  for (const value of Object.values(docker)) expect(value).not.toMatch(/^["']|#/);
});

test('docker compose: runs without a .env, keeps data in named volumes, pins its images, one init process', () => {
  const compose = parseYaml(read('docker-compose.yml')) as Json;
  const soundlake = compose.services.soundlake as Json;
  expect(soundlake.env_file).toEqual([{ path: '.env', required: false }]);
  expect(soundlake.init).toBeUndefined(); // tini is the image's ENTRYPOINT
  expect(soundlake.volumes).toEqual(['data:/data']);
  expect(compose.services.minio.volumes).toEqual(['minio-data:/data']);
  expect(Object.keys(compose.volumes).sort()).toEqual(['data', 'minio-data']);
  for (const [name, service] of Object.entries(compose.services as Record<string, Json>)) {
    if (service.image && name !== 'soundlake') expect(service.image).toMatch(/:RELEASE\.\d{4}-\d{2}-\d{2}T/);
  }
});
