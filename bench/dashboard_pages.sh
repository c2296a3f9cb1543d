#!/usr/bin/env bash
# Server time and size of each dashboard page at CREATIVES creatives and CREATIVES x DAYS
# performance rows (default 1,000 x 1,000 = 1M), against a baseline in the same run: the same
# view rows the overview reads, fetched as JSON (what a script-rendered front end would ask for).
# Each page is rendered RUNS times inside one session (clock_timestamp() around the call, so no
# client or network time); the median is reported. Every creative has two completed images
# (one stored 300x300 JPEG each), and its performance rows are matched to its first image.
#   bench/dashboard_pages.sh [CREATIVES=1000] [DAYS=1000] [RUNS=15]
set -euo pipefail
source "$(dirname "$0")/../scripts/lib.sh"
cd "$ROLLOY_ROOT"
CREATIVES=${1:-1000}
DAYS=${2:-1000}
RUNS=${3:-15}
PORT=${ROLLOY_BENCH_PORT:-25491}
export PGHOST=127.0.0.1 PGPORT=$PORT PGUSER=postgres
WORK=$(mktemp -d /tmp/rolloy-dbench-XXXXXX)
cluster_start dbench "$PORT" "shared_preload_libraries = 'rolloy'" "max_wal_size = '4GB'" "work_mem = '64MB'" >/dev/null
trap 'cluster_remove dbench; rm -rf "$WORK"' EXIT
q() { psql -X -q -At -v ON_ERROR_STOP=1 -d dbench "$@"; }
psql -X -q -d postgres -c "CREATE DATABASE dbench"
q -c "SET client_min_messages = warning" -c "CREATE EXTENSION rolloy"
q -v creatives="$CREATIVES" -v days="$DAYS" -f bench/lib/performance_data.sql >/dev/null

# Two completed images per creative, as the worker leaves them; rows matched to the first.
vips gaussnoise "$WORK/n.v" 300 300 && vips colourspace "$WORK/n.v" "$WORK/thumb.jpg[Q=70]" srgb
q -v jpeg="$(base64 -w0 "$WORK/thumb.jpg")" <<'SQL'
SET client_min_messages = warning;
BEGIN;  -- no worker may see them pending
INSERT INTO rolloy.generated_images (project_id, variant_no, prompt, status, storage_ref, sha256, completed_at, width, height, size_bytes)
SELECT p.id, v, 'bench', 'pending', NULL, NULL, NULL, 819, 1024, 50000 FROM rolloy.creative_projects p, generate_series(1, 2) v;
INSERT INTO rolloy.image_store (storage_ref, content, content_type, thumbnail, sha256, size_bytes)
SELECT 'db:generated/' || g.project_id || '/' || g.id, decode(:'jpeg', 'base64'), 'image/jpeg', decode(:'jpeg', 'base64'),
       encode(sha256(decode(:'jpeg', 'base64')), 'hex'), length(decode(:'jpeg', 'base64'))
  FROM rolloy.generated_images g;
UPDATE rolloy.generated_images g SET status = 'completed', storage_ref = 'db:generated/' || g.project_id || '/' || g.id,
       sha256 = encode(sha256(decode(:'jpeg', 'base64')), 'hex'), completed_at = now();
UPDATE rolloy.ads a SET image_id = g.id  -- the ad, not each of its days (performance_data is a view)
  FROM rolloy.generated_images g WHERE g.project_id = a.project_id AND g.variant_no = 1;
COMMIT;
VACUUM ANALYZE;
SELECT count(*) FROM rolloy.refresh_insights();
CREATE ROLE dbench_web NOLOGIN;
GRANT rolloy_api TO dbench_web;
UPDATE rolloy.users SET role = 'admin' WHERE email = 'owner1@example.com';
SQL

# One session per identity: the page RUNS times (EXECUTE: parsed and planned each time, as a
# request would be), median server time and size in bytes.
measure() {  # measure USER_EMAIL LABEL EXPRESSION
    q -F ' ' <<SQL
CREATE FUNCTION pg_temp.bench(expr text, runs integer, OUT ms numeric, OUT bytes integer) LANGUAGE plpgsql AS \$\$
DECLARE
    t0 timestamptz;
    times numeric[] := '{}';
    page text;
BEGIN
    FOR i IN 1..runs LOOP
        t0 := clock_timestamp();
        EXECUTE 'SELECT (' || expr || ')::text' INTO page;
        times := times || (extract(epoch FROM clock_timestamp() - t0) * 1000)::numeric;
    END LOOP;
    SELECT round((percentile_cont(0.5) WITHIN GROUP (ORDER BY x))::numeric, 1) INTO ms FROM unnest(times) x;
    bytes := octet_length(page);
END
\$\$;
DO \$\$ BEGIN
    PERFORM set_config('request.jwt.claims', (SELECT json_build_object('sub', id)::text FROM rolloy.users WHERE email = '$1'), false);
END \$\$;
SET ROLE dbench_web;
SELECT '$2', b.ms, b.bytes FROM pg_temp.bench(\$expr\$$3\$expr\$, $RUNS) b;
SQL
}
project=$(q -c "SELECT l.project_id FROM rolloy.insight_leaderboard l ORDER BY l.rank LIMIT 1")
# Each part may be empty (a member's 20 creatives may give no better/worse verdict): '' then.
overview_json="coalesce((SELECT json_agg(l) FROM rolloy.insight_leaderboard l)::text, '')
    || coalesce((SELECT json_agg(h) FROM rolloy.insight_heatmap h WHERE h.dimension_x = 'scene' AND h.dimension_y = 'driver')::text, '')
    || coalesce((SELECT json_agg(t) FROM rolloy.insight_trends t WHERE t.dimension = 'all')::text, '')
    || coalesce((SELECT json_agg(c) FROM rolloy.insight_cost_efficiency c WHERE c.dimension IN ('all', 'scene'))::text, '')
    || coalesce((SELECT json_agg(f) FROM rolloy.insight_fatigue f WHERE f.status = 'fatigued')::text, '')
    || coalesce((SELECT json_agg(e) FROM rolloy.insight_effects e WHERE e.verdict IN ('better', 'worse'))::text, '')"
{
    echo "rows $(q -c "SELECT count(*) FROM rolloy.performance_data")  creatives $CREATIVES  images $(q -c "SELECT count(*) FROM rolloy.generated_images")  runs $RUNS"
    echo "page ms bytes"
    measure owner1@example.com "baseline-json-admin" "$overview_json"
    measure owner1@example.com "overview-admin" "rolloy.dashboard()"
    measure owner1@example.com "overview-admin-inlined" "rolloy.dashboard(inline_images => true)"
    measure owner1@example.com "project-admin" "rolloy.dashboard('project', '$project')"
    measure owner1@example.com "generation-admin" "rolloy.dashboard('generation')"
    measure owner2@example.com "baseline-json-member" "$overview_json"
    measure owner2@example.com "overview-member" "rolloy.dashboard()"
    measure owner2@example.com "generation-member" "rolloy.dashboard('generation')"
} | grep -v '^$' | tee "$WORK/out"
python3 - "$WORK/out" <<'PY'
import sys
rows = {l.split()[0]: l.split()[1:] for l in open(sys.argv[1]) if len(l.split()) == 3 and l.split()[1][0].isdigit()}
for who in ("admin", "member"):
    base = float(rows[f"baseline-json-{who}"][0])
    print(f"overview-{who}: {float(rows[f'overview-{who}'][0]) / base:.1f}x the JSON baseline ({base} ms)")
PY
