/**
 * Crash-test hook. With `SOUNDLAKE_KILL_AT=name` (or `name:n`) in the environment, the process kills
 * itself with SIGKILL — no cleanup, no finally blocks, exactly like `kill -9` or an out-of-memory
 * kill — the first (or n-th) time it passes the point `name`. The crash tests use it to stop a run
 * at chosen places in extract, stage, package, commit and housekeeping. Never set in production.
 */
import { isKillPointName, type KillPointName } from './run-phase';

const target = parseTarget('SOUNDLAKE_KILL_AT', process.env.SOUNDLAKE_KILL_AT);
/** `SOUNDLAKE_STOP_AT=name`: the process stops itself with SIGSTOP there (a paused VM, a GC pause, a frozen container) until a SIGCONT. */
const stopTarget = parseTarget('SOUNDLAKE_STOP_AT', process.env.SOUNDLAKE_STOP_AT);
const passes = new Map<string, number>();

function parseTarget(variable: string, value: string | undefined): { name: KillPointName; nth: number } | undefined {
  if (!value) return undefined;
  const [name, nth] = value.split(':');
  // A misspelt point would let a crash test pass without ever crashing.
  if (!isKillPointName(name)) throw new Error(`${variable}=${value} names no kill point (see src/core/run-phase.ts)`);
  return { name, nth: nth === undefined ? 1 : Math.max(1, Number(nth) || 1) };
}

export function killPoint(name: KillPointName): void {
  if (target?.name !== name && stopTarget?.name !== name) return;
  const count = (passes.get(name) ?? 0) + 1;
  passes.set(name, count);
  if (target?.name === name && count === target.nth) process.kill(process.pid, 'SIGKILL');
  if (stopTarget?.name === name && count === stopTarget.nth) process.kill(process.pid, 'SIGSTOP');
}
