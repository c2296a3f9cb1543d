#!/usr/bin/env bash
# The real worker against a fake Replicate (predictions API) through the provider registry:
# Prefer: wait answers a finished prediction at once, a slower one is polled, 429 with
# Retry-After is retried, 402 and 422 fail at once, the safety checker's refusals fail for
# good; a kill -9 after the create is recovered by the prediction id booked in the ledger,
# with no second create (Replicate has no idempotency key), and the request is charged once.
# A create whose answer is lost (dropped, or the worker stopped by SIGTERM or the job deadline
# while a slow Prefer: wait create was in flight) is found in GET /v1/predictions and finished:
# one create, one charge. flux-dev is asked for exactly one output; flux-kontext-pro gets its
# reference as input_image.
set -euo pipefail
source "$(dirname "$0")/lib/worker_env.sh"
worker_env_up
start_fake replicate; REPLICATE_PORT=$FAKE_PORT
psql -X -q -v ON_ERROR_STOP=1 -d postgres >/dev/null <<SQL
ALTER SYSTEM SET rolloy.replicate_base_url = 'http://127.0.0.1:$REPLICATE_PORT';
ALTER SYSTEM SET rolloy.replicate_prefer_wait = 2;
ALTER SYSTEM SET rolloy.request_timeout_ms = 20000;
SELECT pg_reload_conf();
SQL
q -c "SELECT rolloy.set_provider_key('replicate', 'r8_test-replicate-key-789')" >/dev/null
check "replicate is in the registry, with its settings and a seeded price" "$(q -c "
    SELECT provider || ' ' || kind || ' ' || model || ' ' || array_to_string(price_units, ',') || ' '
           || rolloy.estimated_image_cost(provider, model)
      FROM rolloy.providers() WHERE provider = 'replicate'")" "replicate image black-forest-labs/flux-dev image 0.025000"
# The worker reloads its settings on SIGHUP: wait until it sees the fake's base URL.
sleep 1

rstat() {  # rstat KEY COUNTER -> the fake's counter for [[id:KEY]]
    curl -s "http://127.0.0.1:$REPLICATE_PORT/_stats?key=$1" |
        python3 -c 'import json,sys; print(json.load(sys.stdin)["counts"].get(sys.argv[1], 0))' "$2"
}
p=$(new_project OUT PARK WALK JOY UGC "a senior walks in a park")
declare -A job
add() {  # add KEY FAULTS [MAX_ATTEMPTS] [MODEL]: one replicate job (flux-dev unless MODEL)
    job[$1]=$(q -c "INSERT INTO rolloy.generated_images (project_id, reference_image_id, provider, model, prompt, max_attempts, params)
        SELECT '$p', r.id, 'replicate', '${4:-black-forest-labs/flux-dev}', \$\$[[id:$1]]$2 a senior walks in a park\$\$, ${3:-5},
               '{\"strength\": 0.8, \"steps\": 20, \"guidance\": 3.5}'
          FROM rolloy.reference_images r WHERE r.product_state = 'expanded' LIMIT 1 RETURNING id")
}
st() { q -c "SELECT status || ':' || attempts FROM rolloy.generated_images WHERE id = '${job[$1]}'"; }
err() { q -c "SELECT last_error FROM rolloy.generated_images WHERE id = '${job[$1]}'"; }
add r_wait "[[fault:latency=300]]"
add r_poll "[[fault:latency=4000]]"
add r_429 "[[fault:429x1:retry_after=1]][[fault:latency=300]]"
add r_402 "[[fault:402]]"
add r_422 "[[fault:422]]"
add r_nsfw "[[fault:nsfw=1]][[fault:latency=300]]"
add r_empty "[[fault:empty_output]][[fault:latency=300]]"
add r_drop "[[fault:drop]]"
add r_kontext "[[fault:latency=300]]" 5 black-forest-labs/flux-kontext-pro
wait_for "SELECT count(*) = 0 FROM rolloy.generated_images WHERE project_id = '$p' AND status IN ('pending', 'processing')" 60 "replicate jobs done"

check "Prefer: wait: the create answers the finished prediction, no poll" "$(st r_wait) $(rstat r_wait created) $(rstat r_wait get)" "completed:1 1 0"
check "a prediction slower than the wait is polled to the end" \
    "$(st r_poll) $(rstat r_poll created) $( [ "$(rstat r_poll get)" -ge 1 ] && echo polled)" "completed:1 1 polled"
check "429 with Retry-After: nothing created, retried, one prediction" \
    "$(st r_429) $(rstat r_429 create) $(rstat r_429 created)" "completed:2 2 1"
check "402 fails at once with Replicate's detail" "$(st r_402) $(err r_402 | grep -c 'insufficient credit')" "failed:1 1"
check "422 fails at once" "$(st r_422) $(rstat r_422 created)" "failed:1 0"
check "the safety checker refusing the image fails it for good" "$(st r_nsfw) $(err r_nsfw | grep -ci 'nsfw')" "failed:1 1"
check "an empty output (every image dropped) fails it for good" "$(st r_empty)" "failed:1"
check "flux-dev is asked for exactly one output (billed per output)" "$(rstat r_wait num_outputs=1)" "1"
check "every create carries Cancel-After (an orphan stops by itself)" "$(rstat r_wait cancel_after=900s)" "1"
# The safety checker dropped the only output: Replicate bills per output, so nothing is charged.
check "a refused image costs nothing, its attempt is on the books" "$(q -c "
    SELECT string_agg(g.status || ':' || l.state || ':' || l.cost_usd || ':' || g.cost_usd, ' ' ORDER BY g.prompt)
      FROM rolloy.generated_images g JOIN rolloy.api_usage_logs l ON l.image_id = g.id
     WHERE g.id IN ('${job[r_nsfw]}', '${job[r_empty]}')")" "failed:completed:0.000000:0.000000 failed:completed:0.000000:0.000000"
check "flux-kontext-pro: reference as input_image, no num_outputs, priced as kontext" \
    "$(st r_kontext) $(rstat r_kontext created) $(rstat r_kontext num_outputs=unset) $(image_field "${job[r_kontext]}" cost_usd)" \
    "completed:1 1 1 0.040000"
# A create whose answer never came: the prediction exists at Replicate (and bills), no id names
# it. The worker finds it in the list of predictions and finishes it: never created again.
check "a create without an answer is found in the list, never sent again" \
    "$(st r_drop) $(rstat r_drop create) $(rstat r_drop created)" "completed:1 1 1"
check "... and is charged once" "$(q -c "
    SELECT string_agg(l.state || ' ' || l.cost_usd, ',') || ' ' || min(g.cost_usd)
      FROM rolloy.api_usage_logs l JOIN rolloy.generated_images g ON g.id = l.image_id
     WHERE l.image_id = '${job[r_drop]}'")" "completed 0.025000 0.025000"
check "outputs are downloaded without the key" "$(rstat r_wait download_with_key) $(rstat r_poll download_with_key)" "0 0"
check "completed images are priced per image" "$(q -c "
    SELECT string_agg(g.cost_usd::text, ' ' ORDER BY g.cost_usd) FROM rolloy.generated_images g
     WHERE g.project_id = '$p' AND g.status = 'completed'")" "0.025000 0.025000 0.025000 0.025000 0.040000"
check "the key never reaches a message" "$(q -c "
    SELECT count(*) FROM rolloy.api_usage_logs WHERE error LIKE '%test-replicate-key%'")" "0"

# Cancelling the project's work cancels the running prediction at Replicate (urls.cancel).
add r_cancel "[[fault:latency=30000]]"
wait_for "SELECT count(*) = 1 FROM rolloy.api_usage_logs WHERE image_id = '${job[r_cancel]}' AND state = 'in_flight'
                                                         AND remote_id::jsonb ? 'replicate_prediction'" 15 "prediction id booked"
check "cancel_generation cancels the running image" "$(q -c "SELECT rolloy.cancel_generation('$p')")" "1"
for _ in $(seq 50); do [ "$(rstat r_cancel cancel)" -ge 1 ] && break; sleep 0.2; done
check "the worker cancels its prediction at Replicate" "$(rstat r_cancel cancel) $(rstat r_cancel created)" "1 1"
wait_for "SELECT state = 'completed' FROM rolloy.api_usage_logs WHERE image_id = '${job[r_cancel]}'" 10 "cancelled attempt recorded"
check "the cancelled attempt is on the books, the image stays cancelled" "$(q -c "
    SELECT g.status || ' ' || (l.error LIKE 'cancelled%') FROM rolloy.generated_images g
      JOIN rolloy.api_usage_logs l ON l.image_id = g.id WHERE g.id = '${job[r_cancel]}'")" "cancelled true"

# kill -9 after the create: the prediction id is booked while the worker polls; the reclaim
# hands it to the next attempt, which polls that prediction: no second create.
add r_kill "[[fault:latency=9000]]"
wait_for "SELECT count(*) = 1 FROM rolloy.api_usage_logs WHERE image_id = '${job[r_kill]}' AND state = 'in_flight'
                                                         AND remote_id::jsonb ? 'replicate_prediction'" 15 "prediction id booked"
check "the booked remote id names the prediction" "$(q -c "
    SELECT remote_id::jsonb ? 'replicate_prediction' FROM rolloy.api_usage_logs WHERE image_id = '${job[r_kill]}'")" "t"
victim=$(worker_pid)
kill -9 "$victim"
echo "killed worker $victim with SIGKILL while its Replicate prediction was running"
for _ in $(seq 100); do psql -X -q -d postgres -c "SELECT 1" >/dev/null 2>&1 && break; sleep 0.2; done
wait_worker
wait_for "SELECT status = 'completed' FROM rolloy.generated_images WHERE id = '${job[r_kill]}'" 60 "completion after kill -9"
check "recovered by prediction id: one create, one prediction" "$(rstat r_kill create) $(rstat r_kill created)" "1 1"
check "two attempts, one request, charged once by the attempt that finished it" "$(q -c "
    SELECT string_agg(l.attempt || ':' || l.state || ':' || l.resumed || ':' || l.cost_usd, ' ' ORDER BY l.id)
      FROM rolloy.api_usage_logs l WHERE l.image_id = '${job[r_kill]}'")" "1:unknown:false:0.000000 2:completed:true:0.025000"
check "the image costs one prediction" "$(image_field "${job[r_kill]}" cost_usd)" "0.025000"

# SIGTERM while a slow Prefer: wait create is in flight: no prediction id yet, only the pending
# create booked before it left. The restarted worker lists the predictions, finds it, polls it.
psql -X -q -v ON_ERROR_STOP=1 -d postgres >/dev/null <<SQL
ALTER SYSTEM SET rolloy.replicate_prefer_wait = 30;
SELECT pg_reload_conf();
SQL
sleep 1
add r_term "[[fault:latency=25000]]"
wait_for "SELECT count(*) = 1 FROM rolloy.api_usage_logs WHERE image_id = '${job[r_term]}' AND state = 'in_flight'
                                                         AND remote_id::jsonb ? 'replicate_create'" 15 "pending create booked"
for _ in $(seq 50); do [ "$(rstat r_term create)" -ge 1 ] && break; sleep 0.1; done
sleep 0.5
check "the create is in flight at the fake" "$(rstat r_term create) $(rstat r_term created) $(rstat r_term get)" "1 1 0"
q -c "SELECT rolloy.restart_worker()" >/dev/null   # SIGTERM; the postmaster starts it again
echo "stopped the worker with SIGTERM while its Replicate create was in flight"
wait_for "SELECT status = 'completed' FROM rolloy.generated_images WHERE id = '${job[r_term]}'" 60 "completion after SIGTERM"
check "SIGTERM mid-create: found in the list, one create, one prediction" \
    "$(rstat r_term create) $(rstat r_term created) $( [ "$(rstat _list list)" -ge 1 ] && echo listed)" "1 1 listed"
check "... the stopped attempt gave its charge to the one that finished the prediction" "$(q -c "
    SELECT string_agg(l.state || ':' || l.resumed || ':' || l.cost_usd, ' ' ORDER BY l.id)
      FROM rolloy.api_usage_logs l WHERE l.image_id = '${job[r_term]}'")" "unknown:false:0.000000 completed:true:0.025000"
check "... the image costs one prediction" "$(image_field "${job[r_term]}" cost_usd)" "0.025000"

# The job deadline passes while the create is in flight: the attempt ends (transient) with the
# pending create, the next attempt finds the prediction instead of creating another.
psql -X -q -v ON_ERROR_STOP=1 -d postgres >/dev/null <<SQL
ALTER SYSTEM SET rolloy.job_deadline_ms = 5000;
SELECT pg_reload_conf();
SQL
sleep 1
add r_deadline "[[fault:latency=7000]]"
wait_for "SELECT status = 'completed' FROM rolloy.generated_images WHERE id = '${job[r_deadline]}'" 60 "completion after a deadline"
check "deadline mid-create: two attempts, one create, one prediction" \
    "$(st r_deadline) $(rstat r_deadline create) $(rstat r_deadline created)" "completed:2 1 1"
check "... charged once, by the attempt that finished it" "$(q -c "
    SELECT string_agg(l.attempt || ':' || l.state || ':' || l.resumed || ':' || l.cost_usd, ' ' ORDER BY l.id)
      FROM rolloy.api_usage_logs l WHERE l.image_id = '${job[r_deadline]}'")" "1:completed:false:0.000000 2:completed:true:0.025000"
psql -X -q -v ON_ERROR_STOP=1 -d postgres >/dev/null <<SQL
ALTER SYSTEM SET rolloy.job_deadline_ms = 30000;
SELECT pg_reload_conf();
SQL

check "every Replicate create is one ledger row" \
    "$(q -c "SELECT count(*) FROM rolloy.api_usage_logs WHERE provider = 'replicate' AND sent_at IS NOT NULL AND NOT resumed")" \
    "$(curl -s "http://127.0.0.1:$REPLICATE_PORT/_stats" |
        python3 -c 'import json,sys; print(sum(c.get("create", 0) for c in json.load(sys.stdin)["keys"].values()))')"
check "no attempt left open" "$(q -c "SELECT count(*) FROM rolloy.api_usage_logs WHERE state IN ('staged', 'in_flight')")" "0"
check_invariants
echo "worker_replicate: ok"
