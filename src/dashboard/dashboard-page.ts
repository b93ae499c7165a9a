import type { JobHealth } from './run-health';

/** One chart of the page: what Chart.js draws, and the numbers behind it. */
export interface ChartSpec {
  id: string;
  title: string;
  type: 'bar' | 'line';
  labels: string[];
  /** `color`: a CSS colour of its own per series (a line per genre must be told apart from the others). */
  datasets: { label: string; data: (number | null)[]; color?: string }[];
  /** What fills the chart when it has no rows: the job and the commands to run. */
  emptyHint?: string;
  /** Its labels are dates (`YYYY-MM-DD`) or months (`YYYY-MM`): the page's date range narrows it. */
  dated?: boolean;
}

/**
 * `n` colours a person can tell apart: hues spread evenly around the wheel, every other one darker,
 * so 16 genres get 16 colours instead of a short palette cycling.
 */
export function seriesColors(n: number): string[] {
  return Array.from({ length: n }, (_, i) => `hsl(${Math.round((i * 360) / Math.max(1, n))}, 70%, ${i % 2 === 0 ? 45 : 30}%)`);
}

/** One dashboard of looker/dashboards/: a heading and its charts. */
export interface DashboardSection {
  title: string;
  charts: ChartSpec[];
}

/** Escapes text for HTML element content and attribute values. */
function html(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/**
 * A self-contained HTML page: Chart.js inlined (no network when the page is opened), the chart
 * data as JSON in a non-executed script element, and a small script that draws each chart.
 * `</` in the JSON is escaped so no value (a song title) can close the script element.
 */
function healthTable(health: readonly JobHealth[]): string {
  if (health.length === 0) return '<p class="empty">No committed run in the lake yet.</p>';
  const rows = health.map(
    (h) =>
      `<tr><td>${html(h.job)}</td><td>${html(h.committedAt.replace('T', ' ').slice(0, 19))} UTC</td><td>${html(h.lastRunId)}</td>` +
      `<td class="n">${h.rowsOut.toLocaleString('en-US')}</td><td class="n">${h.rowsRejected.toLocaleString('en-US')}</td><td class="n">${h.inputsInError}</td><td class="n">${h.runs}</td></tr>`,
  );
  return `<table id="run-health"><thead><tr><th>job</th><th>last committed run</th><th>run id</th><th>rows</th><th>rejects</th><th>inputs in error</th><th>runs</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

export function dashboardPage(title: string, subtitle: string, dashboards: DashboardSection[], chartJsSource: string, health: readonly JobHealth[] = []): string {
  const data = JSON.stringify(dashboards.flatMap((d) => d.charts)).replace(/<\//g, '<\\/');
  const chart = (c: ChartSpec) =>
    c.labels.length === 0
      ? // No empty axes: say what would fill the chart instead.
        `<section><h3>${html(c.title)}</h3><p class="empty">No rows yet. ${html(c.emptyHint ?? '')}</p></section>`
      : `<section><h3>${html(c.title)}</h3><div class="chart"><canvas id="${html(c.id)}"></canvas></div></section>`;
  const sections = dashboards.map((d) => `<h2>${html(d.title)}</h2>\n${d.charts.map(chart).join('\n')}`).join('\n');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${html(title)}</title>
<style>
body { font-family: system-ui, sans-serif; margin: 2rem; color: #222; }
section { margin-bottom: 2.5rem; max-width: 960px; }
.chart { position: relative; height: 320px; }
.empty { color: #888; }
table { border-collapse: collapse; margin-bottom: 2rem; }
td, th { padding: 0.2rem 0.8rem; border-bottom: 1px solid #ddd; text-align: left; }
td.n { text-align: right; font-variant-numeric: tabular-nums; }
</style>
</head>
<body>
<h1>${html(title)}</h1>
<p>${html(subtitle)}</p>
<h2>Run health</h2>
${healthTable(health)}
<p><label>From <input type="date" id="date-from"></label> <label>to <input type="date" id="date-to"></label> (narrows every dated chart; empty: all time)</p>
${sections}
<script>${chartJsSource.replace(/<\/script/gi, '<\\/script')}</script>
<script type="application/json" id="chart-data">${data}</script>
<script>
const drawn = [];
for (const spec of JSON.parse(document.getElementById('chart-data').textContent)) {
  if (spec.labels.length === 0) continue;
  const datasets = spec.datasets.map((d) => ({ label: d.label, data: d.data, borderColor: d.color, backgroundColor: d.color }));
  const chart = new Chart(document.getElementById(spec.id), {
    type: spec.type,
    data: { labels: spec.labels, datasets },
    options: { animation: false, maintainAspectRatio: false, scales: { y: { beginAtZero: true } }, plugins: { legend: { display: spec.datasets.length > 1 } } },
  });
  drawn.push({ spec, chart });
}
// The date range: a dated chart keeps the labels (days, or months compared by their month) inside it.
function applyRange() {
  const from = document.getElementById('date-from').value;
  const to = document.getElementById('date-to').value;
  for (const { spec, chart } of drawn) {
    if (!spec.dated) continue;
    const keep = spec.labels.map((label) => (!from || label >= from.slice(0, label.length)) && (!to || label <= to.slice(0, label.length)));
    chart.data.labels = spec.labels.filter((_, i) => keep[i]);
    spec.datasets.forEach((d, j) => (chart.data.datasets[j].data = d.data.filter((_, i) => keep[i])));
    chart.update();
  }
}
document.getElementById('date-from').addEventListener('change', applyRange);
document.getElementById('date-to').addEventListener('change', applyRange);
</script>
</body>
</html>
`;
}
