import * as fs from 'node:fs';

/** Where Debian's libfaketime package puts the library (`apt-get install libfaketime`). */
const LIBRARY_PLACES = ['/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1', '/usr/lib/aarch64-linux-gnu/faketime/libfaketime.so.1', '/usr/lib/faketime/libfaketime.so.1'];

export function faketimeLibrary(): string | undefined {
  return LIBRARY_PLACES.find((place) => fs.existsSync(place));
}

/**
 * The environment that runs a child process with its wall clock `seconds` ahead (negative: behind)
 * of this machine's, as on a host whose NTP drifted: libfaketime shifts what `Date.now()` reads
 * (clock_gettime REALTIME) and leaves the monotonic clock alone, so the child's timers still fire
 * at the right moments.
 */
export function skewedClockEnv(seconds: number): Record<string, string> {
  const library = faketimeLibrary();
  if (!library) throw new Error('the skewed-clock tests need libfaketime (Debian: apt-get install libfaketime); `npm test` installs it as root on Debian');
  return { LD_PRELOAD: library, FAKETIME: `${seconds >= 0 ? '+' : ''}${seconds}s`, FAKETIME_DONT_FAKE_MONOTONIC: '1', FAKETIME_DONT_RESET: '1' };
}
