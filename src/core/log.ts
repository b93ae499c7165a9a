import { Writable } from 'node:stream';
import * as winston from 'winston';
import { clearLiveLine } from './live-line';
import { redactDeep } from './secrets';

export type Logger = winston.Logger;

const LEVELS = ['error', 'warn', 'info', 'debug'] as const;
export type LogLevel = (typeof LEVELS)[number];
export function isLogLevel(value: string): value is LogLevel {
  return (LEVELS as readonly string[]).includes(value);
}

/** Scrubs every known secret value from the message and from every field, nested ones included. */
const redactSecrets = winston.format((info) => {
  const fields = info as Record<string, unknown>;
  for (const key of Object.keys(fields)) fields[key] = redactDeep(fields[key]);
  return info;
});

/** One readable line: `12:00:01 info  listening-events 20261121T… message key=value …`. */
const readableLine = winston.format.printf((info) => {
  const { level, message, timestamp, job, run_id: runId, ...rest } = info as Record<string, unknown>;
  const fields = Object.entries(rest)
    .filter(([key]) => typeof key === 'string')
    .map(([key, value]) => `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`)
    .join(' ');
  const time = String(timestamp).slice(11, 19);
  const who = [job, runId].filter(Boolean).join(' ');
  return `${time} ${String(level).padEnd(5)} ${who ? `${who} ` : ''}${String(message)}${fields ? `  ${fields}` : ''}`;
});

export interface LoggerOptions {
  level?: LogLevel;
  /** JSON lines (ECS → CloudWatch) or readable lines; default: JSON unless stderr is a TTY. */
  json?: boolean;
  stream?: NodeJS.WritableStream;
}

/**
 * Logs go to stderr so that stdout stays for what a command prints on purpose (a table, a CSV,
 * a refresh token); ECS sends both streams to CloudWatch.
 */
export function createLogger(options: LoggerOptions = {}): Logger {
  const stream = options.stream ?? process.stderr;
  const json = options.json ?? !(stream as NodeJS.WriteStream).isTTY;
  return winston.createLogger({
    level: options.level ?? 'info',
    format: winston.format.combine(
      winston.format.timestamp(),
      redactSecrets(),
      json ? winston.format.json() : readableLine,
    ),
    // Readable lines go to a person's terminal: clear a live progress line before each one.
    transports: [new winston.transports.Stream({ stream: json ? stream : clearingLiveLine(stream) })],
  });
}

function clearingLiveLine(target: NodeJS.WritableStream): NodeJS.WritableStream {
  return new Writable({
    write(chunk: Buffer | string, _encoding, callback) {
      clearLiveLine();
      target.write(chunk, () => callback());
    },
  });
}
