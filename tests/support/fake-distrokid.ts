import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import { LoopbackService } from './loopback-server';
import { fixturePath } from './temp-dir';

/**
 * A local DistroKid dashboard with the structure public scrapers of the real site rely on:
 * /signin/ (#inputEmail, #inputPassword), a new-device page /newComputer/?forward=… asking for an
 * emailed code, /mymusic/ for a trusted session, stats pages embedding amCharts configs (chart id
 * "trend365day", dataProvider of {category, "column-1"}) or `var chartData = {…}`, /bank/ with the
 * "See Excruciating Detail" link to /bank/details/, whose `div[onclick^="downloadBank"]` downloads
 * the earnings TSV. An expired session is redirected to /signin/; a challenge page is titled
 * "Just a moment...". Variants remove a marker ("redesigned") or change the TSV layout.
 */

export const EMAIL = 'artist@example.com';
export const PASSWORD = 'correct horse battery staple';
export const DEVICE_CODE = '123456';

export interface TsvOptions {
  layout: '13' | '15' | '15-songalbum';
  /** windows-1252: what older reports are in (’ is byte 0x92). */
  encoding: 'utf8' | 'windows-1252';
  eol: '\n' | '\r\n' | '\r';
  /** Adds a column neither layout knows ("Promo Code"). */
  extraColumn?: boolean;
  /** Drops a required column. */
  dropColumn?: string;
  /** Puts text where an amount belongs (line 3's earnings): the format changed. */
  nonNumericEarnings?: boolean;
  /** Every data line carries one more field than the header names (a column added without its header). */
  unnamedField?: boolean;
  /** The header line only: an account without sales. */
  headerOnly?: boolean;
}

/**
 * Report rows in the 13-column meaning, shaped like the real export (dk_bank_details TSV: 8-decimal
 * amounts, negative adjustments, identical lines that are two sales), with the cases the parser
 * must keep verbatim: a field starting with a quote, an unbalanced quote, a typographic apostrophe.
 */
export const REPORT_ROWS = [
  { reporting: '2024-10-05', inserted: '2024-10-07', month: '2024-08', store: 'YouTube (Ads)', artist: 'Nova', title: 'Midnight Échos', isrc: 'QZAAA2500001', upc: '198000000011', qty: '1', team: '100', type: 'Song', country: 'US', withheld: '0', earnings: '0.01931943', recoup: '0', promo: 'SUMMER' },
  { reporting: '2024-10-23', inserted: '2024-10-25', month: '2024-08', store: 'Apple Music', artist: 'Nova', title: 'Don’t Stop', isrc: 'QZAAA2500004', upc: '198000000011', qty: '4', team: '100', type: 'Song', country: 'CA', withheld: '0', earnings: '0.02698845', recoup: '0', promo: '' },
  { reporting: '2025-03-29', inserted: '2025-03-31', month: '2025-01', store: 'Spotify', artist: '"Weird Al" Yankovic', title: 'Polka Party', isrc: 'QZAAA2500002', upc: '198000000028', qty: '22', team: '100', type: 'Song', country: 'GB', withheld: '0', earnings: '-0.03133519', recoup: '0', promo: '' },
  // The line above again: two sales (an adjustment pair), not a duplicate.
  { reporting: '2025-03-29', inserted: '2025-03-31', month: '2025-01', store: 'Spotify', artist: '"Weird Al" Yankovic', title: 'Polka Party', isrc: 'QZAAA2500002', upc: '198000000028', qty: '22', team: '100', type: 'Song', country: 'GB', withheld: '0', earnings: '-0.03133519', recoup: '0', promo: '' },
  { reporting: '2025-03-29', inserted: '2025-03-31', month: '2025-01', store: 'Spotify', artist: 'Nova', title: '"Untitled', isrc: 'QZAAA2500003', upc: '198000000035', qty: '189', team: '100', type: 'Song', country: 'SE', withheld: '0', earnings: '0.27327027', recoup: '0', promo: '' },
  { reporting: '2024-06-30', inserted: '2024-07-02', month: '2024-05', store: 'iTunes', artist: 'Nova', title: 'First Light', isrc: '', upc: '198000000042', qty: '1', team: '100', type: 'Album', country: 'US', withheld: '0', earnings: '6.99', recoup: '0', promo: '' },
  { reporting: '2024-06-30', inserted: '2024-07-02', month: '2024-05', store: 'YouTube (Red)', artist: 'Nova', title: 'Midnight Échos', isrc: 'QZAAA2500001', upc: '198000000011', qty: '0', team: '50', type: 'Song', country: 'BR', withheld: '0.25', earnings: '0', recoup: '1.5', promo: '' },
  // A sale month after the reporting date: fails the sanity check.
  { reporting: '2024-05-31', inserted: '2024-06-02', month: '2024-06', store: 'Spotify', artist: 'Nova', title: 'Midnight Échos', isrc: 'QZAAA2500001', upc: '198000000011', qty: '5', team: '100', type: 'Song', country: 'SE', withheld: '0', earnings: '0.01', recoup: '0', promo: '' },
];

type Row = (typeof REPORT_ROWS)[number];
const LAYOUTS: Record<TsvOptions['layout'], [string, (r: Row) => string][]> = {
  '13': [
    ['Reporting Date', (r) => r.reporting],
    ['Sale Month', (r) => r.month],
    ['Store', (r) => r.store],
    ['Artist', (r) => r.artist],
    ['Title', (r) => r.title],
    ['ISRC', (r) => r.isrc],
    ['UPC', (r) => r.upc],
    ['Quantity', (r) => r.qty],
    ['Team Percentage', (r) => r.team],
    ['Song/Album', (r) => r.type],
    ['Country of Sale', (r) => r.country],
    ['Songwriter Royalties Withheld', (r) => r.withheld],
    ['Earnings (USD)', (r) => r.earnings],
  ],
  '15': [
    ['Reporting Date', (r) => r.reporting],
    ['Date Inserted', (r) => r.inserted],
    ['Sale Month', (r) => r.month],
    ['Store', (r) => r.store],
    ['Artist', (r) => r.artist],
    ['Title', (r) => r.title],
    ['ISRC', (r) => r.isrc],
    ['UPC', (r) => r.upc],
    ['Quantity', (r) => r.qty],
    ['Team Percentage', (r) => r.team],
    ['Source Type', (r) => r.type],
    ['Country of Sale', (r) => r.country],
    ['Songwriter Royalties Withheld (USD)', (r) => r.withheld],
    ['Earnings (USD)', (r) => r.earnings],
    ['Recoup (USD)', (r) => r.recoup],
  ],
  '15-songalbum': [],
};
LAYOUTS['15-songalbum'] = LAYOUTS['15'].map(([name, get]) => [name === 'Source Type' ? 'Song/Album' : name, get]);

/** Windows-1252 for the characters the rows use: Latin-1 plus ’ at 0x92. */
const windows1252 = (text: string) => Buffer.from(text.replace(/’/g, '\u0092'), 'latin1');

export function earningsTsv(options: TsvOptions): Buffer {
  let columns = LAYOUTS[options.layout];
  if (options.extraColumn) columns = [...columns, ['Promo Code', (r) => r.promo]];
  if (options.dropColumn) columns = columns.filter(([name]) => name !== options.dropColumn);
  const rows = REPORT_ROWS.map((r, i) => (options.nonNumericEarnings && i === 1 ? { ...r, earnings: 'n/a' } : r));
  const data = options.headerOnly ? [] : rows.map((r) => columns.map(([, get]) => get(r)).join('\t') + (options.unnamedField ? '\tUSD' : ''));
  const lines = [columns.map(([name]) => name).join('\t'), ...data];
  const text = lines.join(options.eol) + options.eol;
  return options.encoding === 'utf8' ? Buffer.from(text, 'utf8') : windows1252(text);
}

/** The stats pages, in the structure of saved copies of the real ones (tests/fixtures/distrokid/). */
const STATS_PAGES: Record<string, string> = {
  streams: fs.readFileSync(fixturePath('distrokid', 'stats-streams.html'), 'utf8'),
  applemusic: fs.readFileSync(fixturePath('distrokid', 'stats-applemusic.html'), 'utf8'),
};

/**
 * A track's or album's own stats page (`?type=track&id=…` / `?type=album&id=…`): the store's page
 * with every stream count multiplied by the item's share, rounded down. Ids are the pickers' options.
 */
export const ITEM_SHARES: Record<string, number> = { '70000001': 0.5, '70000002': 0.25, '80000042': 0.25 };

/** The states the real page's script draws as "No data available" (its test, in the chart's JSON). */
export type ChartState = 'isEmpty' | 'error' | 'data.error';

function scaleCounts(html: string, share: number): string {
  return html.replace(/("column-1": ?|"value":)(\d+)/g, (_m, key: string, n: string) => `${key}${Math.floor(Number(n) * share)}`);
}

/** The page's daily chart in one of its empty or error states (the amCharts config or chartData.last365days). */
function chartInState(html: string, state: ChartState): string {
  const marker = state === 'isEmpty' ? '"isEmpty": 1' : state === 'error' ? '"error": "Unable to load stats"' : '"data": {"error": "timeout"}';
  const trend = 'AmCharts.makeChart("trend365day",\n{';
  if (html.includes(trend)) return html.replace(trend, `${trend}${marker}, `);
  return html.replace('"last365days":{"isEmpty":0,', `"last365days":{${state === 'isEmpty' ? marker : `${marker},"isEmpty":0`},`);
}

export class FakeDistrokid extends LoopbackService {
  private readonly sessions = new Set<string>();
  private readonly pending = new Set<string>();
  /** 'stats' renames the store picker and the daily chart, 'bank' renames the details link. */
  redesigned?: 'stats' | 'bank';
  /** Challenge pages served before the real one, on every stats page request. */
  challenges = 0;
  /** Stats pages whose daily chart is in an empty or error state, by `data` (account) or `data:id` (item). */
  readonly chartStates = new Map<string, ChartState>();
  /** The real 2026 export: 13 columns, UTF-8, CR-only line ends. */
  tsv: TsvOptions = { layout: '13', encoding: 'utf8', eol: '\r' };
  readonly visits: string[] = [];

  /** A session as the login command would save it (Playwright storageState). */
  issueSession(): { state: unknown; cookie: string } {
    const cookie = randomBytes(24).toString('hex');
    this.sessions.add(cookie);
    const state = {
      cookies: [{ name: 'dk_session', value: cookie, domain: '127.0.0.1', path: '/', expires: -1, httpOnly: true, secure: false, sameSite: 'Lax' }],
      origins: [],
    };
    return { state, cookie };
  }

  expireSessions(): void {
    this.sessions.clear();
  }

  private cookies(req: http.IncomingMessage): Record<string, string> {
    return Object.fromEntries((req.headers.cookie ?? '').split(';').map((c) => c.trim().split('=')).filter((p) => p.length === 2)) as Record<string, string>;
  }

  protected handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', this.url);
      this.visits.push(`${req.method} ${url.pathname}${url.search}`);
      const html = (status: number, body: string, headers: Record<string, string | string[]> = {}) => {
        res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', ...headers });
        res.end(body);
      };
      const redirect = (to: string, cookies: string[] = []) => {
        res.writeHead(302, { location: to, ...(cookies.length ? { 'set-cookie': cookies } : {}) });
        res.end();
      };
      const form = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
      const cookies = this.cookies(req);

      if (url.pathname === '/signin/' && req.method === 'GET') return html(200, page('Sign in', SIGNIN_FORM));
      if (url.pathname === '/signin/' && req.method === 'POST') {
        if (form.get('email') !== EMAIL || form.get('password') !== PASSWORD) return html(200, page('Sign in', `<p class="error">Wrong email or password</p>${SIGNIN_FORM}`));
        const pending = randomBytes(8).toString('hex');
        this.pending.add(pending);
        return redirect('/newComputer/?forward=%2Fmymusic%2F', [`dk_pending=${pending}; Path=/; HttpOnly`]);
      }
      if (url.pathname === '/newComputer/' && req.method === 'GET') return html(200, page('New computer', NEW_COMPUTER_FORM));
      if (url.pathname === '/newComputer/' && req.method === 'POST') {
        if (!this.pending.has(cookies.dk_pending ?? '') || form.get('code') !== DEVICE_CODE) return html(200, page('New computer', `<p class="error">Wrong code</p>${NEW_COMPUTER_FORM}`));
        const session = randomBytes(24).toString('hex');
        this.sessions.add(session);
        return redirect('/mymusic/', [`dk_session=${session}; Path=/; HttpOnly`]);
      }

      if (!this.sessions.has(cookies.dk_session ?? '')) return redirect(`/signin/?forward=${encodeURIComponent(url.pathname + url.search)}`);
      // The real site refreshes its cookies as you go; so does this one.
      res.setHeader('set-cookie', `dk_last=${Date.now()}; Path=/`);

      if (url.pathname === '/mymusic/') return html(200, page('My Music', '<h1>My Music</h1>'));
      if (url.pathname === '/stats/') {
        if (this.challenges > 0) {
          this.challenges--;
          return html(503, '<!doctype html><html><head><title>Just a moment...</title></head><body>Checking your browser</body></html>');
        }
        const data = url.searchParams.get('data') ?? 'streams';
        let stats = STATS_PAGES[data];
        if (!stats) return html(404, page('Not found', 'no such store'));
        const type = url.searchParams.get('type') ?? 'all';
        const id = url.searchParams.get('id') ?? '';
        if (type !== 'all') {
          const share = ITEM_SHARES[id];
          if ((type !== 'track' && type !== 'album') || share === undefined) return html(404, page('Not found', 'no such item'));
          stats = scaleCounts(stats, share);
        }
        const state = this.chartStates.get(type === 'all' ? data : `${data}:${id}`);
        if (state) stats = chartInState(stats, state);
        // A redesign: another picker and the chart under another name.
        if (this.redesigned === 'stats') return html(200, stats.replace(/trendingDownloadsorStreams/g, 'storePickerV2').replace(/trend365day/g, 'dailyTrendV2'));
        return html(200, stats);
      }
      if (url.pathname === '/bank/') {
        const href = this.redesigned === 'bank' ? '/bank/statements/' : '/bank/details/';
        return html(200, page('Bank', `<h1>Bank</h1><p>Balance: $12.34</p><a href="${href}">See Excruciating Detail</a>`));
      }
      if (url.pathname === '/bank/details/') {
        return html(
          200,
          page('Bank details', `<h1>Excruciating detail</h1><div class="btn" onclick="downloadBank('tsv')">Download TSV</div><script>function downloadBank(format) { window.location.href = '/bank/download/?format=' + format; }</script>`),
        );
      }
      if (url.pathname === '/bank/download/') {
        res.writeHead(200, { 'content-type': 'text/tab-separated-values', 'content-disposition': 'attachment; filename="DistroKid_1700000000_report.tsv"' });
        return res.end(earningsTsv(this.tsv));
      }
      html(404, page('Not found', 'not found'));
    });
  }
}

const page = (title: string, body: string) => `<!doctype html><html><head><meta charset="utf-8"><title>${title} | DistroKid</title></head><body>${body}</body></html>`;

const SIGNIN_FORM =
  '<form method="post" action="/signin/"><input id="inputEmail" name="email" type="email"><input id="inputPassword" name="password" type="password">' +
  '<div class="g-recaptcha" data-size="invisible"></div><button id="signInButton" type="submit">Sign in</button></form>';
const NEW_COMPUTER_FORM =
  '<p>We emailed you a code.</p><form method="post" action="/newComputer/"><input id="code" name="code"><button id="verify" type="submit">Verify</button></form>';
