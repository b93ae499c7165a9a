import { clearLiveLine, drawLiveLine } from '../core/live-line';
import type { Logger } from '../core/log';

/**
 * Progress of long work: on a TTY a live line with rows and rows/s (redrawn at most 4 times a
 * second); in JSON logs a `progress` event every `intervalSeconds`.
 */
export class Progress {
  private readonly startedAt = Date.now();
  private lastShown = 0;
  private lastRows = 0;
  private lastAt = Date.now();

  constructor(
    private readonly log: Logger,
    private readonly tty: NodeJS.WriteStream | undefined,
    private readonly intervalSeconds: number,
  ) {}

  update(rows: number): void {
    const now = Date.now();
    const every = this.tty ? 250 : this.intervalSeconds * 1000;
    if (now - this.lastShown < every) return;
    const rate = ((rows - this.lastRows) * 1000) / Math.max(1, now - this.lastAt);
    this.lastShown = now;
    this.lastRows = rows;
    this.lastAt = now;
    if (this.tty) {
      drawLiveLine(this.tty, `  ${rows.toLocaleString('en-US')} rows  ${Math.round(rate).toLocaleString('en-US')} rows/s   `);
    } else {
      this.log.info('progress', { rows, rows_per_s: Math.round(rate), seconds: Math.round((now - this.startedAt) / 1000) });
    }
  }

  /** Clears the live line so the next log line starts clean. */
  done(): void {
    if (this.tty) clearLiveLine();
  }
}
