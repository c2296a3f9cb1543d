#!/usr/bin/env bash
# The dashboard in a real browser: headless Chromium (Debian's chromium, driven by playwright-core
# from npm) opens every page as a member and as an admin on demo-like data (two members' projects,
# images from the worker's preview provider, a Meta Ads export, refreshed insights) and asserts on
# the DOM: leaderboard and heatmap equal the views, every image loads, no console errors, charts
# have text alternatives, tables have headers, hostile text stays text. It also opens the overview
# saved by psql with inlined thumbnails from file://. Full-page screenshots stay in the folder the
# script prints (ROLLOY_ARTIFACTS, default /tmp/rolloy-dashboard-shots).
#
# PostgREST is packaged neither by Debian 12 nor on npm: test/integration/lib/postgrest_bridge.js
# stands in for it (what PostgREST does for GET /rpc/…: role and JWT claims, named arguments,
# Accept negotiation, response.headers); docs/testing.md says so.
set -euo pipefail
source "$(dirname "$0")/lib/worker_env.sh"
ARTIFACTS=${ROLLOY_ARTIFACTS:-/tmp/rolloy-dashboard-shots}
NODE_CACHE=${ROLLOY_NODE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/rolloy-test-node}
CHROMIUM=${ROLLOY_CHROMIUM:-/usr/bin/chromium}
WEB_ROLE=rolloy_dash_web_$$
[ -x "$CHROMIUM" ] || fail "no Chromium at $CHROMIUM (Debian package chromium; scripts/lib.sh installs it)"
# npm comes with NodeSource's nodejs (this project's machines); Debian's own nodejs needs the npm
# package too, which conflicts with NodeSource's: scripts/lib.sh therefore lists nodejs only.
command -v npm >/dev/null || fail "npm is needed (Debian: apt-get install npm; NodeSource's nodejs bundles it)"

# The browser driver and the database client for node, from npm, kept outside the clone.
if [ ! -d "$NODE_CACHE/node_modules/playwright-core" ] || [ ! -d "$NODE_CACHE/node_modules/pg" ]; then
    mkdir -p "$NODE_CACHE"
    npm install --silent --no-audit --no-fund --prefix "$NODE_CACHE" playwright-core@1.65.2 pg@8 >/dev/null ||
        fail "npm could not install playwright-core and pg into $NODE_CACHE"
fi

export NODE_PATH=$NODE_CACHE/node_modules
worker_env_up
bridge_pid=
cleanup() {
    if [ -n "$bridge_pid" ]; then kill "$bridge_pid" 2>/dev/null || true; fi
    psql -X -q -d postgres -c "DROP ROLE IF EXISTS $WEB_ROLE" >/dev/null 2>&1 || true
    worker_env_cleanup
}
trap cleanup EXIT

MEMBER=00000000-0000-0000-0000-0000000000a1  # Mia (worker_env.sh)
LEO=00000000-0000-0000-0000-0000000000a3
ADMIN=00000000-0000-0000-0000-0000000000ad   # Ops, an admin
HOSTILE_TITLE='<script>window.__pwned = 1</script> "quoted" & '"'single'"
HOSTILE_NOTES='"><img src="x" onerror="window.__pwned = 2"> <b onmouseover="window.__pwned = 3">notes</b>'
HOSTILE_ERROR='HTTP 400: <svg onload="window.__pwned = 4"> refused'

# Demo-like data: 26 projects of Mia and Leo across the ABCD dictionaries, one preview image
# each, a Meta Ads export for them (scripts/demo/meta_export.sql), refreshed insights.
q -v title="$HOSTILE_TITLE" -v notes="$HOSTILE_NOTES" -v err="$HOSTILE_ERROR" <<SQL >/dev/null
CREATE ROLE $WEB_ROLE NOLOGIN;
GRANT rolloy_api TO $WEB_ROLE;
INSERT INTO rolloy.users (id, email, display_name, role) VALUES ('$LEO', 'leo@example.com', 'Leo', 'member');
INSERT INTO rolloy.creative_projects (scene_id, action_id, driver_id, format_id, created_by, title)
SELECT s.id, a.id, d.id, f.id, CASE WHEN n % 3 = 0 THEN '$LEO'::uuid ELSE '$MEMBER'::uuid END, 'Demo take ' || n
  FROM (SELECT s.id AS s, a.id AS a, d.id AS d, f.id AS f, row_number() OVER (ORDER BY s.id, d.id, f.id, a.id) AS n
          FROM rolloy.scenes s, rolloy.actions a, rolloy.drivers d, rolloy.formats f) c
  JOIN rolloy.scenes s ON s.id = c.s JOIN rolloy.actions a ON a.id = c.a
  JOIN rolloy.drivers d ON d.id = c.d JOIN rolloy.formats f ON f.id = c.f
 WHERE c.n % 97 = 1 ORDER BY c.n LIMIT 26;
UPDATE rolloy.creative_projects SET title = :'title', notes = :'notes'
 WHERE id = (SELECT id FROM rolloy.creative_projects WHERE created_by = '$MEMBER' ORDER BY generated_name LIMIT 1);
SELECT count(rolloy.generate_prompt(id, 'template')) FROM rolloy.creative_projects;
SELECT count(*) FROM rolloy.creative_projects p, LATERAL rolloy.batch_generate(p.id, '{"variants": 1}') b;
SQL
HOSTILE_PROJECT=$(q -c "SELECT id FROM rolloy.creative_projects WHERE notes LIKE '%onerror%'")
wait_for "SELECT count(*) FILTER (WHERE status IN ('pending', 'processing')) = 0 FROM rolloy.generated_images" 180 "the preview images"
check "every project has its images" "$(q -c "SELECT count(*) FROM rolloy.creative_projects WHERE completed_images = 0 OR failed_images > 0")" "0"
# A failure with a hostile provider message (as the worker records one: status, message, attempts).
q -v err="$HOSTILE_ERROR" <<SQL >/dev/null
INSERT INTO rolloy.generated_images (project_id, status, last_error, last_http_status, attempts)
VALUES ('$HOSTILE_PROJECT', 'failed', :'err', 400, 1);
SQL
q -f "$ROLLOY_ROOT/scripts/demo/meta_export.sql" >"$TMP/meta.csv"
q -v csv="$(cat "$TMP/meta.csv")" <<'SQL' >/dev/null
SELECT rows_inserted FROM rolloy.import_performance(:'csv', 'auto', 'reject_file', 'meta.csv');
SELECT count(*) FROM rolloy.refresh_insights();
SQL
check "the admin's leaderboard is full" "$(q -c "SELECT count(*) FROM rolloy.insight_leaderboard")" "20"
# Leo's best creative: on the admin's leaderboard, never on Mia's pages.
OTHER_PROJECT=$(q -c "SELECT l.project_id FROM rolloy.insight_leaderboard l JOIN rolloy.creative_projects p ON p.id = l.project_id
                       WHERE p.created_by = '$LEO' ORDER BY l.rank LIMIT 1")

# The overview as psql saves it (the member's own view, thumbnails inlined).
psql -X -q -At -d "$WDB" -o "$TMP/overview.html" \
    -c "SELECT set_config('request.jwt.claims', '{\"sub\": \"$MEMBER\"}', false) IS NULL" \
    -c "SET ROLE $WEB_ROLE" -c "SELECT rolloy.dashboard(inline_images => true)"
sed -i '1{/^[tf]$/d}' "$TMP/overview.html"  # the set_config line

PGDATABASE=$WDB node "$ROLLOY_ROOT/test/integration/lib/postgrest_bridge.js" 0 "$WEB_ROLE" >"$TMP/bridge.out" 2>"$TMP/bridge.err" &
bridge_pid=$!
for _ in $(seq 50); do grep -q '^listening' "$TMP/bridge.out" 2>/dev/null && break; sleep 0.1; done
BRIDGE_PORT=$(sed -n 's/^listening //p' "$TMP/bridge.out")
[ -n "$BRIDGE_PORT" ] || fail "the PostgREST stand-in did not start: $(cat "$TMP/bridge.err")"

rm -rf "$ARTIFACTS" && mkdir -p "$ARTIFACTS"
PGDATABASE=$WDB BRIDGE="http://127.0.0.1:$BRIDGE_PORT" ARTIFACTS="$ARTIFACTS" MEMBER_SUB=$MEMBER ADMIN_SUB=$ADMIN \
    OTHER_PROJECT=$OTHER_PROJECT HOSTILE_PROJECT=$HOSTILE_PROJECT HOSTILE_TITLE="$HOSTILE_TITLE" HOSTILE_NOTES="$HOSTILE_NOTES" \
    HOSTILE_ERROR="$HOSTILE_ERROR" SAVED_FILE="$TMP/overview.html" WEB_ROLE=$WEB_ROLE CHROMIUM="$CHROMIUM" \
    node "$ROLLOY_ROOT/test/integration/lib/dashboard_browser.js" ||
    fail "the dashboard failed in the browser (screenshots: $ARTIFACTS; the stand-in's errors: $(tail -5 "$TMP/bridge.err"))"
echo "dashboard_browser: screenshots in $ARTIFACTS"
