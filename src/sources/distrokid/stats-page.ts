import { SourceChangedError } from '../../core/errors';
import { excerpt } from '../../core/excerpt';
import { amCharts, scriptVariable, type AmChart } from './embedded-json';

export interface DailyStreams {
  date: string;
  streams: number;
}

/** A stats page's daily chart: its points, or the chart's own "No data available" state. */
export type DailyChart = { kind: 'points'; points: DailyStreams[] } | { kind: 'no-data'; marker: string };

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const TREND = 'trend365day';

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The names a serial chart keeps its points under: `categoryField` and `graphs[0].valueField`. */
function fieldsOf(config: Json, fallback: { category: string; value: string }): { category: string; value: string } {
  const graph = Array.isArray(config.graphs) && isObject(config.graphs[0]) ? config.graphs[0] : {};
  return {
    category: typeof config.categoryField === 'string' ? config.categoryField : fallback.category,
    value: typeof graph.valueField === 'string' ? graph.valueField : fallback.value,
  };
}

function points(provider: unknown, fields: { category: string; value: string }, where: string): DailyStreams[] {
  if (!Array.isArray(provider)) throw new SourceChangedError(`${where}: no dataProvider array`);
  return provider.map((p, i) => {
    const at = `${where}.dataProvider[${i}]`;
    if (!isObject(p)) throw new SourceChangedError(`${at} is not an object`);
    const date = p[fields.category];
    const value = p[fields.value];
    if (typeof date !== 'string' || !DATE.test(date)) throw new SourceChangedError(`${at}.${fields.category} is not a YYYY-MM-DD date: ${excerpt(JSON.stringify(date), 60)}`);
    const streams = typeof value === 'number' ? value : typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : NaN;
    if (!Number.isSafeInteger(streams) || streams < 0) throw new SourceChangedError(`${at}.${fields.value} is not a stream count: ${excerpt(JSON.stringify(value), 60)}`);
    return { date, streams };
  });
}

/** The daily chart of a stats page: `AmCharts.makeChart("trend365day", …)`, its id also in graphs[0].id. */
function trendChart(html: string): AmChart | undefined {
  const charts = amCharts(html);
  const graphId = (c: AmChart) => (Array.isArray(c.config.graphs) && isObject(c.config.graphs[0]) ? c.config.graphs[0].id : undefined);
  return charts.find((c) => c.chartId === TREND) ?? charts.find((c) => graphId(c) === TREND || c.config.id === TREND);
}

/**
 * The chart's empty or error state, as the real page's own script tests it before drawing ("No data
 * available"): `isEmpty === 1`, an `error`, or a `data.error` in the chart's JSON. Such a chart is
 * "no data for this store or item today", not a redesign.
 */
/** An `error` field that says something (the page's script tests it for truth: absent, null, false and "" are no error). */
const isError = (value: unknown) => value !== undefined && value !== null && value !== false && value !== '';

function noDataMarker(chart: Json): string | undefined {
  if (chart.isEmpty === 1) return 'isEmpty: 1';
  if (isError(chart.error)) return `error: ${excerpt(JSON.stringify(chart.error), 80)}`;
  if (isObject(chart.data) && isError(chart.data.error)) return `data.error: ${excerpt(JSON.stringify(chart.data.error), 80)}`;
  return undefined;
}

/**
 * Daily streams embedded in a stats page, as the real pages carry them: Spotify's (`data=streams`)
 * in the amCharts chart "trend365day" (`dataProvider: [{category, "column-1"}]`); Apple Music's in
 * `var chartData = {…, last365days: {dataProvider: [{field, value}]}}`. A chart in its empty or
 * error state is `no-data`; a page with none of the known shapes is a SourceChangedError.
 */
export function dailyStreamsFromPage(html: string, page: string): DailyChart {
  const trend = trendChart(html);
  if (trend) {
    const marker = noDataMarker(trend.config);
    if (marker) return { kind: 'no-data', marker };
    return { kind: 'points', points: points(trend.config.dataProvider, fieldsOf(trend.config, { category: 'category', value: 'column-1' }), `${page} chart ${TREND}`) };
  }
  const chartData = scriptVariable(html, 'chartData');
  if (isObject(chartData)) {
    const whole = noDataMarker(chartData);
    if (whole) return { kind: 'no-data', marker: whole };
    const daily = chartData.last365days;
    if (!isObject(daily)) throw new SourceChangedError(`${page}: var chartData has no last365days chart (keys: ${Object.keys(chartData).join(', ')})`);
    const marker = noDataMarker(daily);
    if (marker) return { kind: 'no-data', marker };
    return { kind: 'points', points: points(daily.dataProvider, fieldsOf(daily, { category: 'field', value: 'value' }), `${page} chartData.last365days`) };
  }
  throw new SourceChangedError(`${page}: no daily chart found (neither AmCharts.makeChart("${TREND}", …) nor var chartData = {last365days: …})`);
}
