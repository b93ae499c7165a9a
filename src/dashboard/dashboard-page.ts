/** One chart of the page: what Chart.js draws, and the numbers behind it. */
export interface ChartSpec {
  id: string;
  title: string;
  type: 'bar' | 'line';
  labels: string[];
  datasets: { label: string; data: (number | null)[] }[];
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
    `<section><h3>${html(c.title)}</h3>${c.labels.length === 0 ? '<p class="empty">no rows</p>' : ''}<div class="chart"><canvas id="${html(c.id)}"></canvas></div></section>`;
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
  new Chart(document.getElementById(spec.id), {
    type: spec.type,
    data: { labels: spec.labels, datasets: spec.datasets },
    options: { animation: false, maintainAspectRatio: false, scales: { y: { beginAtZero: true } }, plugins: { legend: { display: spec.datasets.length > 1 } } },
  });
}
</script>
</body>
</html>
`;
}
