import { csvColumns, type TableDef } from '../core/table';
import { dataFilePattern } from '../lake/keys';
import { rawTableName } from '../tables/all-tables';
import { LOAD_COLUMNS } from './column-types';
import { rawColumns } from './raw-tables';

export const pipeName = (table: TableDef) => `${rawTableName(table)}_PIPE`;
/**
 * The folder a pipe watches, relative to the stage (which sits on {lake}/raw/, so Snowflake can
 * never see _staging/ or rejects/): its own table's, so no two pipes overlap.
 */
export const pipePath = (table: TableDef) => `${table.source}/${table.name}/`;
/** Only committed part files of this table, never a stray file. */
export const pipePattern = (table: TableDef) => `.*${dataFilePattern(table.source, table.name)}`;

/**
 * One AUTO_INGEST pipe per raw table. CREATE PIPE IF NOT EXISTS, never OR REPLACE: replacing a pipe
 * drops its 14-day load history and the next refresh would load every file again.
 */
export function createPipe(table: TableDef): string {
  const columns = rawColumns(table, 'snowflake').map((c) => c.name);
  const fileColumns = csvColumns(table).map((c, i) => (c.type === 'json' ? `PARSE_JSON($${i + 1})` : `$${i + 1}`));
  const select = [...fileColumns, ...LOAD_COLUMNS.map((c) => c.source)].join(', ');
  return [
    `CREATE PIPE IF NOT EXISTS RAW.${pipeName(table)}`,
    '  AUTO_INGEST = TRUE',
    `  COMMENT = 'soundlake: ${table.source}/${table.name}'`,
    'AS',
    `COPY INTO RAW.${rawTableName(table)} (${columns.join(', ')})`,
    `FROM (SELECT ${select} FROM @RAW.LAKE_STAGE/${pipePath(table)})`,
    "FILE_FORMAT = (FORMAT_NAME = 'RAW.SOUNDLAKE_CSV')",
    `PATTERN = '${pipePattern(table)}'`,
    'ON_ERROR = SKIP_FILE;',
  ].join('\n');
}
