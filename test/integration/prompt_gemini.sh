#!/usr/bin/env bash
# generate_prompt() with Gemini generateContent against the fake server: tokens and cost are
# saved and logged, refusals are clear errors, a hung call honours statement_timeout and query
# cancel and leaves the project unchanged, and every call is on the books whatever becomes of its
# statement: its ledger row is committed on its own before the request leaves and completed after.
set -euo pipefail
source "$(dirname "$0")/lib/worker_env.sh"
worker_env_up

p=$(new_project OUT PARK WALK JOY UGC "")
q -c "SELECT rolloy.generate_prompt('$p', 'gemini')" >/dev/null
check "gemini prompt saved with provider and model" \
    "$(q -c "SELECT prompt_provider || '/' || prompt_model FROM rolloy.creative_projects WHERE id = '$p'")" "gemini/gemini-2.5-flash"
check "tokens recorded" "$(q -c "SELECT prompt_tokens_in > 0 AND prompt_tokens_out > 0 FROM rolloy.creative_projects WHERE id = '$p'")" "t"
check "cost from the price list (0.30 / 2.50 per 1M tokens)" "$(q -c "
    SELECT prompt_cost_usd = round(prompt_tokens_in / 1e6 * 0.30 + prompt_tokens_out / 1e6 * 2.50, 6)
      FROM rolloy.creative_projects WHERE id = '$p'")" "t"
check "the call is logged" "$(q -c "SELECT count(*) FROM rolloy.api_usage_logs WHERE project_id = '$p' AND operation = 'prompt' AND provider = 'gemini'")" "1"
check "auto picks gemini when a key is set" \
    "$(q -c "SELECT rolloy.generate_prompt('$p') IS NOT NULL, (SELECT prompt_provider FROM rolloy.creative_projects WHERE id = '$p')")" "t|gemini"

# Faults are steered by markers in the prompt text; here the scene description carries them.
fault() {  # fault SPEC -> the error of generate_prompt with that fault
    q -c "UPDATE rolloy.scenes SET description = 'A park. [[fault:$1]]' WHERE scene_code = 'PARK'" >/dev/null
    q -c "SET statement_timeout = '2s'" -c "SELECT rolloy.generate_prompt('$p', 'gemini')" 2>&1 | grep -E "ERROR|HINT" | head -2 | tr '\n' ' '
}
before=$(q -c "SELECT prompt || prompt_generated_at FROM rolloy.creative_projects WHERE id = '$p'")
case "$(fault blocked)" in *"could not write the prompt"*) echo "ok - blocked prompt is a clear error" ;; *) fail "blocked: $(fault blocked)" ;; esac
case "$(fault maxtokens)" in *MAX_TOKENS*|*"max tokens"*|*"token"*) echo "ok - empty MAX_TOKENS answer is a clear error" ;; *) fail "maxtokens: $(fault maxtokens)" ;; esac
case "$(fault 400)" in *"HTTP 400"*) echo "ok - HTTP 400 with the provider's message" ;; *) fail "400: $(fault 400)" ;; esac
case "$(fault 503)" in *"try again"*) echo "ok - a 503 says it is temporary" ;; *) fail "503: $(fault 503)" ;; esac
start=$SECONDS
case "$(fault hang)" in *"statement timeout"*) echo "ok - a hung call ends at statement_timeout" ;; *) fail "hang: $(fault hang)" ;; esac
check "statement_timeout honoured promptly (< 8 s for two 2 s timeouts)" "$( [ $((SECONDS - start)) -lt 8 ] && echo yes)" "yes"
# Query cancel (pg_cancel_backend, Ctrl-C in psql) ends a hung call too, well before the 3 s
# request timeout the test environment sets.
q -c "UPDATE rolloy.scenes SET description = 'A park. [[fault:hang]]' WHERE scene_code = 'PARK'" >/dev/null
PGAPPNAME=rolloy_cancel_me q -c "SELECT rolloy.generate_prompt('$p', 'gemini')" >"$TMP/cancel.out" 2>&1 &
cancelled=$!
wait_for "SELECT count(*) = 1 FROM pg_stat_activity WHERE application_name = 'rolloy_cancel_me' AND state = 'active'" 10 "the call to start"
sleep 0.3
start_ms=$(date +%s%3N)
q -c "SELECT pg_cancel_backend(pid) FROM pg_stat_activity WHERE application_name = 'rolloy_cancel_me'" >/dev/null
wait "$cancelled" || true
check "query cancel ends a hung call" "$(grep -c 'canceling statement due to user request' "$TMP/cancel.out")" "1"
check "query cancel honoured promptly (< 2 s; the request timeout is 3 s)" "$( [ $(($(date +%s%3N) - start_ms)) -lt 2000 ] && echo yes)" "yes"
check "failed calls leave the project's prompt unchanged" \
    "$(q -c "SELECT prompt || prompt_generated_at FROM rolloy.creative_projects WHERE id = '$p'")" "$before"
# The failed calls rolled back with their statements; their ledger rows were committed on their own.
failed_logs() { q -c "SELECT count(*) FROM rolloy.api_usage_logs WHERE project_id = '$p' AND operation = 'prompt' AND NOT success"; }
for _ in $(seq 50); do [ "$(failed_logs)" -ge 6 ] && break; sleep 0.1; done
check "each failed call is logged (blocked, MAX_TOKENS, 400, 503, hung, cancelled)" "$(failed_logs)" "6"
check "failed calls keep status, message and the tokens they were charged" "$(q -c "
    SELECT string_agg(coalesce(http_status::text, '-') || ':' || (tokens_in > 0)::text, ' ' ORDER BY id)
      FROM rolloy.api_usage_logs WHERE project_id = '$p' AND operation = 'prompt' AND NOT success")" \
    "200:true 200:true 400:false 503:false -:false -:false"
check "no failed call logged without its error" "$(q -c "
    SELECT count(*) FROM rolloy.api_usage_logs WHERE project_id = '$p' AND operation = 'prompt' AND NOT success AND error IS NULL")" "0"
q -c "UPDATE rolloy.scenes SET description = 'A green city park.' WHERE scene_code = 'PARK'" >/dev/null

# A successful call whose transaction rolls back stays on the books, completed with its cost.
q -c "BEGIN" -c "SELECT rolloy.generate_prompt('$p', 'gemini') IS NOT NULL" -c "ROLLBACK" >/dev/null
check "a call whose transaction rolled back is on the books" "$(q -c "
    SELECT state || ':' || success || ':' || (cost_usd > 0) || ':' || (finished_at >= sent_at)
      FROM rolloy.api_usage_logs WHERE project_id = '$p' AND operation = 'prompt' ORDER BY id DESC LIMIT 1")" \
    "completed:true:true:true"
check "every Gemini request is one ledger row" \
    "$(q -c "SELECT count(*) FROM rolloy.api_usage_logs WHERE provider = 'gemini' AND sent_at IS NOT NULL")" \
    "$(fake_requests "$GEMINI_PORT" generate)"
# The budget is checked before a paid prompt call: refused, nothing sent, nothing booked.
sent=$(fake_requests "$GEMINI_PORT" generate)
booked=$(q -c "SELECT count(*) FROM rolloy.api_usage_logs")
budget=$(q -c "SELECT monthly_budget_usd FROM rolloy.users WHERE id = '00000000-0000-0000-0000-0000000000a1'")
q -c "UPDATE rolloy.users SET monthly_budget_usd = 0 WHERE id = '00000000-0000-0000-0000-0000000000a1'" >/dev/null
case "$(q -c "SELECT rolloy.generate_prompt('$p', 'gemini')" 2>&1)" in
    *"monthly budget exceeded"*) echo "ok - a prompt call over budget is refused" ;;
    *) fail "over budget: not refused" ;;
esac
check "nothing sent or booked for it" "$(fake_requests "$GEMINI_PORT" generate) $(q -c "SELECT count(*) FROM rolloy.api_usage_logs")" "$sent $booked"
q -c "UPDATE rolloy.users SET monthly_budget_usd = $budget WHERE id = '00000000-0000-0000-0000-0000000000a1'" >/dev/null
# A session that ended while its call was in flight (killed backend) leaves the row open: the
# worker closes it as unknown at the worst-case price once the call must be over.
stale=$(q -c "INSERT INTO rolloy.api_usage_logs (user_id, project_id, operation, provider, model, success, state, sent_at)
              VALUES ('00000000-0000-0000-0000-0000000000a1', '$p', 'prompt', 'gemini', 'gemini-2.5-flash', false,
                      'in_flight', now() - interval '10 minutes') RETURNING id")
wait_for "SELECT state = 'unknown' FROM rolloy.api_usage_logs WHERE id = $stale" 30 "the stale prompt attempt to be closed"
check "closed at the worst-case price (2000 tokens in, 1024 out)" \
    "$(q -c "SELECT cost_usd FROM rolloy.api_usage_logs WHERE id = $stale")" "0.003160"
echo "prompt_gemini: ok"
