import * as fs from 'node:fs';
import { SourceChangedError } from '../../src/core/errors';
import { dailyStreamsFromPage } from '../../src/sources/distrokid/stats-page';
import { fixturePath } from '../support/temp-dir';

/**
 * The daily chart of a stats page in the states the real page's own script draws as "No data
 * available": `isEmpty === 1`, an `error`, a `data.error` in the chart's JSON. Built on the saved
 * pages' structure (tests/fixtures/distrokid/).
 */
const streams = fs.readFileSync(fixturePath('distrokid', 'stats-streams.html'), 'utf8');
const apple = fs.readFileSync(fixturePath('distrokid', 'stats-applemusic.html'), 'utf8');
const TREND = 'AmCharts.makeChart("trend365day",\n{';
const inTrend = (json: string) => streams.replace(TREND, `${TREND}${json}, `);
const inLast365 = (json: string) => apple.replace('"last365days":{"isEmpty":0,', `"last365days":{${json},`);

test.each([
  ['the amCharts chart with isEmpty: 1', inTrend('"isEmpty": 1'), 'isEmpty: 1'],
  ['the amCharts chart with an error', inTrend('"error": "Unable to load stats"'), 'error: "Unable to load stats"'],
  ['the amCharts chart with data.error', inTrend('"data": {"error": "timeout"}'), 'data.error: "timeout"'],
  ['chartData.last365days with isEmpty: 1', inLast365('"isEmpty":1'), 'isEmpty: 1'],
  ['chartData.last365days with an error', inLast365('"error":{"code":500},"isEmpty":0'), 'error: {"code":500}'],
  ['chartData itself with an error and no charts', apple.replace(/var chartData = \{.*\};/, 'var chartData = {"error":"no stats yet"};'), 'error: "no stats yet"'],
])('%s is no data for that page', (_name, html, marker) => {
  expect(dailyStreamsFromPage(html, 'stats-x')).toEqual({ kind: 'no-data', marker });
});

test('the same pages in their ordinary state carry points', () => {
  expect(dailyStreamsFromPage(streams, 'stats-streams')).toMatchObject({ kind: 'points', points: expect.arrayContaining([{ date: '2025-05-20', streams: 131 }]) });
  expect(dailyStreamsFromPage(inTrend('"isEmpty": 0'), 'stats-streams').kind).toBe('points');
  expect(dailyStreamsFromPage(inTrend('"error": null'), 'stats-streams').kind).toBe('points');
});

test('a chart of no known shape is still a changed page', () => {
  expect(() => dailyStreamsFromPage(streams.replace(/trend365day/g, 'dailyTrendV2'), 'stats-streams')).toThrow(SourceChangedError);
  expect(() => dailyStreamsFromPage(inTrend('"isEmpty": "yes"').replace(/"dataProvider": \[[^\]]*\]/g, '"dataProvider": 5'), 'stats-streams')).toThrow(/no dataProvider array/);
});
