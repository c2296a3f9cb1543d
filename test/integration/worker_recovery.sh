#!/usr/bin/env bash
# Recovery: kill -9 of the worker mid-batch (Postgres restarts every backend) and a fast
# Postgres restart mid-batch lose and duplicate nothing: every image completes exactly once,
# its file is stored once, and one successful call is logged for it. A clean shutdown gives the
# attempts of calls in flight and of staged jobs back. The ledger: every request the fake
# providers saw is one row (write-ahead), the calls a crash left in flight are closed as unknown
# at the list price and count against the owner's budget.
set -euo pipefail
source "$(dirname "$0")/lib/worker_env.sh"
worker_env_up
# Calls slow enough (8 s) to be in flight whatever the machine's load while the test looks.
psql -X -q -d postgres -c "ALTER SYSTEM SET rolloy.request_timeout_ms = 20000" -c "SELECT pg_reload_conf()" >/dev/null
data_dir=$(psql -X -At -d postgres -c "SHOW data_directory")

wait_requests() {  # wait_requests GEMINI FAL: until the fakes have seen that many requests
    for _ in $(seq 150); do
        [ "$(fake_requests "$GEMINI_PORT" generate)" -ge "$1" ] && [ "$(fake_requests "$FAL_PORT" submit)" -ge "$2" ] && return 0
        sleep 0.2
    done
    fail "the fakes did not see $1 Gemini and $2 fal requests"
}

p=$(new_project OUT PARK WALK JOY UGC "slow walk")
# Queues N slow (8 s) calls tagged [[id:TAGi]] in one statement: all are in flight together.
queue_slow() {  # queue_slow PROJECT PROVIDER MODEL TAG N
    q -c "INSERT INTO rolloy.generated_images (project_id, reference_image_id, provider, model, prompt, params)
          SELECT '$1', r.id, '$2', '$3', '[[id:$4' || i || ']][[fault:latency=8000]] slow call ' || i,
                 '{\"strength\": 0.8, \"steps\": 20, \"guidance\": 3.5}'
            FROM (SELECT id FROM rolloy.reference_images WHERE product_state = 'expanded' LIMIT 1) r,
                 generate_series(1, $5) i" >/dev/null
}
queue_slow "$p" gemini gemini-2.5-flash-image k 6
queue_slow "$p" fal fal-ai/flux/dev/image-to-image f 4
wait_for "SELECT count(*) = 10 FROM rolloy.generated_images WHERE status = 'processing'" 30 "jobs in flight"
wait_requests 6 4
# fal answered each submit with its queue ticket: the worker books it in the attempt's ledger
# row at once, between network waits (worker.md, "Remote ids").
wait_for "SELECT count(*) = 4 FROM rolloy.api_usage_logs WHERE project_id = '$p' AND provider = 'fal'
                                                         AND state = 'in_flight' AND remote_id LIKE '%fal_request_id%'" 10 "fal tickets booked"
check "no Gemini call has a remote id (one exchange, nothing to resume)" \
    "$(q -c "SELECT count(*) FROM rolloy.api_usage_logs WHERE project_id = '$p' AND provider = 'gemini' AND remote_id IS NOT NULL")" "0"
victim=$(worker_pid)
kill -9 "$victim"
echo "killed worker $victim with SIGKILL while 6 Gemini and 4 fal calls were in flight"
# The postmaster resets every backend after a child dies by a signal; wait until it is back.
for _ in $(seq 100); do psql -X -q -d postgres -c "SELECT 1" >/dev/null 2>&1 && break; sleep 0.2; done
wait_worker
check "a new worker runs" "$( [ "$(worker_pid)" != "$victim" ] && echo yes)" "yes"
# Leases (10 s) expire, rows go back to pending and complete.
wait_for "SELECT count(*) = 10 FROM rolloy.generated_images WHERE project_id = '$p' AND status = 'completed'" 90 "completion after kill -9"
check "the interrupted attempt is counted" "$(q -c "SELECT min(attempts) FROM rolloy.generated_images WHERE project_id = '$p'")" "2"
check "each image stored once" "$(q -c "SELECT count(*) FROM rolloy.image_store WHERE storage_ref LIKE 'db:generated/$p/%'")" "10"
# Gemini requests cannot be resumed: on the books as unknown at the list price, and sent again.
# fal's were resumed by their booked tickets: polled, not submitted again, and charged once, by
# the attempt that finished them (the unknown row's list price is taken back then).
check "the calls in flight at the kill are on the books as unknown; fal's charged by the attempt that resumed them" "$(q -c "
    SELECT count(*) || ' ' || sum(cost_usd) FILTER (WHERE provider = 'gemini') || ' ' || sum(cost_usd) FILTER (WHERE provider = 'fal')
      FROM rolloy.api_usage_logs WHERE project_id = '$p' AND state = 'unknown'")" "10 0.234000 0.000000"
for i in 1 2 3 4; do
    check "fal received one submit for image f$i" "$(curl -s "http://127.0.0.1:$FAL_PORT/_stats?key=f$i" |
        python3 -c 'import json,sys; print(json.load(sys.stdin)["counts"].get("submit", 0))')" "1"
done
check "each fal image: two attempts, one request, charged once, at its real cost" "$(q -c "
    SELECT count(*) FROM rolloy.generated_images g
     WHERE g.project_id = '$p' AND g.provider = 'fal'
       AND (SELECT string_agg(l.attempt || ':' || l.state || ':' || l.resumed || ':' || (l.cost_usd > 0), ' ' ORDER BY l.id)
              FROM rolloy.api_usage_logs l WHERE l.image_id = g.id) = '1:unknown:false:false 2:completed:true:true'
       AND (SELECT count(DISTINCT l.remote_id) FROM rolloy.api_usage_logs l WHERE l.image_id = g.id) = 1
       AND g.cost_usd = (SELECT l.cost_usd FROM rolloy.api_usage_logs l WHERE l.image_id = g.id AND l.success)")" "4"
check "they count against the owner's budget" "$(q -c "
    SELECT spent_usd = (SELECT sum(cost_usd) FROM rolloy.api_usage_logs WHERE user_id = '00000000-0000-0000-0000-0000000000a1')
           AND spent_usd >= 0.234 FROM rolloy.usage_this_month('00000000-0000-0000-0000-0000000000a1')")" "t"
check "an image's whole story in one query (worker.md)" "$(q -c "
    SELECT string_agg(l.attempt || ':' || l.state || ':' || coalesce(l.http_status::text, '-'), ' ' ORDER BY l.id)
      FROM rolloy.api_usage_logs l JOIN rolloy.generated_images g ON g.id = l.image_id
     WHERE g.project_id = '$p' AND g.prompt LIKE '%[[id:k1]]%'")" "1:unknown:- 2:completed:200"
check_ledger
check_invariants

restart_postgres() {  # restart_postgres WHEN: a fast restart, then the worker is back
    as_postgres "$PG_BIN/pg_ctl" -D "$data_dir" -m fast -w restart -l "$data_dir/../server.log" >/dev/null
    echo "restarted Postgres (fast) $1"
    wait_worker
}

p2=$(new_project TRVL CAR LOAD FREE STORY "restart")
queue_slow "$p2" gemini gemini-2.5-flash-image r 6
queue_slow "$p2" fal fal-ai/flux/dev/image-to-image rf 2
wait_for "SELECT count(*) = 8 FROM rolloy.generated_images WHERE project_id = '$p2' AND status = 'processing'" 30 "jobs in flight"
wait_requests 18 6  # fal: the four submits before the kill (resumed, not sent again) and two more
restart_postgres "while 8 calls were in flight"
wait_for "SELECT count(*) = 8 FROM rolloy.generated_images WHERE project_id = '$p2' AND status = 'completed'" 60 "completion after restart"
check "a clean shutdown gives the attempt back (released, not failed)" \
    "$(q -c "SELECT max(attempts) FROM rolloy.generated_images WHERE project_id = '$p2'")" "1"
check "each image stored once" "$(q -c "SELECT count(*) FROM rolloy.image_store WHERE storage_ref LIKE 'db:generated/$p2/%'")" "8"
check "a released call in flight stays on the books as unknown" \
    "$(q -c "SELECT count(*) FROM rolloy.api_usage_logs WHERE project_id = '$p2' AND state = 'unknown'")" "8"
for i in 1 2; do
    check "fal received one submit for released image rf$i" "$(curl -s "http://127.0.0.1:$FAL_PORT/_stats?key=rf$i" |
        python3 -c 'import json,sys; print(json.load(sys.stdin)["counts"].get("submit", 0))')" "1"
done
check "each released fal image: resumed, one request, charged once, by the attempt that finished it" "$(q -c "
    SELECT count(*) FROM rolloy.generated_images g
     WHERE g.project_id = '$p2' AND g.provider = 'fal'
       AND (SELECT string_agg(l.attempt || ':' || l.state || ':' || l.resumed || ':' || (l.cost_usd > 0), ' ' ORDER BY l.id)
              FROM rolloy.api_usage_logs l WHERE l.image_id = g.id) = '1:unknown:false:false 1:completed:true:true'
       AND g.cost_usd = (SELECT l.cost_usd FROM rolloy.api_usage_logs l WHERE l.image_id = g.id AND l.success)")" "2"
check_ledger
check_invariants

# Staged jobs (worker.md, "Staged claims") are given back at a clean shutdown too.
p3=$(new_project OUT PARK WALK JOY UGC "")
stage_slow_calls "$p3" restart-slow 40 2500
restart_postgres "with 16 slow calls in flight and more staged"
wait_for "SELECT count(*) = 240 FROM rolloy.generated_images WHERE project_id = '$p3' AND status = 'completed'" 90 "completion after the second restart"
check "calls in flight and staged jobs are given back at shutdown: no attempt lost" \
    "$(q -c "SELECT max(attempts) FROM rolloy.generated_images WHERE project_id = '$p3'")" "1"
check_ledger
check_invariants
echo "worker_recovery: ok"
