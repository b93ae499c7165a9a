import * as fs from 'node:fs';
import * as path from 'node:path';
import { envVarName, loadConfig } from '../../src/core/config';
import { ConfigError, ExitCode } from '../../src/core/errors';
import { readRunSettings } from '../../src/runner/run-settings';
import { readS3Settings } from '../../src/connections/s3';
import { tempDir } from '../support/temp-dir';

function configError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('configuration layers', () => {
  test('maps [section] key to SECTION_KEY', () => {
    expect(envVarName('lake', 'url')).toBe('LAKE_URL');
    expect(envVarName('listening-events', 'landing_url')).toBe('LISTENING_EVENTS_LANDING_URL');
    expect(envVarName('s3', 'endpoint')).toBe('S3_ENDPOINT');
  });

  test('defaults, then SOUNDLAKE_CONFIG file, then environment, then flags', () => {
    const { dir, cleanup } = tempDir();
    try {
      const file = path.join(dir, 'prod.ini');
      fs.writeFileSync(file, '[lake]\nurl = s3://from-file/lake\nmax_file_text_mb = 100\n[s3]\nregion = eu-west-1\n');
      const env = { SOUNDLAKE_CONFIG: file, S3_REGION: 'eu-central-1' };
      const fromFile = loadConfig({ env, dotenvDir: null });
      expect(fromFile.get('lake', 'url')).toBe('s3://from-file/lake');
      expect(fromFile.where('lake', 'url')).toBe(`file ${file}`);
      expect(fromFile.get('lake', 'gzip_level')).toBe('3');
      expect(fromFile.where('lake', 'gzip_level')).toMatch(/^default in .*config\/default\.ini$/);
      expect(fromFile.get('s3', 'region')).toBe('eu-central-1');
      expect(fromFile.where('s3', 'region')).toBe('environment variable S3_REGION');
      const withFlag = loadConfig({ env, dotenvDir: null, flags: { 'lake.url': { value: './other', flag: '--lake' } } });
      expect(withFlag.get('lake', 'url')).toBe('./other');
      expect(withFlag.where('lake', 'url')).toBe('command-line flag --lake');
    } finally {
      cleanup();
    }
  });

  test('.env is loaded without overriding variables already set', () => {
    const { dir, cleanup } = tempDir();
    try {
      fs.writeFileSync(path.join(dir, '.env'), '# comment\nLAKE_URL=./from-dotenv\nS3_REGION=ap-south-1\n');
      const env: NodeJS.ProcessEnv = { S3_REGION: 'us-west-2' };
      const config = loadConfig({ env, dotenvDir: dir });
      expect(config.get('lake', 'url')).toBe('./from-dotenv');
      expect(config.get('s3', 'region')).toBe('us-west-2');
    } finally {
      cleanup();
    }
  });

  test('a bad value names the key, where it came from, and what is expected (exit 2)', () => {
    const error = configError(() => readRunSettings(loadConfig({ env: { LAKE_MAX_FILE_TEXT_MB: 'lots' }, dotenvDir: null })));
    expect(error.exitCode).toBe(ExitCode.usage);
    expect(error.message).toBe(
      '[lake] max_file_text_mb = "lots" (from environment variable LAKE_MAX_FILE_TEXT_MB; env LAKE_MAX_FILE_TEXT_MB): expected a number of MB from 0.001 to 20000',
    );
  });

  test('a bad lake URL and a bad endpoint are refused before any I/O', () => {
    expect(configError(() => readRunSettings(loadConfig({ env: { LAKE_URL: 'gs://bucket/x' }, dotenvDir: null }))).message).toMatch(
      /\[lake\] url .*expected a folder path or an s3:\/\/ URL/,
    );
    expect(configError(() => readRunSettings(loadConfig({ env: { LAKE_URL: 's3://B_ad/x' }, dotenvDir: null }))).message).toMatch(/DNS-valid/);
    // Typos of s3:// would otherwise be local folders named "s3:" (lost with the container).
    for (const typo of ['s3:/prod-bucket/lake', 's3//prod-bucket/lake', 'S3:/prod-bucket/lake', 'S3://prod-bucket/lake', 's3:prod-bucket/lake']) {
      expect(configError(() => readRunSettings(loadConfig({ env: { LAKE_URL: typo }, dotenvDir: null }))).message).toContain(
        `expected a folder path or an s3:// URL (s3://BUCKET/PREFIX); this looks like a URL but is not one (did you mean s3://prod-bucket/lake?)`,
      );
    }
    // Folders that merely contain a colon or start like a drive stay folders.
    for (const folder of ['./s3/lake', 'lake', '/data/lake', 'C:\\data\\lake']) {
      expect(readRunSettings(loadConfig({ env: { LAKE_URL: folder }, dotenvDir: null })).lakeUrl).toBe(folder);
    }
    expect(configError(() => readS3Settings(loadConfig({ env: { S3_ENDPOINT: 'http//localhost:9000' }, dotenvDir: null }))).message).toMatch(/\[s3\] endpoint .*expected an http:\/\/ or https:\/\/ URL, or nothing/);
    expect(configError(() => readRunSettings(loadConfig({ env: { S3_ENDPOINT: 'localhost:9000' }, dotenvDir: null }))).message).toMatch(
      /\[s3\] endpoint = "localhost:9000".*expected an http/,
    );
  });

  test('an unknown key in a config file is an error naming the file', () => {
    const { dir, cleanup } = tempDir();
    try {
      const file = path.join(dir, 'typo.ini');
      fs.writeFileSync(file, '[lake]\nmax_file_megabytes = 10\n');
      const error = configError(() => loadConfig({ env: { SOUNDLAKE_CONFIG: file }, dotenvDir: null }));
      expect(error.message).toContain(file);
      expect(error.message).toContain('[lake] max_file_megabytes');
    } finally {
      cleanup();
    }
  });

  test('a secret in a config file is refused: secrets come from the environment only', () => {
    const { dir, cleanup } = tempDir();
    try {
      const file = path.join(dir, 'secret.ini');
      fs.writeFileSync(file, '[snowflake]\npassword = hunter2\n');
      const error = configError(() => loadConfig({ env: { SOUNDLAKE_CONFIG: file }, dotenvDir: null }));
      expect(error.message).toMatch(/looks like a secret/);
      expect(error.message).not.toContain('hunter2');
    } finally {
      cleanup();
    }
  });

  test('a missing SOUNDLAKE_CONFIG file is a config error naming it', () => {
    expect(configError(() => loadConfig({ env: { SOUNDLAKE_CONFIG: '/nonexistent/soundlake.ini' }, dotenvDir: null })).message).toMatch(
      /cannot read config file \/nonexistent\/soundlake\.ini/,
    );
  });

  test('config/default.ini gives every key a comment', () => {
    const lines = fs.readFileSync(path.join(__dirname, '../../config/default.ini'), 'utf8').split('\n');
    lines.forEach((line, i) => {
      if (/^[a-z_]+\s*=/.test(line)) expect(lines[i - 1]).toMatch(/^;/);
    });
  });
});
