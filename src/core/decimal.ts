/**
 * Exact decimal arithmetic for money checks: a decimal string becomes an integer and a scale
 * (`-0.03133519` → -3133519n, 8), so sums of 8-decimal amounts come out exact, not as floats.
 */
export interface Decimal {
  units: bigint;
  scale: number;
}

const DECIMAL = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/;

/** `12`, `-0.5`, `.25`, `1.2e-7` → exact value; undefined for anything else. */
export function parseDecimal(text: string): Decimal | undefined {
  const m = DECIMAL.exec(text.trim());
  if (!m || (m[2] === '' && (m[3] ?? '') === '')) return undefined;
  const fraction = m[3] ?? '';
  let units = BigInt(`${m[2] || '0'}${fraction}`);
  let scale = fraction.length - Number(m[4] ?? 0);
  if (scale < 0) {
    units *= 10n ** BigInt(-scale);
    scale = 0;
  }
  return { units: m[1] === '-' ? -units : units, scale };
}

function rescale(value: Decimal, scale: number): bigint {
  return value.units * 10n ** BigInt(scale - value.scale);
}

export function addDecimals(values: readonly Decimal[]): Decimal {
  const scale = values.reduce((max, v) => Math.max(max, v.scale), 0);
  return { units: values.reduce((sum, v) => sum + rescale(v, scale), 0n), scale };
}

/** Plain decimal text, trailing zeros of the fraction dropped: `1587.06001527`. */
export function formatDecimal(value: Decimal): string {
  const negative = value.units < 0n;
  const digits = (negative ? -value.units : value.units).toString().padStart(value.scale + 1, '0');
  const whole = digits.slice(0, digits.length - value.scale);
  const fraction = digits.slice(digits.length - value.scale).replace(/0+$/, '');
  return `${negative ? '-' : ''}${whole}${fraction ? `.${fraction}` : ''}`;
}

export const sameDecimal = (a: Decimal, b: Decimal) => formatDecimal(a) === formatDecimal(b);
