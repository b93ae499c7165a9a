import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { LeaseHeldError } from '../../src/core/errors';
import { committedRows, generateLanding, type LakeRows } from '../support/lake-rows';
import { runListening, stores, type Setup } from '../support/listening-scenario';
import { expectExactlyOnce as expectExactlyOnceOf } from '../support/landing-trials';
import { tempDir } from '../support/temp-dir';

/**
 * A local lake on a disk that fills up, for real: a small tmpfs mounted as the lake (root only).
 * Whatever write meets ENOSPC (a staged part, the package, a commit slot, a published file, the
 * manifest), the run fails without leaving a half-written record or a `.tmp` file beside one, and
 * once space is freed (the tmpfs grown) the next run lands every row exactly once.
 */
const DATE = '2026-11-21';
let work: { dir: string; cleanup: () => void };
let landingSource: string;
let reference: LakeRows;
let referenceBytes = 0;
const mounts: string[] = [];

function canMount(): boolean {
  if (process.platform !== 'linux' || process.getuid?.() !== 0) return false;
  const probe = fs.mkdtempSync('/tmp/soundlake-mount-probe-');
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', probe], { stdio: 'ignore' });
    execFileSync('umount', [probe], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  } finally {
    fs.rmSync(probe, { recursive: true, force: true });
  }
}

const mountable = canMount();
if (!mountable) console.warn('full-disk.test: skipped; it mounts a small tmpfs as the lake and needs root with CAP_SYS_ADMIN');

function filesUnder(dir: string): string[] {
  return fs.readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name));
}

beforeAll(async () => {
  if (!mountable) return;
  work = tempDir('full-disk-');
  landingSource = path.join(work.dir, 'landing-source');
  await generateLanding(landingSource, 2000, 41);
  const ref: Setup = { lakeUrl: path.join(work.dir, 'ref-lake'), landingUrl: path.join(work.dir, 'ref-landing'), env: {} };
  fs.cpSync(landingSource, ref.landingUrl, { recursive: true });
  await runListening(ref, { date: DATE });
  reference = await committedRows((await stores(ref)).lake);
  referenceBytes = filesUnder(ref.lakeUrl).reduce((sum, file) => sum + fs.statSync(file).size, 0);
}, 120_000);

afterAll(() => {
  for (const mount of mounts) execFileSync('umount', ['-l', mount], { stdio: 'ignore' });
  work?.cleanup();
});

async function trial(fraction: number): Promise<'packaged' | 'staging' | 'succeeded'> {
  const lakeDir = path.join(work.dir, `lake-${fraction}`);
  fs.mkdirSync(lakeDir);
  // tmpfs counts whole 4 KiB pages per file, so the finished lake needs about twice its bytes.
  const pages = Math.max(4, Math.floor((referenceBytes * fraction) / 4096));
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${pages * 4}k`, 'tmpfs', lakeDir]);
  mounts.push(lakeDir);
  // A short lease: a run that fails with the disk full to the last page cannot write its release
  // either, and its lease must expire before the next run (job-lease.ts: "It expires by itself").
  const setup: Setup = { lakeUrl: lakeDir, landingUrl: path.join(work.dir, `landing-${fraction}`), env: { RUN_LEASE_SECONDS: '2' } };
  fs.cpSync(landingSource, setup.landingUrl, { recursive: true });

  const failed = await runListening(setup, { date: DATE }).then(
    () => undefined,
    (error: unknown) => error as Error,
  );
  expect(filesUnder(lakeDir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  if (failed) {
    // Before the package: the message names the disk; after it: the commit is finished later.
    expect(failed.message).toMatch(new RegExp(`no space left on the disk of ${lakeDir}|is packaged but its commit stopped: .*ENOSPC`));
  }
  execFileSync('mount', ['-o', 'remount,size=64m', lakeDir]);
  if (failed) {
    const next = await runListening(setup, { date: DATE }).then(
      () => undefined,
      (error: unknown) => error as Error,
    );
    if (next instanceof LeaseHeldError) {
      await new Promise((resolve) => setTimeout(resolve, 2100));
      await runListening(setup, { date: DATE });
    } else if (next) throw next;
  }
  await expectExactlyOnceOf(setup, reference);
  return failed === undefined ? 'succeeded' : /is packaged/.test(failed.message) ? 'packaged' : 'staging';
}

(mountable ? test : test.skip)('a lake disk that fills at any point of a run leaves no half record; with room again the next run lands every row once', async () => {
  const outcomes = new Set<string>();
  // From a quarter of what the run needs up to enough: the disk fills while staging, while committing, never.
  for (let fraction = 0.25; !outcomes.has('succeeded'); fraction = Math.round((fraction + 0.15) * 100) / 100) {
    expect(fraction).toBeLessThan(4);
    outcomes.add(await trial(fraction));
  }
  expect([...outcomes].sort()).toEqual(['packaged', 'staging', 'succeeded']);
}, 300_000);
