/**
 * The listening-events job's shaping module (see run/file-shaper.ts): one local landing file →
 * rows and rejects, on whichever thread runs it. Every table has a byte-level fast path for its
 * well-formed lines (streams: stream-row-bytes.ts; users and songs: run/dedup-row-bytes.ts) that
 * hands every other line to the general parser; a file whose header is not exactly the table's
 * columns takes the general path.
 */
import { StringDecoder } from 'node:string_decoder';
import { DelimitedParser } from '../../core/delimited-parser';
import { excerpt } from '../../core/excerpt';
import { qualifiedName, type TableDef } from '../../core/table';
import { DedupRowBytes } from '../../run/dedup-row-bytes';
import type { FileShapingSink, ShapeFile } from '../../run/file-shaper';
import type { RowRun } from '../../run/shaped-batch';
import { layoutFromHeader, type FileLayout } from '../../sources/listening-events/file-layout';
import { fileProblem, openText, parseLandingFile, type LandingOutcome } from '../../sources/listening-events/read-landing-file';
import { listeningTables, streams } from '../../tables/listening';
import { StreamRowBytes } from './stream-row-bytes';
import { listeningChecks, transformListeningRecord } from './transform-listening-record';

/** A landing file as a thread sees it: a local copy of exactly the listed version. */
export interface LandingTask {
  name: string;
  /** `source/name` of its table. */
  table: string;
  path: string;
  size: number;
  /** How messages name the file (the landing store's description). */
  described: string;
  maxFieldChars: number;
  /** Every line through the general path (the differential tests' reference). */
  generalOnly?: boolean;
  /** Bytes per read on the fast path (default 512 KiB; tests make it small to cut lines at every place). */
  readBytes?: number;
}

/** Read size of the fast path: larger than the general path's, whose batches hold records, not bytes. */
const FAST_READ_BYTES = 512 * 1024;
/** A line the fast path waits for longer than this goes to the general parser in pieces (bounded memory). */
const MAX_CARRIED_BYTES = 1024 * 1024;

/** A table's byte-level fast path: shapes a well-formed line, or says no (nothing kept) and the general path decides. */
interface LineFastPath {
  /** The line `b[start..end)` without its LF, physical line `line` of its file. */
  add(b: Uint8Array, start: number, end: number, line: number): boolean;
  /** Rows shaped since the last call; their bytes stay valid until `recycle()`. */
  take(): RowRun[];
  /** Every run taken so far has been copied on or taken over: buffers may be reused. */
  recycle(): void;
}

export const shapeFile: ShapeFile<LandingTask, LandingOutcome> = async function* (task, out, context) {
  const table = listeningTables.find((t) => qualifiedName(t) === task.table);
  if (!table) throw new Error(`a landing task names table ${task.table}, which listening-events does not write`);
  // The file is checked as a whole once, before either path uses a row (the fast paths rely on it
  // being UTF-8); a file the fast path hands back is not checked again.
  const problem = await fileProblem(task.name, task.path, task.size);
  if (problem !== undefined) return { status: 'error', reason: problem };
  const fast: LineFastPath | undefined = task.generalOnly
    ? undefined
    : table === streams
      ? new StreamRowBytes(context.lineageSuffix, task.maxFieldChars)
      : DedupRowBytes.of(table, listeningChecks(table), context.logicalDate, task.maxFieldChars);
  if (fast) {
    const outcome = yield* shapeFast(task, table, out, fast);
    if (outcome !== 'general') return outcome;
  }
  return yield* shapeGeneral(task, table, out);
};

async function* shapeGeneral(task: LandingTask, table: TableDef, out: FileShapingSink): AsyncGenerator<number, LandingOutcome> {
  const batches = parseLandingFile({ name: task.name, table, path: task.path, size: task.size, described: task.described }, task.maxFieldChars);
  for (;;) {
    const next = await batches.next();
    if (next.done) return next.value;
    for (const record of next.value) transformListeningRecord(record, out);
    yield next.value.length;
  }
}

/**
 * A file read as bytes: each line the fast path takes becomes its row at once; any other
 * line (and, while it lasts, the record it starts: a quoted field may run over lines) goes to the
 * general parser, which is told the line it starts on. 'general' (before anything was yielded):
 * the header is not the table's exactly, or has no line end in the first chunk.
 */
async function* shapeFast(task: LandingTask, table: TableDef, out: FileShapingSink, fast: LineFastPath): AsyncGenerator<number, LandingOutcome | 'general'> {
  const parser = new DelimitedParser(',', task.maxFieldChars);
  const decoder = new StringDecoder('utf8');
  let layout: FileLayout | undefined;
  let records = 0;
  /** Physical line of the next line read (the header is line 1). */
  let line = 1;
  /** The general parser holds an unfinished record. */
  let inGeneral = false;
  let carry: Buffer | undefined;
  const onRecord = (fields: string[], at: number, recordProblem: string | undefined) => {
    records++;
    transformListeningRecord({ layout: layout!, fields, line: at, problem: recordProblem }, out);
  };
  const handOn = () => {
    for (const run of fast.take()) out.run(table, run);
  };
  /** Bytes `b[from..to)` (whole lines, or the start of one) to the general parser, rows before them handed on first. */
  const toGeneral = (b: Buffer, from: number, to: number) => {
    handOn();
    if (!inGeneral) parser.continueAt(line);
    parser.push(decoder.write(b.subarray(from, to)), onRecord);
    inGeneral = !parser.atRecordStart;
    if (!inGeneral) line = parser.nextLine;
  };

  const bytes = openText(task.name, task.path, task.size, task.readBytes ?? FAST_READ_BYTES);
  try {
    for await (const chunk of bytes as AsyncIterable<Buffer>) {
      let b = carry ? Buffer.concat([carry, chunk]) : chunk;
      carry = undefined;
      let start = 0;
      if (layout === undefined) {
        const end = b.indexOf(10);
        const header = end < 0 ? undefined : b.toString('utf8', 0, end);
        if (header === undefined || header.includes('"')) return 'general';
        const result = layoutFromHeader(task.name, table, header.replace(/\r$/, '').split(',').map((f) => excerpt(f, 100)));
        if (!result.ok || !result.layout.identity) return 'general';
        layout = result.layout;
        start = end + 1;
        line = 2;
      }
      for (;;) {
        const end = b.indexOf(10, start);
        if (end < 0) break;
        if (inGeneral) toGeneral(b, start, end + 1);
        else if (fast.add(b, start, end, line)) {
          records++;
          line++;
        } else toGeneral(b, start, end + 1);
        start = end + 1;
      }
      if (start < b.length) {
        // A line without its end yet: kept for the next chunk, or (too long, or inside a general
        // record) handed to the parser as it is, so memory stays bounded.
        if (inGeneral || b.length - start > MAX_CARRIED_BYTES) toGeneral(b, start, b.length);
        else carry = Buffer.from(b.subarray(start));
      }
      handOn();
      yield records;
      // The batch was taken (its runs appended to parts, or posted to the main thread).
      fast.recycle();
      records = 0;
    }
    if (layout === undefined) return 'general';
    if (carry !== undefined) {
      // The last line, without a line end.
      if (fast.add(carry, 0, carry.length, line)) records++;
      else toGeneral(carry, 0, carry.length);
    }
    if (inGeneral || carry !== undefined) {
      parser.push(decoder.end(), onRecord);
      parser.end(onRecord);
    }
    handOn();
    if (records > 0) yield records;
  } finally {
    bytes.destroy();
  }
  return { status: 'processed', ignoredColumns: [] };
}
