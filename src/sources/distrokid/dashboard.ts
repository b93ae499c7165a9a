import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { NeedsPersonError, SoundlakeError, SourceChangedError } from '../../core/errors';
import { sleep } from '../../core/retry';
import type { RunContext } from '../../run/run-context';
import type { DistrokidSettings } from './distrokid-settings';
import { loginCommand } from './session-store';

/** A dashboard page and what must be on it; a missing marker means DistroKid changed the page. */
export interface PageSpec {
  /** Short name for files and messages: `stats-streams`, `bank`, `bank-details`. */
  name: string;
  /** CSS selectors that must match at least one element. */
  markers: readonly string[];
  /** Text that must appear in the HTML (e.g. the chart id the data sits under). */
  textMarkers?: readonly string[];
}

/** The stats pages' store picker; its option `streams` is Spotify. */
export const STORE_PICKER = '#trendingDownloadsorStreams';

/**
 * A stats page and what the real one has: the store picker, and the daily chart — Apple Music's page
 * embeds `var chartData`, the others `AmCharts.makeChart("trend365day", …)`.
 */
export const statsPage = (data: string): PageSpec & { path: string } => ({
  name: `stats-${data}`,
  path: `/stats/?type=all&data=${encodeURIComponent(data)}`,
  markers: [STORE_PICKER],
  textMarkers: [dailyChartMarker(data)],
});
const dailyChartMarker = (data: string) => (data === 'applemusic' ? 'var chartData' : 'AmCharts.makeChart("trend365day"');

/** The track and album pickers of the stats pages: `<option id="{DistroKid id}" value="{ISRC}" upc="…">`. */
export const TRACK_PICKER = '.trendingFilterTracks';
export const ALBUM_PICKER = '.trendingFilterAlbums';

/** One track or album of a picker. */
export interface PickerItem {
  type: 'track' | 'album';
  /** DistroKid's id (the option's id attribute). */
  id: string;
  /** The option's value: the ISRC on the track picker. */
  value: string;
  upc: string | null;
  /** The label as shown ("Artist - Title - Single"), whitespace collapsed. */
  label: string;
}

/** The stats page of one track or album for one store, as the pickers link it. */
export function itemStatsPage(item: PickerItem, data: string): PageSpec & { path: string } {
  const query = new URLSearchParams({ type: item.type, id: item.id, ...(item.upc ? { upc: item.upc } : {}), data });
  return { name: `stats-${data}-${item.type}-${item.id}`, path: `/stats/?${query.toString()}`, markers: [STORE_PICKER], textMarkers: [dailyChartMarker(data)] };
}
export const bankPage: PageSpec & { path: string } = { name: 'bank', path: '/bank/', markers: ['a[href="/bank/details/"]'] };
export const bankDetailsPage: PageSpec = { name: 'bank-details', markers: ['div[onclick^="downloadBank"]'] };

/** Where a person must act: a sign-in, login or new-device page. */
const NEEDS_PERSON = /\/(signin|login|newcomputer)\b/i;
/** Cloudflare's interstitial. */
const CHALLENGE = /just a moment/i;

/**
 * Drives the dashboard with one page: navigation with challenge retries, session checks, page
 * markers, raw HTML kept in landing/, and screenshot + HTML + trace saved to error/ when a page
 * is not what it should be.
 */
export class Dashboard {
  constructor(
    private readonly page: Page,
    private readonly context: BrowserContext,
    private readonly settings: DistrokidSettings,
    private readonly ctx: RunContext,
    private readonly landingPrefix: string,
    private readonly errorPrefix: string,
  ) {}

  async open(spec: PageSpec & { path: string }): Promise<string> {
    return this.arrive(spec, () => this.page.goto(`${this.settings.baseUrl}${spec.path}`, { waitUntil: 'domcontentloaded' }));
  }

  /** Follows a link the way a person would, then checks the page it leads to. */
  async follow(selector: string, spec: PageSpec): Promise<string> {
    return this.arrive(spec, async () => {
      await Promise.all([this.page.waitForNavigation({ waitUntil: 'domcontentloaded' }), this.page.locator(selector).first().click()]);
      return null;
    });
  }

  /** Clicks what starts a download and waits for the download event (no fixed sleeps). */
  async download(selector: string): Promise<{ name: string; bytes: Buffer }> {
    const [download] = await Promise.all([this.page.waitForEvent('download'), this.page.locator(selector).first().click()]);
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'soundlake-dk-')), 'report');
    try {
      await download.saveAs(file);
      const bytes = fs.readFileSync(file);
      const name = download.suggestedFilename() || 'earnings.tsv';
      await this.keep(name, bytes);
      return { name, bytes };
    } finally {
      fs.rmSync(path.dirname(file), { recursive: true, force: true });
    }
  }

  /** The text of the first element matching, or null when the page has none. */
  async optionalText(selector: string): Promise<string | null> {
    const found = this.page.locator(selector);
    return (await found.count()) > 0 ? (await found.first().innerText()).trim() : null;
  }

  /** Option values of a select, in page order; empty when the page has none. */
  async optionValues(selector: string): Promise<string[]> {
    return this.page.locator(`${selector} option`).evaluateAll((options) => options.map((o) => (o as unknown as { value: string }).value));
  }

  /** The tracks or albums a picker lists (options with an id; the "Select track..." prompt has none). */
  async pickerItems(selector: string, type: PickerItem['type']): Promise<PickerItem[]> {
    const options = await this.page.locator(`${selector} option`).evaluateAll((nodes) =>
      nodes.map((o) => {
        const e = o as unknown as { id: string; value: string; textContent: string | null; getAttribute(name: string): string | null };
        return { id: e.id, value: e.value, upc: e.getAttribute('upc'), label: (e.textContent ?? '').replace(/\s+/g, ' ').trim() };
      }),
    );
    return options.filter((o) => /^[A-Za-z0-9_-]+$/.test(o.id)).map((o) => ({ type, id: o.id, value: o.value.trim(), upc: o.upc?.trim() || null, label: o.label }));
  }

  /** Screenshot, HTML and the Playwright trace of the failing moment, under error/distrokid/{run}/. */
  async saveErrorArtifacts(name: string): Promise<string> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'soundlake-dk-error-'));
    try {
      const put = async (file: string, write: (local: string) => Promise<unknown>) => {
        const local = path.join(dir, file);
        try {
          await write(local);
          if (!this.ctx.dryRun) await this.ctx.lake.putFile(`${this.errorPrefix}${file}`, local);
        } catch (error) {
          this.ctx.log.warn(`could not save ${file}: ${(error as Error).message}`);
        }
      };
      await put(`${name}.png`, (local) => this.page.screenshot({ path: local, fullPage: true }));
      await put(`${name}.html`, async (local) => fs.writeFileSync(local, await this.page.content()));
      await put('trace.zip', (local) => this.context.tracing.stop({ path: local }));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
    return this.ctx.lake.describe(this.errorPrefix);
  }

  private async arrive(spec: PageSpec, navigate: () => Promise<unknown>): Promise<string> {
    const attempts = this.settings.challengeAttempts;
    for (let attempt = 1; ; attempt++) {
      await navigate();
      this.ctx.io.add(`distrokid_pages ${spec.name}`);
      const url = new URL(this.page.url());
      if (NEEDS_PERSON.test(url.pathname)) {
        throw new NeedsPersonError(`DistroKid sent ${spec.name} to ${url.pathname}: the saved session expired or this device needs confirming; a person must run ${loginCommand()}`);
      }
      if (!CHALLENGE.test(await this.page.title())) break;
      this.ctx.io.add('distrokid_challenges');
      if (attempt >= attempts) {
        throw new SoundlakeError(`DistroKid answered ${spec.name} with a challenge page ("Just a moment…") ${attempts} times; try again later`, 1);
      }
      const wait = this.settings.challengeBackoffMs * 2 ** (attempt - 1);
      this.ctx.log.warn('DistroKid challenge page; waiting before trying again', { page: spec.name, attempt, wait_ms: wait });
      await sleep(wait, this.ctx.signal);
      const current = this.page.url();
      navigate = () => this.page.goto(current, { waitUntil: 'domcontentloaded' });
    }
    const html = await this.page.content();
    await this.keep(`${spec.name}.html`, Buffer.from(html, 'utf8'));
    for (const marker of spec.markers) {
      if ((await this.page.locator(marker).count()) === 0) await this.changed(spec, `element ${marker}`);
    }
    for (const marker of spec.textMarkers ?? []) {
      if (!html.includes(marker)) await this.changed(spec, `text ${JSON.stringify(marker)}`);
    }
    return html;
  }

  private async changed(spec: PageSpec, marker: string): Promise<never> {
    const where = await this.saveErrorArtifacts(spec.name);
    throw new SourceChangedError(`DistroKid page ${spec.name} (${this.page.url()}) lacks ${marker}: the page changed; screenshot, HTML and trace saved to ${where}`);
  }

  /** Raw pages and downloads, kept as fetched under landing/ (never loaded). */
  private async keep(file: string, bytes: Buffer): Promise<void> {
    if (this.ctx.dryRun) return;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'soundlake-dk-keep-'));
    const local = path.join(dir, file.replace(/[^A-Za-z0-9._-]/g, '_'));
    fs.writeFileSync(local, bytes);
    try {
      await this.ctx.lake.putFile(`${this.landingPrefix}${path.basename(local)}`, local);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }
}

