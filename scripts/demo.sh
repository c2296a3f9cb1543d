#!/usr/bin/env bash
# The main job end to end on built-in defaults (Debian 12, root or sudo). It installs what is
# missing, builds and installs rolloy, starts a throwaway Postgres 15 cluster with the worker,
# and then works like the team would:
#   an admin loads the ABCD dictionaries and uploads reference photos of the walker;
#   two marketers create projects (named by rolloy), write prompts (offline template) and
#   batch-generate images (offline preview provider) while progress arrives over LISTEN;
#   the admin imports a Meta Ads Manager export for those ads and refreshes the insights;
#   the leaderboard and the strongest findings are printed, and Mia's dashboard is saved to a file.
# Usage: scripts/demo.sh [--keep]   (--keep leaves the cluster running for psql)
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROLLOY_ROOT"
KEEP=${1:-}
PORT=${ROLLOY_DEMO_PORT:-25429}
export PGHOST=127.0.0.1 PGPORT=$PORT PGUSER=postgres PGDATABASE=rolloy_demo
WORK=$(mktemp -d /tmp/rolloy-demo-XXXXXX)

install_deps
build_and_install
cluster_start demo "$PORT" "shared_preload_libraries = 'rolloy,pg_cron'" "cron.database_name = 'rolloy_demo'" \
    "rolloy.database = 'rolloy_demo'" "rolloy.poll_interval_ms = 500"
if [ "$KEEP" = "--keep" ]; then trap 'rm -rf "$WORK"' EXIT; else trap 'rm -rf "$WORK"; cluster_remove demo' EXIT; fi
psql -X -q -d postgres -c "CREATE DATABASE rolloy_demo"
run() { psql -X -q -v ON_ERROR_STOP=1 --pset footer=off "$@"; }

log "1. CREATE EXTENSION rolloy CASCADE; sample dictionaries; three people"
run <<'SQL'
SET client_min_messages = warning;
CREATE EXTENSION rolloy CASCADE;
SELECT * FROM rolloy.load_sample_dictionaries();
DO $$ BEGIN
    CREATE ROLE demo_ada LOGIN; CREATE ROLE demo_mia LOGIN; CREATE ROLE demo_leo LOGIN;
EXCEPTION WHEN duplicate_object THEN NULL; END $$;
GRANT rolloy_admin TO demo_ada;
GRANT rolloy_member TO demo_mia, demo_leo;
INSERT INTO rolloy.users (email, display_name, role, pg_role) VALUES
    ('ada@rolloy.example', 'Ada (admin)', 'admin', 'demo_ada'),
    ('mia@rolloy.example', 'Mia (performance marketer)', 'member', 'demo_mia'),
    ('leo@rolloy.example', 'Leo (brand designer)', 'member', 'demo_leo');
SELECT display_name, role, pg_role FROM rolloy.users ORDER BY email;
SQL

log "2. Ada uploads reference photos of the walker (type sniffed, checked, thumbnailed)"
bash scripts/demo/reference_photos.sh "$WORK/photos" >/dev/null
upload() {  # upload FILE STATE DESCRIPTION
    # psql variables expand in scripts, not in -c commands: feed the statement on stdin.
    run -At -v data="$(base64 -w0 "$WORK/photos/$1")" <<SQL
SET ROLE demo_ada;
SELECT concat_ws(' | ', file_name, product_state, mime_type, width || 'x' || height, size_bytes)
  FROM rolloy.upload_reference_image(decode(:'data', 'base64'), '$1', '$2', '$3');
SQL
}
echo " file_name | product_state | mime_type | size | size_bytes"
upload walker-open-side.jpg expanded "Walker unfolded, side view"
upload walker-folded.png folded "Walker folded, standing"
upload walker-fold-sequence.png both "Open and folded side by side"

log "3. Mia and Leo create projects; rolloy names them and offers the matching photos"
run <<'SQL'
SET ROLE demo_mia;
SELECT p.generated_name, p.title FROM (VALUES
    ('OUT', 'PARK', 'WALK', 'JOY', 'UGC', 'Park walk, joyful UGC'),
    ('OUT', 'PARK', 'WALK', 'JOY', 'UGC', 'Same idea, second take'),
    ('OUT', 'BEACH', 'WALK', 'FREE', 'STORY', 'Promenade freedom story'),
    ('TRVL', 'CAR', 'LOAD', 'FREE', 'LIFE', 'Into the car boot'),
    ('URB', 'MARKET', 'SHOP', 'CONN', 'UGC', 'Market with a friend'),
    ('URB', 'STREET', 'WALK', 'JOY', 'UGC', 'Window shopping, laughing'),
    ('OUT', 'PARK', 'REST', 'JOY', 'STORY', 'Bench moment in the park'),
    ('HOME', 'GARDEN', 'WALK', 'CALM', 'UGC', 'Morning garden round')) v(a1, a2, b, c, d, title),
    LATERAL rolloy.create_project(v.a1, v.a2, v.b, v.c, v.d, v.title) p;
RESET ROLE;
SET ROLE demo_leo;
SELECT p.generated_name, p.title FROM (VALUES
    ('URB', 'CAFE', 'REST', 'CONN', 'LIFE', 'Coffee break on the seat'),
    ('HOME', 'HALL', 'FOLD', 'STYLE', 'HERO', 'One-hand fold'),
    ('OUT', 'TRAIL', 'WALK', 'CALM', 'PORT', 'Calm trail portrait'),
    ('OUT', 'BEACH', 'MEET', 'CONN', 'LIFE', 'Friends on the promenade'),
    ('TRVL', 'TRAIN', 'CARRY', 'FREE', 'BANNER', 'Onto the train')) v(a1, a2, b, c, d, title),
    LATERAL rolloy.create_project(v.a1, v.a2, v.b, v.c, v.d, v.title) p;
RESET ROLE;
\echo
\echo 'Reference photos offered per project (matching the product state of the action):'
SET ROLE demo_ada;
SELECT p.generated_name AS project, a.product_state AS action_state,
       string_agg(r.file_name, ', ' ORDER BY r.file_name) AS usable_reference_images
  FROM rolloy.creative_projects p JOIN rolloy.actions a ON a.id = p.action_id
  CROSS JOIN LATERAL rolloy.reference_images_for(p.id) r
 GROUP BY p.generated_name, a.product_state ORDER BY 1;
SQL

log "4. Prompts from the ABCD (offline template provider)"
for who in demo_mia demo_leo; do
    run -At -c "SET ROLE $who" -c "SELECT count(rolloy.generate_prompt(id, 'template')) FROM rolloy.creative_projects" >/dev/null
done
run -At -c "SELECT generated_name || E':\n  ' || prompt FROM rolloy.creative_projects ORDER BY generated_name LIMIT 1"

log "5. Batch generation by the background worker (preview provider), progress from LISTEN"
python3 scripts/listen_progress.py --port "$PORT" --db rolloy_demo --timeout 300 --until-idle >"$WORK/progress.log" &
listener=$!
for _ in $(seq 100); do grep -q '^listening' "$WORK/progress.log" 2>/dev/null && break; sleep 0.1; done
for who in demo_mia demo_leo; do
    run -At -c "SET ROLE $who" \
        -c "SELECT sum((SELECT count(*) FROM rolloy.batch_generate(id, '{\"variants\": 1}'))) || ' images queued by $who'
              FROM rolloy.creative_projects"
done
wait "$listener" || die "the batch did not finish: $(tail -5 "$WORK/progress.log")"
cat "$WORK/progress.log"
run <<'SQL'
SET ROLE demo_ada;
SELECT generated_name, total, completed, failed, percent_done FROM rolloy.generation_progress ORDER BY 1;
SELECT * FROM rolloy.worker_status();
SQL

log "6. Ada imports a Meta Ads Manager export for those ads (re-imports would update, not double)"
run -At -f scripts/demo/meta_export.sql >"$WORK/meta_export.csv"
echo "   $(wc -l <"$WORK/meta_export.csv") lines, e.g.:"
head -3 "$WORK/meta_export.csv" | cut -c1-150 | sed 's/^/   /'
run -x -v csv="$(cat "$WORK/meta_export.csv")" <<'SQL'
SET ROLE demo_ada;
SELECT platform, rows_read, rows_inserted, rows_updated, rows_unmatched, rows_rejected, date_from, date_to, currency
  FROM rolloy.import_performance(:'csv', 'auto', 'reject_file', 'meta_export.csv');
SQL
run -c "SET ROLE demo_ada" -c "SELECT ad_name, is_creative_name, row_count, impressions, spend FROM rolloy.unmatched_performance ORDER BY 1"

log "7. Insights (refreshed now; pg_cron would run this nightly: SELECT rolloy.schedule_insights())"
run <<'SQL'
SET ROLE demo_ada;
SELECT * FROM rolloy.refresh_insights();
\echo 'Leaderboard (CTR ranked by its Wilson lower bound):'
SELECT rank, creative_name, tier, impressions, clicks, round(100 * ctr, 2) AS "ctr %",
       round(100 * ctr_lower_bound, 2) AS "lower bound %", round(roas, 2) AS roas
  FROM rolloy.insight_leaderboard ORDER BY rank LIMIT 10;
\echo 'Strongest findings (each value against the rest, creative as the unit):'
SELECT dimension, dimension_value, metric, round(value, 4) AS value, round(rest_value, 4) AS rest,
       round(100 * lift, 1) AS "lift %",
       CASE WHEN confidence_score > 0.999 THEN '> 0.999' ELSE round(confidence_score, 3)::text END AS confidence,
       verdict, creatives || ' vs ' || rest_creatives AS creatives,
       CASE WHEN few_creatives THEN 'few creatives: a lead' END AS note
  FROM rolloy.insight_effects WHERE confidence_score IS NOT NULL
 ORDER BY confidence_score DESC, abs(lift) DESC LIMIT 8;
SQL

log "8. The dashboard: Mia's overview as a self-contained page (thumbnails inlined), saved from psql"
DASHBOARD=${ROLLOY_DEMO_DASHBOARD:-/tmp/rolloy-demo-overview.html}
run -At -o "$DASHBOARD" -c "SET ROLE demo_mia" -c "SELECT rolloy.dashboard(inline_images => true)"
echo "   overview written to $DASHBOARD ($(wc -c <"$DASHBOARD") bytes): open it in a browser"
echo "   (served live by PostgREST at /rpc/dashboard?page=overview; see docs/dashboard.md)"

if [ "$KEEP" = "--keep" ]; then
    log "cluster left running: psql -h 127.0.0.1 -p $PORT -U postgres rolloy_demo   (remove: rerun without --keep)"
else
    log "done; the throwaway cluster is removed (run with --keep to explore it in psql)"
fi
