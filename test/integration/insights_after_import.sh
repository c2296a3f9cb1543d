#!/usr/bin/env bash
# Insights after every import (issue "Insights that keep up", 1): an import that writes rows is
# followed within seconds by a background refresh that includes it, without the import waiting;
# imports committed together are refreshed once; a rolled-back import refreshes nothing; the
# setting turns it off; a refresh that fails says why in insight_status and keeps its imports
# pending for the next refresh.
set -euo pipefail
source "$(dirname "$0")/../../scripts/lib.sh"
: "${PGHOST:?}" "${PGPORT:?}" "${PGUSER:?}"
DB=rolloy_after_import_$$
HOLDER=
TMP=$(mktemp -d /tmp/rolloy-after-import-XXXXXX)
cleanup() {
    exec 3>&- 2>/dev/null || true
    [ -n "$HOLDER" ] && kill "$HOLDER" 2>/dev/null
    psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" \
         -c "DROP ROLE IF EXISTS rolloy_aft_ada, rolloy_aft_mia" >/dev/null 2>&1 || true
    rm -rf "$TMP"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
q() { psql -X -q -At -v ON_ERROR_STOP=1 -d "$DB" "$@"; }
ada() { psql -X -q -At -v ON_ERROR_STOP=1 -U rolloy_aft_ada -d "$DB" "$@"; }

psql -X -q -d postgres -c "SET client_min_messages = warning" -c "CREATE DATABASE $DB" \
     -c "DROP ROLE IF EXISTS rolloy_aft_ada, rolloy_aft_mia" \
     -c "CREATE ROLE rolloy_aft_ada LOGIN" -c "CREATE ROLE rolloy_aft_mia LOGIN"
q <<'SQL'
SET client_min_messages = warning;
CREATE EXTENSION rolloy;
GRANT rolloy_admin TO rolloy_aft_ada;
GRANT rolloy_member TO rolloy_aft_mia;
SELECT FROM rolloy.load_sample_dictionaries();
INSERT INTO rolloy.users (id, email, display_name, role, pg_role) VALUES
    ('00000000-0000-0000-0000-0000000000ad', 'ada@example.com', 'Ada', 'admin', 'rolloy_aft_ada'),
    ('00000000-0000-0000-0000-00000000000a', 'mia@example.com', 'Mia', 'member', 'rolloy_aft_mia');
INSERT INTO rolloy.creative_projects (scene_id, action_id, driver_id, format_id, created_by, title)
SELECT 1 + g % 3, 1, 1 + g % 2, 1, '00000000-0000-0000-0000-00000000000a', 'c' || g FROM generate_series(1, 4) g;
SQL
mapfile -t names < <(q -c "SELECT generated_name FROM rolloy.creative_projects ORDER BY title")

# A Meta export of every creative for one day.
export_for() {  # day
    printf 'Day,Ad name,Ad ID,Amount spent (USD),Impressions,Link clicks\n'
    local i=0 n
    for n in "${names[@]}"; do
        i=$((i + 1))
        printf '%s,%s,ad%s,%s.00,%s,%s\n' "$1" "$n" "$i" "$((10 * i))" "$((2000 * i))" "$((20 + 7 * i))"
    done
}
import_sql() {  # day -> the statement
    printf "SELECT id FROM rolloy.import_performance(\$csv\$%s\$csv\$, 'meta')" "$(export_for "$1")"
}
refreshes() { q -c "SELECT count(*) FROM rolloy.insight_refreshes WHERE error IS NULL"; }
# Waits until the background refresh workers of this database are gone (each exits right after
# its one refresh, or at once when another refresh took its import in).
workers_done() {
    for _ in $(seq 300); do
        [ "$(q -c "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()
                     AND backend_type = 'rolloy insight refresh'")" = 0 ] && return 0
        sleep 0.1
    done
    fail "background refresh workers still running after 30 s"
}
wait_for_refresh_of() {  # batch id
    for _ in $(seq 300); do
        [ "$(q -c "SELECT count(*) FROM rolloy.insight_refreshes WHERE $1 = ANY (import_batch_ids) AND error IS NULL")" = 1 ] &&
            return 0
        sleep 0.1
    done
    fail "no refresh included import $1 within 30 s: $(q -c "TABLE rolloy.insight_refreshes")"
}

# 1. One import: a refresh follows by itself, after the import committed, and includes it.
[ "$(q -c "SELECT count(*) FROM rolloy.insight_tiers")" = 0 ] || fail "insights before any import"
batch=$(ada -c "$(import_sql 2026-11-02)")
wait_for_refresh_of "$batch"
q -c "SELECT f.trigger, f.started_at >= b.finished_at, f.rows_written > 0
        FROM rolloy.insight_refreshes f, rolloy.import_batches b WHERE b.id = $batch AND $batch = ANY (f.import_batch_ids)" |
    grep -qx 'import|t|t' || fail "the refresh after import $batch: $(q -c "TABLE rolloy.insight_refreshes")"
[ "$(q -c "SELECT count(*) FROM rolloy.insight_tiers")" = 4 ] || fail "the insights do not show the imported creatives"
echo "ok - an import is followed by a refresh that includes it, started after the import committed"
[ "$(psql -X -q -At -U rolloy_aft_mia -d "$DB" -c "SELECT last_trigger, imports_since, refresh_after_import FROM rolloy.insight_status")" = 'import|0|t' ] ||
    fail "a member's insight_status: $(psql -X -q -At -U rolloy_aft_mia -d "$DB" -c "TABLE rolloy.insight_status")"
echo "ok - insight_status tells a member when and why the insights were computed"
workers_done

# 2. Three imports committed together: one refresh takes all three in.
before=$(refreshes)
ids=$(ada -v ON_ERROR_STOP=1 <<SQL | paste -sd, -
BEGIN;
$(import_sql 2026-11-03);
$(import_sql 2026-11-04);
$(import_sql 2026-11-05);
COMMIT;
SQL
)
first=${ids%%,*}
wait_for_refresh_of "$first"
workers_done
[ "$(refreshes)" = $((before + 1)) ] || fail "three imports in one transaction gave $(($(refreshes) - before)) refreshes"
[ "$(q -c "SELECT import_batch_ids = '{$ids}' FROM rolloy.insight_refreshes ORDER BY id DESC LIMIT 1")" = t ] ||
    fail "the refresh took $(q -c "SELECT import_batch_ids FROM rolloy.insight_refreshes ORDER BY id DESC LIMIT 1"), not {$ids}"
echo "ok - imports committed together are refreshed once ({$ids})"

# 3. A rolled-back import: nothing pending, no refresh.
before=$(refreshes)
ada -v ON_ERROR_STOP=1 >/dev/null <<SQL
BEGIN;
$(import_sql 2026-11-06);
ROLLBACK;
SQL
workers_done
[ "$(refreshes)" = "$before" ] || fail "a rolled-back import was refreshed"
[ "$(q -c "SELECT count(*) FROM rolloy_internal.insight_refresh_requests")" = 0 ] || fail "a rolled-back import left a request"
echo "ok - a rolled-back import refreshes nothing"

# 4. Turned off: the import is not refreshed, insight_status counts it, a manual refresh catches up.
ada -c "UPDATE rolloy.insight_settings SET refresh_after_import = false"
before=$(refreshes)
ada -c "$(import_sql 2026-11-07)" >/dev/null
workers_done
[ "$(refreshes)" = "$before" ] || fail "refresh_after_import = false still refreshed"
[ "$(q -c "SELECT imports_since FROM rolloy.insight_status")" = 1 ] || fail "insight_status does not count the import"
ada -c "SELECT count(*) FROM rolloy.refresh_insights()" >/dev/null
[ "$(q -c "SELECT last_trigger || '/' || imports_since FROM rolloy.insight_status")" = manual/0 ] ||
    fail "after a manual refresh: $(q -c "TABLE rolloy.insight_status")"
ada -c "UPDATE rolloy.insight_settings SET refresh_after_import = true"
echo "ok - refresh_after_import = false leaves it to the next refresh, which insight_status shows"

# 5. A refresh that cannot get its lock fails after lock_timeout, says why, and keeps the import
#    pending; the next refresh takes it in.
psql -X -q -d postgres -c "ALTER DATABASE $DB SET lock_timeout = '1s'"
mkfifo "$TMP/holder.in"
psql -X -q -At -d "$DB" <"$TMP/holder.in" >"$TMP/holder.out" 2>&1 &
HOLDER=$!
exec 3>"$TMP/holder.in"
printf 'BEGIN;\nLOCK TABLE rolloy.insights IN ACCESS EXCLUSIVE MODE;\nSELECT %s;\n' "'locked'" >&3
for _ in $(seq 100); do grep -q locked "$TMP/holder.out" && break; sleep 0.1; done
batch=$(ada -c "$(import_sql 2026-11-08)")
for _ in $(seq 300); do
    [ "$(q -c "SELECT count(*) FROM rolloy.insight_refreshes WHERE error IS NOT NULL")" = 1 ] && break
    sleep 0.1
done
echo "ROLLBACK;" >&3
exec 3>&-
wait "$HOLDER" || true
HOLDER=
q -c "SELECT last_error ILIKE '%lock timeout%', imports_since FROM rolloy.insight_status" | grep -qx 't|1' ||
    fail "a failed refresh: $(q -c "TABLE rolloy.insight_status")"
[ "$(q -c "SELECT $batch = ANY (import_batch_ids) FROM rolloy.insight_refreshes WHERE error IS NOT NULL")" = t ] ||
    fail "the failure does not name the import it left pending"
psql -X -q -d postgres -c "ALTER DATABASE $DB RESET lock_timeout"
ada -c "SELECT count(*) FROM rolloy.refresh_insights()" >/dev/null
wait_for_refresh_of "$batch"
echo "ok - a failed background refresh says why in insight_status and the next refresh takes its import"

# 6. Members: read the status and the log, never write them, never see the requests.
mia() { psql -X -q -At -U rolloy_aft_mia -d "$DB" -c "$1" 2>&1 || true; }
[ "$(mia "SELECT count(*) > 0 FROM rolloy.insight_refreshes")" = t ] || fail "a member cannot read the refresh log"
mia "INSERT INTO rolloy.insight_refreshes (trigger, started_at, finished_at, duration_ms) VALUES ('manual', now(), now(), 0)" |
    grep -q "permission denied" || fail "a member wrote the refresh log"
mia "SELECT * FROM rolloy_internal.insight_refresh_requests" | grep -q "permission denied" ||
    fail "a member read the pending requests"
mia "SELECT rolloy_internal._launch_insight_refresh()" | grep -q "permission denied" ||
    fail "a member launched a refresh worker"
echo "ok - members read the status, and cannot write it or launch refreshes"
workers_done
echo "insights after import: ok"
