#!/usr/bin/env bash
# The write-ahead window: a kill -9 of the worker after its attempt's ledger row is committed as
# in flight but before the provider read the request. The fake Gemini server is stopped
# (SIGSTOP): the worker's connection is accepted by the kernel and its request sits unread in
# the socket's queue; the worker is killed, then the fake, which never runs again and so never
# reads it. Recovery cannot tell this call from one the provider received: the attempt is booked
# "outcome unknown, may be billed" at the list price and counts against the budget
# (docs/worker.md, "The ledger": why that stays the conservative choice); the image is tried
# again and completes once. No test hook in the extension: only signals.
# Then the known paths that delete images (a failed job, deleting an image, a reference photo, a
# project's images and the project) leave no row of the db store behind, and cleanup() has nothing to sweep while every
# referenced row stays.
set -euo pipefail
source "$(dirname "$0")/lib/worker_env.sh"
worker_env_up
# The unread request must not time out before the kill.
psql -X -q -d postgres -c "ALTER SYSTEM SET rolloy.request_timeout_ms = 60000" -c "SELECT pg_reload_conf()" >/dev/null
stopped_fake=${FAKE_PIDS[0]} stopped_port=$GEMINI_PORT
# A stopped process ignores SIGTERM until continued: whatever happens, it is killed for good.
trap 'kill -9 "$stopped_fake" 2>/dev/null || true; worker_env_cleanup' EXIT
unread_bytes() {  # bytes the worker sent to the stopped fake that nobody read
    ss -Htn state established "( sport = :$stopped_port )" | awk '{ n += $1 } END { print n + 0 }'
}

kill -STOP "$stopped_fake"
p=$(new_project OUT PARK WALK JOY UGC "unsent")
img=$(queue_job "$p" gemini "[[id:u1]] a call the provider never reads")
wait_for "SELECT count(*) = 1 FROM rolloy.api_usage_logs WHERE image_id = '$img' AND state = 'in_flight'" 30 "the attempt in flight"
for _ in $(seq 100); do [ "$(unread_bytes)" -gt 0 ] && break; sleep 0.1; done
check "the request waits unread in the stopped provider's socket" "$( [ "$(unread_bytes)" -gt 0 ] && echo yes)" "yes"
# The provider the next attempt reaches: a second fake, set before the kill.
start_fake gemini; GEMINI_PORT=$FAKE_PORT
psql -X -q -d postgres -c "ALTER SYSTEM SET rolloy.gemini_base_url = 'http://127.0.0.1:$GEMINI_PORT'" \
    -c "SELECT pg_reload_conf()" >/dev/null
victim=$(worker_pid)
kill -9 "$victim"
kill -9 "$stopped_fake"
wait "$stopped_fake" 2>/dev/null || true
echo "killed worker $victim with SIGKILL, then the stopped fake: the request was never read"
for _ in $(seq 100); do psql -X -q -d postgres -c "SELECT 1" >/dev/null 2>&1 && break; sleep 0.2; done
wait_worker
wait_for "SELECT status = 'completed' FROM rolloy.generated_images WHERE id = '$img'" 90 "completion after kill -9"

check "the image's story: the unsent attempt unknown, the next one completed" "$(q -c "
    SELECT string_agg(attempt || ':' || state || ':' || coalesce(http_status::text, '-'), ' ' ORDER BY id)
      FROM rolloy.api_usage_logs WHERE image_id = '$img'")" "1:unknown:- 2:completed:200"
check "the unknown attempt is charged at the list price" "$(q -c "
    SELECT cost_usd = rolloy.price_of('gemini', 'gemini-2.5-flash-image', 'image')
      FROM rolloy.api_usage_logs WHERE image_id = '$img' AND state = 'unknown'")" "t"
check "the provider that answered saw one request" "$(gemini_calls u1)" "1"
check "ledger rows that sent a request: the fake's requests and the one never read" \
    "$(q -c "SELECT count(*) FROM rolloy.api_usage_logs WHERE provider = 'gemini' AND sent_at IS NOT NULL AND NOT resumed")" \
    "$(($(fake_requests "$GEMINI_PORT" generate) + 1))"
check "the image completed once, after two attempts" \
    "$(q -c "SELECT attempts || ' ' || (SELECT count(*) FROM rolloy.image_store s WHERE s.storage_ref = g.storage_ref)
               FROM rolloy.generated_images g WHERE id = '$img'")" "2 1"
check "the unknown attempt counts against the owner's budget" "$(q -c "
    SELECT spent_usd = (SELECT sum(cost_usd) FROM rolloy.api_usage_logs WHERE user_id = '00000000-0000-0000-0000-0000000000a1')
           AND spent_usd >= 2 * rolloy.price_of('gemini', 'gemini-2.5-flash-image', 'image')
      FROM rolloy.usage_this_month('00000000-0000-0000-0000-0000000000a1')")" "t"
check "no attempt left open" "$(q -c "SELECT count(*) FROM rolloy.api_usage_logs WHERE state IN ('staged', 'in_flight')")" "0"
check_invariants

# -- The known paths that delete images leave no row of the db store behind.
orphans() {
    q -c "SELECT count(*) FROM rolloy.image_store s
           WHERE NOT EXISTS (SELECT 1 FROM rolloy.generated_images g WHERE g.storage_ref = s.storage_ref)
             AND NOT EXISTS (SELECT 1 FROM rolloy.reference_images r WHERE r.storage_ref = s.storage_ref)"
}
p2=$(new_project TRVL CAR LOAD FREE STORY "paths")
for i in 1 2 3; do queue_job "$p2" preview "preview $i" >/dev/null; done
failing=$(queue_job "$p2" gemini "[[fault:400]] refused" 1)
wait_for "SELECT count(*) FILTER (WHERE status = 'completed') = 3 AND count(*) FILTER (WHERE status = 'failed') = 1
            FROM rolloy.generated_images WHERE project_id = '$p2'" 60 "previews completed, the Gemini job failed"
check "a failed job stores nothing" "$(image_field "$failing" "storage_ref IS NULL")" "t"
check "after a failed job: no orphan" "$(orphans)" "0"
q -c "DELETE FROM rolloy.generated_images WHERE id = (SELECT id FROM rolloy.generated_images
                                                     WHERE project_id = '$p2' AND status = 'completed' LIMIT 1)"
check "after deleting an image: no orphan" "$(orphans)" "0"
vips black "$TMP/spare.png" 400 400
ref=$(q <<SQL
\\set spare \`base64 -w0 $TMP/spare.png\`
SELECT id FROM rolloy.upload_reference_image(decode(:'spare', 'base64'), 'spare.png', 'folded');
SQL
)
check "the spare reference photo is stored" "$(q -c "SELECT count(*) FROM rolloy.image_store WHERE storage_ref = 'db:reference/$ref'")" "1"
q -c "SELECT rolloy.delete_reference_image('$ref')" >/dev/null
check "after deleting a reference photo: no orphan" "$(orphans)" "0"
# A project with images cannot be deleted (delete_project: 23503, its images stay stored); once
# its images are deleted it can, and neither step leaves a row behind.
check "a project with images is kept, with its stored images" "$(q -c "SELECT rolloy.delete_project('$p2')" 2>&1 |
    grep -c "has generated images and cannot be deleted")/$(q -c "SELECT count(*) FROM rolloy.image_store WHERE storage_ref LIKE 'db:generated/$p2/%'")" "1/2"
q -c "DELETE FROM rolloy.generated_images WHERE project_id = '$p2'"
q -c "SELECT rolloy.delete_project('$p2')" >/dev/null
check "after deleting a project's images and the project: no orphan, no row of it" \
    "$(orphans)/$(q -c "SELECT count(*) FROM rolloy.image_store WHERE storage_ref LIKE 'db:generated/$p2/%'")" "0/0"
check "cleanup() without grace finds nothing to sweep" "$(q -c "SET rolloy.storage_orphan_grace_seconds = 0" \
    -c "SELECT rows_affected FROM rolloy.cleanup() WHERE what = 'orphaned stored images deleted'")" "0"
check "every referenced row is kept" "$(q -c "
    SELECT (SELECT count(*) FROM rolloy.image_store) =
           (SELECT count(*) FROM rolloy.generated_images WHERE status = 'completed') + (SELECT count(*) FROM rolloy.reference_images)")" "t"
check_invariants
echo "worker_unsent: ok"
