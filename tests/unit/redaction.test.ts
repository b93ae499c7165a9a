import { createLogger } from '../../src/core/log';
import { readSecret, redact, registerSecretsFromEnv } from '../../src/core/secrets';
import { LogCapture } from '../support/log-capture';

test('secret values read from the environment never reach a log line, nested fields included', () => {
  const env = { SPOTIFY_CLIENT_SECRET: 'sp-secret-value-123', SNOWFLAKE_PASSWORD: 'pw-Very$ecret' };
  registerSecretsFromEnv(env);
  expect(readSecret('SPOTIFY_CLIENT_SECRET', env)).toBe('sp-secret-value-123');
  const capture = new LogCapture();
  const log = createLogger({ json: true, stream: capture }).child({ job: 'j', run_id: 'r' });
  log.error('login failed with pw-Very$ecret', { request: { body: 'client_secret=sp-secret-value-123&x=1' } });
  expect(capture.text).not.toContain('sp-secret-value-123');
  expect(capture.text).not.toContain('pw-Very$ecret');
  const entry = capture.entries()[0];
  expect(entry.message).toBe('login failed with ***');
  expect(entry.request).toEqual({ body: 'client_secret=***&x=1' });
  expect(entry.job).toBe('j');
  expect(entry.run_id).toBe('r');
  expect(redact('token pw-Very$ecret')).toBe('token ***');
});

test('readable lines on a TTY carry job and run id', () => {
  const capture = new LogCapture();
  createLogger({ json: false, stream: capture }).child({ job: 'listening-events', run_id: 'r1' }).info('hello', { rows: 3 });
  expect(capture.lines[0]).toMatch(/^\d\d:\d\d:\d\d info  listening-events r1 hello  rows=3$/);
});

test('a secret holding a quote and a backslash is scrubbed from JSON lines too (JSON escapes both)', () => {
  const secret = 'pa"ss\\word-42';
  registerSecretsFromEnv({ SNOWFLAKE_PASSWORD: secret });
  const capture = new LogCapture();
  const log = createLogger({ json: true, stream: capture }).child({ job: 'j', run_id: 'r' });
  log.error(`login failed with ${secret}`, { detail: { nested: [`value=${secret}`] }, error: new Error(`boom ${secret}`) });
  // The raw value and its JSON-escaped form are both absent.
  expect(capture.text).not.toContain(secret);
  expect(capture.text).not.toContain(JSON.stringify(secret).slice(1, -1));
  const entry = capture.entries()[0];
  expect(entry.message).toBe('login failed with ***');
  expect(entry.detail).toEqual({ nested: ['value=***'] });
});
