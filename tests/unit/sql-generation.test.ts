import * as fs from 'node:fs';
import * as path from 'node:path';
import { csvColumns, LINEAGE_COLUMNS } from '../../src/core/table';
import { formatHeader } from '../../src/core/csv-row';
import { createPipe, pipePattern } from '../../src/sql/pipes';
import { rawColumns } from '../../src/sql/raw-tables';
import { generatedSnowflakeFiles, writeGeneratedFiles } from '../../src/sql/snowflake-files';
import { splitStatements } from '../../src/sql/split-statements';
import { ALL_TABLES } from '../../src/tables/all-tables';
import { tempDir } from '../support/temp-dir';
import { rawTableName } from '../../src/tables/warehouse-names';

test('the committed sql/snowflake/ files are what the code generates (soundlake sql generate --check)', () => {
  expect(writeGeneratedFiles(ALL_TABLES, { check: true })).toEqual([]);
});

test('--check reports a stale file and generate rewrites it', () => {
  const { dir, cleanup } = tempDir();
  try {
    for (const [name, text] of generatedSnowflakeFiles(ALL_TABLES)) fs.writeFileSync(path.join(dir, name), text);
    fs.appendFileSync(path.join(dir, '30_pipes.sql'), '-- hand edit\n');
    expect(writeGeneratedFiles(ALL_TABLES, { check: true, dir })).toEqual(['30_pipes.sql']);
    expect(writeGeneratedFiles(ALL_TABLES, { check: false, dir })).toEqual(['30_pipes.sql']);
    expect(writeGeneratedFiles(ALL_TABLES, { check: true, dir })).toEqual([]);
  } finally {
    cleanup();
  }
});

describe.each(ALL_TABLES.map((t) => [rawTableName(t), t] as const))('%s', (_name, table) => {
  // Three derivations that must agree: the CSV header the writer emits, the raw table's columns,
  // and the pipe's COPY column list with its $n positions.
  const header = formatHeader(csvColumns(table).map((c) => c.name)).toUpperCase().split(',');
  const raw = rawColumns(table, 'snowflake').map((c) => c.name);
  const pipe = createPipe(table);
  const copyColumns = /COPY INTO RAW\.\w+ \(([^)]*)\)/.exec(pipe)![1].split(', ');
  // Split at top-level commas only: the guard IFF(…, …, …) is one expression.
  const selected = /FROM \(SELECT (.*) FROM @RAW/.exec(pipe)![1].match(/(?:[^,(]|\([^)]*\))+/g)!.map((e) => e.trim());

  test('CSV header, raw table and pipe agree column by column', () => {
    expect(raw.slice(0, header.length)).toEqual(header);
    expect(raw.slice(header.length)).toEqual(['_FILE_NAME', '_FILE_ROW', '_LOADED_AT']);
    expect(copyColumns).toEqual(raw);
    const n = header.length;
    expect(selected.slice(0, n - 1)).toEqual(header.slice(0, n - 1).map((_, i) => (csvColumns(table)[i].type === 'json' ? `PARSE_JSON($${i + 1})` : `$${i + 1}`)));
    // _extracted_at, the last CSV column and never empty, is guarded: NULL (a NOT NULL violation,
    // so the file fails visibly) when the file has a column more or fewer than this table.
    expect(selected[n - 1]).toBe(`IFF($${n + 1} IS NULL, $${n}, NULL)`);
    expect(rawColumns(table, 'snowflake')[n - 1]).toMatchObject({ name: '_EXTRACTED_AT', notNull: true });
    expect(selected.slice(header.length)).toEqual(['METADATA$FILENAME', 'METADATA$FILE_ROW_NUMBER', 'METADATA$START_SCAN_TIME']);
    expect(header.slice(-2)).toEqual(LINEAGE_COLUMNS.map((c) => c.name.toUpperCase()));
  });

  test('the pipe is AUTO_INGEST, skips bad files, never replaces itself, and matches only its own committed files', () => {
    expect(pipe).toMatch(/^CREATE PIPE IF NOT EXISTS /);
    expect(pipe).not.toMatch(/OR REPLACE/);
    expect(pipe).toMatch(/AUTO_INGEST = TRUE/);
    expect(pipe).toMatch(/ON_ERROR = SKIP_FILE;$/);
    // Applied, as Snowpipe does, to the path left after the stage (raw/) and the FROM folder.
    expect(pipe).toContain(`FROM @RAW.LAKE_STAGE/${table.source}/${table.name}/)`);
    const pattern = new RegExp(`^${pipePattern(table)}$`);
    const day = 'year=2024/month=06/day=25';
    expect(pattern.test(`${day}/${table.name}_20261121T234512Z-3f9a_00000.csv.gz`)).toBe(true);
    expect(pattern.test(`${day}/${table.name}_r1_00000.csv`)).toBe(false);
    expect(pattern.test(`${day}/notes.txt`)).toBe(false);
    expect(pattern.test(`${day}/${table.name}x_r1_00000.csv.gz`)).toBe(false);
  });
});

test('no two pipes watch overlapping folders', () => {
  const paths = ALL_TABLES.map((t) => `${t.source}/${t.name}/`);
  for (const a of paths) for (const b of paths) if (a !== b) expect(a.startsWith(b)).toBe(false);
});

describe('splitStatements', () => {
  test('splits at top-level semicolons only', () => {
    const script = [
      "-- a comment; with a semicolon",
      "CREATE TABLE t (a VARCHAR DEFAULT ';');",
      "INSERT INTO t VALUES ('it''s; fine'), ('back\\'slash;');",
      'CREATE FUNCTION f() RETURNS VARCHAR LANGUAGE JAVASCRIPT AS $$ return "a;b"; $$;',
      '/* block; comment */ SELECT "odd;name" FROM t;',
      'SELECT 1',
      '-- trailing comment only;',
    ].join('\n');
    expect(splitStatements(script)).toEqual([
      "-- a comment; with a semicolon\nCREATE TABLE t (a VARCHAR DEFAULT ';')",
      "INSERT INTO t VALUES ('it''s; fine'), ('back\\'slash;')",
      'CREATE FUNCTION f() RETURNS VARCHAR LANGUAGE JAVASCRIPT AS $$ return "a;b"; $$',
      '/* block; comment */ SELECT "odd;name" FROM t',
      // The last semicolon sits inside a comment, so the comment stays with the statement.
      'SELECT 1\n-- trailing comment only;',
    ]);
  });

  test('every committed SQL file splits into statements that each start with a keyword', () => {
    const dir = path.join(__dirname, '../../sql/snowflake');
    for (const name of fs.readdirSync(dir)) {
      const statements = splitStatements(fs.readFileSync(path.join(dir, name), 'utf8'));
      expect(statements.length).toBeGreaterThan(0);
      for (const s of statements) expect(s.replace(/^(--[^\n]*\n|\s)*/, '')).toMatch(/^(CREATE|GRANT|USE|ALTER|SELECT|WITH|DROP)\b/);
    }
  });
});

test('the KPIs become dynamic tables from the same SELECTs, with their views over them, only when chosen', async () => {
  const { loadConfig } = await import('../../src/core/config');
  const { setupStatements, setupVariables } = await import('../../src/snowflake/setup-script');
  const config = loadConfig({ dotenvDir: null, env: { LAKE_URL: 's3://bucket/lake', SNOWFLAKE_KPI_TARGET_LAG: '15 minutes' } });
  const variables = setupVariables(config, { requireRoleArn: false });
  const asViews = setupStatements(variables, undefined, 'view');
  const asTables = setupStatements(variables, undefined, 'dynamic_table');
  expect(asViews.some((s) => s.file === '42_kpi_dynamic_tables.sql')).toBe(false);
  const withoutComments = (sql: string) => sql.replace(/^(--[^\n]*\n)*/, '');
  expect(asViews.filter((s) => s.file === '41_kpi_views.sql').map((s) => withoutComments(s.sql))).toEqual([
    'USE DATABASE SOUNDLAKE',
    'DROP DYNAMIC TABLE IF EXISTS ANALYTICS.LISTENING_GENRE_DAILY_DT',
    'DROP DYNAMIC TABLE IF EXISTS ANALYTICS.LISTENING_TOP_SONGS_DAILY_DT',
    'DROP DYNAMIC TABLE IF EXISTS ANALYTICS.LISTENING_TOP_GENRES_DAILY_DT',
  ]);
  expect(asTables.some((s) => s.file === '41_kpi_views.sql')).toBe(false);
  const dynamic = asTables.filter((s) => s.file === '42_kpi_dynamic_tables.sql').map((s) => s.sql.replace(/^(--[^\n]*\n|\s)*/, '')).filter((sql) => !sql.startsWith('USE '));
  expect(dynamic).toHaveLength(6);
  expect(dynamic[0]).toMatch(/CREATE OR REPLACE DYNAMIC TABLE ANALYTICS\.LISTENING_GENRE_DAILY_DT\s+TARGET_LAG = '15 minutes'\s+WAREHOUSE = SOUNDLAKE_WH\s+REFRESH_MODE = AUTO\s+AS\s+SELECT/);
  expect(dynamic[1]).toBe('CREATE OR REPLACE VIEW ANALYTICS.LISTENING_GENRE_DAILY AS SELECT * FROM ANALYTICS.LISTENING_GENRE_DAILY_DT');
  // The SELECT is the model's own, character for character.
  const model = fs.readFileSync(path.join(__dirname, '..', '..', 'sql', 'models', '10_listening_kpis.sql'), 'utf8');
  const select = dynamic[0].slice(dynamic[0].indexOf('SELECT'));
  expect(model).toContain(select);
  expect(() => setupVariables(loadConfig({ dotenvDir: null, env: { LAKE_URL: 's3://bucket/lake', SNOWFLAKE_KPI_TARGET_LAG: 'soon' } }), { requireRoleArn: false })).toThrow(/kpi_target_lag/);
});
