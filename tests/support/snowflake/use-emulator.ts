import { tempDir } from '../temp-dir';
import { SnowflakeEmulator } from './emulator';
import { folderObjectSource } from './object-sources';

/** A fresh emulated account for each test, over a bucket folder: s3://music-lake/<key> is <dir>/<key>. */
export interface EmulatorWorld {
  fake: SnowflakeEmulator;
  dir: string;
}

/**
 * Registers beforeEach/afterEach giving each test a new account (nothing of soundlake's in it) and
 * its bucket folder; with `env`, process.env points soundlake at it. process.env is restored after.
 */
export function useSnowflakeEmulator(options: { env?: boolean } = {}): EmulatorWorld {
  const world = {} as EmulatorWorld;
  const saved = { ...process.env };
  let cleanup = () => undefined as void;
  beforeEach(async () => {
    ({ dir: world.dir, cleanup } = tempDir('bucket-'));
    world.fake = await SnowflakeEmulator.open(folderObjectSource('music-lake', world.dir));
    if (options.env) process.env = { ...saved, ...world.fake.env(), RUN_LOG_LEVEL: 'error' };
  });
  afterEach(async () => {
    process.env = { ...saved };
    await world.fake.stop();
    cleanup();
  });
  return world;
}
