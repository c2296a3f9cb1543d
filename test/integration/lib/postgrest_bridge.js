// A test-only stand-in for PostgREST 12, for GET /rpc/<function> of schema rolloy only: PostgREST is
// packaged neither by Debian 12 nor on npm, and the dashboard test needs a real browser to reach
// the pages over HTTP. It does what PostgREST does for these requests (docs/postgrest.md; the
// rules are PostgREST's Plan.hs negotiateContent and its transaction set-up):
//   * Authorization: Bearer <user uuid> becomes request.jwt.claims {"sub": …, "role": ROLE} in a
//     READ ONLY transaction under SET LOCAL ROLE ROLE (PostgREST verifies a signed JWT; this
//     bridge trusts the header: it listens on 127.0.0.1 for one test only);
//   * query-string keys become named arguments (untyped literals, cast by Postgres);
//   * the Accept header, in q order, picks the handler: the function's "*/*" domain answers
//     anything, its media-type domain answers that exact type, application/json and */* get
//     JSON, anything else 406 (image/* or text/* never match a domain);
//   * response.headers and response.status set by the function are applied;
//   * errors: SQLSTATE PTxyz -> HTTP xyz, 42501 -> 403, 22xxx/42xxx -> 400, else 500; JSON body.
// Usage: node postgrest_bridge.js PORT ROLE (PGHOST, PGPORT, PGUSER, PGDATABASE from the environment)
'use strict';
const http = require('http');
const { Client } = require('pg');

const [port, webRole] = process.argv.slice(2);
const db = new Client();
let queue = Promise.resolve();  // one request at a time on one connection, like a pool of one

function accepted(header) {
    // Media types in preference order (q, then position), as WAI's parseHttpAccept orders them.
    return (header || '*/*').split(',').map((part, i) => {
        const [type, ...params] = part.trim().split(';').map((s) => s.trim());
        const q = params.map((p) => p.split('=')).find(([k]) => k === 'q');
        return { type: type.toLowerCase(), q: q ? parseFloat(q[1]) : 1, i };
    }).filter((m) => m.type && m.q > 0).sort((a, b) => b.q - a.q || a.i - b.i).map((m) => m.type);
}

function handlerFor(resultType, accept) {
    for (const type of accepted(accept)) {
        if (resultType === '*/*') return '*/*';
        if (type === resultType) return type;
        if (type === '*/*' || type === 'application/json') return 'json';
    }
    return null;
}

function statusOf(code) {
    if (/^PT\d{3}$/.test(code)) return parseInt(code.slice(2), 10);
    if (code === '42501') return 403;
    if (/^(22|42)/.test(code)) return 400;
    return 500;
}

async function serve(req, res) {
    const url = new URL(req.url, 'http://bridge');
    const match = /^\/rpc\/([a-z_][a-z0-9_]*)$/.exec(url.pathname);
    if (req.method !== 'GET' || !match) {
        res.writeHead(404, { 'Content-Type': 'application/json' });
        return res.end(JSON.stringify({ message: 'only GET /rpc/<function> is bridged' }));
    }
    const fn = match[1];
    const args = [...url.searchParams.entries()];
    const sub = ((req.headers.authorization || '').match(/^Bearer (\S+)$/) || [])[1];
    const claims = JSON.stringify(sub ? { sub, role: webRole } : { role: webRole });
    const headers = JSON.stringify(Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k.toLowerCase(), String(v)])));
    try {
        await db.query('BEGIN READ ONLY');
        const rt = await db.query(
            `SELECT t.typname::text AS type FROM pg_proc p JOIN pg_type t ON t.oid = p.prorettype
              WHERE p.pronamespace = 'rolloy'::regnamespace AND p.proname = $1 LIMIT 1`, [fn]);
        if (rt.rowCount === 0) {
            await db.query('ROLLBACK');
            res.writeHead(404, { 'Content-Type': 'application/json' });
            return res.end(JSON.stringify({ code: 'PGRST202', message: `function rolloy.${fn} not found` }));
        }
        const handler = handlerFor(rt.rows[0].type, req.headers.accept);
        if (!handler) {
            await db.query('ROLLBACK');
            res.writeHead(406, { 'Content-Type': 'application/json' });
            return res.end(JSON.stringify({ code: 'PGRST107', message: 'None of these media types are available' }));
        }
        await db.query(`SET LOCAL ROLE ${webRole}`);
        await db.query("SELECT set_config('request.jwt.claims', $1, true), set_config('request.headers', $2, true), "
                       + "set_config('search_path', 'rolloy, public', true)", [claims, headers]);
        const named = args.map(([k], i) => `${k.replace(/[^a-z0-9_]/g, '')} => $${i + 1}`).join(', ');
        const call = await db.query({ text: `SELECT rolloy.${fn}(${named}) AS body`, values: args.map(([, v]) => v),
                                      types: { getTypeParser: () => (v, format) => v } });
        const extra = await db.query("SELECT current_setting('response.headers', true) AS h, "
                                     + "current_setting('response.status', true) AS s");
        await db.query('COMMIT');
        let body = call.rows[0].body;
        const out = {};
        if (handler === 'json') {
            out['Content-Type'] = 'application/json; charset=utf-8';
            body = JSON.stringify(body);
        } else {
            out['Content-Type'] = handler === '*/*' ? 'application/octet-stream' : handler;
            // bytea arrives as \x<hex> text; text domains as themselves
            if (typeof body === 'string' && body.startsWith('\\x') && handler !== 'text/html') body = Buffer.from(body.slice(2), 'hex');
        }
        for (const h of JSON.parse(extra.rows[0].h || '[]')) Object.assign(out, h);
        res.writeHead(extra.rows[0].s ? parseInt(extra.rows[0].s, 10) : 200, out);
        return res.end(body === null ? '' : body);
    } catch (e) {
        await db.query('ROLLBACK').catch(() => {});
        console.error(`${fn}: ${e.code} ${e.message}`);  // the test prints this log when it fails
        res.writeHead(statusOf(e.code || ''), { 'Content-Type': 'application/json; charset=utf-8' });
        return res.end(JSON.stringify({ code: e.code, message: e.message, details: e.detail || null, hint: e.hint || null }));
    }
}

db.connect().then(() => {
    const server = http.createServer((req, res) => { queue = queue.then(() => serve(req, res)); });
    // Port 0: the kernel picks a free one; the line tells the caller which.
    server.listen(parseInt(port, 10), '127.0.0.1', () => console.log(`listening ${server.address().port}`));
}).catch((e) => { console.error(e.message); process.exit(1); });
