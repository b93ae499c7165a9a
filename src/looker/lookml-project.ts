import type { TableDef } from '../core/table';
import type { AnalyticsColumn } from './describe-analytics';
import { analyticsObject } from '../tables/warehouse-names';

/**
 * A LookML project generated from the table definitions and the ANALYTICS views, like the
 * Snowflake DDL: one view file per ANALYTICS view (dimensions typed from the columns, primary keys
 * from the dedup keys, lineage hidden, descriptions from the table definitions), measures analysts
 * need, a model with explores and joins, and dashboards for the KPIs. `soundlake looker generate`
 * writes it under looker/; `--check` fails when it is stale.
 */

const LINEAGE = new Set(['_RUN_ID', '_EXTRACTED_AT', '_FILE_NAME', '_FILE_ROW', '_LOADED_AT']);

interface Measure {
  name: string;
  /** `number`: arithmetic over other measures of the view (`sql` then refers to them as `${name}`). */
  type: 'count' | 'count_distinct' | 'sum' | 'average' | 'number';
  column?: string;
  sql?: string;
  format?: string;
  label?: string;
}

/** Measures beyond `count`, per ANALYTICS view. */
const MEASURES: Record<string, Measure[]> = {
  STREAMS: [{ name: 'listeners', type: 'count_distinct', column: 'USER_ID', label: 'Distinct listeners' }],
  SONGS: [{ name: 'average_duration_ms', type: 'average', column: 'DURATION_MS', format: 'decimal_0' }],
  LISTENING_GENRE_DAILY: [
    { name: 'total_listens', type: 'sum', column: 'LISTEN_COUNT', format: 'decimal_0' },
    // Not `total_listening_ms`: the view's column of that name is already a dimension.
    { name: 'listening_time_ms', type: 'sum', column: 'TOTAL_LISTENING_MS', format: 'decimal_0', label: 'Listening time (ms)' },
    { name: 'listening_time_hours', type: 'number', sql: '${listening_time_ms} / 3600000.0', format: 'decimal_1', label: 'Listening time (hours)' },
    // Weighted by listens: total time over total listens, never an average of the daily averages.
    { name: 'average_listening_ms', type: 'number', sql: '${listening_time_ms} / NULLIF(${total_listens}, 0)', format: 'decimal_0', label: 'Average listening time per listen (ms)' },
  ],
  LISTENING_TOP_GENRES_DAILY: [{ name: 'total_listens', type: 'sum', column: 'LISTEN_COUNT', format: 'decimal_0' }],
  LISTENING_TOP_SONGS_DAILY: [{ name: 'total_listens', type: 'sum', column: 'LISTEN_COUNT', format: 'decimal_0' }],
  STREAMS_DAILY: [{ name: 'total_streams', type: 'sum', column: 'STREAMS', format: 'decimal_0' }],
  DISTROKID_DAILY_STREAMS: [{ name: 'total_streams', type: 'sum', column: 'STREAMS', format: 'decimal_0' }],
  DISTROKID_TRACK_DAILY_STREAMS: [{ name: 'total_streams', type: 'sum', column: 'STREAMS', format: 'decimal_0' }],
  EARNINGS: [
    { name: 'total_earnings_usd', type: 'sum', column: 'EARNINGS_USD', format: 'usd', label: 'Earnings (USD)' },
    { name: 'total_quantity', type: 'sum', column: 'QUANTITY', format: 'decimal_0' },
  ],
  DISTROKID_SALES_MONTHLY: [
    { name: 'revenue_usd', type: 'sum', column: 'TOTAL_REVENUE_USD', format: 'usd', label: 'Revenue (USD)' },
    { name: 'streams', type: 'sum', column: 'TOTAL_STREAMS', format: 'decimal_0' },
  ],
  SPOTIFY_NEW_RELEASES_WEEKLY: [{ name: 'albums', type: 'count_distinct', column: 'ALBUM_ID' }],
  TRACKS: [{ name: 'average_popularity', type: 'average', column: 'POPULARITY', format: 'decimal_1' }],
};

interface Join {
  view: string;
  on: string;
  relationship: 'many_to_one' | 'one_to_many';
}

/** Explores: the analysis entry points, with their joins on the dedup keys. */
export const EXPLORES: Record<string, Join[]> = {
  streams: [
    { view: 'songs', on: '${streams.track_id} = ${songs.track_id}', relationship: 'many_to_one' },
    { view: 'users', on: '${streams.user_id} = ${users.user_id}', relationship: 'many_to_one' },
  ],
  tracks: [
    { view: 'albums', on: '${tracks.album_id} = ${albums.album_id}', relationship: 'many_to_one' },
    { view: 'track_artists', on: '${tracks.track_id} = ${track_artists.track_id}', relationship: 'one_to_many' },
    { view: 'artists', on: '${track_artists.artist_id} = ${artists.artist_id}', relationship: 'many_to_one' },
    { view: 'artist_genres', on: '${artists.artist_id} = ${artist_genres.artist_id}', relationship: 'one_to_many' },
  ],
  streams_daily: [],
  distrokid_daily_streams: [],
  distrokid_track_daily_streams: [],
  earnings: [],
  listening_genre_daily: [],
  listening_top_genres_daily: [],
  listening_top_songs_daily: [],
  distrokid_sales_monthly: [],
  spotify_new_releases_weekly: [],
};

/**
 * Filters an explore always applies (Looker's `always_filter`: shown to the user, who may change its
 * value but not remove it). streams_daily holds three grains, and a track's streams are also in its
 * album's and the account's rows: by default it shows the account totals (item_type NULL), so a sum
 * never counts a stream twice.
 */
export const ALWAYS_FILTERS: Record<string, Record<string, string>> = {
  streams_daily: { 'streams_daily.item_type': 'NULL' },
};

export interface DashboardElement {
  name: string;
  title: string;
  explore: string;
  type: string;
  fields: string[];
  /** A chart with a second dimension draws one series per value of it (a line per genre), not one mixed series. */
  pivots?: string[];
  /** Newest first, so the row limit keeps the latest periods of a long history. */
  sorts: string[];
  /** The element's date field, which the dashboard's date-range filter narrows. */
  dateField: string;
}

export interface Dashboard {
  name: string;
  title: string;
  elements: DashboardElement[];
}

/** The seeds' KPIs as dashboards. */
export const DASHBOARDS: Dashboard[] = [
  {
    name: 'listening_kpis',
    title: 'Listening KPIs',
    elements: [
      {
        name: 'top_genres_per_day',
        title: 'Top genres per day',
        explore: 'listening_top_genres_daily',
        type: 'looker_bar',
        fields: ['listening_top_genres_daily.listen_date_date', 'listening_top_genres_daily.track_genre', 'listening_top_genres_daily.total_listens'],
        sorts: ['listening_top_genres_daily.listen_date_date desc'],
        pivots: ['listening_top_genres_daily.track_genre'],
        dateField: 'listening_top_genres_daily.listen_date_date',
      },
      {
        name: 'top_songs_of_top_genres',
        title: 'Top songs of those genres',
        explore: 'listening_top_songs_daily',
        type: 'looker_grid',
        fields: ['listening_top_songs_daily.listen_date_date', 'listening_top_songs_daily.track_genre', 'listening_top_songs_daily.track_name', 'listening_top_songs_daily.total_listens'],
        sorts: ['listening_top_songs_daily.listen_date_date desc', 'listening_top_songs_daily.total_listens desc'],
        dateField: 'listening_top_songs_daily.listen_date_date',
      },
      {
        name: 'daily_listening_per_genre',
        title: 'Daily listening per genre',
        explore: 'listening_genre_daily',
        type: 'looker_line',
        fields: ['listening_genre_daily.listen_date_date', 'listening_genre_daily.track_genre', 'listening_genre_daily.total_listens'],
        sorts: ['listening_genre_daily.listen_date_date desc'],
        pivots: ['listening_genre_daily.track_genre'],
        dateField: 'listening_genre_daily.listen_date_date',
      },
    ],
  },
  {
    name: 'distrokid',
    title: 'DistroKid',
    elements: [
      {
        name: 'monthly_sales',
        title: 'Monthly sales',
        explore: 'distrokid_sales_monthly',
        type: 'looker_column',
        fields: ['distrokid_sales_monthly.month_month', 'distrokid_sales_monthly.revenue_usd', 'distrokid_sales_monthly.streams'],
        sorts: ['distrokid_sales_monthly.month_month desc'],
        dateField: 'distrokid_sales_monthly.month_month',
      },
      {
        name: 'daily_streams_per_store',
        title: 'Daily streams per store',
        explore: 'distrokid_daily_streams',
        type: 'looker_line',
        fields: ['distrokid_daily_streams.date_date', 'distrokid_daily_streams.platform', 'distrokid_daily_streams.total_streams'],
        sorts: ['distrokid_daily_streams.date_date desc'],
        pivots: ['distrokid_daily_streams.platform'],
        dateField: 'distrokid_daily_streams.date_date',
      },
      {
        name: 'daily_streams_per_track',
        title: 'Daily streams per track (all stores)',
        explore: 'distrokid_track_daily_streams',
        type: 'looker_line',
        fields: ['distrokid_track_daily_streams.date_date', 'distrokid_track_daily_streams.track_label', 'distrokid_track_daily_streams.total_streams'],
        sorts: ['distrokid_track_daily_streams.date_date desc'],
        pivots: ['distrokid_track_daily_streams.track_label'],
        dateField: 'distrokid_track_daily_streams.date_date',
      },
    ],
  },
  {
    name: 'spotify_new_releases',
    title: 'Spotify new releases',
    elements: [
      {
        name: 'new_releases_per_week',
        title: 'New releases per week',
        explore: 'spotify_new_releases_weekly',
        type: 'looker_column',
        fields: ['spotify_new_releases_weekly.week_start_week', 'spotify_new_releases_weekly.albums'],
        sorts: ['spotify_new_releases_weekly.week_start_week desc'],
        dateField: 'spotify_new_releases_weekly.week_start_week',
      },
    ],
  },
];

/**
 * Looker's dimension reference: a field name may contain only a–z, 0–9 and `_`, and must start with
 * a letter. The lineage columns (`_RUN_ID`, `_LOADED_AT`, …) become `lineage_run_id`, `lineage_loaded_at`.
 */
const lookmlName = (column: string) => (column.startsWith('_') ? `lineage${column.toLowerCase()}` : column.toLowerCase());
const VALID_NAME = /^[a-z][a-z0-9_]*$/;
const quoted = (text: string) => `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;

function dimension(column: AnalyticsColumn, description: string | undefined, primaryKey: boolean): string {
  const name = lookmlName(column.name);
  const hidden = LINEAGE.has(column.name);
  const lines: string[] = [];
  const type = column.type.toUpperCase();
  if (type === 'DATE' || type.startsWith('TIMESTAMP')) {
    const timeframes = type === 'DATE' ? '[date, week, month, quarter, year]' : '[raw, time, date, week, month, year]';
    lines.push(`  dimension_group: ${name} {`, '    type: time', `    timeframes: ${timeframes}`);
    if (type === 'DATE') lines.push('    convert_tz: no', '    datatype: date');
  } else {
    const lookType = type === 'BOOLEAN' ? 'yesno' : /INT|DOUBLE|DECIMAL|FLOAT|NUMERIC|REAL/.test(type) ? 'number' : 'string';
    lines.push(`  dimension: ${name} {`, `    type: ${lookType}`);
    if (primaryKey) lines.push('    primary_key: yes');
  }
  lines.push(`    sql: \${TABLE}.${column.name} ;;`);
  if (description) lines.push(`    description: ${quoted(description)}`);
  if (hidden) lines.push('    group_label: "Lineage"', '    hidden: yes');
  lines.push('  }');
  return lines.join('\n');
}

function measure(m: Measure): string {
  const lines = [`  measure: ${m.name} {`, `    type: ${m.type}`];
  if (m.column) lines.push(`    sql: \${TABLE}.${m.column} ;;`);
  if (m.sql) lines.push(`    sql: ${m.sql} ;;`);
  if (m.label) lines.push(`    label: ${quoted(m.label)}`);
  if (m.format) lines.push(`    value_format_name: ${m.format}`);
  lines.push('  }');
  return lines.join('\n');
}

/** One view file. A dedup view's key becomes its primary key (a compound key a hidden dimension). */
export function viewFile(viewName: string, columns: readonly AnalyticsColumn[], table: TableDef | undefined): string {
  const descriptions = new Map(table?.columns.map((c) => [c.name.toUpperCase(), c.description]) ?? []);
  const key = table?.primaryKey.map((k) => k.toUpperCase()) ?? [];
  const parts = [`# GENERATED by \`soundlake looker generate\` from ${table ? `the table definition ${table.source}/${table.name}` : 'sql/models/'}. Do not edit.`];
  parts.push(`view: ${lookmlName(viewName)} {`, `  sql_table_name: ${analyticsObject(viewName)} ;;`);
  if (table?.description) parts.push(`  # ${table.description}`);
  if (key.length > 1) {
    parts.push(
      [
        '  dimension: pk {',
        '    primary_key: yes',
        '    hidden: yes',
        `    sql: ${key.map((k) => `COALESCE(CAST(\${TABLE}.${k} AS VARCHAR), '')`).join(" || '|' || ")} ;;`,
        '  }',
      ].join('\n'),
    );
  }
  for (const column of columns) parts.push(dimension(column, descriptions.get(column.name), key.length === 1 && key[0] === column.name));
  const measures = [{ name: 'count', type: 'count' } as Measure, ...(MEASURES[viewName] ?? [])];
  for (const m of measures) parts.push(measure(m));
  parts.push('}');
  assertUniqueFieldNames(viewName, [...(key.length > 1 ? ['pk'] : []), ...columns.flatMap(fieldNamesOf), ...measures.map((m) => m.name)]);
  return `${parts.join('\n')}\n`;
}

/** The names a column's field takes in a view: a dimension, or one per timeframe of a dimension group. */
function fieldNamesOf(column: AnalyticsColumn): string[] {
  const name = lookmlName(column.name);
  const type = column.type.toUpperCase();
  if (type === 'DATE') return ['date', 'week', 'month', 'quarter', 'year'].map((tf) => `${name}_${tf}`);
  if (type.startsWith('TIMESTAMP')) return ['raw', 'time', 'date', 'week', 'month', 'year'].map((tf) => `${name}_${tf}`);
  return [name];
}

/**
 * Looker: a field name "must be unique within any given view" (dimensions, measures, filters,
 * parameters, and the `{group}_{timeframe}` names a dimension group makes); the validator reports
 * "Redefinition of field". Generating such a view is a bug here, so it stops the generator.
 */
function assertUniqueFieldNames(viewName: string, names: string[]): void {
  const seen = new Set<string>();
  for (const name of names) {
    if (!VALID_NAME.test(name)) throw new Error(`LookML view ${viewName}: field name "${name}" must start with a letter and hold only a-z, 0-9 and _`);
    if (seen.has(name)) throw new Error(`LookML view ${viewName}: two fields are named "${name}" (Looker: "Redefinition of field")`);
    seen.add(name);
  }
}

export function modelFile(connection: string): string {
  const lines = [
    '# GENERATED by `soundlake looker generate`. Do not edit.',
    `connection: ${quoted(connection)}`,
    '',
    // Looker's include reference: "/**/*.dashboard" includes "all dashboard files in any directory
    // of the project", so the files are found whether looker/ is the project root or a folder in it.
    'include: "/**/*.view.lkml"',
    'include: "/**/*.dashboard.lookml"',
    '',
  ];
  for (const [explore, joins] of Object.entries(EXPLORES)) {
    lines.push(`explore: ${explore} {`);
    const always = ALWAYS_FILTERS[explore];
    if (always) {
      lines.push('  always_filter: {', `    filters: [${Object.entries(always).map(([field, value]) => `${field}: ${quoted(value)}`).join(', ')}]`, '  }');
    }
    for (const j of joins) {
      lines.push(`  join: ${j.view} {`, '    type: left_outer', `    relationship: ${j.relationship}`, `    sql_on: ${j.on} ;;`, '  }');
    }
    lines.push('}', '');
  }
  return `${lines.join('\n').trimEnd()}\n`;
}

/** A LookML dashboard (YAML). */
export function dashboardFile(d: Dashboard, model: string): string {
  const lines = ['# GENERATED by `soundlake looker generate`. Do not edit.', `- dashboard: ${d.name}`, `  title: ${d.title}`, '  layout: newspaper'];
  // One date range for the whole dashboard; empty (all time) until a person sets it.
  lines.push('  filters:', '  - name: date_range', '    title: Date range', '    type: date_filter', '    allow_multiple_values: true', '    required: false');
  lines.push('  elements:');
  d.elements.forEach((e, i) => {
    lines.push(
      `  - name: ${e.name}`,
      `    title: ${e.title}`,
      `    model: ${model}`,
      `    explore: ${e.explore}`,
      `    type: ${e.type}`,
      `    fields: [${e.fields.join(', ')}]`,
      ...(e.pivots ? [`    pivots: [${e.pivots.join(', ')}]`] : []),
      `    sorts: [${e.sorts.join(', ')}]`,
      '    limit: 500',
      '    listen:',
      `      date_range: ${e.dateField}`,
      `    row: ${Math.floor(i / 2) * 8}`,
      `    col: ${(i % 2) * 12}`,
      '    width: 12',
      '    height: 8',
    );
  });
  return `${lines.join('\n')}\n`;
}

export const MODEL_NAME = 'soundlake';

/** Every file of the project, by path under looker/. */
export function lookmlProject(views: ReadonlyMap<string, readonly AnalyticsColumn[]>, tables: readonly TableDef[], connection: string): Map<string, string> {
  const byView = new Map(tables.map((t) => [t.name.toUpperCase(), t]));
  const files = new Map<string, string>();
  files.set(`${MODEL_NAME}.model.lkml`, modelFile(connection));
  for (const [name, columns] of [...views.entries()].sort(([a], [b]) => (a < b ? -1 : 1))) {
    files.set(`views/${lookmlName(name)}.view.lkml`, viewFile(name, columns, byView.get(name)));
  }
  for (const d of DASHBOARDS) files.set(`dashboards/${d.name}.dashboard.lookml`, dashboardFile(d, MODEL_NAME));
  return files;
}
