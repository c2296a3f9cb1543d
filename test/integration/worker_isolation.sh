#!/usr/bin/env bash
# One member can neither read nor stall another member's work through the worker (issue 11):
# - worker_status().last_error shows a member only the errors of his own images (admins and a
#   superuser without a rolloy user: all), and progress notifications carry no names, prompts
#   or errors;
# - a member's open transaction holding locks on his own rows (his project row FOR UPDATE, his
#   images through a cancel he has not committed, his users row through a batch_generate he has
#   not committed) or any session holding an image row past its lease does not stop the worker:
#   the other member's images complete in normal time, the holder's results are kept and
#   recorded once the lock is released (at their first attempt, exactly once), and the server
#   log says what waits;
# - in a deadlock with the worker the other session goes on: the worker gives way and records its
#   result later.
set -euo pipefail
source "$(dirname "$0")/lib/worker_env.sh"
worker_env_up
data_dir=$(psql -X -At -d postgres -c "SHOW data_directory")
server_log="$data_dir/../server.log"
MIA=00000000-0000-0000-0000-0000000000a1
LEO=00000000-0000-0000-0000-0000000000b2
HOLDER=rolloy_it_lock_holder
HOLDER_PID=
cleanup_isolation() {
    psql -X -q -d postgres -c "SELECT pg_terminate_backend(pid) FROM pg_stat_activity
                                WHERE application_name IN ('$HOLDER', 'rolloy_it_listener')" >/dev/null 2>&1
    [ -n "$HOLDER_PID" ] && kill "$HOLDER_PID" 2>/dev/null
    psql -X -q -d "$WDB" -c "UPDATE rolloy.users SET pg_role = NULL WHERE pg_role IN ('it_iso_mia', 'it_iso_leo')" >/dev/null 2>&1
    psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $WDB WITH (FORCE)" -c "DROP ROLE IF EXISTS it_iso_mia" \
        -c "DROP ROLE IF EXISTS it_iso_leo" -c "DROP ROLE IF EXISTS it_iso_nobody" -c "DROP ROLE IF EXISTS it_iso_su" >/dev/null 2>&1
    worker_env_cleanup
}
trap cleanup_isolation EXIT
q <<SQL >/dev/null
SET client_min_messages = warning;
DO \$\$ BEGIN
    CREATE ROLE it_iso_mia LOGIN; CREATE ROLE it_iso_leo LOGIN; CREATE ROLE it_iso_nobody LOGIN;
    CREATE ROLE it_iso_su SUPERUSER NOLOGIN;
EXCEPTION WHEN duplicate_object THEN NULL; END \$\$;
GRANT rolloy_member TO it_iso_mia, it_iso_leo, it_iso_nobody;
UPDATE rolloy.users SET pg_role = 'it_iso_mia' WHERE id = '$MIA';
INSERT INTO rolloy.users (id, email, display_name, role, pg_role) VALUES ('$LEO', 'leo@example.com', 'Leo', 'member', 'it_iso_leo');
SQL
as_role() { local role=$1; shift; psql -X -q -At -v ON_ERROR_STOP=1 -d "$WDB" -c "SET ROLE $role" "$@"; }

project_of() {  # project_of USER_ID PROMPT -> project id
    q -c "INSERT INTO rolloy.creative_projects (scene_id, action_id, driver_id, format_id, created_by, prompt)
          SELECT s.id, a.id, d.id, f.id, '$1', \$\$$2\$\$
            FROM rolloy.scenes s, rolloy.actions a, rolloy.drivers d, rolloy.formats f
           WHERE s.category_code = 'OUT' AND s.scene_code = 'PARK' AND a.code = 'WALK' AND d.code = 'JOY' AND f.code = 'UGC'
          RETURNING id"
}
queue_n() {  # queue_n PROJECT PROVIDER N PROMPT: N jobs, prompts tagged with their number
    for i in $(seq 1 "$3"); do queue_job "$1" "$2" "$4 $i" >/dev/null; done
}
count_status() { q -c "SELECT count(*) FROM rolloy.generated_images WHERE project_id = '$1' AND status = '$2'"; }

# A session that takes locks and keeps its transaction open until release_holder cancels it
# (the transaction then aborts, which releases its locks as a commit would).
hold() {  # hold ROLE SQL...
    local role=$1; shift
    local args=(-c "SET ROLE $role" -c "BEGIN")
    for s in "$@"; do args+=(-c "$s"); done
    PGAPPNAME=$HOLDER psql -X -q -At -d "$WDB" "${args[@]}" -c "SELECT pg_sleep(120)" -c "COMMIT" >"$TMP/holder.out" 2>&1 &
    HOLDER_PID=$!
    for _ in $(seq 150); do
        grep -q ERROR "$TMP/holder.out" && fail "the lock holder failed: $(cat "$TMP/holder.out")"
        [ "$(q -c "SELECT EXISTS (SELECT 1 FROM pg_stat_activity WHERE application_name = '$HOLDER'
                                   AND state = 'active' AND query LIKE '%pg_sleep(120)%')")" = t ] && return 0
        sleep 0.1
    done
    fail "the lock holder did not take its locks: $(cat "$TMP/holder.out")"
}
release_holder() {
    q -c "SELECT count(pg_cancel_backend(pid)) FROM pg_stat_activity WHERE application_name = '$HOLDER'" >/dev/null
    wait "$HOLDER_PID" 2>/dev/null || true
    HOLDER_PID=
}
log_mark() { wc -c <"$server_log"; }
log_since() { tail -c +"$(($1 + 1))" "$server_log"; }

pm=$(project_of "$MIA" "mia's park walk")
pl=$(project_of "$LEO" "leo's park walk")

# --- 1. errors in worker_status() and progress notifications
PGAPPNAME=rolloy_it_listener psql -X -q -d "$WDB" -c "SET ROLE it_iso_leo" -c "LISTEN rolloy_progress" \
    -c "SELECT pg_sleep(4)" >"$TMP/listen.out" 2>&1 &
listener=$!
wait_for "SELECT EXISTS (SELECT 1 FROM pg_stat_activity WHERE application_name = 'rolloy_it_listener'
                          AND state = 'active' AND query LIKE '%pg_sleep(4)%')" 15 "Leo listening"
secret=$(queue_job "$pm" gemini "[[fault:400]] mia-secret-prompt walks by the lake" 1)
wait_for "SELECT status = 'failed' FROM rolloy.generated_images WHERE id = '$secret'" 30 "mia's failing image"
wait "$listener" || true
mia_error=$(image_field "$secret" last_error)
check "the admin sees the last error" "$(q -c "SELECT last_error FROM rolloy.worker_status()")" "$mia_error"
check "a superuser without a rolloy user sees it" "$(as_role it_iso_su -c "SELECT last_error FROM rolloy.worker_status()")" "$mia_error"
check "its owner sees it" "$(as_role it_iso_mia -c "SELECT last_error FROM rolloy.worker_status()")" "$mia_error"
check "another member does not" "$(as_role it_iso_leo -c "SELECT last_error IS NULL FROM rolloy.worker_status()")" "t"
check "a login without a rolloy user does not (NULL, or refused)" \
    "$(as_role it_iso_nobody -c "SELECT last_error FROM rolloy.worker_status()" 2>&1 | grep -c -F "$mia_error" || true)" "0"
check "members still see the worker's health" "$(as_role it_iso_leo -c "SELECT running AND failed >= 1 FROM rolloy.worker_status()")" "t"
leo_fail=$(queue_job "$pl" gemini "[[fault:400]] leo-prompt at the beach" 1)
wait_for "SELECT status = 'failed' FROM rolloy.generated_images WHERE id = '$leo_fail'" 30 "leo's failing image"
check "after Leo's own failure Leo sees his error" "$(as_role it_iso_leo -c "SELECT last_error FROM rolloy.worker_status()")" \
    "$(image_field "$leo_fail" last_error)"
check "Mia still sees her own, older error" "$(as_role it_iso_mia -c "SELECT last_error FROM rolloy.worker_status()")" "$mia_error"
check "another member was notified of the failure" "$(grep -c "\"status\" : \"failed\"" "$TMP/listen.out")" "1"
check "notifications carry no prompt, error or name" \
    "$(grep -c -E 'mia-secret|Invalid value|OUT_PARK|last_error|prompt' "$TMP/listen.out" || true)" "0"
check "notifications carry ids and counts only" \
    "$(grep -o 'payload "{.*}"' "$TMP/listen.out" | head -1 | grep -o '"[a-z_]*" :' | tr -d '": ' | sort | tr '\n' ' ')" \
    "attempts completed failed image_id open project_id status total variant_no "
check_invariants

# --- 2a. Mia holds her project row FOR UPDATE while her calls finish; Leo's work goes on
mark=$(log_mark)
queue_n "$pm" gemini 3 "[[fault:latency=2500]] mia slow walk A"
wait_for "SELECT count(*) = 3 FROM rolloy.generated_images WHERE project_id = '$pm' AND status = 'processing'" 30 "mia's calls in flight"
hold it_iso_mia "SELECT id FROM rolloy.creative_projects WHERE id = '$pm' FOR UPDATE"
sleep 3  # Mia's calls finish while her project row is locked
queue_n "$pl" preview 4 "leo preview A"
queue_n "$pl" gemini 3 "[[fault:latency=200]] leo quick walk A"
wait_for "SELECT count(*) = 7 FROM rolloy.generated_images WHERE project_id = '$pl' AND status = 'completed'" 15 \
    "Leo's images while Mia holds her project row"
echo "ok - Leo's 7 images completed while Mia holds her project row"
check "Mia's results wait while she holds the lock" "$(count_status "$pm" completed)" "0"
check "the worker log says why" "$(log_since "$mark" | grep -c 'rolloy worker: the result of image .* waits for a lock')" "3"
release_holder
wait_for "SELECT count(*) = 3 FROM rolloy.generated_images WHERE project_id = '$pm' AND status = 'completed'" 15 \
    "Mia's images after she released the lock"
check "Mia's kept results were recorded at their first attempt" \
    "$(q -c "SELECT max(attempts) FROM rolloy.generated_images WHERE project_id = '$pm' AND status = 'completed'")" "1"
check "the log says they were recorded" "$(log_since "$mark" | grep -c 'rolloy worker: recorded image .* after waiting')" "3"
check_invariants

# --- 2b. Mia cancels her images in a transaction she leaves open (her image rows and project row
# locked), then rolls it back; Leo's work goes on meanwhile
queue_n "$pm" gemini 3 "[[fault:latency=2500]] mia slow walk B"
wait_for "SELECT count(*) = 3 FROM rolloy.generated_images WHERE project_id = '$pm' AND status = 'processing'" 30 "mia's calls in flight"
hold it_iso_mia "SELECT rolloy.cancel_generation('$pm')"
sleep 3
queue_n "$pl" preview 4 "leo preview B"
queue_n "$pl" gemini 3 "[[fault:latency=200]] leo quick walk B"
wait_for "SELECT count(*) = 14 FROM rolloy.generated_images WHERE project_id = '$pl' AND status = 'completed'" 15 \
    "Leo's images while Mia's uncommitted cancel holds her image rows"
echo "ok - Leo's 7 images completed while Mia's uncommitted cancel holds her rows"
check "Mia's results wait" "$(count_status "$pm" processing)" "3"
release_holder  # the cancel rolls back
wait_for "SELECT count(*) = 6 FROM rolloy.generated_images WHERE project_id = '$pm' AND status = 'completed'" 15 \
    "Mia's images after her cancel rolled back"
check_invariants

# --- 2c. Mia leaves a batch_generate open: it locks her users row and another project of hers
# FOR NO KEY UPDATE, which the foreign-key checks of the usage log (KEY SHARE) do not wait for, so
# nobody's results wait, hers included
pm2=$(project_of "$MIA" "mia's second project")
queue_n "$pm" gemini 2 "[[fault:latency=2500]] mia slow walk C"
wait_for "SELECT count(*) = 2 FROM rolloy.generated_images WHERE project_id = '$pm' AND status = 'processing'" 30 "mia's calls in flight"
hold it_iso_mia "SELECT count(*) FROM rolloy.batch_generate('$pm2', '{\"provider\": \"preview\"}')"
sleep 3
queue_n "$pl" preview 2 "leo preview C"
queue_n "$pl" gemini 2 "[[fault:latency=200]] leo quick walk C"
wait_for "SELECT count(*) = 18 FROM rolloy.generated_images WHERE project_id = '$pl' AND status = 'completed'" 15 \
    "Leo's images while Mia's open batch holds her users row"
echo "ok - Leo's 4 images completed while Mia's open batch holds her users row"
wait_for "SELECT count(*) = 8 FROM rolloy.generated_images WHERE project_id = '$pm' AND status = 'completed'" 15 \
    "Mia's images while her own batch is open"
echo "ok - Mia's 2 results were recorded while her open batch holds her users row"
release_holder
check_invariants

# --- 2d. an image row held past its lease (10 s here): the heartbeat cannot extend that lease,
# and the reclaim must not take the row while its result waits in the worker
img=$(queue_job "$pm" gemini "[[fault:latency=1500]] mia slow walk D")
wait_for "SELECT status = 'processing' FROM rolloy.generated_images WHERE id = '$img'" 30 "the call in flight"
hold postgres "SELECT id FROM rolloy.generated_images WHERE id = '$img' FOR UPDATE"
sleep 14  # the result arrives after 1.5 s; the lease runs out; the reclaim runs every 10 s
queue_n "$pl" preview 2 "leo preview D"
wait_for "SELECT count(*) = 20 FROM rolloy.generated_images WHERE project_id = '$pl' AND status = 'completed'" 15 \
    "Leo's images while an image row of Mia is locked"
check "the row is still the worker's" "$(image_field "$img" "status || '/' || attempts")" "processing/1"
release_holder
wait_for "SELECT status = 'completed' FROM rolloy.generated_images WHERE id = '$img'" 15 "the held image after the release"
check "its kept result was recorded at its first attempt, nothing reclaimed" "$(image_field "$img" attempts)" "1"
check "one call was made for it" "$(q -c "SELECT count(*) FROM rolloy.api_usage_logs WHERE image_id = '$img'")" "1"
check_invariants

# --- 2e. a deadlock with the worker: the other session goes on, the worker gives way and keeps
# its result. The session locks the image store (SHARE: the worker's record cannot write the
# image's file), waits until the worker's record waits for it (holding the image row), then
# updates that image row: a cycle. The worker checks for deadlocks after 50 ms, the session after
# its 1 s, so the worker's record is the one aborted (40P01); it is kept and recorded once the
# session has committed.
img=$(queue_job "$pm" gemini "[[fault:latency=1500]] mia slow walk E")
wait_for "SELECT status = 'processing' FROM rolloy.generated_images WHERE id = '$img'" 30 "the call in flight"
mark=$(log_mark)
wpid=$(worker_pid)
PGAPPNAME=$HOLDER psql -X -q -At -v ON_ERROR_STOP=1 -d "$WDB" >"$TMP/deadlock.out" 2>&1 <<SQL &
BEGIN;
LOCK TABLE rolloy.image_store IN SHARE MODE;
DO \$\$ BEGIN
    FOR i IN 1..3000 LOOP
        EXIT WHEN EXISTS (SELECT 1 FROM pg_catalog.pg_locks l
                           WHERE l.pid = $wpid AND NOT l.granted AND l.relation = 'rolloy.image_store'::regclass);
        PERFORM pg_catalog.pg_sleep(0.005);
    END LOOP;
END \$\$;
UPDATE rolloy.generated_images SET updated_at = updated_at WHERE id = '$img';
SELECT 'the session went on';
COMMIT;
SQL
HOLDER_PID=$!
wait "$HOLDER_PID" || fail "the session caught in the deadlock failed: $(cat "$TMP/deadlock.out")"
HOLDER_PID=
check "the session caught in a deadlock with the worker went on" "$(cat "$TMP/deadlock.out")" "the session went on"
check "the worker was the one aborted, and says so" \
    "$(log_since "$mark" | grep -c "rolloy worker: recording image $img gave way in a deadlock")" "1"
check "no session's statement was aborted" "$(log_since "$mark" | grep -c 'ERROR:  deadlock detected' || true)" "0"
wait_for "SELECT status = 'completed' FROM rolloy.generated_images WHERE id = '$img'" 15 "the image after the deadlock"
check "its kept result was recorded at its first attempt" "$(image_field "$img" attempts)" "1"
check "one call was made for it" "$(q -c "SELECT count(*) FROM rolloy.api_usage_logs WHERE image_id = '$img'")" "1"
check_invariants
echo "worker_isolation: ok"
