import { cliCommand } from '../../core/cli-name';
import * as fs from 'node:fs';
import * as fsp from 'node:fs/promises';
import * as path from 'node:path';
import { ConfigError } from '../../core/errors';
import { assertWritableFolder } from '../../lake/writable-folder';
import { killPoint } from '../../core/kill-point';
import { LocalStore } from '../../lake/local-store';
import { openStore } from '../../lake/open-store';
import type { Store } from '../../lake/store';
import { inWindow, type DateWindow, type RunContext } from '../../run/run-context';
import { parseDate } from '../../core/values';
import { shardOf } from '../../run/shard';
import { orderLandingFiles, tableForFile } from '../../sources/listening-events/landing-files';
import {
  localBytes,
  settleLandingFile,
  startLandingFile,
  type LandingFile,
  type LandingOutcome,
  type ListeningRecord,
} from '../../sources/listening-events/read-landing-file';
import { listeningTables } from '../../tables/listening';
import { compiledShaper, shapeFilesInProcess, shapeFilesOnThreads, shapingThreads, type FileHooks } from '../../run/file-shaping-pool';
import type { ShapeFile } from '../../run/file-shaper';
import { qualifiedName } from '../../core/table';
import { shapeFile, type LandingTask } from './shape-landing-file';
import { transformListeningRecord } from './transform-listening-record';
import type { Job } from '../../run/job';

export interface ListeningEventsConfig {
  landingUrl: string;
  /** `settle_seconds` in ms: a file modified more recently than this is left for a later run. */
  settleMs: number;
  /** `max_field_kb` in characters: a longer field is cut and its row rejected. */
  maxFieldChars: number;
}

function openLanding(url: string): Store {
  const landing = openStore(url);
  if (landing instanceof LocalStore && !fs.existsSync(landing.root)) {
    throw new ConfigError(
      `landing folder ${landing.root} does not exist ([listening-events] landing_url); ` +
        `create it, or generate sample data with ${cliCommand('generate listening-events --out DIR')}`,
    );
  }
  return landing;
}

/** A local landing folder must exist and be writable: its files are archived (moved) after the commit. */
function checkLanding(url: string): void {
  const landing = openLanding(url);
  if (landing instanceof LocalStore) assertWritableFolder(landing.root, 'landing folder', '[listening-events] landing_url', { mayCreate: false });
}

/** With --since/--until: only files whose name carries a day in the window (`streams_2024-06-24.csv`). */
function takeByNameDate(name: string, window: DateWindow, ctx: RunContext): boolean {
  const date = /(\d{4}-\d{2}-\d{2})/.exec(name)?.[1];
  if (date !== undefined && parseDate(date) !== undefined && inWindow(date, window)) return true;
  const reason = date === undefined ? 'no day in its name; --since/--until take only dated files' : `its day ${date} is outside --since/--until`;
  ctx.inputs.mark(name, 'ignored', { reason });
  return false;
}

/** Local landing folders named like an input (`streams_x.csv/`): listed nowhere else, so said here. */
function foldersNamedLikeInputs(landing: Store): string[] {
  if (!(landing instanceof LocalStore)) return [];
  return fs
    .readdirSync(landing.root, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && tableForFile(entry.name) !== undefined)
    .map((entry) => entry.name);
}

/** How the shaping threads take landing files: downloaded first from S3, settled in file order. */
function landingHooks(landing: Store, maxFieldChars: number, spoolDir: string, ctx: RunContext): FileHooks<LandingFile> {
  return {
    noun: 'landing files',
    input: (file) => file.name,
    async prepare(file) {
      const local = await localBytes(landing, file, spoolDir);
      const task: LandingTask = { name: file.name, table: qualifiedName(file.table), path: local.path, size: local.size, described: landing.describe(file.name), maxFieldChars };
      return { task, done: local.done };
    },
    start: (file) => startLandingFile(file, ctx),
    settle: (file, outcome) => settleLandingFile(landing, file, outcome as LandingOutcome, ctx),
  };
}

/**
 * Users, songs and streams files from a landing area → validated, typed rows under raw/listening/.
 * Bad rows go to rejects/, bad files to {landing}/error/{run_id}/, processed files to
 * {landing}/archive/{run_id}/ once the run is committed.
 */
export const listeningEventsJob: Job<ListeningEventsConfig, ListeningRecord> = {
  name: 'listening-events',
  description: 'Users, songs and streams CSV files from a landing folder or S3 prefix → raw/listening/',
  tables: listeningTables,
  shardable: true,
  dated: true,

  parseConfig(config) {
    return {
      landingUrl: config.lakeUrl('listening-events', 'landing_url'),
      settleMs: Math.round(config.number('listening-events', 'settle_seconds', { min: 0, max: 86_400, unit: 'seconds' }) * 1000),
      maxFieldChars: config.int('listening-events', 'max_field_kb', { min: 1, max: 1024 * 1024, unit: 'KiB' }) * 1024,
    };
  },

  preflight(config) {
    checkLanding(config.landingUrl);
  },

  async *extract(config, ctx: RunContext) {
    const landing = openLanding(config.landingUrl);
    killPoint('landing-list');
    const objects = await landing.list('', { recursive: false });
    for (const folder of foldersNamedLikeInputs(landing)) {
      ctx.log.warn('ignoring a folder whose name looks like a landing file', { folder });
      ctx.inputs.mark(folder, 'ignored', { reason: 'a folder, not a file' });
    }
    const matching = orderLandingFiles(objects.map((o) => o.key));
    // A shard takes only the files whose name hashes to it; the other shards take the rest.
    const shard = ctx.shard;
    const mine = shard ? matching.filter((f) => shardOf(f.name, shard.count) === shard.index) : matching;
    const files = ctx.window ? mine.filter((f) => takeByNameDate(f.name, ctx.window!, ctx)) : mine;
    const known = new Set(matching.map((f) => f.name));
    for (const other of objects.filter((o) => !known.has(o.key))) {
      ctx.log.warn('ignoring a landing file whose name is not users*.csv, songs*.csv or streams*.csv', { file: other.key });
      ctx.inputs.mark(other.key, 'ignored', { reason: 'name matches no table' });
    }
    if (files.length === 0) ctx.log.warn('no input files in the landing area', { landing: landing.url });
    const versions = new Map(objects.map((o) => [o.key, o]));
    const now = Date.now();
    const spoolDir = path.join(ctx.spoolDir, 'landing');
    try {
      const settled = files.filter(({ name }) => {
        const age = now - versions.get(name)!.modifiedMs;
        if (age >= config.settleMs) return true;
        const reason = `modified ${Math.max(0, Math.round(age / 1000))} s ago; taken once unchanged for [listening-events] settle_seconds (${config.settleMs / 1000} s)`;
        ctx.log.info(`leaving a file that may still be written: ${reason}`, { file: name });
        ctx.inputs.mark(name, 'ignored', { reason });
        return false;
      });
      const landingFiles = settled.map(({ name, table }) => ({ name, table, version: versions.get(name)! }));
      const threads = shapingThreads(ctx, landingFiles.map((f) => f.version.size));
      const shaper = threads > 1 ? compiledShaper(__dirname, 'shape-landing-file') : undefined;
      const hooks = landingHooks(landing, config.maxFieldChars, spoolDir, ctx);
      if (shaper) yield* shapeFilesOnThreads(shaper, landingFiles, hooks, threads, ctx);
      else yield* shapeFilesInProcess(shapeFile as ShapeFile<unknown, unknown>, landingFiles, hooks, ctx);
    } finally {
      await fsp.rm(spoolDir, { recursive: true, force: true });
    }
  },

  transform(record, emit) {
    transformListeningRecord(record, emit);
  },
};
