import * as fs from 'node:fs';
import type { Value } from '../core/table';
import { PermanentError } from '../core/errors';
import { LocalStore } from '../lake/local-store';
import { openStore } from '../lake/open-store';
import type { Store } from '../lake/store';
import type { RunContext } from '../run/run-context';
import { archiveKey, errorKey, orderLandingFiles } from '../sources/listening-events/landing-files';
import { readLandingFile, type ListeningRecord } from '../sources/listening-events/read-landing-file';
import { listeningTables, songs, users } from '../tables/listening';
import type { Job } from './job';

export interface ListeningEventsConfig {
  landingUrl: string;
}

/** Checks beyond the type, by column index. */
const CHECKS = new Map([
  [songs, new Map([[songs.columns.findIndex((c) => c.name === 'duration_ms'), (v: Value) => ((v as number) < 0 ? 'negative' : undefined)]])],
  [users, new Map([[users.columns.findIndex((c) => c.name === 'user_age'), (v: Value) => ((v as number) < 0 ? 'negative' : undefined)]])],
]);

function openLanding(url: string): Store {
  const landing = openStore(url);
  if (landing instanceof LocalStore && !fs.existsSync(landing.root)) {
    throw new PermanentError(
      `landing folder ${landing.root} does not exist ([listening-events] landing_url); ` +
        'create it, or generate sample data with `soundlake generate listening-events --out DIR`',
    );
  }
  return landing;
}

/** After the commit: processed files to archive/{run_id}/, bad ones to error/{run_id}/ with the reason. */
async function moveLandingFiles(landing: Store, ctx: RunContext): Promise<void> {
  for (const input of ctx.inputs.all()) {
    if (input.status === 'processed') {
      await landing.move(input.name, archiveKey(ctx.runId, input.name));
    } else if (input.status === 'error') {
      const target = errorKey(ctx.runId, input.name);
      await landing.move(input.name, target);
      const reason = { file: input.name, reason: input.reason, run_id: ctx.runId, moved_at: new Date().toISOString() };
      await landing.putText(`${target}.reason.json`, `${JSON.stringify(reason, null, 2)}\n`);
    }
  }
  ctx.log.info('landing files moved', { archive: `archive/${ctx.runId}/`, error: `error/${ctx.runId}/` });
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

  parseConfig(config) {
    return { landingUrl: config.lakeUrl('listening-events', 'landing_url') };
  },

  async *extract(config, ctx: RunContext) {
    const landing = openLanding(config.landingUrl);
    const objects = await landing.list('', { recursive: false });
    const files = orderLandingFiles(objects.map((o) => o.key));
    const known = new Set(files.map((f) => f.name));
    for (const other of objects.filter((o) => !known.has(o.key) && !o.key.endsWith('.reason.json'))) {
      ctx.log.warn('ignoring a landing file whose name is not users*.csv, songs*.csv or streams*.csv', { file: other.key });
      ctx.inputs.mark(other.key, 'ignored', { reason: 'name matches no table' });
    }
    if (files.length === 0) ctx.log.warn('no input files in the landing area', { landing: landing.url });
    const sizes = new Map(objects.map((o) => [o.key, o.size]));
    for (const file of files) {
      ctx.log.info('reading', { file: file.name, table: file.table.name });
      ctx.io.add('landing_bytes', sizes.get(file.name) ?? 0);
      yield* readLandingFile(landing, file.name, file.table, ctx);
    }
    ctx.onCommitted(() => moveLandingFiles(landing, ctx));
  },

  transform(record, emit) {
    const { layout, fields } = record;
    const table = layout.table;
    const values = layout.identity ? fields : layout.positions.map((p) => fields[p]);
    const origin = { input: layout.input, line: record.line };
    if (record.problem !== undefined) {
      emit.reject(table, `malformed CSV: ${record.problem}`, values, origin, fields.slice(layout.width));
      return;
    }
    if (fields.length !== layout.width) {
      emit.reject(table, `expected ${layout.width} fields, found ${fields.length}`, values, origin, fields.slice(layout.width));
      return;
    }
    emit.text(table, values, origin, CHECKS.get(table));
  },
};
