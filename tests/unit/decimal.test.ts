import { addDecimals, formatDecimal, parseDecimal } from '../../src/core/decimal';

test('decimal strings add up exactly, where floats would not', () => {
  const amounts = ['0.01931943', '-0.03133519', '0.1', '0.2', '1.2e-7', '12', '.5'];
  const total = addDecimals(amounts.map((a) => parseDecimal(a)!));
  expect(formatDecimal(total)).toBe('12.78798436');
  // Where floating point is off: 0.1 + 0.2.
  expect(formatDecimal(addDecimals([parseDecimal('0.1')!, parseDecimal('0.2')!]))).toBe('0.3');
  expect(0.1 + 0.2).not.toBe(0.3);
  expect(formatDecimal(parseDecimal('-0.00000001')!)).toBe('-0.00000001');
  expect(formatDecimal(parseDecimal('1e3')!)).toBe('1000');
  for (const bad of ['', '-', '1.2.3', 'abc', '1,5', '$3']) expect(parseDecimal(bad)).toBeUndefined();
});
