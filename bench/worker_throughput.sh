#!/usr/bin/env bash
# Worker throughput: N images through the fake Gemini server with a fixed latency, at several
# concurrencies, reported as a fraction of the ideal (concurrency / latency), with the worker's
# resident memory sampled during the run. Needs a built and installed extension.
#   bench/worker_throughput.sh [images=1000] [latency_ms=200] [concurrencies="16 64"]
set -euo pipefail
source "$(dirname "$0")/../scripts/lib.sh"
N=${1:-1000}
LAT=${2:-200}
CONC=${3:-16 64}
PORT=${ROLLOY_BENCH_PORT:-54390}
export PGHOST=127.0.0.1 PGPORT=$PORT PGUSER=postgres
TMP=$(mktemp -d /tmp/rolloy-bench-XXXXXX)
cluster_start bench "$PORT" "shared_preload_libraries = 'rolloy'" "rolloy.database = 'bench'" \
    "rolloy.poll_interval_ms = 200" >/dev/null
python3 "$ROLLOY_ROOT/test/fakes/fake_gemini.py" 0 >"$TMP/gemini.out" 2>"$TMP/gemini.err" &
FAKE=$!
trap 'kill $FAKE 2>/dev/null; cluster_remove bench; rm -rf "$TMP"' EXIT
for _ in $(seq 50); do GP=$(head -1 "$TMP/gemini.out" 2>/dev/null); [ -n "$GP" ] && break; sleep 0.1; done
curl -s -X POST "http://127.0.0.1:$GP/_control" -d "{\"latency_ms\": $LAT, \"image_px\": 256}" >/dev/null
q() { psql -X -q -At -v ON_ERROR_STOP=1 -d bench "$@"; }
psql -X -q -d postgres -c "CREATE DATABASE bench"
bash "$ROLLOY_ROOT/scripts/demo/reference_photos.sh" "$TMP/photos" >/dev/null && cp "$TMP/photos/walker-open-side.jpg" "$TMP/ref.jpg"
q <<SQL >/dev/null
SET client_min_messages = warning;
\\set ref \`base64 -w0 $TMP/ref.jpg\`
CREATE EXTENSION rolloy;
SELECT FROM rolloy.load_sample_dictionaries();
INSERT INTO rolloy.users (email, display_name, role, pg_role, monthly_image_quota) VALUES ('b@x.io', 'Bench', 'admin', 'postgres', 1000000);
SELECT rolloy.set_provider_key('gemini', 'bench-key-0000');
SELECT FROM rolloy.upload_reference_image(decode(:'ref', 'base64'), 'ref.jpg', 'expanded');
ALTER SYSTEM SET rolloy.gemini_base_url = 'http://127.0.0.1:$GP';
SELECT pg_reload_conf();
SQL
for _ in $(seq 100); do [ "$(q -c "SELECT running FROM rolloy.worker_status()")" = t ] && break; sleep 0.2; done

printf '%-12s %8s %10s %12s %10s %14s\n' concurrency images seconds "images/s" "of ideal" "worker RSS MB"
for c in $CONC; do
    psql -X -q -d postgres -c "ALTER SYSTEM SET rolloy.concurrency_gemini = $c" -c "SELECT pg_reload_conf()" >/dev/null
    sleep 1
    pid=$(q -c "SELECT pid FROM rolloy.worker_status()")
    # Projects of 20 images each, as a marketer would queue them.
    run=$(q -c "SELECT gen_random_uuid()")
    q -c "INSERT INTO rolloy.creative_projects (scene_id, action_id, driver_id, format_id, created_by, prompt, title)
          SELECT 1, 1, 1, 1, u.id, 'bench', '$run' FROM rolloy.users u, generate_series(1, ($N + 19) / 20)" >/dev/null
    rss_start=$(awk '/VmRSS/ {print $2}' /proc/"$pid"/status)
    start=$(date +%s.%N)
    q -c "INSERT INTO rolloy.generated_images (project_id, reference_image_id, provider, model, prompt)
          SELECT p.id, r.id, 'gemini', 'gemini-2.5-flash-image', 'a senior walks ' || g
            FROM rolloy.reference_images r, generate_series(0, $N - 1) g,
                 LATERAL (SELECT id FROM rolloy.creative_projects WHERE title = '$run' ORDER BY id OFFSET g / 20 LIMIT 1) p"
    peak=$rss_start
    while [ "$(q -c "SELECT count(*) FROM rolloy.generated_images g JOIN rolloy.creative_projects p ON p.id = g.project_id
                 WHERE p.title = '$run' AND g.status IN ('completed', 'failed')")" -lt "$N" ]; do
        rss=$(awk '/VmRSS/ {print $2}' /proc/"$pid"/status)
        [ "$rss" -gt "$peak" ] && peak=$rss
        sleep 0.2
    done
    end=$(date +%s.%N)
    rss_end=$(awk '/VmRSS/ {print $2}' /proc/"$pid"/status)
    failed=$(q -c "SELECT count(*) FROM rolloy.generated_images g JOIN rolloy.creative_projects p ON p.id = g.project_id
                   WHERE p.title = '$run' AND g.status = 'failed'")
    python3 - "$c" "$N" "$start" "$end" "$LAT" "$rss_start" "$peak" "$rss_end" "$failed" <<'PY'
import sys
c, n, s, e, lat, r0, rp, r1, failed = sys.argv[1:]
secs = float(e) - float(s)
rate = int(n) / secs
ideal = int(c) / (int(lat) / 1000)
print(f"{c:<12} {n:>8} {secs:>10.1f} {rate:>12.1f} {rate / ideal:>10.2f} {int(r0)//1024:>5} -> {int(rp)//1024} -> {int(r1)//1024}"
      + (f"   ({failed} failed)" if failed != "0" else ""))
PY
done
