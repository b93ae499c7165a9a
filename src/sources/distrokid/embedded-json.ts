/**
 * Finds JSON embedded in a page's scripts: the object or array literal that starts at `start`,
 * found by bracket matching that respects strings. The stats pages carry their chart data this way
 * (amCharts configs and `var chartData = […]`), so rows come from the data, not from pixels.
 */
export function literalAt(text: string, start: number): string | undefined {
  const open = text[start];
  if (open !== '{' && open !== '[') return undefined;
  let depth = 0;
  let quote: string | undefined;
  for (let i = start; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) quote = undefined;
      continue;
    }
    if (c === '"' || c === "'") quote = c;
    else if (c === '{' || c === '[') depth++;
    else if (c === '}' || c === ']') {
      depth--;
      if (depth === 0) return text.slice(start, i + 1);
    }
  }
  return undefined;
}

/** Every `AmCharts.makeChart("div", {…})` config in the page that parses as JSON. */
export function amChartsConfigs(html: string): Record<string, unknown>[] {
  const configs: Record<string, unknown>[] = [];
  const call = /AmCharts\.makeChart\(\s*(["'])[^"']*\1\s*,\s*/g;
  for (let m = call.exec(html); m; m = call.exec(html)) {
    const literal = literalAt(html, m.index + m[0].length);
    if (!literal) continue;
    try {
      configs.push(JSON.parse(literal) as Record<string, unknown>);
    } catch {
      // not JSON (a config with functions): not one of the data charts
    }
  }
  return configs;
}

/** The value of `var NAME = [...]` / `let` / `const`, parsed, or undefined when absent or not JSON. */
export function scriptVariable(html: string, name: string): unknown {
  const m = new RegExp(`\\b(?:var|let|const)\\s+${name}\\s*=\\s*`).exec(html);
  if (!m) return undefined;
  const literal = literalAt(html, m.index + m[0].length);
  if (!literal) return undefined;
  try {
    return JSON.parse(literal) as unknown;
  } catch {
    return undefined;
  }
}
