import { parseBoolean, parseDate, parseInteger, parseTimestamp } from '../../src/core/values';

describe('parseTimestamp', () => {
  test.each([
    ['2024-06-25 17:43:13', '2024-06-25T17:43:13Z'],
    ['2024-06-25T17:43:13', '2024-06-25T17:43:13Z'],
    ['2024-06-25T17:43:13Z', '2024-06-25T17:43:13Z'],
    ['2024-06-25T17:43:13+02:00', '2024-06-25T15:43:13Z'],
    ['2024-06-25T17:43:13+0200', '2024-06-25T15:43:13Z'],
    ['2024-06-25T17:43:13-05', '2024-06-25T22:43:13Z'],
    ['2024-06-25T23:30:00-02:00', '2024-06-26T01:30:00Z'],
    ['2024-06-25T10:15:30.250+02:00', '2024-06-25T08:15:30.250Z'],
    ['2024-06-25 17:43:13.123456', '2024-06-25T17:43:13.123Z'],
    ['2024-06-25 17:43', '2024-06-25T17:43:00Z'],
    ['2024-02-29 00:00:00', '2024-02-29T00:00:00Z'],
    ['2024-01-01T00:30:00+01:00', '2023-12-31T23:30:00Z'],
  ])('%s → %s', (input, expected) => {
    expect(parseTimestamp(input)).toBe(expected);
  });

  test.each(['', 'yesterday', '2024-06-31 00:00:00', '2023-02-29 00:00:00', '2024-13-01 00:00:00', '2024-06-25 24:00:00', '2024-06-25 23:60:00', '2024/06/25 10:00:00', '2024-06-25', '2024-06-25T10:00:00+25:00', '2024-06-2a 10:00:00', ' 2024-06-25 10:00:00'])(
    'rejects %j',
    (input) => {
      expect(parseTimestamp(input)).toBeUndefined();
    },
  );
});

describe('parseInteger', () => {
  test.each([
    ['42', 42],
    ['-7', -7],
    ['+3', 3],
    ['230666.0', 230666],
    [' 12 ', 12],
  ])('%j → %j', (input, expected) => expect(parseInteger(input)).toBe(expected));
  test.each(['twenty', '31.5', '1e3', '', '12abc', '9007199254740993'])('rejects %j', (input) => expect(parseInteger(input)).toBeUndefined());
});

describe('parseBoolean', () => {
  test.each([
    ['True', true],
    ['true', true],
    ['TRUE', true],
    ['False', false],
    ['false', false],
  ])('%j → %j', (input, expected) => expect(parseBoolean(input)).toBe(expected));
  test.each(['maybe', '1', 'yes', ''])('rejects %j', (input) => expect(parseBoolean(input)).toBeUndefined());
});

describe('parseDate', () => {
  test('accepts real days only', () => {
    expect(parseDate('1981-12-15')).toBe('1981-12-15');
    expect(parseDate('1981-02-29')).toBeUndefined();
    expect(parseDate('1981-12')).toBeUndefined();
  });
});
