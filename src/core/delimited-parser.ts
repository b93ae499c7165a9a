/**
 * A streaming parser for delimited text (RFC 4180 CSV, and TSV with `delimiter: '\t'`).
 *
 * Written by hand, small on purpose: csv-parse costs 1.1–2.8 s per million rows here, which alone eats
 * most of the listening-events budget, and uDSV (faster) splits records wrongly when a CRLF falls across
 * a chunk boundary. This one handles quoted fields with delimiters, doubled quotes and line breaks,
 * CRLF, LF and CR-only line ends at any chunk boundary, and reports the physical line each record
 * starts on, so rejects can point at the input.
 *
 * It is a state machine that keeps its state between chunks: a chunk is scanned once, never again,
 * so a stray quote that turns the rest of a file into one field costs linear time, and the field is
 * cut at `maxFieldChars` so it costs bounded memory.
 */

const QUOTE = 34;
const LF = 10;
const CR = 13;

/** Default cap on one field, in characters (1 Mi): far above any real value, far below a runaway. */
export const DEFAULT_MAX_FIELD_CHARS = 1024 * 1024;

export type RecordHandler = (fields: string[], line: number, problem: string | undefined) => void;

const enum State {
  /** Before the first character of a field. */
  FieldStart,
  /** Inside a field that did not start with a quote. */
  Unquoted,
  /** Inside a quoted field. */
  Quoted,
  /** Inside a quoted field, right after a quote: a second quote is a literal, anything else closes. */
  QuoteInQuoted,
  /** After the closing quote of a field, before its delimiter or line end. */
  AfterQuote,
}

export class DelimitedParser {
  private readonly delimiter: number;
  private state = State.FieldStart;
  private fields: string[] = [];
  private value = '';
  private cut = false;
  private problem: string | undefined;
  /** Physical line (1-based) the current record starts on. */
  private line = 1;
  /** Line breaks inside quoted fields of the current record. */
  private breaks = 0;
  /** The last record ended with a CR at a chunk's end: an LF starting the next chunk belongs to it. */
  private pendingLf = false;

  constructor(
    delimiter = ',',
    private readonly maxFieldChars = DEFAULT_MAX_FIELD_CHARS,
  ) {
    if (delimiter.length !== 1) throw new Error('delimiter must be one character');
    this.delimiter = delimiter.charCodeAt(0);
  }

  /** True between records: everything pushed so far ended a record (or was blank). */
  get atRecordStart(): boolean {
    return this.state === State.FieldStart && this.fields.length === 0 && this.value === '' && !this.pendingLf;
  }

  /** The physical line the next record starts on. */
  get nextLine(): number {
    return this.line;
  }

  /**
   * Between records only: the next record starts on `line` (a reader that handled the lines in
   * between itself hands the parser the rest).
   */
  continueAt(line: number): void {
    if (!this.atRecordStart) throw new Error('continueAt inside a record');
    this.line = line;
  }

  /** Parses every record the chunk completes; the state of an unfinished record is kept for the next chunk. */
  push(text: string, onRecord: RecordHandler): void {
    const len = text.length;
    const delimiter = this.delimiter;
    let pos = 0;
    if (this.pendingLf && len > 0) {
      this.pendingLf = false;
      if (text.charCodeAt(0) === LF) pos = 1;
    }
    while (pos < len) {
      switch (this.state) {
        case State.FieldStart:
          if (text.charCodeAt(pos) === QUOTE) {
            this.state = State.Quoted;
            pos++;
          } else {
            this.state = State.Unquoted;
          }
          break;
        case State.Unquoted:
        case State.AfterQuote: {
          let end = pos;
          while (end < len) {
            const c = text.charCodeAt(end);
            if (c === delimiter || c === LF || c === CR) break;
            end++;
          }
          if (end > pos) {
            // Text after a closing quote (`"ab"c`) is kept, not dropped, and flagged.
            if (this.state === State.AfterQuote) this.problem ??= 'text after a closing quote';
            this.add(text, pos, end);
          }
          if (end >= len) return;
          pos = this.separator(text, end, onRecord);
          break;
        }
        case State.Quoted: {
          const quote = text.indexOf('"', pos);
          if (quote < 0) {
            this.add(text, pos, len);
            return;
          }
          this.add(text, pos, quote);
          this.state = State.QuoteInQuoted;
          pos = quote + 1;
          break;
        }
        case State.QuoteInQuoted:
          if (text.charCodeAt(pos) === QUOTE) {
            this.add('"', 0, 1);
            this.state = State.Quoted;
            pos++;
          } else {
            this.state = State.AfterQuote;
          }
          break;
      }
    }
  }

  /** Ends the input: what is left is the last record (a file need not end with a line break). */
  end(onRecord: RecordHandler): void {
    if (this.state === State.Quoted) this.problem ??= 'unterminated quoted field';
    if (this.fields.length > 0 || this.state !== State.FieldStart) {
      this.endField();
      this.endRecord(onRecord);
    }
    this.pendingLf = false;
  }

  /** Handles the delimiter or line end at `pos`; returns where scanning goes on. */
  private separator(text: string, pos: number, onRecord: RecordHandler): number {
    const c = text.charCodeAt(pos);
    this.endField();
    if (c === this.delimiter) {
      this.state = State.FieldStart;
      return pos + 1;
    }
    let next = pos + 1;
    if (c === CR) {
      if (next >= text.length) this.pendingLf = true;
      else if (text.charCodeAt(next) === LF) next++;
    }
    this.endRecord(onRecord);
    return next;
  }

  private add(text: string, from: number, to: number): void {
    if (this.cut || to <= from) return;
    const room = this.maxFieldChars - this.value.length;
    if (to - from > room) {
      this.value += text.slice(from, from + room);
      this.cut = true;
      this.problem ??= `a field is longer than ${this.maxFieldChars} characters (a stray quote?); it was cut`;
      return;
    }
    this.value = this.value === '' ? text.slice(from, to) : this.value + text.slice(from, to);
  }

  private endField(): void {
    const value = this.value;
    if (this.state !== State.Unquoted && (value.indexOf('\n') >= 0 || value.indexOf('\r') >= 0)) this.breaks += countLineBreaks(value);
    this.fields.push(value);
    this.value = '';
    this.cut = false;
  }

  private endRecord(onRecord: RecordHandler): void {
    const fields = this.fields;
    const problem = this.problem;
    const startLine = this.line;
    this.line += this.breaks + 1;
    this.fields = [];
    this.breaks = 0;
    this.problem = undefined;
    this.state = State.FieldStart;
    // A blank line is no record.
    if (fields.length === 1 && fields[0] === '' && problem === undefined) return;
    onRecord(fields, startLine, problem);
  }
}

function countLineBreaks(value: string): number {
  let n = 0;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c === LF) n++;
    else if (c === CR) {
      n++;
      if (value.charCodeAt(i + 1) === LF) i++;
    }
  }
  return n;
}
