import { randomBytes } from 'node:crypto';
import * as http from 'node:http';
import { LoopbackService } from './loopback-server';

/**
 * A local DistroKid dashboard with the structure public scrapers of the real site rely on:
 * /signin/ (#inputEmail, #inputPassword), a new-device page /newComputer/?forward=… asking for an
 * emailed code, /mymusic/ for a trusted session, stats pages embedding amCharts configs (chart id
 * "trend365day", dataProvider of {category, "column-1"}) or `var chartData = […]`, /bank/ with the
 * "See Excruciating Detail" link to /bank/details/, whose `div[onclick^="downloadBank"]` downloads
 * the earnings TSV. An expired session is redirected to /signin/; a challenge page is titled
 * "Just a moment...". Variants remove a marker ("redesigned") or change the TSV layout.
 */

export const EMAIL = 'artist@example.com';
export const PASSWORD = 'correct horse battery staple';
export const DEVICE_CODE = '123456';
export const ARTIST_HTML = 'Nova &amp; The "Quotes"';

export interface TsvOptions {
  layout: '13' | '15' | '15-songalbum';
  encoding: 'utf8' | 'latin1';
  eol: '\n' | '\r\n' | '\r';
  /** Adds a column neither layout knows ("Promo Code"). */
  extraColumn?: boolean;
  /** Drops a required column. */
  dropColumn?: string;
}

/** Report rows in the 13-column meaning; the layouts rearrange them. */
export const REPORT_ROWS = [
  { reporting: '2024-06-30', inserted: '2024-07-02', month: '2024-05', store: 'Spotify', artist: 'Nova', title: 'Midnight Échos', isrc: 'USABC2400001', upc: '123456789012', qty: '1520', team: '100', type: 'Song', country: 'SE', withheld: '0', earnings: '4.5623', recoup: '0', promo: 'SUMMER' },
  { reporting: '2024-06-30', inserted: '2024-07-02', month: '2024-05', store: 'Apple Music', artist: 'Nova', title: 'Midnight Échos', isrc: 'USABC2400001', upc: '123456789012', qty: '310', team: '100', type: 'Song', country: 'US', withheld: '0', earnings: '2.17', recoup: '0', promo: '' },
  { reporting: '2024-06-30', inserted: '2024-07-02', month: '2024-05', store: 'iTunes', artist: 'Nova', title: 'First Light', isrc: '', upc: '123456789012', qty: '1', team: '100', type: 'Album', country: 'US', withheld: '0', earnings: '6.99', recoup: '0', promo: '' },
  { reporting: '2024-06-30', inserted: '2024-07-02', month: '2024-04', store: 'Spotify', artist: 'Nova', title: 'Midnight Échos', isrc: 'USABC2400001', upc: '123456789012', qty: '-3', team: '100', type: 'Song', country: 'DE', withheld: '0', earnings: '-0.0123', recoup: '0', promo: '' },
  { reporting: '2024-06-30', inserted: '2024-07-02', month: '2024-05', store: 'YouTube', artist: 'Nova', title: 'Midnight Échos', isrc: 'USABC2400001', upc: '123456789012', qty: '0', team: '50', type: 'Song', country: 'BR', withheld: '0.25', earnings: '0', recoup: '1.5', promo: '' },
  // The second row again: a duplicate report row.
  { reporting: '2024-06-30', inserted: '2024-07-02', month: '2024-05', store: 'Apple Music', artist: 'Nova', title: 'Midnight Échos', isrc: 'USABC2400001', upc: '123456789012', qty: '310', team: '100', type: 'Song', country: 'US', withheld: '0', earnings: '2.17', recoup: '0', promo: '' },
  // A sale month after the reporting date: fails the sanity check.
  { reporting: '2024-05-31', inserted: '2024-06-02', month: '2024-06', store: 'Spotify', artist: 'Nova', title: 'Midnight Échos', isrc: 'USABC2400001', upc: '123456789012', qty: '5', team: '100', type: 'Song', country: 'SE', withheld: '0', earnings: '0.01', recoup: '0', promo: '' },
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

export function earningsTsv(options: TsvOptions): Buffer {
  let columns = LAYOUTS[options.layout];
  if (options.extraColumn) columns = [...columns, ['Promo Code', (r) => r.promo]];
  if (options.dropColumn) columns = columns.filter(([name]) => name !== options.dropColumn);
  const lines = [columns.map(([name]) => name).join('\t'), ...REPORT_ROWS.map((r) => columns.map(([, get]) => get(r)).join('\t'))];
  return Buffer.from(lines.join(options.eol) + options.eol, options.encoding);
}

/** Chart data per store page, written by hand. */
const CHARTS = {
  streams: { kind: 'amcharts', points: [['2024-06-01', 120], ['2024-06-02', 95], ['2024-06-03', 0]] },
  spotify: { kind: 'amcharts', points: [['2024-06-01', 80], ['2024-06-02', 60]] },
  applemusic: { kind: 'chartData', points: [['2024-06-01', 12], ['2024-06-02', 7]] },
} as const;

export class FakeDistrokid extends LoopbackService {
  private readonly sessions = new Set<string>();
  private readonly pending = new Set<string>();
  /** 'stats' drops #artistName, 'bank' renames the details link. */
  redesigned?: 'stats' | 'bank';
  /** Challenge pages served before the real one, on every stats page request. */
  challenges = 0;
  tsv: TsvOptions = { layout: '13', encoding: 'utf8', eol: '\n' };
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
        const chart = CHARTS[data as keyof typeof CHARTS];
        if (!chart) return html(404, page('Not found', 'no such store'));
        return html(200, statsHtml(chart, this.redesigned === 'stats'));
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

function statsHtml(chart: (typeof CHARTS)[keyof typeof CHARTS], redesigned: boolean): string {
  const select =
    '<select id="storeSelect"><option value="streams">All stores</option><option value="applemusic">Apple Music</option><option value="spotify">Spotify</option></select>';
  const artist = redesigned ? `<div class="artist-v2">${ARTIST_HTML}</div>` : `<h1 id="artistName">${ARTIST_HTML}</h1>`;
  const data =
    chart.kind === 'amcharts'
      ? `AmCharts.makeChart("chartdiv2", {"type": "pie", "id": "storesPie", "dataProvider": [{"category": "x", "column-1": 1}]});\n` +
        `AmCharts.makeChart("chartdiv", {"type": "serial", "id": "trend365day", "categoryField": "category", "graphs": [{"valueField": "column-1", "title": "Streams"}], ` +
        `"dataProvider": ${JSON.stringify(chart.points.map(([category, n]) => ({ category, 'column-1': n })))}});`
      : `var chartData = ${JSON.stringify(chart.points.map(([date, plays]) => ({ date, plays })))};`;
  return page('Stats', `${artist}${select}<div id="chartdiv"></div><script>var AmCharts = { makeChart: function () {} };\n${data}</script>`);
}
