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
export function dashboardPage(title: string, subtitle: string, dashboards: DashboardSection[], chartJsSource: string): string {
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
</style>
</head>
<body>
<h1>${html(title)}</h1>
<p>${html(subtitle)}</p>
${sections}
<script>${chartJsSource.replace(/<\/script/gi, '<\\/script')}</script>
<script type="application/json" id="chart-data">${data}</script>
<script>
for (const spec of JSON.parse(document.getElementById('chart-data').textContent)) {
  if (spec.labels.length === 0) continue;
  const datasets = spec.datasets.map((d) => ({ label: d.label, data: d.data, borderColor: d.color, backgroundColor: d.color }));
  new Chart(document.getElementById(spec.id), {
    type: spec.type,
    data: { labels: spec.labels, datasets },
    options: { animation: false, maintainAspectRatio: false, scales: { y: { beginAtZero: true } }, plugins: { legend: { display: spec.datasets.length > 1 } } },
  });
}
</script>
</body>
</html>
`;
}
