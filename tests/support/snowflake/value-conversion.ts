import { sqlError } from './sql-text';

/**
 * How a text field from a staged file becomes a column value, or the error COPY reports for it.
 * The words are the ones COPY_HISTORY shows for these cases (FIRST_ERROR_MESSAGE); Boolean data
 * type: "Strings: If the string is: 'true', 't', 'yes', 'y', 'on', '1' return TRUE. 'false', 'f',
 * 'no', 'n', 'off', '0' return FALSE. All other strings return an error." (case-insensitive).
 */
const TRUE_WORDS = ['true', 't', 'yes', 'y', 'on', '1'];
const FALSE_WORDS = ['false', 'f', 'no', 'n', 'off', '0'];

export function convertValue(value: string | null, type: string, notNull: boolean): string | null {
  if (value === null) {
    if (notNull) throw sqlError('100072', 'NULL result in a non-nullable column');
    return null;
  }
  if (/^NUMBER\(\d+,0\)$/.test(type)) {
    if (!/^[+-]?\d+$/.test(value.trim())) throw sqlError('100038', `Numeric value '${value}' is not recognized`);
    return value.trim();
  }
  if (/^NUMBER\(|^FLOAT$/.test(type)) {
    if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$|^(NaN|inf|-inf)$/i.test(value.trim())) throw sqlError('100038', `Numeric value '${value}' is not recognized`);
    return value.trim();
  }
  if (type === 'BOOLEAN') {
    const word = value.trim().toLowerCase();
    if (TRUE_WORDS.includes(word)) return 'true';
    if (FALSE_WORDS.includes(word)) return 'false';
    throw sqlError('100037', `Boolean value '${value}' is not recognized`);
  }
  if (type === 'DATE') {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(value) || Number.isNaN(Date.parse(`${value}T00:00:00Z`))) throw sqlError('100040', `Date '${value}' is not recognized`);
    return value;
  }
  if (/^TIMESTAMP/.test(type)) {
    const m = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}:\d{2}(\.\d{1,9})?)(Z|[+-]\d{2}:?\d{2})?$/.exec(value);
    if (!m || Number.isNaN(Date.parse(`${m[1]}T${m[2].slice(0, 12)}Z`))) throw sqlError('100035', `Timestamp '${value}' is not recognized`);
    // TIMESTAMP_NTZ keeps the wall-clock time; the lake writes UTC, so a Z offset changes nothing.
    return type === 'TIMESTAMP_NTZ' && (m[4] === 'Z' || m[4] === undefined) ? `${m[1]} ${m[2]}` : value;
  }
  return value;
}
