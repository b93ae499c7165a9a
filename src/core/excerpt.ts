/**
 * A bounded quote of untrusted text for a log line, an error message, a reason file or a manifest:
 * a 40 MB line is never copied whole anywhere. Cut text ends with `… (N more characters)`.
 */
export function excerpt(text: string, maxChars = 200): string {
  if (text.length <= maxChars) return text;
  return `${text.slice(0, maxChars)}… (${text.length - maxChars} more characters)`;
}
