/**
 * The phases of a run, in order, and the named points inside them. The manifest's timings are
 * per phase (`{phase}_s`); kill points (`SOUNDLAKE_KILL_AT`, `SOUNDLAKE_STOP_AT`) and the crash
 * and fencing tests name the points. One list, so a renamed point cannot leave a test aiming at
 * nothing.
 */
export const RUN_PHASES = ['prepare', 'extract_transform_write', 'package', 'commit'] as const;
export type RunPhase = (typeof RUN_PHASES)[number];

/** Every kill point, with the phase it falls in (docs/exactly-once-protocol.md describes each step). */
export const KILL_POINTS = {
  /** After the landing area was listed, before any file is read. */
  'landing-list': 'extract_transform_write',
  /** After each batch of records was written to part files. */
  extract: 'extract_transform_write',
  /** After each part file was staged. */
  stage: 'extract_transform_write',
  /** After the last lease check, before the commit slot is claimed. */
  'before-claim': 'package',
  /** After the commit slot was claimed, before the package is written. */
  claimed: 'package',
  /** After the run package was written. */
  package: 'package',
  /** After each file was published. */
  commit: 'commit',
  /** After the job state was written (every file is published). */
  state: 'commit',
  /** After each housekeeping step. */
  'housekeeping-step': 'commit',
  /** After all housekeeping. */
  housekeeping: 'commit',
  /** After the manifest was written. */
  manifest: 'commit',
} as const satisfies Record<string, RunPhase>;
export type KillPointName = keyof typeof KILL_POINTS;

export function isKillPointName(name: string): name is KillPointName {
  return Object.prototype.hasOwnProperty.call(KILL_POINTS, name);
}
