# Shared set-up of the worker integration tests: a fresh database for the worker
# (rolloy.database), fast retry/lease settings, fake providers on 127.0.0.1, an admin mapped to
# the postgres role, reference photos, and small helpers. Source it; call worker_env_up.
source "$(dirname "${BASH_SOURCE[0]}")/../../../scripts/lib.sh"
: "${PGHOST:?}" "${PGPORT:?}" "${PGUSER:?}"
WDB=${ROLLOY_WORKER_DB:-rolloy_worker}
TMP=$(mktemp -d /tmp/rolloy-it-XXXXXX)
chmod 755 "$TMP"
FAKE_PIDS=()

q() { psql -X -q -At -v ON_ERROR_STOP=1 -d "$WDB" "$@"; }
fail() { echo "FAIL: $*" >&2; exit 1; }
check() {  # check "description" "actual" "expected"
    if [ "$2" != "$3" ]; then fail "$1: got [$2], want [$3]"; fi
    echo "ok - $1"
}
wait_for() {  # wait_for "sql returning t" timeout_seconds description
    local deadline=$((SECONDS + $2))
    while [ $SECONDS -lt $deadline ]; do
        [ "$(q -c "$1" 2>/dev/null)" = "t" ] && return 0
        sleep 0.2
    done
    q -c "SELECT status, count(*), string_agg(DISTINCT left(coalesce(last_error, ''), 120), ' | ') FROM rolloy.generated_images GROUP BY 1" >&2
    fail "timed out after $2 s waiting for: $3"
}
worker_pid() { q -c "SELECT pid FROM rolloy.worker_status()"; }
wait_worker() {  # the worker serves $WDB and has looped since the extension exists
    wait_for "SELECT running AND last_loop_at > now() - interval '3 seconds' FROM rolloy.worker_status()" 60 "worker running"
}

start_fake() {  # start_fake NAME -> sets FAKE_PORT
    python3 "$ROLLOY_ROOT/test/fakes/fake_$1.py" 0 >"$TMP/$1.out" 2>"$TMP/$1.err" &
    FAKE_PIDS+=($!)
    for _ in $(seq 50); do
        FAKE_PORT=$(head -1 "$TMP/$1.out" 2>/dev/null)
        [ -n "$FAKE_PORT" ] && return 0
        sleep 0.1
    done
    fail "fake $1 did not start: $(cat "$TMP/$1.err")"
}

gemini_calls() {  # gemini_calls KEY -> requests the fake Gemini server has seen for [[id:KEY]]
    curl -s "http://127.0.0.1:$GEMINI_PORT/_stats?key=$1" |
        python3 -c 'import json,sys; print(json.load(sys.stdin)["counts"].get("generate", 0))'
}

fake_requests() {  # fake_requests PORT STEP -> requests of STEP (generate, submit) the fake has seen, all keys
    curl -s "http://127.0.0.1:$1/_stats" |
        python3 -c 'import json,sys; print(sum(c.get(sys.argv[1], 0) for c in json.load(sys.stdin)["keys"].values()))' "$2"
}

# Every request a fake provider saw is one ledger row that says a request was sent (resumed
# attempts poll an earlier request and send none), and no attempt is left open.
check_ledger() {
    check "every Gemini request is one ledger row" \
        "$(q -c "SELECT count(*) FROM rolloy.api_usage_logs WHERE provider = 'gemini' AND sent_at IS NOT NULL AND NOT resumed")" \
        "$(fake_requests "$GEMINI_PORT" generate)"
    check "every fal submit is one ledger row" \
        "$(q -c "SELECT count(*) FROM rolloy.api_usage_logs WHERE provider = 'fal' AND sent_at IS NOT NULL AND NOT resumed")" \
        "$(fake_requests "$FAL_PORT" submit)"
    check "no attempt left open" "$(q -c "SELECT count(*) FROM rolloy.api_usage_logs WHERE state IN ('staged', 'in_flight')")" "0"
}

# Gets jobs staged (worker.md, "Staged claims"): 200 fast calls make the finish rate, behind
# them come SLOW slow calls tagged [[id:KEY]]. Returns once all 16 slots (the default
# concurrency) hold slow calls; from then on slow rows sit staged.
stage_slow_calls() {  # stage_slow_calls PROJECT KEY SLOW LATENCY_MS
    q -c "INSERT INTO rolloy.generated_images (project_id, reference_image_id, provider, model, prompt, next_attempt_at)
          SELECT '$1', r.id, 'gemini', 'gemini-2.5-flash-image',
                 CASE WHEN n <= 200 THEN '[[fault:latency=10]] brisk walk ' || n
                      ELSE '[[fault:latency=$4]] [[id:$2]] slow walk' END,
                 now() + n * interval '1 microsecond'
            FROM rolloy.reference_images r, generate_series(1, 200 + $3) n WHERE r.product_state = 'expanded'" >/dev/null
    for _ in $(seq 100); do [ "$(gemini_calls "$2")" -ge 16 ] && return 0; sleep 0.1; done
    fail "16 slow calls did not start"
}

worker_env_cleanup() {
    for p in "${FAKE_PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
    psql -X -q -d postgres -c "ALTER SYSTEM RESET ALL" -c "SELECT pg_reload_conf()" >/dev/null 2>&1 || true
    rm -rf "$TMP"
}

worker_env_up() {
    trap worker_env_cleanup EXIT
    start_fake gemini; GEMINI_PORT=$FAKE_PORT
    start_fake fal; FAL_PORT=$FAKE_PORT
    psql -X -q -v ON_ERROR_STOP=1 -d postgres <<SQL >/dev/null
SET client_min_messages = warning;
ALTER SYSTEM SET rolloy.gemini_base_url = 'http://127.0.0.1:$GEMINI_PORT';
ALTER SYSTEM SET rolloy.fal_base_url = 'http://127.0.0.1:$FAL_PORT';
ALTER SYSTEM SET rolloy.lease_seconds = 10;
ALTER SYSTEM SET rolloy.poll_interval_ms = 300;
ALTER SYSTEM SET rolloy.retry_base_ms = 200;
ALTER SYSTEM SET rolloy.retry_max_ms = 1000;
ALTER SYSTEM SET rolloy.request_timeout_ms = 3000;
ALTER SYSTEM SET rolloy.job_deadline_ms = 30000;
SELECT pg_reload_conf();
DROP DATABASE IF EXISTS $WDB WITH (FORCE);
CREATE DATABASE $WDB;
SQL
    # Reference photos: a textured 1200x900 JPEG (expanded) and an 800x800 PNG (folded).
    vips gaussnoise "$TMP/noise.v" 1200 900 && vips colourspace "$TMP/noise.v" "$TMP/open.jpg" srgb
    vips gaussnoise "$TMP/noise2.v" 800 800 --mean 100 && vips colourspace "$TMP/noise2.v" "$TMP/folded.png" srgb
    q <<SQL >/dev/null
SET client_min_messages = warning;
CREATE EXTENSION rolloy;
SELECT FROM rolloy.load_sample_dictionaries();
INSERT INTO rolloy.users (id, email, display_name, role, pg_role) VALUES
    ('00000000-0000-0000-0000-0000000000ad', 'ops@example.com', 'Ops', 'admin', 'postgres'),
    ('00000000-0000-0000-0000-0000000000a1', 'mia@example.com', 'Mia', 'member', NULL);
SELECT rolloy.set_provider_key('gemini', 'test-gemini-key-123');
SELECT rolloy.set_provider_key('fal', 'test-fal-key-456');
\set open \`base64 -w0 $TMP/open.jpg\`
\set folded \`base64 -w0 $TMP/folded.png\`
SELECT FROM rolloy.upload_reference_image(decode(:'open', 'base64'), 'open.jpg', 'expanded');
SELECT FROM rolloy.upload_reference_image(decode(:'folded', 'base64'), 'folded.png', 'folded');
SQL
    wait_worker
}

# A project owned by Mia (created as superuser), with a prompt; prints its id.
new_project() {  # new_project CATEGORY SCENE ACTION DRIVER FORMAT PROMPT
    q -c "INSERT INTO rolloy.creative_projects (scene_id, action_id, driver_id, format_id, created_by, prompt)
          SELECT s.id, a.id, d.id, f.id, '00000000-0000-0000-0000-0000000000a1', \$\$$6\$\$
            FROM rolloy.scenes s, rolloy.actions a, rolloy.drivers d, rolloy.formats f
           WHERE s.category_code = '$1' AND s.scene_code = '$2' AND a.code = '$3' AND d.code = '$4' AND f.code = '$5'
          RETURNING id"
}

# Queues one job directly (superuser) with its own prompt; prints the image id.
queue_job() {  # queue_job PROJECT PROVIDER PROMPT [MAX_ATTEMPTS]
    q -c "INSERT INTO rolloy.generated_images (project_id, reference_image_id, provider, model, prompt, max_attempts, params)
          SELECT '$1', r.id, '$2', CASE '$2' WHEN 'gemini' THEN 'gemini-2.5-flash-image'
                                            WHEN 'fal' THEN 'fal-ai/flux/dev/image-to-image' ELSE 'preview-v1' END,
                 \$\$$3\$\$, ${4:-5}, '{\"strength\": 0.8, \"steps\": 20, \"guidance\": 3.5}'
            FROM rolloy.reference_images r WHERE r.product_state = 'expanded' LIMIT 1
          RETURNING id"
}

image_field() { q -c "SELECT $2 FROM rolloy.generated_images WHERE id = '$1'"; }

# The accounting invariants that must hold after any scenario.
check_invariants() {
    check "project counters equal the rows" "$(q -c "
        SELECT count(*) FROM rolloy.creative_projects p,
               LATERAL (SELECT count(*) FILTER (WHERE g.status <> 'cancelled') AS total,
                               count(*) FILTER (WHERE g.status = 'completed') AS completed,
                               count(*) FILTER (WHERE g.status = 'failed') AS failed
                          FROM rolloy.generated_images g WHERE g.project_id = p.id) c
         WHERE (p.total_images, p.completed_images, p.failed_images) IS DISTINCT FROM (c.total, c.completed, c.failed)")" "0"
    check "every completed image has exactly one stored file" "$(q -c "
        SELECT count(*) FROM rolloy.generated_images g
         WHERE g.status = 'completed' AND (SELECT count(*) FROM rolloy.image_store s WHERE s.storage_ref = g.storage_ref) <> 1")" "0"
    check "no completed image without bytes, no stored file without a completed image" "$(q -c "
        SELECT count(*) FROM rolloy.image_store s WHERE s.storage_ref LIKE 'db:generated/%'
           AND NOT EXISTS (SELECT 1 FROM rolloy.generated_images g WHERE g.storage_ref = s.storage_ref AND g.status = 'completed')")" "0"
    check "exactly one successful call logged per completed image" "$(q -c "
        SELECT count(*) FROM rolloy.generated_images g WHERE g.status = 'completed'
           AND (SELECT count(*) FROM rolloy.api_usage_logs l WHERE l.image_id = g.id AND l.success) <> 1")" "0"
    # (An attempt released at shutdown is given back, but a request it had sent stays on the books
    # as 'unknown': those rows are not attempts the image counts.)
    check "no more calls logged than attempts made" "$(q -c "
        SELECT count(*) FROM rolloy.generated_images g
         WHERE (SELECT count(*) FROM rolloy.api_usage_logs l WHERE l.image_id = g.id AND l.state <> 'unknown') > g.attempts")" "0"
    check "a completed image carries no earlier attempt's error" \
        "$(q -c "SELECT count(*) FROM rolloy.generated_images WHERE status = 'completed' AND last_error IS NOT NULL")" "0"
    check "row costs equal the logged costs" "$(q -c "
        SELECT count(*) FROM rolloy.generated_images g
         WHERE g.cost_usd <> (SELECT coalesce(sum(l.cost_usd), 0) FROM rolloy.api_usage_logs l WHERE l.image_id = g.id)")" "0"
}
