#!/usr/bin/env bash
# Worker throughput: N images through the fake Gemini server with a fixed latency, at several
# concurrencies, reported as a fraction of the ideal (concurrency / latency), with the worker's
# private memory sampled across the run and the CPU the worker and the machine spent.
# Needs a built and installed extension.
#   bench/worker_throughput.sh [images=1000] [latency_ms=200] [runs="16 64 64@1000"] [image_px="64 256"]
# image_px: the size of the fake's answers, one set of runs per size. 64 px keeps the image work
# small, so the runs measure the worker's orchestration; 256 px adds ~1.5 ms of processing per
# image (real results, ~1 megapixel, cost 20-70 ms each: see the images benchmark).
# A run is CONCURRENCY or CONCURRENCY@LATENCY_MS. Extra server settings: ROLLOY_BENCH_CONF
# (lines of postgresql.conf), ROLLOY_BENCH_PRELOAD (shared_preload_libraries).
# ROLLOY_BENCH_STORES="db s3" repeats every run with each image store (default: db only); s3 is a
# local @20minutes/s3rver (test/integration/lib/s3rver.sh, ROLLOY_S3RVER_PORT), so the two are
# compared on the same machine, settings and fake (ROLLOY_BENCH_REMOTE_CPU: below).
# ROLLOY_BENCH_S3_DELAY_MS=N: the S3 server holds each request N ms, as a bucket across a network
# does (20-200 ms per PUT); loopback answers in about 2 ms.
set -euo pipefail
source "$(dirname "$0")/../scripts/lib.sh"
N=${1:-1000}
LAT=${2:-200}
RUNS=${3:-16 64 64@1000}
PX_LIST=${4:-64 256}
PORT=${ROLLOY_BENCH_PORT:-25490}
export PGHOST=127.0.0.1 PGPORT=$PORT PGUSER=postgres
TMP=$(mktemp -d /tmp/rolloy-bench-XXXXXX)
cluster_start bench "$PORT" "shared_preload_libraries = '${ROLLOY_BENCH_PRELOAD:-rolloy}'" "rolloy.database = 'bench'" \
    "rolloy.poll_interval_ms = 200" ${ROLLOY_BENCH_CONF:+"$ROLLOY_BENCH_CONF"} >/dev/null
python3 "$ROLLOY_ROOT/test/fakes/fake_gemini.py" 0 >"$TMP/gemini.out" 2>"$TMP/gemini.err" &
FAKE=$!
STORES=${ROLLOY_BENCH_STORES:-db}
S3_PID= S3_DIR=
if [[ " $STORES " == *" s3 "* ]]; then
    source "$ROLLOY_ROOT/test/integration/lib/s3rver.sh"
    # Its objects in memory: a bucket's disk is not this machine's, and writes to /tmp would bring
    # the kernel's journal and writeback threads onto the CPUs measured.
    S3_DIR=$(mktemp -d /dev/shm/rolloy-bench-s3-XXXXXX)
    ROLLOY_S3RVER_DELAY_MS=${ROLLOY_BENCH_S3_DELAY_MS:-0} s3rver_start "$S3_DIR/data"
fi
trap 'kill $FAKE 2>/dev/null; [ -z "$S3_PID" ] || kill $S3_PID 2>/dev/null; cluster_remove bench; rm -rf "$TMP" ${S3_DIR:+"$S3_DIR"}' EXIT
for _ in $(seq 50); do GP=$(head -1 "$TMP/gemini.out" 2>/dev/null); [ -n "$GP" ] && break; sleep 0.1; done
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

# RssAnon: the worker's own memory. VmRSS would also count the shared buffers it touched, which
# grow with the data written (up to shared_buffers) and say nothing about the worker.
rss_kb() { awk '/RssAnon/ {print $2}' /proc/"$1"/status; }
cpu_ticks() { awk '{print $14 + $15}' /proc/"$1"/stat; }        # utime + stime, all threads
main_ticks() { awk '{print $14 + $15}' /proc/"$1"/task/"$1"/stat; }  # the main thread: SQL + HTTP
busy_ticks() { awk '/^cpu / {print $2 + $3 + $4 + $7 + $8 + $9}' /proc/stat; }
total_ticks() { awk '/^cpu / {s = 0; for (i = 2; i <= 9; i++) s += $i; print s}' /proc/stat; }

# ROLLOY_BENCH_REMOTE_CPU=K: the S3 server gets CPU K, and Postgres, the worker and the fake
# provider the other CPUs, in both stores' runs: the bucket is another machine, as every real one
# is, and the product's side has the same CPUs either way. This script, which only measures, runs
# on CPU K too (its looks at progress go through one session; the backend serving it stays on
# the product's side).
cpus=$(nproc)
if [ -n "${ROLLOY_BENCH_REMOTE_CPU:-}" ]; then
    rest=$(python3 -c "import os; print(','.join(str(c) for c in sorted(os.sched_getaffinity(0)) if c != $ROLLOY_BENCH_REMOTE_CPU))")
    postmaster=$(head -1 "$ROLLOY_ROOT/.cluster/bench/data/postmaster.pid")
    for p in "$postmaster" $(pgrep -P "$postmaster"); do taskset -a -p -c "$rest" "$p" >/dev/null; done
    taskset -a -p -c "$rest" "$FAKE" >/dev/null
    for p in $S3_PID $$; do taskset -a -p -c "$ROLLOY_BENCH_REMOTE_CPU" "$p" >/dev/null; done
    echo "$cpus CPUs; Postgres, the worker and the fake provider on CPU $rest; the S3 server and this script on CPU $ROLLOY_BENCH_REMOTE_CPU"
else
    echo "$cpus CPUs; fake server, Postgres and worker on the same machine"
fi
if [[ " $STORES " == *" s3 "* ]]; then
    q <<SQL >/dev/null
ALTER SYSTEM SET rolloy.s3_endpoint = 'http://127.0.0.1:$S3_PORT';
ALTER SYSTEM SET rolloy.s3_bucket = '$S3_BUCKET';
SELECT pg_reload_conf();
SELECT rolloy.set_storage_credentials('ROLLOYTESTKEY', 'rolloy-test-secret-0001');
SQL
fi
# One session for the looks at progress during a timed run: ask sets ASKED without a subshell. NAP
# is an fd that never has data, for sleeping without a process (read -t on it times out).
coproc LOOK { psql -X -q -At -v ON_ERROR_STOP=1 -d bench 2>&1; }
ask() { echo "$1" >&"${LOOK[1]}" && read -r ASKED <&"${LOOK[0]}"; }
exec {NAP}<> <(:)
printf '%-5s %-6s %6s %8s %7s %8s %9s %9s  %-28s %13s %10s %10s\n' store conc px latency images seconds "images/s" "of ideal" \
    "worker RssAnon MB 0/25/50/75/100%" "worker CPU/img" "of it main" "machine CPU"
for PX in $PX_LIST; do
for spec in $RUNS; do
for STORE in $STORES; do
    psql -X -q -d postgres -c "ALTER SYSTEM SET rolloy.image_store = '$STORE'" -c "SELECT pg_reload_conf()" >/dev/null
    c=${spec%@*}
    lat=$LAT
    [ "$spec" != "$c" ] && lat=${spec#*@}
    curl -s -X POST "http://127.0.0.1:$GP/_control" -d "{\"latency_ms\": $lat, \"image_px\": $PX}" >/dev/null
    psql -X -q -d postgres -c "ALTER SYSTEM SET rolloy.concurrency_gemini = $c" -c "SELECT pg_reload_conf()" >/dev/null
    sleep 1
    pid=$(q -c "SELECT pid FROM rolloy.worker_status()")
    # Warm-up, untimed: one wave of calls opens the connections this concurrency needs (a running
    # worker keeps them open; the fake server starts a thread per connection).
    warm=$(q -c "SELECT gen_random_uuid()")
    q <<SQL >/dev/null
INSERT INTO rolloy.creative_projects (scene_id, action_id, driver_id, format_id, created_by, prompt, title)
SELECT 1, 1, 1, 1, u.id, 'warm-up', '$warm' FROM rolloy.users u;
INSERT INTO rolloy.generated_images (project_id, reference_image_id, provider, model, prompt)
SELECT p.id, r.id, 'gemini', 'gemini-2.5-flash-image', 'warm-up ' || g
  FROM rolloy.reference_images r, generate_series(1, $c) g, rolloy.creative_projects p WHERE p.title = '$warm';
SQL
    until [ "$(q -c "SELECT count(*) FROM rolloy.generated_images g JOIN rolloy.creative_projects p ON p.id = g.project_id
                     WHERE p.title = '$warm' AND g.status IN ('completed', 'failed')")" -ge "$c" ]; do sleep 0.2; done
    # Projects of 20 images each, as a marketer would queue them.
    run=$(q -c "SELECT gen_random_uuid()")
    q -c "INSERT INTO rolloy.creative_projects (scene_id, action_id, driver_id, format_id, created_by, prompt, title)
          SELECT 1, 1, 1, 1, u.id, 'bench', '$run' FROM rolloy.users u, generate_series(1, ($N + 19) / 20)" >/dev/null
    rss="$(rss_kb "$pid")"
    cpu0=$(cpu_ticks "$pid") main0=$(main_ticks "$pid") busy0=$(busy_ticks) total0=$(total_ticks)
    store0=$([ "$STORE" = s3 ] && cpu_ticks "$S3_PID" || echo 0)
    # The clock starts when the queueing transaction has committed (the worker cannot see the
    # rows before) and stops at the last row's final update, both read from Postgres.
    start=$(q <<SQL | tail -1
INSERT INTO rolloy.generated_images (project_id, reference_image_id, provider, model, prompt)
SELECT p.id, r.id, 'gemini', 'gemini-2.5-flash-image', 'a senior walks ' || g
  FROM rolloy.reference_images r, generate_series(0, $N - 1) g,
       LATERAL (SELECT id FROM rolloy.creative_projects WHERE title = '$run' ORDER BY id OFFSET g / 20 LIMIT 1) p;
SELECT extract(epoch FROM clock_timestamp());
SQL
)
    next_quarter=1
    while :; do
        ask "SELECT count(*) FROM rolloy.generated_images g JOIN rolloy.creative_projects p ON p.id = g.project_id
             WHERE p.title = '$run' AND g.status IN ('completed', 'failed');"
        done_n=$ASKED
        [[ $done_n =~ ^[0-9]+$ ]] || { echo "the look at progress failed: $done_n" >&2; exit 1; }
        while [ "$next_quarter" -le 3 ] && [ "$done_n" -ge $((N * next_quarter / 4)) ]; do
            rss="$rss $(rss_kb "$pid")"
            next_quarter=$((next_quarter + 1))
        done
        [ "$done_n" -ge "$N" ] && break
        # Four looks a second through one session, sleeping without a process: a psql and a new
        # backend per look cost ~40 ms of CPU each, up to a fifth of the CPU the runs measure.
        read -r -t 0.25 -u "$NAP" _ || true
    done
    cpu1=$(cpu_ticks "$pid") main1=$(main_ticks "$pid") busy1=$(busy_ticks) total1=$(total_ticks)
    store1=$([ "$STORE" = s3 ] && cpu_ticks "$S3_PID" || echo 0)
    rss="$rss $(rss_kb "$pid")"
    end=$(q -c "SELECT extract(epoch FROM max(g.updated_at)) FROM rolloy.generated_images g
                JOIN rolloy.creative_projects p ON p.id = g.project_id WHERE p.title = '$run'")
    failed=$(q -c "SELECT count(*) FROM rolloy.generated_images g JOIN rolloy.creative_projects p ON p.id = g.project_id
                   WHERE p.title = '$run' AND g.status = 'failed'")
    python3 - "$STORE" "$c" "$PX" "$lat" "$N" "$start" "$end" "$failed" "$rss" "$((cpu1 - cpu0))" "$((main1 - main0))" "$((busy1 - busy0))" \
        "$((total1 - total0))" "$(getconf CLK_TCK)" "$((store1 - store0))" <<'PY'
import sys
store, c, px, lat, n, s, e, failed, rss, cpu, main, busy, total, hz, store_cpu = sys.argv[1:]
secs = float(e) - float(s)
rate = int(n) / secs
ideal = int(c) / (int(lat) / 1000)
rss = "/".join(str(int(k) // 1024) for k in rss.split())
cpu_ms = int(cpu) * 1000 / int(hz) / int(n)
main_ms = int(main) * 1000 / int(hz) / int(n)
machine = 100 * int(busy) / max(1, int(total))
store_ms = int(store_cpu) * 1000 / int(hz) / int(n)
print(f"{store:<5} {c:<6} {px:>6} {lat + ' ms':>8} {n:>7} {secs:>8.1f} {rate:>9.1f} {rate / ideal:>9.2f}  {rss:<28} {cpu_ms:>10.1f} ms {main_ms:>7.1f} ms {machine:>9.0f} %" + (f"   (S3 server CPU/img {store_ms:.1f} ms)" if store == "s3" else "")
      + (f"   ({failed} failed)" if failed != "0" else ""))
PY
done
done
done
