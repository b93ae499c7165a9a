/**
 * The one live status line a terminal may show (progress, redrawn with `\r`). Anything else
 * written to the terminal clears it first, so a log line never starts glued to the end of it.
 */
let shownOn: NodeJS.WritableStream | undefined;

/** Redraws the live line on `tty` in place. */
export function drawLiveLine(tty: NodeJS.WritableStream, text: string): void {
  tty.write(`\r${text}`);
  shownOn = tty;
}

/** Clears the live line, if one is shown; the next redraw brings it back. */
export function clearLiveLine(): void {
  shownOn?.write('\r\x1b[K');
  shownOn = undefined;
}
