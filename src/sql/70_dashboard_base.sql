-- Dashboard, part 1: the media types, the one HTML escaper, formatting and the page frame.
--
-- The dashboard is HTML rendered by the database (docs/dashboard.md). Every page function runs
-- as the caller (SECURITY INVOKER): row-level security and the insight views decide what it
-- shows. The helpers here live in rolloy_internal and are reached by OID from SQL-standard
-- bodies (BEGIN ATOMIC), so a member needs EXECUTE on them (99_internal_privileges.sql) but no
-- USAGE on the schema. Rule for every page: user text (titles, notes, names, prompts, errors)
-- reaches the HTML only through rolloy_internal._html(); HTML fragments passed between helpers
-- are built here from escaped parts and constants.

-- PostgREST 12 media-type handlers: a function returning a domain named like a media type
-- answers with that type (docs/postgrest.md). "*/*" answers any Accept, which is what a
-- browser's <img> sends (image/avif,image/webp,...,*/*): the functions returning it set the real
-- Content-Type through response.headers.
CREATE DOMAIN rolloy."text/html" AS text;
COMMENT ON DOMAIN rolloy."text/html" IS
    'HTML text; PostgREST serves functions returning it as text/html to requests that accept text/html.';
CREATE DOMAIN rolloy."*/*" AS bytea;
COMMENT ON DOMAIN rolloy."*/*" IS
    'Bytes of any type; PostgREST lets functions returning it answer every Accept (browsers'' <img>), '
    'and each such function sets the Content-Type it serves with response.headers.';

-- The one escaper: & < > " ' become entities, so the result is safe in element text and in quoted
-- attribute values. NULL becomes '' (an absent value renders as nothing, never as "NULL").
CREATE FUNCTION rolloy_internal._html(value text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN replace(replace(replace(replace(replace(coalesce(value, ''), '&', '&amp;'), '<', '&lt;'), '>', '&gt;'),
                       '"', '&quot;'), '''', '&#39;');
COMMENT ON FUNCTION rolloy_internal._html(text) IS
    'HTML-escapes text for element content and quoted attributes (& < > " '' as entities); NULL gives ''''.';

-- Errors of the pages: SQL-standard bodies cannot RAISE, they call this.
CREATE FUNCTION rolloy_internal._dash_raise(sqlstate text, message text, hint text) RETURNS text
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    RAISE EXCEPTION USING ERRCODE = sqlstate, MESSAGE = message, HINT = hint;
END
$$;
COMMENT ON FUNCTION rolloy_internal._dash_raise(text, text, text) IS
    'Raises the error of a dashboard page (SQL-standard bodies cannot RAISE themselves).';

-- Numbers as a reader wants them: thousands separated, percentages with two decimals, money
-- with its currency code (never a bare amount: currencies are never mixed).
CREATE FUNCTION rolloy_internal._dash_num(value numeric, decimals integer DEFAULT 0) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN CASE WHEN value IS NULL THEN '–'
            WHEN decimals <= 0 THEN to_char(round(value), 'FM999,999,999,999,990')
            ELSE to_char(round(value, decimals), 'FM999,999,999,999,990.' || repeat('0', decimals)) END;
COMMENT ON FUNCTION rolloy_internal._dash_num(numeric, integer) IS
    'A number for the dashboard: thousands separated, rounded to decimals; – for NULL.';

CREATE FUNCTION rolloy_internal._dash_pct(fraction numeric) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN CASE WHEN fraction IS NULL THEN '–' ELSE rolloy_internal._dash_num(100 * fraction, 2) || ' %' END;
COMMENT ON FUNCTION rolloy_internal._dash_pct(numeric) IS 'A fraction as a percentage with two decimals (0.0123 -> 1.23 %).';

-- A section that has nothing to show says so and what to do next. next_step is HTML written in
-- this file (it may hold <code>); never pass user text as it.
CREATE FUNCTION rolloy_internal._dash_empty(what text, next_step text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN '<p class="empty"><strong>' || rolloy_internal._html(what) || '</strong> ' || next_step || '</p>';
COMMENT ON FUNCTION rolloy_internal._dash_empty(text, text) IS
    'Empty-state paragraph: what is missing (escaped) and the next step (HTML from the page code).';

-- The page frame: navigation, who is looking (their scope), the styles and the one small script
-- (sortable tables). The Content-Security-Policy allows that script by its hash and no other:
-- an escaping mistake could not run script even if one slipped through.
CREATE FUNCTION rolloy_internal._dash_frame(title text, page text, body text) RETURNS text
LANGUAGE sql STABLE
BEGIN ATOMIC
WITH script AS (
    SELECT $js$document.querySelectorAll('table.sortable th').forEach(function (th) {
  th.tabIndex = 0; th.title = 'Sort by this column';
  var sort = function () {
    var table = th.closest('table'), body = table.tBodies[0], i = th.cellIndex;
    var asc = th.getAttribute('aria-sort') !== 'ascending';
    table.querySelectorAll('th[aria-sort]').forEach(function (h) { h.removeAttribute('aria-sort'); });
    th.setAttribute('aria-sort', asc ? 'ascending' : 'descending');
    var key = function (tr) { var c = tr.cells[i]; var v = c.getAttribute('data-sort') || c.textContent.trim();
      var n = parseFloat(v.replace(/,/g, '')); return isNaN(n) ? v.toLowerCase() : n; };
    Array.prototype.slice.call(body.rows).sort(function (a, b) {
      var x = key(a), y = key(b); return (x < y ? -1 : x > y ? 1 : 0) * (asc ? 1 : -1);
    }).forEach(function (tr) { body.appendChild(tr); });
  };
  th.addEventListener('click', sort);
  th.addEventListener('keydown', function (e) { if (e.key === 'Enter') { sort(); } });
});$js$::text AS js
), who AS (
    SELECT u.display_name, rolloy.is_admin() AS admin FROM rolloy.users u WHERE u.id = rolloy.current_user_id()
)
SELECT '<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src ''none''; img-src ''self'' data:; style-src ''unsafe-inline''; script-src ''sha256-'
       || encode(sha256(convert_to(script.js, 'UTF8')), 'base64') || '''">
<link rel="icon" href="data:,">
<title>rolloy · ' || rolloy_internal._html(_dash_frame.title) || '</title>
<style>
:root{--ink:#1f2933;--muted:#52606d;--line:#d9e2ec;--accent:#2563eb;--warn:#b45309;--bad:#b91c1c;--good:#047857}
*{box-sizing:border-box}body{margin:0;font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--ink);background:#f8fafc}
header{background:#fff;border-bottom:1px solid var(--line);padding:.6rem 1.2rem;display:flex;flex-wrap:wrap;gap:1rem;align-items:baseline}
header nav a{margin-right:1rem;color:var(--accent);text-decoration:none;font-weight:600}header nav a[aria-current]{color:var(--ink);border-bottom:2px solid var(--accent)}
.who{color:var(--muted);margin:0}main{max-width:1180px;margin:0 auto;padding:1rem 1.2rem 3rem}
section{background:#fff;border:1px solid var(--line);border-radius:8px;padding:1rem 1.2rem;margin:1rem 0}
h1{font-size:1.5rem;margin:.4rem 0}h2{font-size:1.15rem;margin:0 0 .6rem}h3{font-size:1rem;margin:1rem 0 .4rem}
table{border-collapse:collapse;width:100%;font-variant-numeric:tabular-nums}caption{text-align:left;color:var(--muted);padding:.2rem 0}
th,td{border-bottom:1px solid var(--line);padding:.3rem .5rem;text-align:left;vertical-align:middle}td.n,th.n{text-align:right}
th{background:#f1f5f9;font-weight:600}table.sortable th{cursor:pointer}
.empty{color:var(--muted);background:#f8fafc;border:1px dashed var(--line);padding:.8rem;border-radius:6px}
.small{color:var(--warn)}.note{color:var(--muted);font-size:.9rem}.bad{color:var(--bad)}.good{color:var(--good)}
.tier{display:inline-block;padding:0 .4rem;border-radius:4px;background:#e0e7ff;font-size:.85rem}
.thumb{width:72px;height:72px;object-fit:cover;border-radius:4px;display:block}
.gallery{display:grid;grid-template-columns:repeat(auto-fill,minmax(230px,1fr));gap:1rem}
.card{border:1px solid var(--line);border-radius:8px;padding:.6rem;overflow-wrap:anywhere}table.kv{width:auto;min-width:50%}.card img{width:100%;height:auto;border-radius:4px;display:block}
.picker a{margin-right:.6rem}.picker a[aria-current]{font-weight:700;color:var(--ink)}
td.heat{text-align:right;min-width:4.5rem}svg{max-width:100%;height:auto;font:11px system-ui,sans-serif}
pre{white-space:pre-wrap;background:#f1f5f9;padding:.6rem;border-radius:6px}
details{margin:.4rem 0}summary{cursor:pointer;color:var(--accent)}
.meter{background:#e5e7eb;border-radius:4px;height:12px;width:240px;display:inline-block;vertical-align:middle}
.meter span{display:block;height:12px;border-radius:4px;background:var(--accent)}
</style></head>
<body><header><nav aria-label="Dashboard pages">'
       || (SELECT string_agg(format('<a href="dashboard?page=%s"%s>%s</a>', p.name,
                                    CASE WHEN p.name = _dash_frame.page THEN ' aria-current="page"' ELSE '' END, p.label),
                             '' ORDER BY p.ord)
             FROM (VALUES (1, 'overview', 'Overview'), (2, 'generation', 'Generation')) p(ord, name, label))
       || '</nav><p class="who">'
       || coalesce((SELECT rolloy_internal._html(w.display_name)
                           || CASE WHEN w.admin THEN ' · admin: all creatives' ELSE ' · your creatives' END FROM who w),
                   rolloy_internal._html(session_user::text) || ' · no rolloy user: what row-level security shows this role')
       || '</p></header>
<main>' || _dash_frame.body || '</main>
<footer class="note" style="text-align:center">Rendered by rolloy at ' || to_char(now(), 'YYYY-MM-DD HH24:MI TZ') || '</footer>
<script>' || script.js || '</script>
</body></html>'
  FROM script;
END;
COMMENT ON FUNCTION rolloy_internal._dash_frame(text, text, text) IS
    'A dashboard page around body (HTML): navigation, who is looking, styles, the sortable-table script '
    '(allowed by its hash in the Content-Security-Policy).';
