#!/usr/bin/env bash
# The real worker against fake Gemini and fal servers speaking their wire formats: success,
# retries (5xx, 429 with Retry-After or RetryInfo), permanent failures, malformed and
# non-image answers, hung connections — each ends in the right state with the right message
# and attempt count, and the accounting adds up.
set -euo pipefail
source "$(dirname "$0")/lib/worker_env.sh"
worker_env_up

p=$(new_project OUT PARK WALK JOY UGC "a senior walks in a park")
declare -A job
add() { job[$1]=$(queue_job "$p" "$2" "[[id:$1]]$3 a senior walks in a park" "${4:-5}"); }
add g_ok gemini ""
add g_503 gemini "[[fault:503x2]]"
add g_retry_after gemini "[[fault:429x1:retry_after=1]]"
add g_retryinfo gemini "[[fault:429x1:retryinfo=1.5s]]"
add g_400 gemini "[[fault:400]]"
add g_safety gemini "[[fault:moderation]]"
add g_textonly gemini "[[fault:textonly]]"
add g_perday gemini "[[fault:perday]]"
add g_notimage gemini "[[fault:notimage]]"
add g_truncated gemini "[[fault:truncated]]" 2
add g_malformed gemini "[[fault:malformed]]" 2
add g_hang gemini "[[fault:hang]]" 2
add g_always_503 gemini "[[fault:503]]" 3
add f_ok fal ""
add f_422 fal "[[fault:result_422]]"
job[f_status]=$(queue_job "$p" fal "[[id:f_status]][[fault:status_503x1]] a senior walks" 5)
add f_download fal "[[fault:download_404]]" 2
add f_nsfw fal "[[fault:moderation]]"

wait_for "SELECT count(*) = 0 FROM rolloy.generated_images WHERE status IN ('pending', 'processing')" 120 "all jobs settled"

st() { image_field "${job[$1]}" "status || ':' || attempts"; }
err() { image_field "${job[$1]}" "coalesce(last_error, '')"; }
has() { case "$(err "$1")" in *"$2"*) echo "ok - $1 error mentions '$2'" ;; *) fail "$1 error [$(err "$1")] lacks '$2'" ;; esac; }

check "gemini success" "$(st g_ok)" "completed:1"
check "gemini 503 twice then success" "$(st g_503)" "completed:3"
check "gemini 429 Retry-After then success" "$(st g_retry_after)" "completed:2"
check "gemini 429 RetryInfo then success" "$(st g_retryinfo)" "completed:2"
gap() {  # seconds between the first and second logged call of a job
    q -c "SELECT round(extract(epoch FROM max(occurred_at) - min(occurred_at))::numeric, 1) >= $2
            FROM rolloy.api_usage_logs WHERE image_id = '${job[$1]}'"
}
check "Retry-After: 1 honoured (>= 1 s between attempts)" "$(gap g_retry_after 0.9)" "t"
check "RetryInfo 1.5s honoured (>= 1.5 s between attempts)" "$(gap g_retryinfo 1.4)" "t"
check "gemini 400 fails at once" "$(st g_400)" "failed:1"
has g_400 "400"
has g_400 "fake fault"
check "gemini IMAGE_SAFETY fails at once" "$(st g_safety)" "failed:1"
has g_safety "IMAGE_SAFETY"
check "gemini text-only answer fails at once" "$(st g_textonly)" "failed:1"
check "gemini per-day quota fails at once" "$(st g_perday)" "failed:1"
check "non-image bytes fail at once" "$(st g_notimage)" "failed:1"
has g_notimage "not a usable image"
check "truncated image retried, then given up" "$(st g_truncated)" "failed:2"
check "malformed JSON retried, then given up" "$(st g_malformed)" "failed:2"
check "hung connection times out, retried, given up" "$(st g_hang)" "failed:2"
has g_hang "gave up after 2 attempts"
check "503 every time: gives up after max_attempts" "$(st g_always_503)" "failed:3"
has g_always_503 "503"
check "last_http_status recorded" "$(image_field "${job[g_always_503]}" last_http_status)" "503"
check "fal queue flow succeeds" "$(st f_ok)" "completed:1"
check "fal status poll 503 retried within the call" "$(image_field "${job[f_status]}" status)" "completed"
check "fal 422 result fails at once" "$(st f_422)" "failed:1"
has f_422 "422"
check "fal download 404 fails" "$(image_field "${job[f_download]}" status)" "failed"
check "fal NSFW result fails at once" "$(st f_nsfw)" "failed:1"

check "gemini image priced at \$0.039" "$(image_field "${job[g_ok]}" cost_usd)" "0.039000"
check "fal image priced per megapixel" "$(q -c "SELECT cost_usd > 0 FROM rolloy.generated_images WHERE id = '${job[f_ok]}'")" "t"
# Not even a piece: every 6-character window of either key (a key cut before its redaction left
# its head behind in 0.1.0).
key_pieces="(SELECT substr(k, i, 6) AS piece FROM (VALUES ('test-gemini-key-123'), ('test-fal-key-456')) v(k),
                    generate_series(1, length(k) - 5) i)"
check "API keys, or any 6 characters of them, never appear in errors or logs" \
    "$(q -c "SELECT count(*) FROM rolloy.generated_images g, $key_pieces p WHERE strpos(g.last_error, p.piece) > 0") $(q -c "SELECT count(*) FROM rolloy.api_usage_logs l, $key_pieces p WHERE strpos(l.error, p.piece) > 0")" "0 0"
check "fake gemini saw 3 requests for the 503x2 job" \
    "$(gemini_calls g_503)" "3"
check_invariants

# The result threads follow rolloy.result_threads on reload, up and down, with work queued.
reload_threads() { psql -X -q -d postgres -c "ALTER SYSTEM SET rolloy.result_threads = $1" -c "SELECT pg_reload_conf()" >/dev/null; }
reload_threads 4
for i in 1 2 3 4 5 6; do queue_job "$p" gemini "[[id:rt$i]][[fault:latency=300]] a senior walks" >/dev/null; done
sleep 0.5
reload_threads 1
for i in 7 8 9; do queue_job "$p" fal "[[id:rt$i]] a senior walks" >/dev/null; done
wait_for "SELECT count(*) = 0 FROM rolloy.generated_images WHERE status IN ('pending', 'processing')" 60 "jobs after resizing"
check "jobs queued around a change of result threads all complete" \
    "$(q -c "SELECT count(*) FROM rolloy.generated_images WHERE prompt LIKE '[[id:rt%' AND status = 'completed'")" "9"
psql -X -q -d postgres -c "ALTER SYSTEM RESET rolloy.result_threads" -c "SELECT pg_reload_conf()" >/dev/null
check "the worker kept running" "$(q -c "SELECT running FROM rolloy.worker_status()")" "t"
check_invariants
echo "worker_providers: ok"
