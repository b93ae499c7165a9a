import { SourceChangedError } from '../../core/errors';
import { amChartsConfigs, scriptVariable } from './embedded-json';

export interface DailyStreams {
  date: string;
  track: string | null;
  streams: number;
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const STREAM_KEYS = ['column-1', 'streams', 'plays', 'value'];

/** One chart point: a YYYY-MM-DD field and a numeric streams field (names vary per chart). */
function point(value: unknown, where: string): DailyStreams {
  const o = value as Record<string, unknown> | null;
  if (!o || typeof o !== 'object') throw new SourceChangedError(`${where}: a chart point is not an object`);
  const date = [o.category, o.date].find((v): v is string => typeof v === 'string' && DATE.test(v));
  const streamsKey = STREAM_KEYS.find((k) => typeof o[k] === 'number' || (typeof o[k] === 'string' && /^\d+$/.test(o[k] as string)));
  if (!date || !streamsKey) throw new SourceChangedError(`${where}: a chart point lacks a YYYY-MM-DD date or a streams count (${JSON.stringify(o).slice(0, 120)})`);
  return { date, track: typeof o.track === 'string' ? o.track : null, streams: Number(o[streamsKey]) };
}

/**
 * Daily streams embedded in a stats page: the amCharts chart with id "trend365day"
 * (`dataProvider: [{category, "column-1"}]`), or `var chartData = [...]` (Apple Music's page).
 */
export function dailyStreamsFromPage(html: string, page: string): DailyStreams[] {
  const trend = amChartsConfigs(html).find((c) => c.id === 'trend365day');
  if (trend) {
    if (!Array.isArray(trend.dataProvider)) throw new SourceChangedError(`${page}: chart trend365day has no dataProvider array`);
    return trend.dataProvider.map((p, i) => point(p, `${page} trend365day.dataProvider[${i}]`));
  }
  const chartData = scriptVariable(html, 'chartData');
  if (Array.isArray(chartData)) return chartData.map((p, i) => point(p, `${page} chartData[${i}]`));
  throw new SourceChangedError(`${page}: no chart data found (neither an amCharts chart "trend365day" nor var chartData)`);
}
