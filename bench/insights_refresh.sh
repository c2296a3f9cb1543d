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
trap 'cluster_remove ibench; rm -rf "$tmp"' EXIT
q() { psql -X -q -At -v ON_ERROR_STOP=1 -d ibench "$@"; }
psql -X -q -d postgres -c "CREATE DATABASE ibench"
q -c "SET client_min_messages = warning" -c "CREATE EXTENSION rolloy"
q -v creatives="$CREATIVES" -v days="$DAYS" -f bench/lib/performance_data.sql
q -c "VACUUM ANALYZE rolloy.ads, rolloy_internal.ad_days"
rows=$(q -c "SELECT count(*) FROM rolloy.performance_data")
ms() { local s=$(date +%s%N); q -c "$1" >/dev/null; echo $(( ($(date +%s%N) - s) / 1000000 )); }
# Three runs of each, interleaved: a full refresh (the rollup rebuilt from every fact), the
# baseline, and the refresh after an import that adds a day to every ad (real imports: one Meta
# and one Google Ads file, 0.1 % of the rows), which reads only what the import changed.
q -c "UPDATE rolloy.insight_settings SET refresh_after_import = false"
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
base=(); full=(); incr=()
for run in 1 2 3; do
    q -c "UPDATE rolloy_internal.insight_rollup_state SET built = false"
    full+=("$(ms "SELECT * FROM rolloy.refresh_insights()")")
    base+=("$(ms "SELECT count(*) FROM (SELECT project_id, report_date, currency, sum(impressions), sum(clicks), sum(spend),
                                              sum(conversions), sum(conversion_value)
                                         FROM rolloy.performance_data GROUP BY 1, 2, 3) s")")
    for platform in meta google_ads; do
        day_csv "$platform" "$run" >"$tmp/day.csv"
        # psql reads the file itself (\set with backticks): as an argument, the CSV of 5,000 ads
        # exceeded the kernel's limit on the length of one argument.
        printf '%s\n' "\\set csv \`cat $tmp/day.csv\`" \
            "SELECT rows_inserted FROM rolloy.import_performance(:'csv', '$platform');" | q >/dev/null
    done
    incr+=("$(ms "SELECT * FROM rolloy.refresh_insights()")")
done
written=$(q -c "SELECT count(*) FROM rolloy.insights")
rollup=$(q -c "SELECT count(*) FROM rolloy_internal.insight_pieces")
python3 - "$rows" "$CREATIVES" "$written" "$rollup" "${base[*]}" "${full[*]}" "${incr[*]}" <<'PY'
import sys, statistics as st
rows, creatives, written, rollup = sys.argv[1:5]
base, full, incr = ([int(x) for x in a.split()] for a in sys.argv[5:8])
b, f, i = st.median(base), st.median(full), st.median(incr)
print(f"rows {rows}  creatives {creatives}  insight rows {written}  rollup pieces {rollup}")
print(f"baseline aggregate   {base} ms, median {b:.0f}")
print(f"full refresh         {full} ms, median {f:.0f} ({f / b:.2f}x the baseline)")
print(f"refresh after a day  {incr} ms, median {i:.0f} ({i / f:.1%} of a full refresh, {i / b:.2f}x the baseline)")
PY
