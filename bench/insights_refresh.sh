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
trap 'cluster_remove ibench' EXIT
q() { psql -X -q -At -v ON_ERROR_STOP=1 -d ibench "$@"; }
psql -X -q -d postgres -c "CREATE DATABASE ibench"
q -c "SET client_min_messages = warning" -c "CREATE EXTENSION rolloy"
q -v creatives="$CREATIVES" -v days="$DAYS" -f bench/lib/performance_data.sql
q -c "VACUUM ANALYZE rolloy.ads, rolloy_internal.ad_days"
rows=$(q -c "SELECT count(*) FROM rolloy.performance_data")
ms() { local s=$(date +%s%N); q -c "$1" >/dev/null; echo $(( ($(date +%s%N) - s) / 1000000 )); }
base=$(ms "SELECT count(*) FROM (SELECT project_id, report_date, currency, sum(impressions), sum(clicks), sum(spend),
                                        sum(conversions), sum(conversion_value)
                                   FROM rolloy.performance_data GROUP BY 1, 2, 3) s")
refresh=$(ms "SELECT * FROM rolloy.refresh_insights()")
written=$(q -c "SELECT count(*) FROM rolloy.insights")
python3 -c "import sys; r, c, b, f, w = sys.argv[1:]; print(f'rows {r}  creatives {c}\nbaseline aggregate {b} ms\nrefresh_insights  {f} ms ({int(f) / int(b):.1f}x the baseline), {w} insight rows')" \
    "$rows" "$CREATIVES" "$base" "$refresh" "$written"
