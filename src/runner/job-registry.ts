import type { TableDef } from '../core/table';
import type { Job } from '../run/job';
import { distrokidJob } from '../jobs/distrokid';
import { listeningEventsJob } from '../jobs/listening-events/listening-events-job';
import { spotifyArtistsJob } from '../jobs/spotify-artists';
import { spotifyNewReleasesJob } from '../jobs/spotify-new-releases';
import { spotifyPlaylistJob } from '../jobs/spotify-playlist';

/**
 * A registered job, its config and record types hidden, so the CLI can list any of them and hand
 * any of them to the runner (`runRegistered`) or to a command: `entry.use((job) => …)`.
 */
export interface JobEntry {
  name: string;
  description: string;
  tables: readonly TableDef[];
  /** `--shard i/n` splits its inputs. */
  shardable: boolean;
  /** `--since`/`--until` choose its inputs by day. */
  dated: boolean;
  use<T>(f: <C, R>(job: Job<C, R>) => T): T;
}

function register<C, R>(job: Job<C, R>): JobEntry {
  return {
    name: job.name,
    description: job.description,
    tables: job.tables,
    shardable: job.shardable === true,
    dated: job.dated === true,
    use: (f) => f(job),
  };
}

export const JOBS: readonly JobEntry[] = [
  register(listeningEventsJob),
  register(spotifyPlaylistJob),
  register(spotifyNewReleasesJob),
  register(spotifyArtistsJob),
  register(distrokidJob),
];

export function findJob(name: string): JobEntry | undefined {
  return JOBS.find((job) => job.name === name);
}
