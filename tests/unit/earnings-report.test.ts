import { decodeReport, parseEarningsReport } from '../../src/sources/distrokid/earnings-report';

const HEADER = [
  'Reporting Date', 'Sale Month', 'Store', 'Artist', 'Title', 'ISRC', 'UPC', 'Quantity', 'Team Percentage', 'Song/Album',
  'Country of Sale', 'Songwriter Royalties Withheld', 'Earnings (USD)',
].join('\t');

test('tab-separated text, not CSV: quotes are kept verbatim and a stray quote swallows nothing', () => {
  const text = [
    HEADER,
    '2025-03-29\t2025-01\tSpotify\t"Weird Al" Yankovic\tPolka\tQZ1\t1\t22\t100\tSong\tGB\t0\t-0.03133519',
    '2025-03-29\t2025-01\tSpotify\tNova\t"Untitled\tQZ2\t1\t189\t100\tSong\tSE\t0\t0.27327027',
    '2025-03-29\t2025-01\tSpotify\tNova\tAfter\tQZ3\t1\t3\t100\tSong\tSE\t0\t0.00000001',
  ].join('\r');
  const report = parseEarningsReport(text, 'r.tsv');
  expect(report.lines.map((l) => [l.line, l.values.artist, l.values.title])).toEqual([
    [2, '"Weird Al" Yankovic', 'Polka'],
    [3, 'Nova', '"Untitled'],
    [4, 'Nova', 'After'],
  ]);
  expect(report.total).toBe('0.24193509');
});

test('identical lines in one report are two sales with two keys; the same report again gives the same keys', () => {
  const line = '2025-03-29\t2025-01\tSpotify\tNova\tA\tQZ1\t1\t22\t100\tSong\tGB\t0\t-0.03133519';
  const text = [HEADER, line, line, '2025-03-29\t2025-01\tSpotify\tNova\tB\tQZ2\t1\t1\t100\tSong\tGB\t0\t0.5'].join('\r');
  const first = parseEarningsReport(text, 'DistroKid_1_report.tsv');
  const again = parseEarningsReport(`${text}\r`, 'DistroKid_2_report.tsv');
  expect(new Set(first.lines.map((l) => l.rowHash)).size).toBe(3);
  expect(again.lines.map((l) => l.rowHash)).toEqual(first.lines.map((l) => l.rowHash));
  expect(first.total).toBe('0.43732962');
});

test('bytes 0x80–0x9F of a non-UTF-8 report are Windows-1252 punctuation, not C1 controls', () => {
  const bytes = Buffer.concat([Buffer.from('Don'), Buffer.from([0x92]), Buffer.from('t '), Buffer.from([0x96, 0x20, 0x85, 0x20, 0x80, 0x20, 0xe9])]);
  expect(decodeReport(bytes)).toBe('Don’t – … € é');
  expect(decodeReport(Buffer.from('Don’t é', 'utf8'))).toBe('Don’t é');
});

test('a non-numeric earnings cell stops the run as a changed format, naming the line', () => {
  const text = [HEADER, '2025-03-29\t2025-01\tSpotify\tNova\tA\tQZ1\t1\t22\t100\tSong\tGB\t0\t$0.03'].join('\r');
  expect(() => parseEarningsReport(text, 'r.tsv')).toThrow(/r\.tsv line 2: Earnings \(USD\) is not a number \("\$0\.03"\); the report's format changed/);
});

/**
 * A report the size and shape of the real export (8,635 rows, 13 columns, CR-only line ends,
 * 8-decimal amounts, a sixth of them negative, 1,030 lines that occur twice), generated from a seed.
 * The expected total is summed here in integer units of 1e-8, independently of the parser.
 */
test('a full-size export: every row kept, exact total, one key per row', () => {
  const STORES = ['Spotify', 'YouTube (Ads)', 'YouTube (Red)', 'Apple Music', 'TikTok', 'Tidal', 'Facebook', 'Deezer', 'Amazon Unlimited (Streaming)', 'Pandora'];
  const COUNTRIES = ['US', 'GB', 'CA', 'SE', 'DE', 'BR', 'JP', 'MX', 'FR', 'AU'];
  let seed = 1587;
  const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31);
  const lines: string[] = [];
  let expectedUnits = 0n;
  for (let n = 0; lines.length < 8635; n++) {
    const units = BigInt(next() % 5_000_000) * (next() % 6 === 0 ? -1n : 1n);
    const amount = `${units < 0n ? '-' : ''}${(units < 0n ? -units : units).toString().padStart(9, '0').replace(/^(\d+)(\d{8})$/, '$1.$2')}`;
    const month = 1 + (next() % 12);
    const line = [
      `2025-${String(Math.min(12, month + 1)).padStart(2, '0')}-15`, `2025-${String(month).padStart(2, '0')}`, STORES[next() % STORES.length], 'ZONE A0',
      `TRACK ${n}`, `QZTAW24${String(next() % 100000).padStart(5, '0')}`, '198667254765', String(next() % 300), '100', 'Song',
      COUNTRIES[next() % COUNTRIES.length], '0', amount,
    ].join('\t');
    const copies = lines.length < 2060 && lines.length % 2 === 0 ? 2 : 1;
    for (let i = 0; i < copies; i++) {
      lines.push(line);
      expectedUnits += units;
    }
  }
  const expected = `${expectedUnits < 0n ? '-' : ''}${(expectedUnits < 0n ? -expectedUnits : expectedUnits).toString().replace(/^(\d+)(\d{8})$/, '$1.$2').replace(/\.?0+$/, '')}`;
  const report = parseEarningsReport(`${HEADER}\r${lines.join('\r')}\r`, 'dk_bank_details.tsv');
  expect(report.layout).toBe('13 columns');
  expect(report.lines).toHaveLength(8635);
  expect(report.lines.filter((l) => l.problem)).toEqual([]);
  expect(report.total).toBe(expected);
  expect(new Set(report.lines.map((l) => l.rowHash)).size).toBe(8635);
  expect(new Set(lines).size).toBe(8635 - 1030);
});

describe('the field-count check, line by line and over the whole report', () => {
  const good = (n: number) => `2025-03-29\t2025-01\tSpotify\tNova\tT${n}\tQZ${n}\t1\t1\t100\tSong\tGB\t0\t0.5`;

  test('a few lines of the wrong width are rejected with the reason; the rest load', () => {
    const lines = Array.from({ length: 19 }, (_, i) => good(i));
    lines.splice(5, 0, `${good(99)}\textra`);
    const report = parseEarningsReport([HEADER, ...lines].join('\n'), 'r.tsv');
    expect(report.lines.filter((l) => l.problem).map((l) => [l.line, l.problem])).toEqual([[7, 'expected 13 fields, found 14']]);
    expect(report.total).toBe('9.5');
  });

  test('every line of the wrong width is a changed format, never 0 earnings with exit 0', () => {
    const text = [HEADER, ...[1, 2, 3].map((n) => `${good(n)}\tUSD`)].join('\r');
    expect(() => parseEarningsReport(text, 'r.tsv')).toThrow(/r\.tsv: 3 of 3 data lines do not have the header's 13 fields \(3 with 14\); the report's format changed/);
  });

  test('nearly every line (90 % or more) of the wrong width is a changed format too', () => {
    const lines = [good(0), ...Array.from({ length: 9 }, (_, i) => good(i + 1).replace(/\t/g, ' | '))];
    expect(() => parseEarningsReport([HEADER, ...lines].join('\n'), 'r.tsv')).toThrow(/9 of 10 data lines do not have the header's 13 fields \(9 with 1\)/);
  });

  test('a header with no data lines is an empty report, not an error', () => {
    const report = parseEarningsReport(`${HEADER}\r`, 'r.tsv');
    expect(report.lines).toEqual([]);
    expect(report.total).toBe('0');
  });
});
