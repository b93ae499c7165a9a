import { runJob, type RunOptions, type RunResult } from '../run/run-job';
import type { TableDef } from '../core/table';
import type { Job } from './job';
import { distrokidJob } from './distrokid';
import { listeningEventsJob } from './listening-events';
import { spotifyArtistsJob } from './spotify-artists';
import { spotifyNewReleasesJob } from './spotify-new-releases';
import { spotifyPlaylistJob } from './spotify-playlist';

/** A registered job with its types closed over, so the CLI can list and run any of them. */
export interface JobEntry {
  name: string;
  description: string;
  tables: readonly TableDef[];
  /** `--shard i/n` splits its inputs. */
  shardable: boolean;
  /** `--since`/`--until` choose its inputs by day. */
  dated: boolean;
  run(options: RunOptions): Promise<RunResult>;
}

function register<C, R>(job: Job<C, R>): JobEntry {
  return {
    name: job.name,
    description: job.description,
    tables: job.tables,
    shardable: job.shardable === true,
    dated: job.dated === true,
    run: (options) => runJob(job, { allJobs: JOBS.map((j) => j.name), ...options }),
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
