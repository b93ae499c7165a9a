import type { ColumnType } from '../core/table';

/**
 * Column types per warehouse. Timestamps are UTC by the CSV contract, so both sides store them
 * without a zone (TIMESTAMP_NTZ / TIMESTAMP): DATE_TRUNC and CAST(… AS DATE) then mean the UTC day
 * whatever the session time zone.
 */
export const SNOWFLAKE_TYPES: Record<ColumnType, string> = {
  string: 'VARCHAR',
  integer: 'NUMBER(38,0)',
  number: 'FLOAT',
  boolean: 'BOOLEAN',
  timestamp: 'TIMESTAMP_NTZ',
  date: 'DATE',
  json: 'VARIANT',
};

export const DUCKDB_TYPES: Record<ColumnType, string> = {
  string: 'VARCHAR',
  integer: 'BIGINT',
  number: 'DOUBLE',
  boolean: 'BOOLEAN',
  timestamp: 'TIMESTAMP',
  date: 'DATE',
  json: 'VARCHAR',
};

/** Lineage columns Snowpipe fills from file metadata (and the local warehouse the same way). */
export const LOAD_COLUMNS = [
  { name: '_file_name', snowflake: 'VARCHAR', duckdb: 'VARCHAR', source: 'METADATA$FILENAME' },
  { name: '_file_row', snowflake: 'NUMBER(38,0)', duckdb: 'BIGINT', source: 'METADATA$FILE_ROW_NUMBER' },
  { name: '_loaded_at', snowflake: 'TIMESTAMP_LTZ', duckdb: 'TIMESTAMPTZ', source: 'METADATA$START_SCAN_TIME' },
] as const;
