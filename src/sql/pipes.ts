import { csvColumns, qualifiedName, type TableDef } from '../core/table';
import { partitionFilePattern } from '../lake/keys';
import { LOAD_COLUMNS } from './column-types';
import { rawColumns } from './raw-tables';
import { LAKE_STAGE, CSV_FILE_FORMAT, rawTable, qualifiedPipe } from '../tables/warehouse-names';

/**
 * The folder a pipe watches, relative to the stage (which sits on {lake}/raw/, so Snowflake can
 * never see _staging/ or rejects/): its own table's, so no two pipes overlap.
 */
export const pipePath = (table: TableDef) => `${qualifiedName(table)}/`;
/**
 * Only committed part files of this table, never a stray file. CREATE PIPE, usage notes: "Snowpipe
 * trims any path segments in the stage definition from the storage location and applies the
 * regular expression to any remaining path segments and filenames": with the stage on {lake}/raw/
 * and FROM on the table's folder, the regular expression sees `year=…/month=…/day=…/{file}` and
 * must match all of it. (A pattern naming the table's folder, as soundlake wrote before 0.2, loads
 * nothing; `snowflake migrate` replaces such pipes.)
 */
export const pipePattern = (table: TableDef) => partitionFilePattern(table.name);

/**
 * A CREATE PIPE for Snowflake's SNS route (`[snowflake] aws_sns_topic`): the pipe's queue subscribes
 * to the lake's SNS topic, which may sit in another region than the Snowflake account.
 */
export function withSnsTopic(createPipeSql: string, topicArn: string | undefined): string {
  return topicArn ? createPipeSql.replace('\n  AUTO_INGEST = TRUE\n', `\n  AUTO_INGEST = TRUE\n  AWS_SNS_TOPIC = '${topicArn}'\n`) : createPipeSql;
}

/**
 * One AUTO_INGEST pipe per raw table. CREATE PIPE IF NOT EXISTS, never OR REPLACE: replacing a pipe
 * drops its 14-day load history and the next refresh would load every file again.
 */
export function createPipe(table: TableDef, mode: 'if-not-exists' | 'replace' = 'if-not-exists'): string {
  return [
    mode === 'replace' ? `CREATE OR REPLACE PIPE ${qualifiedPipe(table)}` : `CREATE PIPE IF NOT EXISTS ${qualifiedPipe(table)}`,
    '  AUTO_INGEST = TRUE',
    `  COMMENT = 'soundlake: ${qualifiedName(table)}'`,
    'AS',
    `${pipeCopy(table)};`,
  ].join('\n');
}

/**
 * The pipe's COPY statement. Columns are picked by position ($1..$n), so a file laid out for
 * another version of the table must never load: `_extracted_at` is the last CSV column and never
 * empty, so the guard on it yields NULL (into a NOT NULL column, which fails the file and shows in
 * COPY_HISTORY) when the file has a column more ($n+1 present: everything after the new column
 * shifted) or fewer ($n absent). Such a file waits for `soundlake snowflake migrate`.
 */
export function pipeCopy(table: TableDef): string {
  const columns = rawColumns(table, 'snowflake').map((c) => c.name);
  const csv = csvColumns(table);
  const n = csv.length;
  const fileColumns = csv.map((c, i) => {
    if (i === n - 1) return `IFF($${n + 1} IS NULL, $${n}, NULL)`;
    return c.type === 'json' ? `PARSE_JSON($${i + 1})` : `$${i + 1}`;
  });
  const select = [...fileColumns, ...LOAD_COLUMNS.map((c) => c.source)].join(', ');
  return [
    `COPY INTO ${rawTable(table)} (${columns.join(', ')})`,
    `FROM (SELECT ${select} FROM @${LAKE_STAGE}/${pipePath(table)})`,
    `FILE_FORMAT = (FORMAT_NAME = '${CSV_FILE_FORMAT}')`,
    `PATTERN = '${pipePattern(table)}'`,
    'ON_ERROR = SKIP_FILE',
  ].join('\n');
}
