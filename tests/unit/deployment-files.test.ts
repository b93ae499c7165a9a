import * as fs from 'node:fs';
import * as path from 'node:path';
import * as dotenv from 'dotenv';
import { parse as parseYaml } from 'yaml';

const root = path.join(__dirname, '..', '..');
const read = (file: string) => fs.readFileSync(path.join(root, file), 'utf8');

/** Parsed YAML: navigated loosely here and pinned down by the assertions. */
type Json = Record<string, any>;

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
