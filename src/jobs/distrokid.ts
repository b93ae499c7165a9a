import { closeAtExit } from '../connections/connection';
import { launchBrowser } from '../connections/browser';
import { SourceChangedError } from '../core/errors';
import { textFieldsOf, type TextRecordOf } from '../core/table';
import { distrokidErrorPrefix, distrokidLandingPrefix } from '../lake/keys';
import { inWindow, type RunContext } from '../run/run-context';
import { ALBUM_PICKER, bankDetailsPage, bankPage, Dashboard, itemStatsPage, statsPage, STORE_PICKER, TRACK_PICKER, type PageSpec, type PickerItem } from '../sources/distrokid/dashboard';
import { readDistrokidSettings, type DistrokidSettings } from '../sources/distrokid/distrokid-settings';
import { decodeReport, parseEarningsReport, type EarningsLine } from '../sources/distrokid/earnings-report';
import { readSession, registerSessionSecrets } from '../sources/distrokid/session-store';
import { dailyStreamsFromPage, type DailyStreams } from '../sources/distrokid/stats-page';
import { earnings, streamsDaily } from '../tables/distrokid';
import type { Job } from '../run/job';

export type DistrokidRecord =
  | { kind: 'streams'; page: string; date: string; store: string; artist: string | null; item: PickerItem | null; streams: number }
  | { kind: 'earnings'; file: string; line: EarningsLine };

/** The store picker's value for Spotify is `streams` (labelled "Spotify" on the real page). */
const storeOf = (data: string) => (data === 'streams' ? 'spotify' : data);
/** Picker values that are sales, not streams (labelled "iTunes + Amazon (Sales)"): not daily streams. */
const SALES_VIEWS = new Set(['downloads']);

/** A report line as text keyed by column name (the compiler checks every column of the table). */
function earningsText(record: Extract<DistrokidRecord, { kind: 'earnings' }>): TextRecordOf<typeof earnings> {
  const v = record.line.values;
  return {
    row_hash: record.line.rowHash,
    reporting_date: v.reporting_date,
    sale_month: v.sale_month,
    store: v.store,
    artist: v.artist,
    title: v.title,
    isrc: v.isrc,
    upc: v.upc,
    quantity: v.quantity,
    team_percentage: v.team_percentage,
    item_type: v.item_type,
    country: v.country,
    songwriter_royalties_withheld_usd: v.songwriter_royalties_withheld_usd,
    earnings_usd: v.earnings_usd,
    date_inserted: v.date_inserted,
    recoup_usd: v.recoup_usd,
    extra: Object.keys(record.line.extra).length > 0 ? JSON.stringify(record.line.extra) : undefined,
    report_file: record.file,
    report_line: String(record.line.line),
  };
}

/** The first `max` of a picker's items; the rest are counted and named in a warning. */
function bounded(items: PickerItem[], max: number, setting: string, ctx: RunContext): PickerItem[] {
  if (items.length > max) {
    const left = items.slice(max);
    ctx.io.add(`distrokid_${left[0].type}s_not_read`, left.length);
    ctx.log.warn(`reading the stats pages of ${max} of ${items.length} ${left[0].type}s ([distrokid] ${setting} = ${max}); not read this run: ${left.map((i) => i.id).join(', ')}`);
  }
  return items.slice(0, max);
}

/**
 * The daily points of one stats page, within --since/--until. A chart in its own "No data available"
 * state lands nothing for that page (warned, `ignored` in the manifest, counted); a chart of no known
 * shape is a changed page: exit 4 with screenshot, HTML and trace.
 */
async function readChart(dashboard: Dashboard, html: string, name: string, ctx: RunContext): Promise<DailyStreams[]> {
  let chart;
  try {
    chart = dailyStreamsFromPage(html, name);
  } catch (error) {
    if (error instanceof SourceChangedError) await dashboard.saveErrorArtifacts(name);
    throw error;
  }
  const input = `distrokid:${name}`;
  if (chart.kind === 'no-data') {
    const reason = `the daily chart is in its "No data available" state (${chart.marker}): nothing to land for this page today`;
    ctx.log.warn(`DistroKid ${name}: ${reason}; the other pages still land`);
    ctx.inputs.mark(input, 'ignored', { reason });
    ctx.io.add('distrokid_charts_without_data');
    return [];
  }
  // --since/--until: only the days asked for (the pages carry the last 365).
  const points = ctx.window ? chart.points.filter((p) => inWindow(p.date, ctx.window!)) : chart.points;
  ctx.inputs.read(input, points.length);
  return points;
}

async function* scrape(settings: DistrokidSettings, ctx: RunContext): AsyncGenerator<DistrokidRecord[]> {
  const session = await readSession(settings);
  const browser = await launchBrowser(settings.browser);
  const context = await browser.newContext({ storageState: session, acceptDownloads: true });
  closeAtExit(() => context.close().catch(() => undefined));
  context.setDefaultTimeout(settings.browser.timeoutMs);
  // Screenshots only: snapshots would record network traffic, cookies included, into the trace.
  await context.tracing.start({ screenshots: true, snapshots: false });
  const page = await context.newPage();
  const dashboard = new Dashboard(page, context, settings, ctx, distrokidLandingPrefix(ctx.logicalDate, ctx.runId), distrokidErrorPrefix(ctx.runId));
  try {
    // The first stats page doubles as the session check: an expired session is redirected to sign-in.
    const first = statsPage('streams');
    const firstHtml = await dashboard.open(first);
    // The real page names no artist (the stats are the account's); a page that does is used.
    const artist = await dashboard.optionalText('#artistName');
    const views = (await dashboard.optionValues(STORE_PICKER)).filter((value) => {
      if (!SALES_VIEWS.has(value)) return true;
      ctx.log.debug('skipping a sales view of the stats pages (not streams)', { view: value });
      return false;
    });
    // Per-track and per-album pages, bounded: each costs one page load per store.
    const items = [
      ...bounded(await dashboard.pickerItems(TRACK_PICKER, 'track'), settings.maxTracks, 'max_tracks', ctx),
      ...bounded(await dashboard.pickerItems(ALBUM_PICKER, 'album'), settings.maxAlbums, 'max_albums', ctx),
    ];
    for (const data of views) {
      const account = statsPage(data);
      const pages: { spec: PageSpec & { path: string }; item: PickerItem | null }[] = [{ spec: account, item: null }, ...items.map((item) => ({ spec: itemStatsPage(item, data), item }))];
      for (const { spec, item } of pages) {
        const html = spec === account && data === 'streams' ? firstHtml : await dashboard.open(spec);
        const points = await readChart(dashboard, html, spec.name, ctx);
        yield points.map((p) => ({ kind: 'streams' as const, page: spec.name, store: storeOf(data), artist, item, ...p }));
      }
    }

    await dashboard.open(bankPage);
    await dashboard.follow('a[href="/bank/details/"]', bankDetailsPage);
    const report = await dashboard.download('div[onclick^="downloadBank"]');
    let parsed;
    try {
      parsed = parseEarningsReport(decodeReport(report.bytes), report.name);
    } catch (error) {
      // The report as downloaded is kept in landing/; the page it came from goes to error/.
      if (error instanceof SourceChangedError) await dashboard.saveErrorArtifacts(bankDetailsPage.name);
      throw error;
    }
    ctx.log.info('earnings report', { file: report.name, layout: parsed.layout, rows: parsed.lines.length, total_usd: parsed.total });
    // A new account has no sales yet; an established one with none is worth a look.
    if (parsed.lines.length === 0) ctx.log.warn(`DistroKid earnings report ${report.name} has a header and no data lines: no earnings land this run`);
    ctx.inputs.read(`distrokid:${report.name}`, parsed.lines.length);
    yield parsed.lines.map((line) => ({ kind: 'earnings' as const, file: report.name, line }));

    // The session as the site left it (cookies refreshed); saved once the run is committed.
    const refreshed = await context.storageState();
    registerSessionSecrets(refreshed);
    const staged = await ctx.stagePrivate('distrokid-session.json', `${JSON.stringify(refreshed)}\n`);
    ctx.afterCommit({ kind: 'copy-private', from_store: staged.store, from_key: staged.key, to_store: settings.session.storeUrl, to_key: settings.session.key });
    await context.tracing.stop();
  } finally {
    await context.close().catch(() => undefined);
  }
}

/** Daily streams per store and the earnings report from the DistroKid dashboard, with Playwright. */
export const distrokidJob: Job<DistrokidSettings, DistrokidRecord> = {
  name: 'distrokid',
  description: 'DistroKid dashboard (Playwright, saved login) → streams_daily per store (account, and per track and album up to max_tracks/max_albums), earnings report rows',
  tables: [streamsDaily, earnings],
  dated: true,
  parseConfig: readDistrokidSettings,
  extract: scrape,
  transform(record, emit) {
    if (record.kind === 'streams') {
      const item = record.item;
      emit.record(
        streamsDaily,
        {
          date: record.date,
          store: record.store,
          artist: record.artist,
          track: item?.type === 'track' ? item.label : null,
          streams: record.streams,
          item_type: item?.type ?? null,
          item_id: item?.id ?? null,
          album: item?.type === 'album' ? item.label : null,
          isrc: item?.type === 'track' && item.value !== '' ? item.value : null,
          upc: item?.upc ?? (item?.type === 'album' && /^\d{12,14}$/.test(item.value) ? item.value : null),
        },
        { input: `distrokid:${record.page}` },
      );
      return;
    }
    const origin = { input: `distrokid:${record.file}`, line: record.line.line };
    const values = textFieldsOf(earnings, earningsText(record));
    if (record.line.problem) emit.reject(earnings, record.line.problem, values, origin);
    else emit.text(earnings, values, origin);
  },
};
