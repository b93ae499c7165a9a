import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { LocalStore } from '../../src/lake/local-store';
import { describeAnalytics, type AnalyticsColumn } from '../../src/looker/describe-analytics';
import { ALL_TABLES } from '../../src/tables/all-tables';
import { buildWarehouse, queryWarehouse } from '../../src/warehouse/duckdb-warehouse';
import { runCli } from '../support/cli-run';
import { putSmallLanding, runListening } from '../support/listening-scenario';
import { tempDir } from '../support/temp-dir';

// lookml-parser ships no types: what these tests read of its output.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const lookml = require('lookml-parser') as { parse(text: string): LookmlFile };
type Fields = Record<string, { sql?: string; type?: string; timeframes?: string[]; primary_key?: boolean }>;
interface LookmlView {
  sql_table_name: string;
  dimension?: Fields;
  dimension_group?: Fields;
  measure?: Fields;
}
interface LookmlFile {
  view?: Record<string, LookmlView>;
  connection?: string;
  explore?: Record<string, { join?: Record<string, { sql_on: string; relationship: string }> }>;
}

const ROOT = path.join(__dirname, '..', '..');
const LOOKER = path.join(ROOT, 'looker');
const read = (rel: string) => fs.readFileSync(path.join(LOOKER, rel), 'utf8');

let views: Map<string, LookmlView>;
let analytics: Map<string, AnalyticsColumn[]>;

/** Every field a view offers: dimensions, measures, and each timeframe of a dimension group. */
function fieldsOf(view: LookmlView): Set<string> {
  const out = new Set<string>([...Object.keys(view.dimension ?? {}), ...Object.keys(view.measure ?? {})]);
  for (const [name, group] of Object.entries(view.dimension_group ?? {})) for (const tf of group.timeframes ?? []) out.add(`${name}_${tf}`);
  return out;
}

beforeAll(async () => {
  views = new Map();
  for (const file of fs.readdirSync(path.join(LOOKER, 'views'))) {
    const parsed = lookml.parse(read(`views/${file}`));
    for (const [name, view] of Object.entries(parsed.view ?? {})) views.set(name, view);
  }
  analytics = await describeAnalytics();
});

test('the committed LookML project is what `soundlake looker generate` writes', async () => {
  const { code, stdout, stderr } = await runCli(['looker', 'generate', '--check']);
  expect(stderr).toBe('');
  expect(code).toBe(0);
  expect(stdout).toMatch(/looker\/ is up to date/);
});

test('every view reads an ANALYTICS view of the generated DDL, and every dimension one of its columns', () => {
  const ddl = fs.readFileSync(path.join(ROOT, 'sql', 'snowflake', '40_models.sql'), 'utf8');
  expect(views.size).toBe(analytics.size);
  for (const [name, view] of views) {
    const table = view.sql_table_name.trim();
    expect(table).toBe(`ANALYTICS.${name.toUpperCase()}`);
    expect(ddl).toContain(`CREATE OR REPLACE VIEW ${table} AS`);
    const columns = new Set(analytics.get(name.toUpperCase())!.map((c) => c.name));
    for (const field of [...Object.values(view.dimension ?? {}), ...Object.values(view.dimension_group ?? {}), ...Object.values(view.measure ?? {})]) {
      for (const [, column] of (field.sql ?? '').matchAll(/\$\{TABLE\}\.([A-Z_0-9]+)/g)) expect(columns).toContain(column);
    }
  }
  // Dedup views carry their key: a primary key dimension (compound keys as a hidden `pk`).
  expect(views.get('users')!.dimension!.user_id.primary_key).toBe(true);
  expect(views.get('streams')!.dimension!.pk.primary_key).toBe(true);
});

test('the model: every explore and join names a view, and every join key exists on both sides', () => {
  const model = lookml.parse(read('soundlake.model.lkml'));
  expect(model.connection).toBe('soundlake_snowflake');
  for (const [explore, def] of Object.entries(model.explore ?? {})) {
    expect(views.has(explore)).toBe(true);
    for (const [joined, join] of Object.entries(def.join ?? {})) {
      expect(views.has(joined)).toBe(true);
      const refs = [...join.sql_on.matchAll(/\$\{([a-z_]+)\.([a-z_]+)\}/g)];
      expect(refs.length).toBe(2);
      for (const [, view, field] of refs) expect(fieldsOf(views.get(view)!)).toContain(field);
    }
  }
  expect(Object.keys(model.explore!.streams.join!).sort()).toEqual(['songs', 'users']);
  // streams_daily mixes three grains: the explore shows account totals unless a person asks otherwise.
  const streamsDaily = model.explore!.streams_daily as { always_filter?: { filters?: unknown } };
  expect(JSON.stringify(streamsDaily.always_filter)).toContain('item_type');
  expect(read('soundlake.model.lkml')).toContain('filters: [streams_daily.item_type: "NULL"]');
});

test('every dashboard element refers to an explore of the model and to fields it offers', () => {
  const model = lookml.parse(read('soundlake.model.lkml'));
  const files = fs.readdirSync(path.join(LOOKER, 'dashboards'));
  expect(files.sort()).toEqual(['distrokid.dashboard.lookml', 'listening_kpis.dashboard.lookml', 'spotify_new_releases.dashboard.lookml']);
  for (const file of files) {
    const [dashboard] = parseYaml(read(`dashboards/${file}`)) as { elements: { explore: string; model: string; fields: string[]; sorts: string[] }[] }[];
    for (const element of dashboard.elements) {
      expect(element.model).toBe('soundlake');
      expect(Object.keys(model.explore ?? {})).toContain(element.explore);
      for (const ref of [...element.fields, ...element.sorts.map((s) => s.split(' ')[0])]) {
        const [view, field] = ref.split('.');
        expect(fieldsOf(views.get(view)!)).toContain(field);
      }
    }
  }
});

test("the measures' SQL, run on the local warehouse over the hand-made landing set, gives the figures worked out by hand", async () => {
  const { dir, cleanup } = tempDir();
  try {
    const setup = { lakeUrl: path.join(dir, 'lake'), landingUrl: path.join(dir, 'landing'), env: {} };
    fs.mkdirSync(setup.landingUrl);
    await putSmallLanding(setup);
    await runListening(setup, { runId: 'looker' });
    const db = path.join(dir, 'w.duckdb');
    await buildWarehouse({ lake: new LocalStore(setup.lakeUrl), dbPath: db, tables: ALL_TABLES });
    /** A measure as Looker would compute it over the whole view: its type and sql from the parsed LookML. */
    /** A measure's SQL aggregate; a `number` measure with the measures it names put in. */
    const aggregate = (view: string, name: string): string => {
      const m = views.get(view)!.measure![name];
      if (m.type === 'number') return `(${(m.sql ?? '').replace(/\$\{([a-z_]+)\}/g, (_, other: string) => aggregate(view, other))})`;
      const column = /\$\{TABLE\}\.([A-Z_0-9]+)/.exec(m.sql ?? '')?.[1];
      return { count: 'COUNT(*)', count_distinct: `COUNT(DISTINCT ${column})`, sum: `SUM(${column})`, average: `AVG(${column})` }[m.type!]!;
    };
    const measure = async (view: string, name: string) =>
      Number((await queryWarehouse(db, `SELECT ${aggregate(view, name)} FROM ${views.get(view)!.sql_table_name.trim()}`)).rows[0][0]);
    // By hand from tests/fixtures/listening-small/expected/: 7 stream rows, one a repeat of
    // (u1, t1, 08:00), so 6 listens; listeners u1, u2, u3, u5; songs of 200000, 180000, 240000 ms;
    // listening time: t1 200000 + t2 180000 + t9 unknown on the 24th, t1 200000 + t5 240000 × 2 on the 25th.
    expect(await measure('streams', 'count')).toBe(6);
    expect(await measure('streams', 'listeners')).toBe(4);
    expect(await measure('songs', 'average_duration_ms')).toBeCloseTo(206666.667, 2);
    expect(await measure('listening_genre_daily', 'total_listens')).toBe(6);
    expect(await measure('listening_genre_daily', 'listening_time_ms')).toBe(1_060_000);
    expect(await measure('listening_genre_daily', 'listening_time_hours')).toBeCloseTo(1_060_000 / 3_600_000, 6);
    // Weighted by listens: 1,060,000 ms over 6 listens (t9's unknown duration adds a listen and no time).
    expect(await measure('listening_genre_daily', 'average_listening_ms')).toBeCloseTo(1_060_000 / 6, 3);
    expect(await measure('users', 'count')).toBe(4);
  } finally {
    cleanup();
  }
});

/**
 * Looker's field rules, read from the files as written (a parser merges two fields of one name):
 * a name "must be unique within any given view" — dimensions, measures, filters, parameters and the
 * `{group}_{timeframe}` names of a dimension group — else the validator reports "Redefinition of
 * field"; and a name holds only a–z, 0–9 and `_`, starting with a letter.
 */
test('every field name in every view is valid and unique, timeframes of dimension groups included', () => {
  const problems: string[] = [];
  for (const file of fs.readdirSync(path.join(LOOKER, 'views'))) {
    const text = read(`views/${file}`);
    const names: string[] = [];
    for (const [, kind, name, body] of text.matchAll(/^ {2}(dimension|measure|filter|parameter|dimension_group): (\S+) \{\n([\s\S]*?)^ {2}\}/gm)) {
      if (kind !== 'dimension_group') names.push(name);
      else for (const tf of /timeframes: \[([^\]]*)\]/.exec(body)?.[1].split(',').map((t) => t.trim()) ?? []) names.push(`${name}_${tf}`);
      if (!/^[a-z][a-z0-9_]*$/.test(name)) problems.push(`${file}: ${kind} ${name} does not start with a letter or holds other characters`);
    }
    const seen = new Set<string>();
    for (const name of names) {
      if (seen.has(name)) problems.push(`${file}: Redefinition of field ${name}`);
      seen.add(name);
    }
    expect(names.length).toBeGreaterThan(1);
  }
  expect(problems).toEqual([]);
  // Lineage stays lineage: hidden, grouped, and named so.
  expect(Object.keys(views.get('users')!.dimension!)).toContain('lineage_run_id');
});

test('charts with a second dimension pivot on it, sort newest first, and listen to the dashboard date range', () => {
  for (const file of fs.readdirSync(path.join(LOOKER, 'dashboards'))) {
    const [dashboard] = parseYaml(read(`dashboards/${file}`)) as {
      filters: { name: string; type: string }[];
      elements: { name: string; type: string; fields: string[]; pivots?: string[]; sorts: string[]; listen: Record<string, string> }[];
    }[];
    expect(dashboard.filters.map((f) => [f.name, f.type])).toEqual([['date_range', 'date_filter']]);
    for (const element of dashboard.elements) {
      const dimensions = element.fields.filter((ref) => {
        const [view, field] = ref.split('.');
        return !Object.keys(views.get(view)!.measure ?? {}).includes(field);
      });
      if (element.type !== 'looker_grid' && dimensions.length > 1) expect({ element: element.name, pivots: element.pivots }).toEqual({ element: element.name, pivots: dimensions.slice(1) });
      expect(element.sorts[0]).toMatch(/ desc$/);
      expect(dimensions).toContain(element.listen.date_range);
    }
  }
});
