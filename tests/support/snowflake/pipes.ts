import type { DuckdbTables, TableColumn } from './duckdb-tables';
import { readStagedFile, type FileFormat } from './file-format';
import type { PipeCopy } from './pipe-definition';
import { routeToPipe } from './pipe-routing';
import { convertValue } from './value-conversion';

/** One row of INFORMATION_SCHEMA.COPY_HISTORY, with the documented column names. */
export interface CopyHistoryRow {
  FILE_NAME: string;
  STAGE_LOCATION: string;
  LAST_LOAD_TIME: string;
  ROW_COUNT: number;
  ROW_PARSED: number;
  FILE_SIZE: number;
  FIRST_ERROR_MESSAGE: string | null;
  FIRST_ERROR_LINE_NUMBER: number | null;
  FIRST_ERROR_COLUMN_NAME: string | null;
  ERROR_COUNT: number;
  STATUS: 'Loaded' | 'Load failed';
  TABLE_NAME: string;
  PIPE_NAME: string;
}

/** A file as the bucket holds it. */
export interface StagedObject {
  /** `s3://bucket/key`. */
  location: string;
  lastModified: Date;
  body: () => Promise<Buffer>;
  size: number;
}

/** The bucket, as Snowflake's storage integration reads it. */
export interface ObjectSource {
  list(prefixLocation: string): Promise<StagedObject[]>;
  get(location: string): Promise<StagedObject | undefined>;
}

/** What a pipe needs of the account to load: its table's columns, its format, the rows' home. */
export interface PipeContext {
  tables: DuckdbTables;
  columnsOf(table: string): TableColumn[];
  format(name: string): FileFormat;
  stageUrl(stage: string): string;
  history(table: string): CopyHistoryRow[];
  now(): Date;
}

const DAY_MS = 86_400_000;

/**
 * A pipe: its COPY, whether it runs, the files queued for it and its load history.
 *
 * - Load history: "Snowpipe uses file loading metadata associated with each pipe object to prevent
 *   reloading the same files (and duplicating data) in a table. This metadata stores the path (i.e.
 *   prefix) and name of each loaded file, and prevents loading files with the same name even if they
 *   were later modified (i.e. have a different eTag)." (Snowpipe: load history); the metadata is kept
 *   14 days. A replaced pipe (CREATE OR REPLACE) is a new pipe object with none.
 * - Pausing (ALTER PIPE): "TRUE pauses the pipe. The executionState reported by SYSTEM$PIPE_STATUS is
 *   PAUSED. The pipe owner can continue to submit files to a paused pipe. However, files are not
 *   processed until the pipe is resumed."
 * - ON_ERROR = SKIP_FILE (COPY INTO <table>): "Skip a file when an error is found." — no row of it loads.
 */
export class Pipe {
  paused = false;
  readonly queue: { object: StagedObject; stagePath: string }[] = [];
  /** Stage path → when it loaded. */
  private readonly loaded = new Map<string, Date>();
  lastIngestedTimestamp?: string;
  lastIngestedFilePath?: string;
  lastReceivedMessageTimestamp?: string;

  constructor(
    readonly name: string,
    readonly copy: PipeCopy,
    private readonly context: PipeContext,
  ) {}

  /** The stage path of `location` when this pipe's location and PATTERN select it. */
  selects(location: string): string | undefined {
    return routeToPipe(location, { stageUrl: this.context.stageUrl(this.copy.stage), fromPath: this.copy.path, pattern: this.copy.pattern })?.stagePath;
  }

  /** An S3 event reached the pipe's queue: the file is queued when the pipe selects it. */
  enqueue(object: StagedObject): boolean {
    const stagePath = this.selects(object.location);
    if (stagePath === undefined) return false;
    this.lastReceivedMessageTimestamp = this.context.now().toISOString();
    this.queue.push({ object, stagePath });
    return true;
  }

  /** Loads what is queued, unless paused. */
  async process(): Promise<void> {
    while (!this.paused && this.queue.length > 0) {
      const next = this.queue.shift()!;
      await this.load(next.object, next.stagePath);
    }
  }

  private alreadyLoaded(stagePath: string): boolean {
    const at = this.loaded.get(stagePath);
    return at !== undefined && this.context.now().getTime() - at.getTime() < 14 * DAY_MS;
  }

  private async load(object: StagedObject, stagePath: string): Promise<void> {
    if (this.alreadyLoaded(stagePath)) return;
    const now = this.context.now();
    const table = this.copy.table.split('.').pop()!;
    const schema = this.copy.table.includes('.') ? this.copy.table.split('.').slice(-2)[0] : 'RAW';
    const columns = this.context.columnsOf(this.copy.table);
    const targets = this.copy.columns.map((name) => columns.find((c) => c.name === name)!);
    const base = {
      FILE_NAME: stagePath,
      STAGE_LOCATION: this.context.stageUrl(this.copy.stage),
      LAST_LOAD_TIME: now.toISOString(),
      FILE_SIZE: object.size,
      TABLE_NAME: this.copy.table,
      PIPE_NAME: this.name,
    };
    let parsed = 0;
    try {
      const { records } = readStagedFile(await object.body(), this.context.format(this.copy.formatName));
      const rows = records.map((fields, i) => {
        parsed = i + 1;
        const row = { fields, fileName: stagePath, rowNumber: i + 1, scanTime: now.toISOString() };
        return this.copy.select.map((expression, c) => {
          try {
            return convertValue(expression(row), targets[c].type, targets[c].notNull);
          } catch (error) {
            throw Object.assign(error as Error, { line: i + 1 + Number(this.context.format(this.copy.formatName).SKIP_HEADER ?? 0), column: targets[c].name });
          }
        });
      });
      await this.context.tables.appendAll(schema, table, targets, rows);
      this.loaded.set(stagePath, now);
      this.lastIngestedTimestamp = now.toISOString();
      this.lastIngestedFilePath = stagePath;
      this.context.history(this.copy.table).push({
        ...base,
        ROW_COUNT: rows.length,
        ROW_PARSED: rows.length,
        FIRST_ERROR_MESSAGE: null,
        FIRST_ERROR_LINE_NUMBER: null,
        FIRST_ERROR_COLUMN_NAME: null,
        ERROR_COUNT: 0,
        STATUS: 'Loaded',
      });
    } catch (error) {
      const e = error as Error & { line?: number; column?: string };
      this.context.history(this.copy.table).push({
        ...base,
        ROW_COUNT: 0,
        ROW_PARSED: parsed,
        FIRST_ERROR_MESSAGE: e.message,
        FIRST_ERROR_LINE_NUMBER: e.line ?? null,
        FIRST_ERROR_COLUMN_NAME: e.column ? `"${table}"["${e.column}"]` : null,
        ERROR_COUNT: 1,
        STATUS: 'Load failed',
      });
    }
  }

  /**
   * ALTER PIPE … REFRESH: "Copy a set of data files staged in the previous 7 days to the Snowpipe
   * ingest queue for loading into the target table." PREFIX: "Path (or prefix) appended to the
   * stage reference in the pipe definition. The path limits the set of files to load."
   * MODIFIED_AFTER: "Timestamp (in ISO-8601 format) of the oldest data files to copy into the
   * Snowpipe ingest queue based on the LAST_MODIFIED date (i.e. date when a file was staged)."
   * Returns the files sent, as REFRESH lists them.
   */
  async refresh(source: ObjectSource, options: { prefix?: string; modifiedAfter?: Date }): Promise<string[]> {
    const weekAgo = this.context.now().getTime() - 7 * DAY_MS;
    const location = `${this.context.stageUrl(this.copy.stage)}${this.copy.path}${options.prefix ?? ''}`;
    const sent: string[] = [];
    for (const object of await source.list(location)) {
      const modified = object.lastModified.getTime();
      if (modified < weekAgo) continue;
      if (options.modifiedAfter && modified <= options.modifiedAfter.getTime()) continue;
      const stagePath = this.selects(object.location);
      if (stagePath === undefined) continue;
      this.queue.push({ object, stagePath });
      sent.push(stagePath);
    }
    return sent;
  }
}
