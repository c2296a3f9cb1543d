// The dashboard in headless Chromium (driven by playwright-core), through the PostgREST stand-in
// (postgrest_bridge.js) and from a file saved by psql. Called by dashboard_browser.sh, which
// prepares the data and passes everything in the environment:
//   BRIDGE (base URL), ARTIFACTS (screenshot folder), MEMBER_SUB, ADMIN_SUB, OTHER_PROJECT (a
//   project of another member), HOSTILE_PROJECT, HOSTILE_TITLE, HOSTILE_NOTES, HOSTILE_ERROR,
//   SAVED_FILE (overview saved by psql as the member), WEB_ROLE, CHROMIUM; PG* for
//   the expected values, read from the views as each identity.
'use strict';
const path = require('path');
const { chromium } = require('playwright-core');  // NODE_PATH: the npm cache of dashboard_browser.sh
const { Client } = require('pg');
const env = process.env;
let failures = 0;
let passes = 0;

function check(what, ok, detail) {
    if (ok) { passes++; console.log(`ok - ${what}`); } else { failures++; console.log(`not ok - ${what}${detail ? ': ' + detail : ''}`); }
}
function same(what, got, want) {
    const g = JSON.stringify(got), w = JSON.stringify(want);
    check(what, g === w, `got ${g.slice(0, 400)}, want ${w.slice(0, 400)}`);
}

// Expected values: the views, queried as the identity the page was rendered for.
const db = new Client();
async function asUser(sub, sql, params = []) {
    await db.query('BEGIN');
    try {
        await db.query(`SET LOCAL ROLE ${env.WEB_ROLE}`);
        await db.query("SELECT set_config('request.jwt.claims', $1, true)", [JSON.stringify({ sub, role: env.WEB_ROLE })]);
        return (await db.query(sql, params)).rows;
    } finally {
        await db.query('ROLLBACK');
    }
}
// The page's percentage format (rolloy_internal._dash_pct): two decimals, thousands separated.
const pct = (clicks, impressions) =>
    (Math.round((10000 * Number(clicks)) / Number(impressions)) / 100)
        .toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 }) + ' %';

// Opens a URL in a fresh page and collects what went wrong on the way.
async function open(context, url, name) {
    const page = await context.newPage();
    const problems = [];
    page.on('console', (m) => { if (m.type() === 'error') problems.push(`console: ${m.text()}`); });
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    page.on('requestfailed', (r) => problems.push(`request failed: ${r.url().slice(0, 120)}`));
    page.on('response', (r) => { if (r.status() >= 400) problems.push(`HTTP ${r.status()}: ${r.url().slice(0, 120)}`); });
    const response = await page.goto(url, { waitUntil: 'load' });
    await page.screenshot({ path: path.join(env.ARTIFACTS, `${name}.png`), fullPage: true });
    return { page, response, problems };
}

// What every page must satisfy, whoever looks at it.
async function common(name, { page, response, problems }, minImages) {
    if (response) {
        check(`${name}: HTTP 200 text/html`, response.status() === 200 && /^text\/html/.test(response.headers()['content-type']),
              `${response.status()} ${response.headers()['content-type']}`);
    }
    same(`${name}: no console errors, failed requests or HTTP errors`, problems, []);
    const images = await page.$$eval('img', (imgs) => imgs.map((i) => ({ src: i.src.slice(0, 60), ok: i.complete && i.naturalWidth > 0 })));
    check(`${name}: every image loads (${images.length})`, images.length >= minImages && images.every((i) => i.ok),
          JSON.stringify(images.filter((i) => !i.ok).slice(0, 3)));
    const charts = await page.$$eval('svg', (svgs) => svgs.map((s) => {
        const ids = (s.getAttribute('aria-labelledby') || '').split(' ').filter(Boolean);
        const texts = ids.map((id) => (document.getElementById(id) || {}).textContent || '');
        return { id: s.id, role: s.getAttribute('role'), alt: texts.length === 2 && texts.every((t) => t.trim().length > 0) };
    }));
    check(`${name}: each chart (${charts.length}) has a text alternative`, charts.every((c) => c.role === 'img' && c.alt),
          JSON.stringify(charts.filter((c) => !(c.role === 'img' && c.alt))));
    const tables = await page.$$eval('table', (ts) => ts.map((t) => t.querySelectorAll('th').length));
    check(`${name}: each table (${tables.length}) has headers`, tables.every((n) => n > 0));
    check(`${name}: only the page's own script`, (await page.$$eval('script', (s) => s.length)) === 1);
    return page;
}

async function overview(context, who, sub, url, name) {
    const opened = await open(context, url, name);
    const page = await common(name, opened, 1);
    // Leaderboard: the view's rows in the view's order.
    const shown = await page.$$eval('#leaderboard tbody tr', (rows) => rows.map((r) => r.getAttribute('data-project-id')));
    const want = (await asUser(sub, 'SELECT project_id FROM rolloy.insight_leaderboard ORDER BY rank, creative_name')).map((r) => r.project_id);
    same(`${name}: leaderboard rows equal insight_leaderboard in order (${want.length})`, shown, want);
    // Heatmap: every cell against the view (impressions and clicks summed over currencies).
    const [dx, dy] = await page.$eval('#heatmap-table', (t) => {
        const q = new URL(location.href).searchParams;
        return [q.get('heatmap_x') || 'scene', q.get('heatmap_y') || 'driver'];
    });
    const cells = await page.$$eval('#heatmap-table td[data-x]', (tds) => tds.map((td) => ({
        x: td.dataset.x, y: td.dataset.y, impressions: td.dataset.impressions, clicks: td.dataset.clicks,
        text: td.textContent.replace(' †', '') })));
    const view = await asUser(sub, `SELECT value_x AS x, value_y AS y, sum(impressions)::text AS impressions, sum(clicks)::text AS clicks
                                      FROM rolloy.insight_heatmap WHERE dimension_x = $1 AND dimension_y = $2
                                     GROUP BY 1, 2 ORDER BY 2, 1`, [dx, dy]);
    const key = (c) => `${c.y}\u0000${c.x}`;
    same(`${name}: heatmap ${dx} x ${dy} cells equal insight_heatmap (${view.length})`,
         cells.map((c) => ({ x: c.x, y: c.y, impressions: c.impressions, clicks: c.clicks, text: c.text }))
              .sort((a, b) => (key(a) < key(b) ? -1 : 1)),
         view.map((v) => ({ ...v, text: pct(v.clicks, v.impressions) })).sort((a, b) => (key(a) < key(b) ? -1 : 1)));
    return page;
}

(async () => {
    await db.connect();
    const browser = await chromium.launch({ executablePath: env.CHROMIUM, args: ['--no-sandbox'] });
    const ctx = async (sub) => browser.newContext({ extraHTTPHeaders: { Authorization: `Bearer ${sub}` },
                                                    viewport: { width: 1280, height: 900 } });
    const member = await ctx(env.MEMBER_SUB);
    const admin = await ctx(env.ADMIN_SUB);

    for (const [who, context, sub] of [['member', member, env.MEMBER_SUB], ['admin', admin, env.ADMIN_SUB]]) {
        const page = await overview(context, who, sub, `${env.BRIDGE}/rpc/dashboard`, `${who}-overview`);
        // The heatmap picker is a link: columns by format.
        await Promise.all([page.waitForNavigation(), page.click('#heatmap .picker a[href*="heatmap_x=format"]')]);
        await overview(context, who, sub, page.url(), `${who}-overview-format`);
        // The leaderboard's first creative links to its project page.
        const href = await page.$eval('#leaderboard tbody tr a', (a) => a.href);
        const project = await common(`${who} project`, await open(context, href, `${who}-project`), 1);
        const zip = await project.$eval('#zip', (a) => a.href);
        const got = await context.request.get(zip);
        check(`${who}: the ZIP link downloads a ZIP`, got.status() === 200 && got.headers()['content-type'] === 'application/zip'
              && (await got.body()).subarray(0, 2).toString() === 'PK', `${got.status()} ${got.headers()['content-type']}`);
        await common(`${who} generation`, await open(context, `${env.BRIDGE}/rpc/dashboard?page=generation`, `${who}-generation`), 0);
    }

    // Member and admin scopes differ: another member's project is on the admin's pages only.
    const other = await asUser(env.ADMIN_SUB, 'SELECT generated_name FROM rolloy.creative_projects WHERE id = $1', [env.OTHER_PROJECT]);
    const adminPage = await (await admin.request.get(`${env.BRIDGE}/rpc/dashboard`, { headers: { Accept: 'text/html' } })).text();
    const memberPage = await (await member.request.get(`${env.BRIDGE}/rpc/dashboard`, { headers: { Accept: 'text/html' } })).text();
    check('another member\'s creative is on the admin\'s overview only',
          adminPage.includes(other[0].generated_name) && !memberPage.includes(other[0].generated_name));
    const refused = await member.request.get(`${env.BRIDGE}/rpc/dashboard?page=project&project_id=${env.OTHER_PROJECT}`);
    const missing = await member.request.get(`${env.BRIDGE}/rpc/dashboard?page=project&project_id=00000000-0000-0000-0000-00000000dead`);
    const msg = async (r) => (await r.json()).message.replace(/[0-9a-f-]{36}/, '<id>');
    check('another member\'s project answers like a missing one', refused.status() === missing.status() && refused.status() >= 400
          && (await msg(refused)) === (await msg(missing)), `${refused.status()} vs ${missing.status()}`);

    // Hostile text: shown as text, never run.
    const hostile = await common('hostile project', await open(member, `${env.BRIDGE}/rpc/dashboard?page=project&project_id=${env.HOSTILE_PROJECT}`,
                                                                  'member-hostile-project'), 1);
    same('hostile title shows as text', await hostile.$eval('#project-title', (e) => e.textContent), env.HOSTILE_TITLE);
    same('hostile notes show as text', await hostile.$eval('#project-notes', (e) => e.textContent), env.HOSTILE_NOTES);
    check('hostile failure message shows as text', (await hostile.textContent('#variants')).includes(env.HOSTILE_ERROR));
    same('no hostile markup ran or became an element',
         await hostile.evaluate(() => [window.__pwned === undefined, document.querySelectorAll('img[src="x"], b[onmouseover]').length]),
         [true, 0]);

    // Content negotiation as PostgREST does it (the bridge applies its rules; see its header).
    const thumbId = await asUser(env.MEMBER_SUB, "SELECT id FROM rolloy.generated_images WHERE status = 'completed' ORDER BY ad_name LIMIT 1");
    const imgAccept = 'image/avif,image/webp,image/apng,image/svg+xml,image/*,*/*;q=0.8';
    const typed = await member.request.get(`${env.BRIDGE}/rpc/thumbnail?image_id=${thumbId[0].id}`, { headers: { Accept: 'image/jpeg' } });
    const typedForImg = await member.request.get(`${env.BRIDGE}/rpc/thumbnail?image_id=${thumbId[0].id}`, { headers: { Accept: imgAccept } });
    const handler = await member.request.get(`${env.BRIDGE}/rpc/image_file?image_id=${thumbId[0].id}&thumbnail=true`, { headers: { Accept: imgAccept } });
    const plain = await member.request.get(`${env.BRIDGE}/rpc/dashboard`, { headers: { Accept: '*/*' } });
    same('thumbnail() with Accept: image/jpeg, with an <img> Accept, image_file() with an <img> Accept, dashboard() without text/html',
         [typed.headers()['content-type'], typedForImg.headers()['content-type'], handler.headers()['content-type'],
          plain.headers()['content-type']],
         ['image/jpeg', 'application/json; charset=utf-8', 'image/jpeg', 'application/json; charset=utf-8']);

    // The overview saved by psql with inlined thumbnails, opened from disk.
    const file = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const saved = await common('saved file', await open(file, `file://${env.SAVED_FILE}`, 'member-saved-file'), 1);
    check('saved file: every thumbnail is inlined', await saved.$$eval('img', (imgs) => imgs.every((i) => i.src.startsWith('data:image/jpeg;base64,'))));
    const shown = await saved.$$eval('#leaderboard tbody tr', (rows) => rows.map((r) => r.getAttribute('data-project-id')));
    const want = (await asUser(env.MEMBER_SUB, 'SELECT project_id FROM rolloy.insight_leaderboard ORDER BY rank, creative_name')).map((r) => r.project_id);
    same('saved file: leaderboard rows equal insight_leaderboard in order', shown, want);

    await browser.close();
    await db.end();
    console.log(`${passes} passed, ${failures} failed; screenshots in ${env.ARTIFACTS}`);
    process.exit(failures ? 1 : 0);
})().catch((e) => { console.error(e); process.exit(1); });
