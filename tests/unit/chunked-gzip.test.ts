import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { ChunkCompressor, crc32, crc32InJs } from '../../src/lake/chunked-gzip';
import { PartFile } from '../../src/lake/part-file';
import { gzipMemberCount, readStagedFile } from '../support/snowflake/file-format';
import { tempDir } from '../support/temp-dir';

/** A part written through chunked compression: what it holds, and how many gzip members. */
async function writePart(lines: string[], options: { chunkBytes: number; inFlight: number; level?: number }) {
  const { dir } = tempDir('chunked-gzip-');
  const file = path.join(dir, 'part.csv.gz');
  const part = new PartFile(file, 'a,b', options.level ?? 6, new ChunkCompressor(options.level ?? 6, options.inFlight), ',"run",t', options.chunkBytes);
  for (const [i, line] of lines.entries()) {
    if (i % 3 === 2) part.appendBytes(Buffer.from(`${line},"run",t\n`, 'latin1'), 1);
    else part.append(line);
    if (part.needsDrain) await part.drain();
  }
  const stats = await part.close();
  return { bytes: fs.readFileSync(file), stats, file };
}

const lines = Array.from({ length: 20_000 }, (_, i) => `"u${i}","t${i % 97}",2024-06-${String((i % 28) + 1).padStart(2, '0')}T10:00:00Z`);
const text = `a,b\n${lines.map((l) => `${l},"run",t\n`).join('')}`;

test('a part of many chunks is one ordinary gzip member holding exactly its rows', async () => {
  const { bytes, stats, file } = await writePart(lines, { chunkBytes: 16 * 1024, inFlight: 3 });
  expect(zlib.gunzipSync(bytes).toString('latin1')).toBe(text);
  expect(gzipMemberCount(bytes)).toBe(1);
  // The trailer: CRC-32 and length of the whole text (RFC 1952), as gzip itself checks them.
  expect(bytes.readUInt32LE(bytes.length - 8)).toBe(crc32(Buffer.from(text, 'latin1')));
  expect(bytes.readUInt32LE(bytes.length - 4)).toBe(text.length);
  execFileSync('gzip', ['-t', file]);
  expect(stats).toMatchObject({ rows: lines.length, bytes: bytes.length, uncompressedBytes: text.length });
});

test('the bytes depend on the text and the chunk size only, not on how many chunks compress at once', async () => {
  const one = await writePart(lines, { chunkBytes: 16 * 1024, inFlight: 1 });
  const many = await writePart(lines, { chunkBytes: 16 * 1024, inFlight: 8 });
  expect(many.bytes.equals(one.bytes)).toBe(true);
  expect(many.stats.sha256).toBe(one.stats.sha256);
});

test('the JavaScript CRC-32 (for Node without zlib.crc32) agrees with zlib', () => {
  const data = Buffer.from(text.slice(0, 100_000), 'latin1');
  expect(crc32InJs(data)).toBe(zlib.crc32(data));
  expect(crc32InJs(data.subarray(5000), crc32InJs(data.subarray(0, 5000)))).toBe(zlib.crc32(data));
  expect(crc32(data.subarray(5000), crc32(data.subarray(0, 5000)))).toBe(zlib.crc32(data));
});

describe('the Snowflake emulator reads gzip as the documentation promises, and no further', () => {
  const format = { TYPE: 'CSV', COMPRESSION: 'AUTO', SKIP_HEADER: '1', FIELD_OPTIONALLY_ENCLOSED_BY: `'"'`, ESCAPE_UNENCLOSED_FIELD: 'NONE', NULL_IF: '()' };

  test('a chunked part loads every row', async () => {
    const { bytes } = await writePart(lines.slice(0, 3000), { chunkBytes: 8 * 1024, inFlight: 4 });
    expect(readStagedFile(bytes, format).records).toHaveLength(3000);
  });

  test('concatenated gzip members are refused, not read in part', () => {
    const joined = Buffer.concat([zlib.gzipSync('a,b\n"1","2"\n'), zlib.gzipSync('"3","4"\n')]);
    expect(gzipMemberCount(joined)).toBe(2);
    expect(() => readStagedFile(joined, format)).toThrow(/several gzip members/);
  });
});
