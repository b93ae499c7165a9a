import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { buildCli, builtCliArgs } from '../support/built-cli';
import { committedRows, generateLanding, rowCounts } from '../support/lake-rows';
import { runListening, stores } from '../support/listening-scenario';
import { tempDir } from '../support/temp-dir';

/**
 * Landing files soundlake does not own, for real: root writes them, the run is another user (what
 * `docker run -v "$PWD/data:/data"` gives when the host's files belong to someone else). Linux
 * refuses a hard link to a file the user does not own (`fs.protected_hardlinks = 1`), which is how
 * soundlake archived inputs: the run committed its rows, then failed at archiving, and every later
 * run failed the same way. Needs root (to run the CLI as uid 65534) and protected hard links.
 */
const ROOT = path.join(__dirname, '..', '..');
const BUILD = path.join(ROOT, 'test-output', 'build-foreign');
const NOBODY = 65534;
beforeAll(() => {
  if (process.getuid?.() === 0) buildCli(BUILD);
}, 180_000);

const possible = process.getuid?.() === 0 && fs.readFileSync('/proc/sys/fs/protected_hardlinks', 'utf8').trim() === '1';

(possible ? test : test.skip)('a run as another user archives landing files it does not own (copy where a link is refused), exactly once', async () => {
  const { dir, cleanup } = tempDir('foreign-');
  try {
    const landing = path.join(dir, 'landing');
    const lake = path.join(dir, 'lake');
    await generateLanding(landing, 1500, 5);
    for (const folder of [dir, landing]) fs.chmodSync(folder, 0o777);
    // The inputs stay root's, readable by all: the run may read and (the folder allows) remove them.
    for (const name of fs.readdirSync(landing)) fs.chmodSync(path.join(landing, name), 0o644);
    const reference = { lakeUrl: path.join(dir, 'ref-lake'), landingUrl: path.join(dir, 'ref-landing'), env: {} };
    fs.cpSync(landing, reference.landingUrl, { recursive: true });
    await runListening(reference, { date: '2026-11-21' });

    const run = () => runAsNobody(dir, lake, landing);
    const first = run();
    expect({ status: first.status, errors: first.stderr.split('\n').filter((l) => /"level":"error"|^soundlake:/.test(l)) }).toEqual({ status: 0, errors: [] });
    // Every input archived (a copy, owned by the run's user), none left to read again.
    const archived = fs.readdirSync(path.join(landing, 'archive'), { recursive: true }).filter((f) => String(f).endsWith('.csv'));
    expect(fs.readdirSync(landing).filter((f) => f.endsWith('.csv'))).toEqual([]);
    expect(archived.length).toBeGreaterThan(2);
    const ours = await committedRows((await stores({ lakeUrl: lake, landingUrl: landing, env: {} })).lake);
    const theirs = await committedRows((await stores(reference)).lake);
    expect(rowCounts(ours)).toEqual(rowCounts(theirs));
    expect(ours.digest).toBe(theirs.digest);
    // And the next run has nothing left to do, and succeeds.
    expect(run().status).toBe(0);
  } finally {
    cleanup();
  }
}, 180_000);

/** Runs the built CLI as uid 65534 over `lake` and `landing`. */
function runAsNobody(cwd: string, lake: string, landing: string) {
  return spawnSync(process.execPath, builtCliArgs(BUILD, ['run', 'listening-events', '--date', '2026-11-21']), {
    cwd,
    uid: NOBODY,
    gid: NOBODY,
    encoding: 'utf8',
    env: { PATH: process.env.PATH, HOME: cwd, LAKE_URL: lake, LISTENING_EVENTS_LANDING_URL: landing, LISTENING_EVENTS_SETTLE_SECONDS: '0', RUN_LOG_LEVEL: 'warn', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
  });
}

const asRoot = process.getuid?.() === 0;

(asRoot ? test : test.skip)("a lake folder the run's user cannot write (root's, as a fresh bind mount is) is exit 2 naming it and the fix, before anything is created", async () => {
  const { dir, cleanup } = tempDir('foreign-lake-');
  try {
    const landing = path.join(dir, 'landing');
    await generateLanding(landing, 200, 6);
    fs.chmodSync(dir, 0o755);
    fs.chmodSync(landing, 0o777);
    for (const lake of [path.join(dir, 'lake'), path.join(dir, 'data', 'lake')]) {
      if (lake.endsWith(path.join('data', 'lake'))) fs.mkdirSync(path.dirname(lake), { mode: 0o755 });
      else fs.mkdirSync(lake, { mode: 0o755 });
      const run = runAsNobody(dir, lake, landing);
      expect(run.status).toBe(2);
      expect(run.stderr).toMatch(/lake folder .* is not writable by uid 65534 \(owned by uid 0, mode 755\) \(\[lake\] url .*chown -R 65534 /);
      // Nothing created: the lake folder stays empty (or absent).
      expect(fs.existsSync(lake) ? fs.readdirSync(lake) : []).toEqual([]);
    }
    expect(fs.readdirSync(landing).filter((f) => f.endsWith('.csv')).length).toBeGreaterThan(2);
  } finally {
    cleanup();
  }
}, 180_000);

(asRoot ? test : test.skip)('a landing folder the run may read but not write is exit 2 before anything is published (it could never archive its inputs)', async () => {
  const { dir, cleanup } = tempDir('foreign-landing-ro-');
  try {
    const landing = path.join(dir, 'landing');
    const lake = path.join(dir, 'lake');
    await generateLanding(landing, 200, 7);
    fs.chmodSync(dir, 0o777);
    fs.chmodSync(landing, 0o755);
    for (const name of fs.readdirSync(landing)) fs.chmodSync(path.join(landing, name), 0o644);
    const run = runAsNobody(dir, lake, landing);
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/landing folder .*landing is not writable by uid 65534 .*\[listening-events\] landing_url/);
    // Nothing published, no lease taken: the folder was not even created.
    expect(fs.existsSync(lake)).toBe(false);
  } finally {
    cleanup();
  }
}, 180_000);
