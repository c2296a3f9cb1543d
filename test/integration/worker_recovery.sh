#!/usr/bin/env bash
# Recovery: kill -9 of the worker mid-batch (Postgres restarts every backend) and a fast
# Postgres restart mid-batch lose and duplicate nothing: every image completes exactly once,
# its file is stored once, and one successful call is logged for it. A clean shutdown gives the
# attempts of calls in flight and of staged jobs back.
set -euo pipefail
source "$(dirname "$0")/lib/worker_env.sh"
worker_env_up
data_dir=$(psql -X -At -d postgres -c "SHOW data_directory")

p=$(new_project OUT PARK WALK JOY UGC "slow walk")
for i in $(seq 1 6); do queue_job "$p" gemini "[[id:k$i]][[fault:latency=2500]] a senior walks $i" >/dev/null; done
wait_for "SELECT count(*) = 6 FROM rolloy.generated_images WHERE status = 'processing'" 30 "jobs in flight"
victim=$(worker_pid)
kill -9 "$victim"
echo "killed worker $victim with SIGKILL while 6 calls were in flight"
# The postmaster resets every backend after a child dies by a signal; wait until it is back.
for _ in $(seq 100); do psql -X -q -d postgres -c "SELECT 1" >/dev/null 2>&1 && break; sleep 0.2; done
wait_worker
check "a new worker runs" "$( [ "$(worker_pid)" != "$victim" ] && echo yes)" "yes"
# Leases (10 s) expire, rows go back to pending and complete.
wait_for "SELECT count(*) = 6 FROM rolloy.generated_images WHERE project_id = '$p' AND status = 'completed'" 90 "completion after kill -9"
check "the interrupted attempt is counted" "$(q -c "SELECT min(attempts) FROM rolloy.generated_images WHERE project_id = '$p'")" "2"
check "each image stored once" "$(q -c "SELECT count(*) FROM rolloy.image_store WHERE storage_ref LIKE 'db:generated/$p/%'")" "6"
check_invariants

restart_postgres() {  # restart_postgres WHEN: a fast restart, then the worker is back
    as_postgres "$PG_BIN/pg_ctl" -D "$data_dir" -m fast -w restart -l "$data_dir/../server.log" >/dev/null
    echo "restarted Postgres (fast) $1"
    wait_worker
}

p2=$(new_project TRVL CAR LOAD FREE STORY "restart")
for i in $(seq 1 6); do queue_job "$p2" gemini "[[id:r$i]][[fault:latency=2500]] into the car $i" >/dev/null; done
wait_for "SELECT count(*) = 6 FROM rolloy.generated_images WHERE project_id = '$p2' AND status = 'processing'" 30 "jobs in flight"
restart_postgres "while 6 calls were in flight"
wait_for "SELECT count(*) = 6 FROM rolloy.generated_images WHERE project_id = '$p2' AND status = 'completed'" 60 "completion after restart"
check "a clean shutdown gives the attempt back (released, not failed)" \
    "$(q -c "SELECT max(attempts) FROM rolloy.generated_images WHERE project_id = '$p2'")" "1"
check "each image stored once" "$(q -c "SELECT count(*) FROM rolloy.image_store WHERE storage_ref LIKE 'db:generated/$p2/%'")" "6"
check_invariants

# Staged jobs (worker.md, "Staged claims") are given back at a clean shutdown too.
p3=$(new_project OUT PARK WALK JOY UGC "")
stage_slow_calls "$p3" restart-slow 40 2500
restart_postgres "with 16 slow calls in flight and more staged"
wait_for "SELECT count(*) = 240 FROM rolloy.generated_images WHERE project_id = '$p3' AND status = 'completed'" 90 "completion after the second restart"
check "calls in flight and staged jobs are given back at shutdown: no attempt lost" \
    "$(q -c "SELECT max(attempts) FROM rolloy.generated_images WHERE project_id = '$p3'")" "1"
check_invariants
echo "worker_recovery: ok"
