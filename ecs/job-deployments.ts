/**
 * How each job runs on ECS: size, schedule, image, secrets and settings. One row per job of
 * src/runner/job-registry.ts (a test checks both lists match and that every command parses).
 */
export type SpotifySecret = 'spotifyClientId' | 'spotifyClientSecret' | 'spotifyRefreshToken';

export interface JobDeployment {
  job: string;
  /** Fargate vCPU units (1024 = 1 vCPU) and MiB. */
  cpu: number;
  memoryMiB: number;
  /** EventBridge Scheduler expression, UTC. */
  schedule: string;
  /** The schedule's period, for the "no successful run for N periods" alarm. */
  periodHours: number;
  description: string;
  /** Only the DistroKid job drives a browser; the others pull the slim image (no Chromium, ~1 GB less per start through NAT). */
  browser: boolean;
  /** Environment variable → Secrets Manager / SSM reference from the settings. */
  secrets: Partial<Record<string, SpotifySecret>>;
  /** Scheduler retries of a failed *start* (the run itself is never retried by the scheduler). */
  startRetries: number;
}

const SPOTIFY_APP = { SPOTIFY_CLIENT_ID: 'spotifyClientId', SPOTIFY_CLIENT_SECRET: 'spotifyClientSecret' } as const;
const SPOTIFY_USER = { ...SPOTIFY_APP, SPOTIFY_REFRESH_TOKEN: 'spotifyRefreshToken' } as const;

export const JOB_DEPLOYMENTS: readonly JobDeployment[] = [
  { job: 'listening-events', cpu: 1024, memoryMiB: 2048, schedule: 'cron(5 * * * ? *)', periodHours: 1, description: 'Hourly, to pick up new landing files.', browser: false, secrets: {}, startRetries: 2 },
  { job: 'spotify-playlist', cpu: 512, memoryMiB: 1024, schedule: 'cron(0 3 * * ? *)', periodHours: 24, description: 'Daily playlist snapshot.', browser: false, secrets: SPOTIFY_USER, startRetries: 2 },
  { job: 'spotify-new-releases', cpu: 512, memoryMiB: 1024, schedule: 'cron(30 6 * * ? *)', periodHours: 24, description: 'Spotify refreshes new releases on Fridays; daily catches the rest.', browser: false, secrets: SPOTIFY_APP, startRetries: 2 },
  { job: 'spotify-artists', cpu: 512, memoryMiB: 1024, schedule: 'cron(0 4 ? * MON *)', periodHours: 168, description: 'Weekly discographies.', browser: false, secrets: SPOTIFY_USER, startRetries: 2 },
  // One start retry only: an expired session (exit 3) needs a person, not more attempts.
  { job: 'distrokid', cpu: 1024, memoryMiB: 3072, schedule: 'cron(0 9 * * ? *)', periodHours: 24, description: 'Daily; DistroKid updates stats about once a day.', browser: true, secrets: {}, startRetries: 1 },
];

/** CloudFormation logical-id friendly name: listening-events → ListeningEvents. */
export const pascal = (job: string) => job.replace(/(^|-)([a-z])/g, (_, __, c: string) => c.toUpperCase());
