#!/usr/bin/env bash
# refresh_insights() over generated performance data, against a baseline in the same run: one
# plain aggregate pass (sums per creative and day) over the same rows, i.e. the least any
# insight computation must read.
#   bench/insights_refresh.sh [CREATIVES=1000] [DAYS=1000]     (rows = creatives x days;
#                                                               5000 x 2000 gives 10,000,000)
set -euo pipefail
source "$(dirname "$0")/../scripts/lib.sh"
cd "$ROLLOY_ROOT"
CREATIVES=${1:-1000}
DAYS=${2:-1000}
PORT=${ROLLOY_BENCH_PORT:-25491}
export PGHOST=127.0.0.1 PGPORT=$PORT PGUSER=postgres
cluster_start ibench "$PORT" "shared_preload_libraries = 'rolloy'" "max_wal_size = '4GB'" "work_mem = '64MB'" >/dev/null
tmp=$(mktemp -d)
# ROLLOY_BENCH_KEEP=1 keeps the cluster (to look at plans afterwards).
trap '[ -n "${ROLLOY_BENCH_KEEP:-}" ] || cluster_remove ibench; rm -rf "$tmp"' EXIT
q() { psql -X -q -At -v ON_ERROR_STOP=1 -d ibench "$@"; }
psql -X -q -d postgres -c "CREATE DATABASE ibench"
q -c "SET client_min_messages = warning" -c "CREATE EXTENSION rolloy"
q -v creatives="$CREATIVES" -v days="$DAYS" -f bench/lib/performance_data.sql
q -c "VACUUM ANALYZE rolloy.ads, rolloy_internal.ad_days"
rows=$(q -c "SELECT count(*) FROM rolloy.performance_data")
# The statement's own time in a new session (a new backend, as the refresh after an import gets:
# its first-call costs count), without psql's start and the connection (~90 ms here, the same
# for every statement), and the backend's CPU time (utime + stime, from /proc: the server runs
# on this machine), which a busy machine disturbs less than the elapsed time. Prints "ms cpu_ms".
ms() {
    local out
    out=$(printf '%s\n' "SELECT pg_backend_pid() AS bpid \gset" \
              "\\setenv BPID :bpid" \
              "\\! awk '{print \$14 + \$15}' /proc/\$BPID/stat > $tmp/cpu0" \
              "\\timing on" "$1 \\g /dev/null" "\\timing off" \
              "\\! awk '{print \$14 + \$15}' /proc/\$BPID/stat > $tmp/cpu1" |
          psql -X -q -v ON_ERROR_STOP=1 -d ibench)
    local wall=${out##*Time: }
    echo "${wall%% ms*} $(( ($(cat "$tmp/cpu1") - $(cat "$tmp/cpu0")) * 1000 / $(getconf CLK_TCK) ))"
}
# RUNS (default 3) runs of each: a full refresh (the rollup rebuilt from every fact) and the
# baseline, interleaved; then the refresh after an import that adds a day to every ad (real
# imports: one Meta and one Google Ads file, 0.1 % of the rows), which reads only what the import
# changed, twice: as the product runs it (the background refresh that follows the import by
# itself: its own duration, from rolloy.insight_refreshes), and as a statement in a new session
# (every first-call cost of a new backend counted).
day_csv() {  # platform, day offset: the export of that day for the platform's ads
    q -c "SELECT string_agg(line, E'\n' ORDER BY n) FROM (
            SELECT 0 AS n, CASE '$1' WHEN 'meta' THEN 'Day,Ad name,Impressions,Link clicks,Amount spent (USD),Purchases,Purchases conversion value'
                                     ELSE 'Day,Ad name,Currency code,Impr.,Clicks,Cost,Conversions,Conv. value' END AS line
            UNION ALL
            SELECT a.id, concat_ws(',', d, a.ad_name, CASE WHEN '$1' = 'google_ads' THEN 'EUR' END, imp, imp / 50,
                                   round(imp * 0.01, 2), imp / 2500, imp / 2500 * 89.9)
              FROM rolloy.ads a, (SELECT '2023-01-01'::date + $DAYS + $2 AS d) x,
                   LATERAL (SELECT 500 + (hashtext(a.ad_name || x.d) & 1023) AS imp) i
             WHERE a.platform = '$1') l"
}
import_day() {  # day offset: both platforms' files in one transaction (one refresh follows)
    day_csv meta "$1" >"$tmp/meta.csv"
    day_csv google_ads "$1" >"$tmp/google.csv"
    # psql reads the files itself (\set with backticks): as an argument, the CSV of 5,000 ads
    # exceeded the kernel's limit on the length of one argument.
    printf '%s\n' "\\set meta \`cat $tmp/meta.csv\`" "\\set google \`cat $tmp/google.csv\`" "BEGIN;" \
        "SELECT rows_inserted FROM rolloy.import_performance(:'meta', 'meta');" \
        "SELECT rows_inserted FROM rolloy.import_performance(:'google', 'google_ads');" "COMMIT;" | q >/dev/null
}
background_refresh() {  # the duration (ms) of the background refresh that took in the last import
    # Waited for in one session that sleeps between looks (a look every 20 ms, for up to 60 s): a
    # new psql and backend per look cost ~20 ms of CPU each, which competed with the refresh it
    # was timing on this machine's two cores.
    q -c "DO \$\$
          DECLARE
              last bigint := (SELECT max(id) FROM rolloy.import_batches);
          BEGIN
              FOR i IN 1..3000 LOOP
                  EXIT WHEN EXISTS (SELECT FROM rolloy.insight_refreshes
                                     WHERE trigger = 'import' AND last = ANY (import_batch_ids));
                  PERFORM pg_sleep(0.02);
              END LOOP;
          END \$\$" \
      -c "SELECT round(duration_ms) FROM rolloy.insight_refreshes
           WHERE trigger = 'import' AND (SELECT max(id) FROM rolloy.import_batches) = ANY (import_batch_ids)" |
        grep -E '^[0-9]+$' || { echo "no background refresh took in the last import within 60 s" >&2; exit 1; }
}
# What autovacuum does between two of a team's operations (a day apart, not seconds): every refresh
# rewrites thousands of insights and the imports update every ad, and back to back (autovacuum
# looks once a minute) each refresh read the dead rows of all before it (40,000 in insights after
# the full refreshes; the refresh after a day 216 against 302 ms between a run of 5 and one of 7).
# The tables whose dead rows pass autovacuum's default threshold after one import and refresh are
# vacuumed before every timed statement; the pieces, which one day's import does not bring to it,
# are not.
settle() {
    q -c "VACUUM rolloy.insights, rolloy.ads, rolloy.insight_refreshes, rolloy_internal.insight_ad_totals,
                 rolloy_internal.insight_fatigue_early_days"
}
base=(); full=(); incr=(); bg=()
for run in $(seq "${RUNS:-3}"); do
    q -c "UPDATE rolloy_internal.insight_rollup_state SET built = false"
    settle
    full+=("$(ms "SELECT * FROM rolloy.refresh_insights()")")
    settle
    base+=("$(ms "SELECT count(*) FROM (SELECT project_id, report_date, currency, sum(impressions), sum(clicks), sum(spend),
                                              sum(conversions), sum(conversion_value)
                                         FROM rolloy.performance_data GROUP BY 1, 2, 3) s")")
done
# Then day after day, as a team imports: RUNS days refreshed in the background (the first by a
# new refresher, the others by the one that stays), then RUNS days refreshed by the statement in
# a new session each.
q -c "UPDATE rolloy.insight_settings SET refresh_after_import = true"
for day in $(seq "${RUNS:-3}"); do
    settle
    import_day "$day"
    bg+=("$(background_refresh)")
done
q -c "UPDATE rolloy.insight_settings SET refresh_after_import = false"
for day in $(seq $((${RUNS:-3} + 1)) $((2 * ${RUNS:-3}))); do
    settle
    import_day "$day"
    incr+=("$(ms "SELECT * FROM rolloy.refresh_insights()")")
done
written=$(q -c "SELECT count(*) FROM rolloy.insights")
rollup=$(q -c "SELECT count(*) FROM rolloy_internal.insight_pieces")
python3 - "$rows" "$CREATIVES" "$written" "$rollup" "${base[*]}" "${full[*]}" "${incr[*]}" "${bg[*]}" <<'PY'
import sys, statistics as st
rows, creatives, written, rollup = sys.argv[1:5]
def pairs(a):  # "wall cpu wall cpu ..." -> ([wall...], [cpu...])
    x = a.split()
    return [round(float(v)) for v in x[0::2]], [int(v) for v in x[1::2]]
(bw, bc), (fw, fc), (iw, ic) = (pairs(a) for a in sys.argv[5:8])
gw = [int(v) for v in sys.argv[8].split()]
print(f"rows {rows}  creatives {creatives}  insight rows {written}  rollup pieces {rollup}")
print("statement time in a new session (ms; backend CPU ms in brackets), medians of the runs")
for name, w, c in (("baseline aggregate", bw, bc), ("full refresh", fw, fc), ("refresh after a day", iw, ic)):
    print(f"{name:20} {w} ms, cpu {c} ms: median {st.median(w):.0f} ({st.median(c):.0f})")
print(f"{'background refresh':20} {gw} ms (its duration_ms; the first run's refresher is new): "
      f"median {st.median(gw):.0f}, of runs 2+ {st.median(gw[1:] or gw):.0f}")
b, f, i, g = st.median(bw), st.median(fw), st.median(iw), st.median(gw[1:] or gw)
bcpu, fcpu, icpu = st.median(bc), st.median(fc), st.median(ic)
print(f"full refresh: {f / b:.2f}x the baseline ({fcpu / bcpu:.2f}x in CPU); per run: "
      + ", ".join(f"{x / y:.2f}" for x, y in zip(fw, bw)))
print(f"after a day, statement in a new session: {i / f:.1%} of a full refresh ({icpu / fcpu:.1%} in CPU); each of the runs' against the median full: "
      + ", ".join(f"{x / f:.1%}" for x in iw))
print(f"after a day, background refresh: {g / f:.1%} of a full refresh (runs 2+); each against the median full: "
      + ", ".join(f"{x / f:.1%}" for x in gw))
PY
