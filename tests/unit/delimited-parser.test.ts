import { DelimitedParser } from '../../src/core/delimited-parser';

type Parsed = { fields: string[]; line: number; problem?: string };

/** Parses `text` fed in pieces of `size` characters (every chunk boundary gets exercised). */
function parse(text: string, size: number, delimiter = ','): Parsed[] {
  const out: Parsed[] = [];
  const parser = new DelimitedParser(delimiter);
  const on = (fields: string[], line: number, problem: string | undefined) => out.push(problem ? { fields, line, problem } : { fields, line });
  for (let i = 0; i < text.length; i += size) parser.push(text.slice(i, i + size), on);
  parser.end(on);
  return out;
}

const HOSTILE =
  'a,b,c\r\n' +
  '1,"x,y","he said ""hi"""\r\n' +
  '2,"line1\r\nline2",\r\n' +
  '3,"",""\r\n' +
  '4,,\r\n' +
  '5,é🎵中,"\\N"\r\n' +
  '6,x,"y"';

const EXPECTED: Parsed[] = [
  { fields: ['a', 'b', 'c'], line: 1 },
  { fields: ['1', 'x,y', 'he said "hi"'], line: 2 },
  { fields: ['2', 'line1\r\nline2', ''], line: 3 },
  { fields: ['3', '', ''], line: 5 },
  { fields: ['4', '', ''], line: 6 },
  { fields: ['5', 'é🎵中', '\\N'], line: 7 },
  { fields: ['6', 'x', 'y'], line: 8 },
];

describe('DelimitedParser', () => {
  test.each([1, 2, 3, 5, 7, 11, 1000])('parses quoted fields, doubled quotes and CRLF inside fields with %i-char chunks', (size) => {
    expect(parse(HOSTILE, size)).toEqual(EXPECTED);
  });

  test.each([1, 4, 100])('accepts LF, CRLF and CR-only line ends (%i-char chunks)', (size) => {
    const expected = [
      { fields: ['a', 'b'], line: 1 },
      { fields: ['1', '2'], line: 2 },
      { fields: ['3', '4'], line: 3 },
    ];
    expect(parse('a,b\n1,2\n3,4\n', size)).toEqual(expected);
    expect(parse('a,b\r\n1,2\r\n3,4\r\n', size)).toEqual(expected);
    expect(parse('a,b\r1,2\r3,4', size)).toEqual(expected);
  });

  test('skips blank lines but counts them', () => {
    expect(parse('a\n\n\nb\n', 100)).toEqual([
      { fields: ['a'], line: 1 },
      { fields: ['b'], line: 4 },
    ]);
  });

  test('reports an unterminated quote instead of swallowing the rest silently', () => {
    expect(parse('a,"open\nmore', 3)).toEqual([{ fields: ['a', 'open\nmore'], line: 1, problem: 'unterminated quoted field' }]);
  });

  test('keeps text after a closing quote and flags it', () => {
    expect(parse('"ab"c,d\n', 2)).toEqual([{ fields: ['abc', 'd'], line: 1, problem: 'text after a closing quote' }]);
  });

  test('a trailing delimiter is an empty last field, also at the very end', () => {
    expect(parse('a,\nb,', 1)).toEqual([
      { fields: ['a', ''], line: 1 },
      { fields: ['b', ''], line: 2 },
    ]);
  });

  test('parses tab-separated text', () => {
    expect(parse('a\tb "c"\r1\t"2\t3"\r', 2, '\t')).toEqual([
      { fields: ['a', 'b "c"'], line: 1 },
      { fields: ['1', '2\t3'], line: 2 },
    ]);
  });
});

describe('DelimitedParser on hostile input', () => {
  test('a stray quote turns the rest into one field, cut at the cap, whatever the chunking', () => {
    const rest = Array.from({ length: 2000 }, (_, i) => `${i},x,y`).join('\n');
    const text = `a,b\n1,"oops,2\n${rest}\n`;
    for (const size of [1, 7, 4096]) {
      const out: Parsed[] = [];
      const parser = new DelimitedParser(',', 100);
      const on = (fields: string[], line: number, problem: string | undefined) => out.push({ fields, line, problem });
      for (let i = 0; i < text.length; i += size) parser.push(text.slice(i, i + size), on);
      parser.end(on);
      expect(out).toHaveLength(2);
      expect(out[1].line).toBe(2);
      expect(out[1].fields[1]).toHaveLength(100);
      expect(out[1].fields[1]).toBe(`oops,2\n${rest}`.slice(0, 100));
      expect(out[1].problem).toMatch(/longer than 100 characters/);
    }
  });

  test('a long unquoted field is cut and flagged, and the next record parses normally', () => {
    const parser = new DelimitedParser(',', 5);
    const out: Parsed[] = [];
    const on = (fields: string[], line: number, problem: string | undefined) => out.push(problem ? { fields, line, problem } : { fields, line });
    parser.push('abcdefghij,k\n', on);
    parser.push('1,2\n', on);
    parser.end(on);
    expect(out).toEqual([
      { fields: ['abcde', 'k'], line: 1, problem: 'a field is longer than 5 characters (a stray quote?); it was cut' },
      { fields: ['1', '2'], line: 2 },
    ]);
  });
});
