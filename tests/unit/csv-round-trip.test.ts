import * as path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { formatRow } from '../../src/core/csv-row';
import { col, defineTable, type Row } from '../../src/core/table';
import { PartitionedWriter } from '../../src/lake/partitioned-writer';
import { tempDir } from '../support/temp-dir';

/** Strings that break naive CSV: quotes, delimiters, line breaks, backslashes, \N, empty vs NULL, non-Latin text. */
const HOSTILE: (string | null)[] = [
  '"',
  '""',
  'say "hi"',
  ',',
  'a,b,c',
  '\n',
  'line1\nline2',
  '\r\n',
  'windows\r\nbreak',
  '\r',
  '\\',
  'C:\\path\\to',
  '\\N',
  'NULL',
  '',
  null,
  '🎵🔥',
  '中文歌曲 — 夜の光',
  'Алёна',
  '  leading',
  'trailing  ',
  '  both  ',
  ' ',
  '"quoted at both ends"',
  'tab\tinside',
];

const table = defineTable({
  source: 'test',
  name: 'hostile',
  description: 'round trip',
  columns: [col('id', 'integer', 'row number', false), col('text', 'string', 'hostile text'), col('flag', 'boolean', 'a boolean')],
  primaryKey: ['id'],
  partitionBy: null,
});

test('hostile strings survive the writer and come back identical through DuckDB set up like the Snowflake file format', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const spool = path.join(dir, 'spool');
    const written: string[] = [];
    const writer = new PartitionedWriter({
      job: 'round-trip',
      runId: 'rt',
      extractedAt: '2026-11-21T00:00:00Z',
      spoolDir: spool,
      maxFileChars: 1 << 30,
      maxOpenFiles: 4,
      gzipLevel: 6,
      onFileClosed: async (_file, localPath) => {
        written.push(localPath);
      },
    });
    HOSTILE.forEach((text, id) => {
      const row: Row = [id, text, id % 2 === 0 ? true : null];
      void writer.write('raw', table, '2026-11-21', formatRow(row, ['integer', 'string', 'boolean']));
    });
    await writer.finish();
    expect(written).toHaveLength(1);

    // TYPE=CSV SKIP_HEADER=1 FIELD_OPTIONALLY_ENCLOSED_BY='"' ESCAPE=NONE EMPTY_FIELD_AS_NULL=TRUE NULL_IF=():
    // a doubled quote inside quotes is a quote, an unquoted empty field is NULL, a quoted one is ''.
    const instance = await DuckDBInstance.create(':memory:');
    const connection = await instance.connect();
    const reader = await connection.runAndReadAll(
      `SELECT id, text, flag, _run_id FROM read_csv('${written[0]}', header = true, delim = ',', quote = '"', escape = '"',
        nullstr = '', allow_quoted_nulls = false, auto_detect = false, compression = 'gzip', strict_mode = true,
        columns = {'id': 'INTEGER', 'text': 'VARCHAR', 'flag': 'BOOLEAN', '_run_id': 'VARCHAR', '_extracted_at': 'TIMESTAMPTZ'})
       ORDER BY id`,
    );
    const rows = reader.getRowObjectsJS();
    connection.closeSync();
    instance.closeSync();
    expect(rows.map((r) => r.text)).toEqual(HOSTILE);
    expect(rows.map((r) => r.flag)).toEqual(HOSTILE.map((_, id) => (id % 2 === 0 ? true : null)));
    expect(new Set(rows.map((r) => r._run_id))).toEqual(new Set(['rt']));
  } finally {
    cleanup();
  }
});
