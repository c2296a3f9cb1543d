#!/usr/bin/env bash
# ALTER EXTENSION rolloy UPDATE from every released version (src/sql/released/) to the current
# one, on a database filled as a team would fill it, with the worker running and calls in flight:
#   0. the library still has every C symbol the released install scripts name (a user upgrades
#      the package before running ALTER EXTENSION);
#   1. rolloy 0.1.0 exactly as released, filled through its own API (test/integration/lib/
#      fill_0.1.0.sql): dictionaries, users, keys, photos, projects, images in the store from
#      the preview and (fake) Gemini providers, a Meta import, insights, a pg_cron schedule;
#   2. ALTER EXTENSION rolloy UPDATE while the worker is processing slow Gemini calls;
#   3. every row of every table, every image byte and every key survived (fingerprints);
#   4. the in-flight jobs finish with their books right, and new work is done after the upgrade;
#   5. the upgraded extension equals a fresh install object for object
#      (test/integration/lib/extension_catalog.sql, diffed).
# Runs its own cluster: pg_cron and the worker must serve the same database here.
set -euo pipefail
source "$(dirname "$0")/../../scripts/lib.sh"
PORT=${ROLLOY_UPGRADE_PORT:-25450}
DB=rolloy_upgrade
FRESH=rolloy_fresh
export PGHOST=127.0.0.1 PGPORT=$PORT PGUSER=postgres
HERE="$ROLLOY_ROOT/test/integration"
TMP=$(mktemp -d /tmp/rolloy-uptest-XXXXXX)
chmod 755 "$TMP"
FAKE=
cleanup() {
    [ -n "$FAKE" ] && kill "$FAKE" 2>/dev/null
    cluster_remove upgrade
    rm -rf "$TMP"
}
trap cleanup EXIT
q() { psql -X -q -At -v ON_ERROR_STOP=1 -d "$DB" "$@"; }
fail() { echo "FAIL: $*" >&2; exit 1; }
check() {  # check "description" "actual" "expected"
    [ "$2" = "$3" ] || fail "$1: got [$2], want [$3]"
    echo "ok - $1"
}
wait_for() {  # wait_for "sql returning t" timeout_seconds description
    local deadline=$((SECONDS + $2))
    while [ $SECONDS -lt $deadline ]; do
        [ "$(q -c "$1" 2>/dev/null)" = t ] && return 0
        sleep 0.3
    done
    q -c "SELECT status, provider, count(*), max(last_error) FROM rolloy.generated_images GROUP BY 1, 2" >&2
    fail "timed out after $2 s waiting for: $3"
}

# 0. C symbols of the released scripts.
lib="$("$PG_BIN/pg_config" --pkglibdir)/rolloy.so"
for script in "$ROLLOY_ROOT"/src/sql/released/rolloy--*.sql; do
    missing=$(comm -23 <(grep -oE "'MODULE_PATHNAME', *'[A-Za-z0-9_]+'" "$script" | grep -oE "'[A-Za-z0-9_]+'$" | tr -d "'" | sort -u) \
        <(nm -D --defined-only "$lib" | awk '{print $3}' | sort -u))
    check "the library defines every C symbol of $(basename "$script")" "$missing" ""
done

python3 "$ROLLOY_ROOT/test/fakes/fake_gemini.py" 0 >"$TMP/gemini.out" 2>"$TMP/gemini.err" &
FAKE=$!
for _ in $(seq 50); do GP=$(head -1 "$TMP/gemini.out" 2>/dev/null); [ -n "$GP" ] && break; sleep 0.1; done
[ -n "$GP" ] || fail "the fake Gemini server did not start: $(cat "$TMP/gemini.err")"
cluster_start upgrade "$PORT" "shared_preload_libraries = 'rolloy,pg_cron'" "cron.database_name = '$DB'" \
    "rolloy.database = '$DB'" "rolloy.poll_interval_ms = 300" "rolloy.gemini_base_url = 'http://127.0.0.1:$GP'" \
    "rolloy.retry_base_ms = 200" >/dev/null
psql -X -q -d postgres -c "CREATE DATABASE $DB" -c "CREATE DATABASE $FRESH"

# 1. rolloy 0.1.0, filled.
vips gaussnoise "$TMP/noise.v" 1200 900 && vips colourspace "$TMP/noise.v" "$TMP/open.jpg" srgb
vips gaussnoise "$TMP/noise2.v" 800 800 --mean 100 && vips colourspace "$TMP/noise2.v" "$TMP/folded.png" srgb
q -v open_file="$TMP/open.jpg" -v folded_file="$TMP/folded.png" -f "$HERE/lib/fill_0.1.0.sql" >/dev/null
check "installed version" "$(q -c "SELECT extversion FROM pg_extension WHERE extname = 'rolloy'")" "0.1.0"
wait_for "SELECT count(*) >= 11 AND bool_and(status = 'completed') FROM rolloy.generated_images" 120 "the 0.1.0 batch"
psql -X -q -At -d "$DB" -f "$ROLLOY_ROOT/scripts/demo/meta_export.sql" >"$TMP/meta.csv"
q -v csv="$(cat "$TMP/meta.csv")" <<'SQL' >/dev/null
SELECT rows_inserted FROM rolloy.import_performance(:'csv', 'auto', 'reject_file', 'meta_export.csv');
SELECT FROM rolloy.refresh_insights();
SELECT rolloy.schedule_insights('15 3 * * *');
SQL
echo "0.1.0 filled: $(q -c "SELECT (SELECT count(*) FROM rolloy.creative_projects) || ' projects, '
    || (SELECT count(*) FROM rolloy.image_store) || ' stored images, '
    || (SELECT count(*) FROM rolloy.api_usage_logs) || ' logged calls, '
    || (SELECT count(*) FROM rolloy.performance_data) || ' performance rows, '
    || (SELECT count(*) FROM rolloy.insights) || ' insights, '
    || (SELECT count(*) FROM rolloy.provider_secrets) || ' keys, '
    || (SELECT count(*) FROM cron.job) || ' cron job'")"

# A schema named rolloy_internal that the extension does not own is ignored by the new library:
# on a 0.1.0 database a role allowed to create schemas could otherwise plant one whose functions
# the worker would run (here: a price of $999 a call).
q <<'SQL' >/dev/null
CREATE SCHEMA rolloy_internal;
CREATE FUNCTION rolloy_internal._call_cost(text, text, bigint, bigint, integer, numeric) RETURNS numeric
LANGUAGE sql AS 'SELECT 999::numeric';
SQL
planted=$(q -c "INSERT INTO rolloy.generated_images (project_id, reference_image_id, provider, model, prompt)
                SELECT p.id, r.id, 'gemini', 'gemini-2.5-flash-image', 'a walk under a planted schema'
                  FROM rolloy.creative_projects p, rolloy.reference_images r
                 WHERE r.product_state = 'expanded' ORDER BY p.generated_name LIMIT 1 RETURNING id")
wait_for "SELECT status = 'completed' FROM rolloy.generated_images WHERE id = '$planted'" 30 "the job beside a planted schema"
check "a planted rolloy_internal schema is not used" \
    "$(q -c "SELECT cost_usd < 999 FROM rolloy.generated_images WHERE id = '$planted'")" "t"
q -c "DROP SCHEMA rolloy_internal CASCADE" >/dev/null  # or the upgrade could not create its own

# The project whose calls are in flight during the upgrade changes by design; every other row
# must come through unchanged. Its id appears in each of its rows (projects, images, stored
# files' refs, logged calls), which is how the fingerprints leave it out.
inflight=$(q -c "INSERT INTO rolloy.creative_projects (scene_id, action_id, driver_id, format_id, created_by, prompt, title)
                 SELECT 1, 1, 1, 1, '00000000-0000-0000-0000-0000000000a1', 'a walk during the upgrade', 'in flight'
                 RETURNING id")
# One line per table of the 0.1.0 schema: name, rows, md5 of the rows' text over the columns it
# had in 0.1.0. The statements are written once, before the upgrade, and run again after it: a
# column 0.2.0 adds (at the end, by the rules of the upgrade script) does not count as a change,
# and a table 0.2.0 turns into a view with the same columns is compared through the view.
# 0.2.0 stores insights once, over all data: the per-member copies 0.1.0 wrote (derived rows;
# members now compute theirs when they read) go with the upgrade, the all-data rows stay. The
# list prices 0.2.0 seeds for its new provider (replicate) are the one intended addition: checked
# against what a fresh install seeds below.
q -v skip="%$inflight%" -v seeded="(%,replicate,black-forest-labs/%" >"$TMP/fingerprint.sql" <<'SQL'
SELECT format('SELECT %L, count(*), md5(coalesce(string_agg(t::text, E''\n'' ORDER BY t::text), '''')) '
              'FROM (SELECT %s FROM %s) t WHERE t::text NOT LIKE %L AND t::text NOT LIKE %L%s;',
              c.oid::regclass,
              (SELECT string_agg(quote_ident(a.attname), ', ' ORDER BY a.attnum) FROM pg_attribute a
                WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped),
              c.oid::regclass, :'skip', :'seeded',
              CASE WHEN c.oid = 'rolloy.insights'::regclass THEN ' AND t.scope_user_id IS NULL' ELSE '' END)
  FROM pg_class c WHERE c.relnamespace = 'rolloy'::regnamespace AND c.relkind = 'r' ORDER BY 1;
SELECT 'SELECT ''cron.job'', count(*), md5(string_agg(concat_ws(''|'', jobname, schedule, command, database, username), '','')) FROM cron.job;';
SQL
fingerprints() { q -f "$TMP/fingerprint.sql"; }
fingerprints >"$TMP/before.txt"

# 2. The upgrade, with slow Gemini calls in flight.
q -c "INSERT INTO rolloy.generated_images (project_id, reference_image_id, provider, model, prompt)
      SELECT '$inflight', r.id, 'gemini', 'gemini-2.5-flash-image', '[[fault:latency=2000]] walk ' || n
        FROM rolloy.reference_images r, generate_series(1, 6) n WHERE r.product_state = 'expanded'" >/dev/null
wait_for "SELECT count(*) > 0 FROM rolloy.generated_images WHERE project_id = '$inflight' AND status = 'processing'" 30 "calls in flight"
start=$(date +%s%N)
q -c "ALTER EXTENSION rolloy UPDATE"
echo "ALTER EXTENSION rolloy UPDATE took $(( ($(date +%s%N) - start) / 1000000 )) ms with $(q -c "SELECT count(*) FROM rolloy.generated_images WHERE status = 'processing'") calls in flight"
check "version after the upgrade" "$(q -c "SELECT extversion FROM pg_extension WHERE extname = 'rolloy'")" \
    "$(sed -n "s/^default_version *= *'\(.*\)'/\1/p" "$ROLLOY_ROOT/rolloy.control")"

# 3. Nothing lost or changed.
# Tables 0.2.0 adds (rolloy.ad_platforms, ...) are left out here; their rows are checked below.
fingerprints | awk -F'|' 'NR == FNR { old[$1] = 1; next } $1 in old' "$TMP/before.txt" - >"$TMP/after.txt"
diff "$TMP/before.txt" "$TMP/after.txt" >&2 || fail "rows changed across the upgrade (table, rows, md5 before < and after >)"
check "the upgrade seeds the list prices of replicate (as a fresh install does)" "$(q -c "
    SELECT string_agg(model || ':' || unit || ':' || price_usd || ':' || is_seed, ' ' ORDER BY model)
      FROM rolloy.provider_prices WHERE provider = 'replicate'")" \
    "black-forest-labs/flux-dev:image:0.025000:true black-forest-labs/flux-kontext-pro:image:0.040000:true"
# 0.1.0's enum ad_platform became a domain over text and its labels rows of rolloy.ad_platforms,
# which every imported row and batch references.
check "ad platforms after the upgrade, and rows whose platform is not one" \
    "$(q -c "SELECT string_agg(name, ',' ORDER BY name) || ' / ' ||
                    (SELECT count(*) FROM rolloy.performance_data d
                      WHERE NOT EXISTS (SELECT 1 FROM rolloy.ad_platforms a WHERE a.name = d.platform))
               FROM rolloy.ad_platforms")" "google_ads,meta,tiktok / 0"
echo "ok - every row of $(wc -l <"$TMP/before.txt") tables and the pg_cron job unchanged"
check "0.1.0's logged calls become completed ledger rows, finished when they were logged" "$(q -c "
    SELECT count(*) FILTER (WHERE state = 'completed' AND finished_at = occurred_at AND NOT resumed) = count(*)
           AND count(*) FILTER (WHERE provider = 'gemini' AND sent_at IS NULL) = 0
           AND count(*) FILTER (WHERE provider IN ('template', 'preview') AND sent_at IS NOT NULL) = 0
      FROM rolloy.api_usage_logs WHERE project_id IS DISTINCT FROM '$inflight' AND occurred_at < now()")" "t"
check "every stored image's bytes match their SHA-256, thumbnails present" \
    "$(q -c "SELECT count(*) FROM rolloy.image_store WHERE encode(sha256(content), 'hex') <> sha256 OR thumbnail IS NULL")" "0"
# The s3 store's rows (a thumbnail, no file) fit the upgraded table; the db rows kept their files.
check "an s3 image's thumbnail row fits, a db row without its file does not" "$(q -c "
    BEGIN;
    INSERT INTO rolloy.image_store (storage_ref, content_type, thumbnail, sha256, size_bytes)
    VALUES ('s3:generated/p/i/' || repeat('a', 64), 'image/jpeg', '\x01', repeat('a', 64), 1);
    ROLLBACK;" && q -c "INSERT INTO rolloy.image_store (storage_ref, content_type, thumbnail, sha256, size_bytes)
    VALUES ('db:generated/p/i', 'image/jpeg', '\x01', repeat('a', 64), 1)" 2>&1 | grep -c 'image_store_content_db_only')" "1"

# 4. The worker goes on: the in-flight calls complete with their books right, and new work
# (Gemini, with the key stored before the upgrade) is done after it.
wait_for "SELECT bool_and(status = 'completed') FROM rolloy.generated_images WHERE project_id = '$inflight'" 60 "in-flight jobs"
q -c "INSERT INTO rolloy.generated_images (project_id, reference_image_id, provider, model, prompt)
      SELECT '$inflight', r.id, 'gemini', 'gemini-2.5-flash-image', 'after the upgrade ' || n
        FROM rolloy.reference_images r, generate_series(1, 4) n WHERE r.product_state = 'expanded'" >/dev/null
wait_for "SELECT count(*) = 10 AND bool_and(status = 'completed') FROM rolloy.generated_images WHERE project_id = '$inflight'" 60 "jobs queued after the upgrade"
check "project counters equal the rows" "$(q -c "
    SELECT count(*) FROM rolloy.creative_projects p,
           LATERAL (SELECT count(*) FILTER (WHERE g.status <> 'cancelled') AS total,
                           count(*) FILTER (WHERE g.status = 'completed') AS completed
                      FROM rolloy.generated_images g WHERE g.project_id = p.id) c
     WHERE (p.total_images, p.completed_images) IS DISTINCT FROM (c.total, c.completed)")" "0"
check "exactly one successful call logged per completed Gemini image" "$(q -c "
    SELECT count(*) FROM rolloy.generated_images g WHERE g.status = 'completed' AND g.provider = 'gemini'
       AND (SELECT count(*) FROM rolloy.api_usage_logs l WHERE l.image_id = g.id AND l.success) <> 1")" "0"
check "every completed image has its stored bytes" "$(q -c "
    SELECT count(*) FROM rolloy.generated_images g WHERE g.status = 'completed'
       AND NOT EXISTS (SELECT 1 FROM rolloy.image_store s WHERE s.storage_ref = g.storage_ref)")" "0"
q -c "$(q -c "SELECT command FROM cron.job WHERE jobname = 'rolloy-insights'")" >/dev/null
echo "ok - the scheduled command runs after the upgrade"

# 5. Object for object the same as a fresh install.
psql -X -q -d "$FRESH" -c "SET client_min_messages = warning" -c "CREATE EXTENSION rolloy" >/dev/null
psql -X -v ON_ERROR_STOP=1 -d "$DB" -f "$HERE/lib/extension_catalog.sql" >"$TMP/upgraded.txt"
psql -X -v ON_ERROR_STOP=1 -d "$FRESH" -f "$HERE/lib/extension_catalog.sql" >"$TMP/fresh.txt"
[ "$(grep -c '^function ' "$TMP/fresh.txt")" -gt 50 ] || fail "the catalog listing of the fresh install is nearly empty"
diff -u "$TMP/upgraded.txt" "$TMP/fresh.txt" >&2 ||
    fail "the upgraded extension differs from a fresh install (- upgraded, + fresh): ship the change in src/sql/upgrade/"
# pg_dump writes the rows of configuration tables only: every table and sequence holding user
# data must be one. The keys and the s3 store's credentials are left out on purpose
# (docs/providers.md, docs/security.md: re-enter them), and so is the imports' lock table (its
# rows hold no data; an import adds its platform's row again), and so are the insights' rollup
# and fatigue's kept first days (derived: a restored database starts with the rollup not built,
# and the first refresh builds both).
check "tables and sequences pg_dump would skip" "$(psql -X -At -d "$FRESH" -c "
    SELECT coalesce(string_agg(c.oid::regclass::text, ',' ORDER BY c.oid::regclass::text), '')
      FROM pg_depend d JOIN pg_class c ON c.oid = d.objid
     WHERE d.classid = 'pg_class'::regclass AND d.deptype = 'e' AND c.relkind IN ('r', 'S')
       AND d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'rolloy')
       AND c.oid <> ALL ((SELECT extconfig FROM pg_extension WHERE extname = 'rolloy')::oid[])")" \
    "rolloy.provider_secrets,rolloy.storage_credentials,rolloy_internal.import_locks,rolloy_internal.insight_ad_totals,rolloy_internal.insight_changed_days,rolloy_internal.insight_fatigue_early_days,rolloy_internal.insight_pieces,rolloy_internal.insight_rollup_state"
echo "ok - upgraded and fresh install list the same $(grep -c '' "$TMP/fresh.txt") catalog lines"
echo "upgrade: ok"
