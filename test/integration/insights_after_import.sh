#!/usr/bin/env bash
# Insights after every import (issue "Insights that keep up", 1): an import that writes rows is
# followed within seconds by a background refresh that includes it, without the import waiting;
# imports committed together are refreshed once; a rolled-back import refreshes nothing; the
# setting turns it off; a refresh that fails says why in insight_status and keeps its imports
# pending for the next refresh. Sections 1-6 run with rolloy.insight_refresher_idle_seconds = 0
# (each worker exits after its refresh); 7-11 let the refresher stay a few seconds: later imports
# are refreshed by it, warm, a request is never lost to a busy, leaving or terminated refresher,
# and a member holding its advisory key or dropping the extension does not get in the way.
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
     -c "ALTER DATABASE $DB SET rolloy.insight_refresher_idle_seconds = 0" \
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
wait_for_refresh_of() {  # batch id [tenths of a second, default 300]
    for _ in $(seq "${2:-300}"); do
        [ "$(q -c "SELECT count(*) FROM rolloy.insight_refreshes WHERE $1 = ANY (import_batch_ids) AND error IS NULL")" = 1 ] &&
            return 0
        sleep 0.1
    done
    fail "no refresh included import $1 within $((${2:-300} / 10)) s: $(q -c "TABLE rolloy.insight_refreshes")"
}

# A session holding rolloy.insights in ACCESS EXCLUSIVE mode (every refresh waits for it) until
# release_insights.
hold_insights() {
    rm -f "$TMP/holder.in" "$TMP/holder.out"
    mkfifo "$TMP/holder.in"
    psql -X -q -At -d "$DB" <"$TMP/holder.in" >"$TMP/holder.out" 2>&1 &
    HOLDER=$!
    exec 3>"$TMP/holder.in"
    printf 'BEGIN;\nLOCK TABLE rolloy.insights IN ACCESS EXCLUSIVE MODE;\nSELECT %s;\n' "'locked'" >&3
    for _ in $(seq 100); do grep -q locked "$TMP/holder.out" && return 0; sleep 0.1; done
    fail "could not lock rolloy.insights: $(cat "$TMP/holder.out")"
}
release_insights() {
    echo "ROLLBACK;" >&3
    exec 3>&-
    wait "$HOLDER" || true
    HOLDER=
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
hold_insights
batch=$(ada -c "$(import_sql 2026-11-08)")
for _ in $(seq 300); do
    [ "$(q -c "SELECT count(*) FROM rolloy.insight_refreshes WHERE error IS NOT NULL")" = 1 ] && break
    sleep 0.1
done
release_insights
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
echo "ok - with rolloy.insight_refresher_idle_seconds = 0 every worker exits after its refresh"
# 7-11: the refresher stays 3 s after its last refresh (a new worker reads the database setting).
psql -X -q -d postgres -c "ALTER DATABASE $DB SET rolloy.insight_refresher_idle_seconds = 3"
refresher() {  # the pids of this database's refresh workers, comma-separated
    q -c "SELECT coalesce(string_agg(pid::text, ',' ORDER BY pid), '') FROM pg_stat_activity
           WHERE datname = current_database() AND backend_type = 'rolloy insight refresh'"
}
refreshed_by_import() {  # batch id -> t when a successful refresh after an import included it
    q -c "SELECT count(*) = 1 FROM rolloy.insight_refreshes WHERE $1 = ANY (import_batch_ids) AND error IS NULL
            AND trigger = 'import'"
}
wait_for_state() {  # pid, state, wait_event_type (or '') -> waits until the refresher is there
    for _ in $(seq 100); do
        [ "$(q -c "SELECT state || '/' || coalesce(wait_event_type, '') FROM pg_stat_activity WHERE pid = $1")" = "$2/$3" ] &&
            return 0
        sleep 0.1
    done
    fail "refresher $1 is not $2/$3: $(q -c "SELECT state, wait_event_type, wait_event, query FROM pg_stat_activity WHERE pid = $1")"
}

# 7. Two imports a second apart: the worker of the first refreshes and stays; the second's worker
#    wakes it and exits, and the same backend refreshes the second import.
first=$(ada -c "$(import_sql 2026-11-09)")
wait_for_refresh_of "$first"
pid=$(refresher)
[ -n "$pid" ] && [ "${pid//[0-9]/}" = "" ] || fail "not one refresher after a refresh: '$pid'"
wait_for_state "$pid" idle Extension
sleep 1
second=$(ada -c "$(import_sql 2026-11-10)")
wait_for_refresh_of "$second"
[ "$(refreshed_by_import "$first")/$(refreshed_by_import "$second")" = t/t ] ||
    fail "the refreshes after imports are not recorded as such: $(q -c "TABLE rolloy.insight_refreshes")"
sleep 0.3  # the second import's worker has left by now (it only sets a latch)
[ "$(refresher)" = "$pid" ] || fail "refresher $pid, then '$(refresher)': the second import was not refreshed by it"
[ "$(q -c "SELECT count(*) FROM rolloy.insight_refreshes WHERE started_at > (SELECT backend_start FROM pg_stat_activity
                                                                          WHERE pid = $pid)")" = 2 ] ||
    fail "refresher $pid did not run both refreshes: $(q -c "TABLE rolloy.insight_refreshes")"
echo "ok - two imports a second apart are refreshed by one refresher that stays ($pid)"

# 8. Imports while its refresh runs (here: waits for the insights' lock) are taken in by it then
#    or right after: none is lost, and no second refresher stays.
hold_insights
third=$(ada -c "$(import_sql 2026-11-11)")
wait_for_state "$pid" active Lock
fourth=$(ada -c "$(import_sql 2026-11-12)")
sleep 0.3
[ "$(refresher)" = "$pid" ] || fail "a second worker stayed while the refresher was busy: '$(refresher)'"
release_insights
wait_for_refresh_of "$third"
wait_for_refresh_of "$fourth"
[ "$(refresher)" = "$pid" ] || fail "after the busy refresh: '$(refresher)', not $pid"
[ "$(q -c "SELECT count(*) FROM rolloy_internal.insight_refresh_requests")" = 0 ] || fail "requests left pending"
echo "ok - imports during a refresh are refreshed by the same refresher ($(q -c "SELECT string_agg(import_batch_ids::text, ' then ' ORDER BY id)
                                                                             FROM rolloy.insight_refreshes WHERE $third = ANY (import_batch_ids) OR $fourth = ANY (import_batch_ids)"))"

# 9. Idle for 3 s it leaves; the next import is refreshed by a new one.
workers_done
fifth=$(ada -c "$(import_sql 2026-11-13)")
wait_for_refresh_of "$fifth"
next=$(refresher)
[ -n "$next" ] && [ "$next" != "$pid" ] || fail "after the idle timeout: refresher '$next' (the old one was $pid)"
echo "ok - an idle refresher leaves after rolloy.insight_refresher_idle_seconds; the next import gets a new one"

# 10. pg_terminate_backend: idle, it exits at once; in a refresh, the refresh is lost but not its
#     imports: the next import's refresh takes them in.
q -c "SELECT pg_terminate_backend($next)" >/dev/null
for _ in $(seq 20); do [ -z "$(refresher)" ] && break; sleep 0.1; done
[ -z "$(refresher)" ] || fail "a terminated idle refresher is still there: $(refresher)"
sixth=$(ada -c "$(import_sql 2026-11-14)")
wait_for_refresh_of "$sixth"
pid=$(refresher)
hold_insights
seventh=$(ada -c "$(import_sql 2026-11-15)")
wait_for_state "$pid" active Lock
q -c "SELECT pg_terminate_backend($pid)" >/dev/null
for _ in $(seq 50); do [ -z "$(refresher)" ] && break; sleep 0.1; done
[ -z "$(refresher)" ] || fail "a refresher terminated in a refresh is still there: $(refresher)"
release_insights
[ "$(q -c "SELECT count(*) FROM rolloy_internal.insight_refresh_requests WHERE import_batch_id = $seventh")" = 1 ] ||
    fail "the terminated refresh took its import's request with it"
eighth=$(ada -c "$(import_sql 2026-11-16)")
wait_for_refresh_of "$eighth"
[ "$(q -c "SELECT $seventh = ANY (import_batch_ids) FROM rolloy.insight_refreshes WHERE $eighth = ANY (import_batch_ids)")" = t ] ||
    fail "the refresh after import $eighth did not take in $seventh: $(q -c "TABLE rolloy.insight_refreshes")"
echo "ok - a terminated refresher loses no import: the next refresh takes in what it left pending"

# 11. A member holding the refresher's advisory key does not stop the refreshes (the worker then
#     refreshes itself and leaves); dropping the extension ends a staying refresher.
workers_done
mkfifo "$TMP/member.in"
psql -X -q -At -U rolloy_aft_mia -d "$DB" <"$TMP/member.in" >"$TMP/member.out" 2>&1 &
HOLDER=$!
exec 3>"$TMP/member.in"
printf 'SELECT pg_try_advisory_lock(1919904876, 1);\n' >&3
for _ in $(seq 100); do grep -q '^t$' "$TMP/member.out" && break; sleep 0.1; done
grep -q '^t$' "$TMP/member.out" || fail "the member could not take the key: $(cat "$TMP/member.out")"
ninth=$(ada -c "$(import_sql 2026-11-17)")
wait_for_refresh_of "$ninth"
workers_done
exec 3>&-
wait "$HOLDER" || true
HOLDER=
echo "ok - a member holding the refresher's advisory key does not stop the refreshes after imports"
psql -X -q -d postgres -c "ALTER DATABASE $DB SET rolloy.insight_refresher_idle_seconds = 60"
tenth=$(ada -c "$(import_sql 2026-11-18)")
wait_for_refresh_of "$tenth"
pid=$(refresher)
[ -n "$pid" ] || fail "no refresher stays with idle_seconds = 60"
wait_for_state "$pid" idle Extension
# Woken by the next import's worker, it refreshes at once, not at its next poll (10 s).
eleventh=$(ada -c "$(import_sql 2026-11-19)")
wait_for_refresh_of "$eleventh" 50
[ "$(refresher)" = "$pid" ] || fail "refresher $pid, then '$(refresher)' after import $eleventh"
# The same with a request alone (an import's catalog churn may wake an idle backend by itself):
# a worker launched after it committed wakes the refresher, which refreshes well before its poll.
before=$(refreshes)
q -c "INSERT INTO rolloy_internal.insight_refresh_requests (import_batch_id) VALUES ($eleventh)" \
  -c "SELECT rolloy_internal._launch_insight_refresh()" >/dev/null
for _ in $(seq 50); do [ "$(refreshes)" -gt "$before" ] && break; sleep 0.1; done
[ "$(refreshes)" -gt "$before" ] || fail "a request with its worker was not refreshed within 5 s (the poll is 10 s)"
[ "$(refresher)" = "$pid" ] || fail "refresher $pid, then '$(refresher)' after a request"
echo "ok - a staying refresher is woken by the next import's worker and refreshes at once"
wait_for_state "$pid" idle Extension
q -c "SET lock_timeout = '2s'" -c "DROP EXTENSION rolloy CASCADE" >/dev/null 2>&1 ||
    fail "DROP EXTENSION waited for the staying refresher"
for _ in $(seq 150); do [ -z "$(refresher)" ] && break; sleep 0.1; done
[ -z "$(refresher)" ] || fail "the refresher stays after DROP EXTENSION: $(refresher)"
echo "ok - DROP EXTENSION does not wait for a staying refresher, which then leaves"
echo "insights after import: ok"
