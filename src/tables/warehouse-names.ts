import type { TableDef } from '../core/table';

/**
 * Every warehouse object soundlake names, in one place: Snowflake (sql/, snowflake/), the local
 * DuckDB warehouse, LookML and the dashboard page all read them from here. The hand-written DDL
 * in sql/snowflake/ spells the same names (tests/unit/warehouse-names.test.ts checks it).
 */

/** Where the raw tables, pipes, the stage and the file format live. */
export const RAW_SCHEMA = 'RAW';
/** Where the curated views live (what Looker reads). */
export const ANALYTICS_SCHEMA = 'ANALYTICS';
/** The external stage on {lake}/raw/. */
export const LAKE_STAGE = `${RAW_SCHEMA}.LAKE_STAGE`;
/** The named CSV file format every pipe loads with. */
export const CSV_FILE_FORMAT = `${RAW_SCHEMA}.SOUNDLAKE_CSV`;

/** {SOURCE}_{TABLE}: the raw table a lake table loads into (in RAW). */
export const rawTableName = (table: TableDef) => `${table.source}_${table.name}`.toUpperCase();
/** RAW.{SOURCE}_{TABLE}. */
export const rawTable = (table: TableDef) => `${RAW_SCHEMA}.${rawTableName(table)}`;
/** {SOURCE}_{TABLE}_PIPE: the pipe that loads it (in RAW). */
export const pipeName = (table: TableDef) => `${rawTableName(table)}_PIPE`;
/** RAW.{SOURCE}_{TABLE}_PIPE. */
export const qualifiedPipe = (table: TableDef) => `${RAW_SCHEMA}.${pipeName(table)}`;
/** {TABLE}: the deduplicated view of a lake table (in ANALYTICS; table names are unique across sources). */
export const viewName = (table: TableDef) => table.name.toUpperCase();
/** ANALYTICS.{NAME}: a curated view or stored KPI. */
export const analyticsObject = (name: string) => `${ANALYTICS_SCHEMA}.${name}`;
/** {NAME}_DT: where a materialized KPI view stores its rows (the view {NAME} reads it). */
export const storedKpi = (name: string) => `${name}_DT`;
