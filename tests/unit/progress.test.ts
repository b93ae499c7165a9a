import { createLogger } from '../../src/core/log';
import { Progress } from '../../src/runner/progress';
import { LogCapture } from '../support/log-capture';

describe('progress', () => {
  afterEach(() => jest.useRealTimers());

  test('in JSON logs: a progress event with rows and rows/s once per interval', () => {
    jest.useFakeTimers({ now: 0 });
    const capture = new LogCapture();
    const progress = new Progress(createLogger({ json: true, stream: capture }), undefined, 5);
    jest.setSystemTime(6_000);
    progress.update(60_000);
    jest.setSystemTime(7_000);
    progress.update(70_000); // within the interval: nothing
    jest.setSystemTime(12_000);
    progress.update(120_000);
    const events = capture.entries().filter((e) => e.message === 'progress');
    expect(events.map((e) => [e.rows, e.rows_per_s, e.seconds])).toEqual([
      [60_000, 10_000, 6],
      [120_000, 10_000, 12],
    ]);
  });

  test('on a terminal: one live line redrawn in place, cleared at the end', () => {
    jest.useFakeTimers({ now: 0 });
    let screen = '';
    const tty = { write: (text: string) => ((screen += text), true) } as unknown as NodeJS.WriteStream;
    const progress = new Progress(createLogger({ json: true, stream: new LogCapture() }), tty, 5);
    jest.setSystemTime(1_000);
    progress.update(250_000);
    jest.setSystemTime(2_000);
    progress.update(600_000);
    progress.done();
    expect(screen).toBe('\r  250,000 rows  250,000 rows/s   \r  600,000 rows  350,000 rows/s   \r\x1b[K');
  });

  test('on a terminal: a log line clears the live line first instead of starting glued to its end', async () => {
    let screen = '';
    const tty = { isTTY: true, write: (text: string | Buffer, done?: () => void) => ((screen += text.toString()), done?.(), true) } as unknown as NodeJS.WriteStream;
    const log = createLogger({ json: false, stream: tty });
    new Progress(log, tty, 5).update(1_000);
    log.warn('a warning while rows flow');
    await new Promise((resolve) => setImmediate(resolve));
    expect(screen).toMatch(/^\r {2}1,000 rows {2}[\d,]+ rows\/s {3}\r\x1b\[K\d\d:\d\d:\d\d warn {2}a warning while rows flow\n$/);
  });
});
