import * as path from 'node:path';
import type { Config } from '../../core/config';
import { readBrowserSettings, type BrowserSettings } from '../../connections/browser';
import { sessionKey } from '../../lake/keys';

export interface DistrokidSettings {
  baseUrl: string;
  /** Store URL (folder or s3://) and key of the session file. */
  session: { storeUrl: string; key: string };
  challengeAttempts: number;
  challengeBackoffMs: number;
  /** Tracks and albums whose own stats pages are read, per run (each costs one page per store). */
  maxTracks: number;
  maxAlbums: number;
  browser: BrowserSettings;
}

/** The session file's place: [distrokid] session_url, or {lake}/_sessions/distrokid.json. */
function sessionLocation(config: Config): { storeUrl: string; key: string } {
  const url = config.optionalString('distrokid', 'session_url') === undefined ? undefined : config.lakeUrl('distrokid', 'session_url');
  if (url === undefined) return { storeUrl: config.lakeUrl('lake', 'url'), key: sessionKey('distrokid') };
  if (!/\.json$/.test(url)) config.fail('distrokid', 'session_url', 'a .json file path or s3://bucket/key.json');
  if (url.startsWith('s3://')) {
    const slash = url.lastIndexOf('/');
    return { storeUrl: url.slice(0, slash), key: url.slice(slash + 1) };
  }
  return { storeUrl: path.dirname(url), key: path.basename(url) };
}

export function readDistrokidSettings(config: Config): DistrokidSettings {
  const baseUrl = config.httpUrl('distrokid', 'base_url', { origin: true, example: 'https://distrokid.com' })!;
  return {
    baseUrl,
    session: sessionLocation(config),
    challengeAttempts: config.int('distrokid', 'challenge_attempts', { min: 1, max: 20 }),
    challengeBackoffMs: config.int('distrokid', 'challenge_backoff_ms', { min: 1, max: 600_000, unit: 'milliseconds' }),
    maxTracks: config.int('distrokid', 'max_tracks', { min: 0, max: 1000 }),
    maxAlbums: config.int('distrokid', 'max_albums', { min: 0, max: 1000 }),
    browser: readBrowserSettings(config),
  };
}
