import { PermanentError } from '../core/errors';

export type InputStatus = 'processed' | 'error' | 'ignored';

export interface InputRecord {
  /** Where the input came from: a landing file key, an API endpoint, a page. */
  name: string;
  status: InputStatus;
  rowsIn: number;
  rowsOut: number;
  rowsRejected: number;
  /** Why a file went to error/ or was ignored. */
  reason?: string;
  /** Where the input was moved after the run (archive/ or error/). */
  movedTo?: string;
}

/**
 * Per-input row accounting. Extract counts rows read; the sink counts rows written and rejected;
 * the runner refuses to commit unless, for every input, rows in = rows out + rows rejected.
 */
export class InputLedger {
  private readonly inputs = new Map<string, InputRecord>();

  private entry(name: string): InputRecord {
    let record = this.inputs.get(name);
    if (!record) {
      record = { name, status: 'processed', rowsIn: 0, rowsOut: 0, rowsRejected: 0 };
      this.inputs.set(name, record);
    }
    return record;
  }

  read(name: string, rows = 1): void {
    this.entry(name).rowsIn += rows;
  }

  wrote(name: string, rows = 1): void {
    this.entry(name).rowsOut += rows;
  }

  rejected(name: string, rows = 1): void {
    this.entry(name).rowsRejected += rows;
  }

  mark(name: string, status: InputStatus, details: { reason?: string; movedTo?: string } = {}): void {
    Object.assign(this.entry(name), { status, ...details });
  }

  all(): InputRecord[] {
    return [...this.inputs.values()];
  }

  totalIn(): number {
    let n = 0;
    for (const record of this.inputs.values()) n += record.rowsIn;
    return n;
  }

  /** Throws when any input does not balance: a bug, and nothing is committed. */
  assertBalanced(): void {
    for (const r of this.inputs.values()) {
      if (r.rowsIn !== r.rowsOut + r.rowsRejected) {
        throw new PermanentError(
          `row accounting does not balance for ${r.name}: ${r.rowsIn} read, ${r.rowsOut} written, ` +
            `${r.rowsRejected} rejected; nothing was committed (this is a bug, please report it)`,
        );
      }
    }
  }
}
