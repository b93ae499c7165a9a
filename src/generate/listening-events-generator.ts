import * as fs from 'node:fs';
import * as fsp from 'node:fs/promises';
import * as path from 'node:path';
import { once } from 'node:events';
import { ARTIST_WORDS, COUNTRIES, FIRST_NAMES, GENRES, HOSTILE_NAMES, LAST_NAMES, TITLE_WORDS } from './name-parts';
import { SeededRandom } from './seeded-random';

export interface GenerateOptions {
  outDir: string;
  /** Distinct users. Default 1 000. */
  users: number;
  /** Distinct songs. Default 2 000. */
  songs: number;
  /** Stream events in all, spread over the days. Default 100 000. */
  events: number;
  /** Days of streams, one streams file per day. Default 7. */
  days: number;
  /** First day of streams, YYYY-MM-DD. Default 2024-06-24. */
  startDate: string;
  seed: number;
  /** Share of rows (0–1) given a realistic defect or hostile text. Default 0. */
  badRate: number;
}

export const GENERATE_DEFAULTS: Omit<GenerateOptions, 'outDir'> = {
  users: 1000,
  songs: 2000,
  events: 100_000,
  days: 7,
  startDate: '2024-06-24',
  seed: 42,
  badRate: 0,
};

export interface GeneratedFile {
  name: string;
  rows: number;
  bytes: number;
}

/** Export-style CSV quoting: only where needed (the landing files are what others send us). */
function field(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/** Buffered file writer that respects backpressure; one write per 64 KiB. */
class CsvFile {
  private readonly stream: fs.WriteStream;
  private buffer: string[] = [];
  private chars = 0;
  rows = 0;
  bytes = 0;

  constructor(file: string, header: string) {
    this.stream = fs.createWriteStream(file);
    this.buffer.push(header);
  }

  async row(fields: readonly string[]): Promise<void> {
    const line = fields.join(',');
    this.buffer.push(line);
    this.chars += line.length + 1;
    this.rows++;
    if (this.chars >= 65536) await this.flush();
  }

  private async flush(): Promise<void> {
    const text = `${this.buffer.join('\n')}\n`;
    this.buffer = [];
    this.chars = 0;
    this.bytes += Buffer.byteLength(text);
    if (!this.stream.write(text)) await once(this.stream, 'drain');
  }

  async close(): Promise<void> {
    if (this.buffer.length > 0) await this.flush();
    this.stream.end();
    await once(this.stream, 'close');
  }
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

function addDays(date: string, days: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

/** A listen time on `day`, as `2024-06-25 17:43:13` (UTC, no zone) or ISO-8601 with an offset. */
function listenTime(rng: SeededRandom, day: string): string {
  // Evenings are busier: two uniform draws, the later kept half of the time.
  const seconds = Math.max(rng.int(0, 86399), rng.chance(0.5) ? rng.int(0, 86399) : 0);
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  if (rng.chance(0.8)) return `${day} ${pad(h)}:${pad(m)}:${pad(s)}`;
  // Same instant written in a +02:00 zone, the way some exports do it.
  const local = new Date(Date.parse(`${day}T${pad(h)}:${pad(m)}:${pad(s)}Z`) + 2 * 3600_000).toISOString();
  return `${local.slice(0, 19)}+02:00`;
}

/**
 * Writes a deterministic listening-events landing set: users.csv, songs.csv and one
 * streams_YYYY-MM-DD.csv per day, with skew (popular songs, heavy listeners) and, at `badRate`,
 * realistic defects (bad timestamps, missing fields, unknown ids, duplicates) and hostile names.
 */
export async function generateListeningEvents(options: GenerateOptions): Promise<GeneratedFile[]> {
  const rng = new SeededRandom(options.seed);
  const bad = () => options.badRate > 0 && rng.chance(options.badRate);
  await fsp.mkdir(options.outDir, { recursive: true });
  const files: GeneratedFile[] = [];
  const finish = async (name: string, file: CsvFile) => {
    await file.close();
    files.push({ name, rows: file.rows, bytes: file.bytes });
  };

  const userIds = Array.from({ length: options.users }, (_, i) => `u${pad(i + 1, 6)}`);
  const usersFile = new CsvFile(path.join(options.outDir, 'users.csv'), 'user_id,user_name,user_age,user_country,created_at');
  for (const id of userIds) {
    let name = `${rng.pick(FIRST_NAMES)} ${rng.pick(LAST_NAMES)}`;
    let age = String(rng.int(13, 80));
    let created = `20${pad(rng.int(15, 23))}-${pad(rng.int(1, 12))}-${pad(rng.int(1, 28))} ${pad(rng.int(0, 23))}:${pad(rng.int(0, 59))}:${pad(rng.int(0, 59))}`;
    let userId = id;
    if (bad()) {
      const defect = rng.int(0, 4);
      if (defect === 0) age = rng.pick(['twenty', '31.5', '-4']);
      else if (defect === 1) created = rng.pick(['2023-02-30 10:00:00', 'yesterday', '2023/05/01']);
      else if (defect === 2) userId = '';
      else name = rng.pick(HOSTILE_NAMES);
    }
    await usersFile.row([field(userId), field(name), age, rng.pick(COUNTRIES), created]);
    if (options.badRate > 0 && rng.chance(options.badRate / 2)) {
      // The same user exported again later with a new name: the later row wins.
      await usersFile.row([field(id), field(`${name} (renamed)`), age, rng.pick(COUNTRIES), created]);
    }
  }
  await finish('users.csv', usersFile);

  const songIds = Array.from({ length: options.songs }, (_, i) => `t${pad(i + 1, 7)}`);
  const songsFile = new CsvFile(
    path.join(options.outDir, 'songs.csv'),
    'track_id,track_name,artists,album_name,track_genre,duration_ms,popularity,explicit',
  );
  for (const id of songIds) {
    let title = `${rng.pick(TITLE_WORDS)} ${rng.pick(TITLE_WORDS)}`;
    const artists = rng.chance(0.2) ? `${rng.pick(ARTIST_WORDS)};${rng.pick(ARTIST_WORDS)}` : rng.pick(ARTIST_WORDS);
    let duration = String(rng.int(90_000, 420_000));
    let fields: string[] | undefined;
    if (bad()) {
      const defect = rng.int(0, 3);
      if (defect === 0) duration = rng.pick(['-1000', 'three minutes', '']);
      else if (defect === 1) title = rng.pick(HOSTILE_NAMES);
      else if (defect === 2) fields = [id, field(title), field(artists)]; // a row cut short
    }
    const explicit = rng.chance(0.15) ? rng.pick(['True', 'true']) : rng.pick(['False', 'false']);
    const album = `${rng.pick(TITLE_WORDS)} (${rng.int(1995, 2024)})`;
    await songsFile.row(
      fields ?? [id, field(title), field(artists), field(album), rng.pick(GENRES), duration, String(rng.int(0, 100)), explicit],
    );
  }
  await finish('songs.csv', songsFile);

  const perDay = Math.floor(options.events / options.days);
  for (let d = 0; d < options.days; d++) {
    const day = addDays(options.startDate, d);
    const name = `streams_${day}.csv`;
    const streamsFile = new CsvFile(path.join(options.outDir, name), 'user_id,track_id,listen_time');
    const count = d === options.days - 1 ? options.events - perDay * (options.days - 1) : perDay;
    for (let i = 0; i < count; i++) {
      let user = userIds[rng.skewed(userIds.length, 1.8)];
      let track = songIds[rng.skewed(songIds.length)];
      let time = listenTime(rng, day);
      if (bad()) {
        const defect = rng.int(0, 4);
        if (defect === 0) time = rng.pick(['2024-06-31 12:00:00', 'not a time', '', '2024-06-25 25:00:00']);
        else if (defect === 1) user = `u_unknown_${rng.int(1, 999)}`;
        else if (defect === 2) track = '';
        else if (defect === 3) {
          await streamsFile.row([user, track]); // missing field
          continue;
        } else time = `${time},extra`; // an extra field
      }
      await streamsFile.row([user, track, time]);
    }
    await finish(name, streamsFile);
  }
  return files;
}
