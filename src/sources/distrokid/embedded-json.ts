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

/** One `AmCharts.makeChart("div", {…})` call: the first argument (the chart's element id) and its config. */
export interface AmChart {
  chartId: string;
  config: Record<string, unknown>;
}

/**
 * Every `AmCharts.makeChart("div", {…})` call in the page whose config parses as JSON. The real
 * stats page names each chart by the first argument (`AmCharts.makeChart("trend365day", …)`);
 * inside the config the same id appears only in `graphs[0].id`.
 */
export function amCharts(html: string): AmChart[] {
  const charts: AmChart[] = [];
  const call = /AmCharts\.makeChart\(\s*(["'])([^"']*)\1\s*,\s*/g;
  for (let m = call.exec(html); m; m = call.exec(html)) {
    const literal = literalAt(html, m.index + m[0].length);
    if (!literal) continue;
    try {
      charts.push({ chartId: m[2], config: JSON.parse(literal) as Record<string, unknown> });
    } catch {
      // not JSON (a config with functions): not one of the data charts
    }
  }
  return charts;
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
