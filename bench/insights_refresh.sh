#!/usr/bin/env bash
# refresh_insights() over generated performance data, against a baseline in the same run: one
# plain aggregate pass (sums per creative and day) over the same rows, i.e. the least any
# insight computation must read.
#   bench/insights_refresh.sh [CREATIVES=1000] [DAYS=1000]     (rows = creatives x days;
#                                                               5000 x 2000 gives 10,000,000)
set -euo pipefail
source "$(dirname "$0")/../scripts/lib.sh"
CREATIVES=${1:-1000}
DAYS=${2:-1000}
PORT=${ROLLOY_BENCH_PORT:-25491}
export PGHOST=127.0.0.1 PGPORT=$PORT PGUSER=postgres
cluster_start ibench "$PORT" "shared_preload_libraries = 'rolloy'" "max_wal_size = '4GB'" "work_mem = '64MB'" >/dev/null
trap 'cluster_remove ibench' EXIT
q() { psql -X -q -At -v ON_ERROR_STOP=1 -d ibench "$@"; }
psql -X -q -d postgres -c "CREATE DATABASE ibench"
q <<SQL
SET client_min_messages = warning;
CREATE EXTENSION rolloy;
SELECT FROM rolloy.load_sample_dictionaries();
INSERT INTO rolloy.users (email, display_name)
SELECT 'owner' || g || '@example.com', 'Owner ' || g FROM generate_series(1, 50) g;
-- Creatives spread over the ABCD dictionaries and 50 owners.
INSERT INTO rolloy.creative_projects (scene_id, action_id, driver_id, format_id, created_by, created_at)
SELECT 1 + g % 12, 1 + (g / 12) % 8, 1 + (g / 96) % 7, 1 + (g / 672) % 6,
       (SELECT id FROM rolloy.users ORDER BY email OFFSET g % 50 LIMIT 1), '2026-01-01'::timestamptz + g * interval '1 second'
  FROM generate_series(0, $CREATIVES - 1) g;
\timing on
-- One ad per creative, its days written to the day table directly (as an import does; the view's
-- INSERT trigger would take a statement per row). Money in millionths, currency as a number.
INSERT INTO rolloy.ads (id, platform, ad_key, ad_name, creative_name, project_id, first_seen, last_seen)
SELECT p.n, CASE WHEN p.n % 5 = 0 THEN 'google_ads' ELSE 'meta' END::rolloy.ad_platform, p.generated_name,
       p.generated_name, p.generated_name, p.id, '2023-01-01'::date, '2023-01-01'::date + $DAYS - 1
  FROM (SELECT id, generated_name, row_number() OVER (ORDER BY id) AS n FROM rolloy.creative_projects) p;
INSERT INTO rolloy_internal.ad_days (ad, report_date, period_end, impressions, clicks, spend, currency, conversions,
                                     conversion_value)
SELECT a.id, d, d, imp, least(imp, (imp * (0.01 + (a.id % 17) / 1000.0))::bigint), round(imp * 0.01, 2) * 1000000,
       CASE WHEN a.id % 5 = 0 THEN 4 * 676 + 20 * 26 + 17 ELSE 20 * 676 + 18 * 26 + 3 END, -- EUR, USD
       (imp * 0.0004)::bigint * 1000000, (imp * 0.0004)::bigint * 89.9 * 1000000
  FROM rolloy.ads a,
       generate_series('2023-01-01'::date, '2023-01-01'::date + $DAYS - 1, interval '1 day') d,
       LATERAL (SELECT 500 + (hashtext(a.ad_name || d) & 1023) AS imp) i;
\timing off
VACUUM ANALYZE rolloy.ads, rolloy_internal.ad_days;
SQL
rows=$(q -c "SELECT count(*) FROM rolloy.performance_data")
ms() { local s=$(date +%s%N); q -c "$1" >/dev/null; echo $(( ($(date +%s%N) - s) / 1000000 )); }
base=$(ms "SELECT count(*) FROM (SELECT project_id, report_date, currency, sum(impressions), sum(clicks), sum(spend),
                                        sum(conversions), sum(conversion_value)
                                   FROM rolloy.performance_data GROUP BY 1, 2, 3) s")
refresh=$(ms "SELECT * FROM rolloy.refresh_insights()")
written=$(q -c "SELECT count(*) FROM rolloy.insights")
python3 -c "import sys; r, c, b, f, w = sys.argv[1:]; print(f'rows {r}  creatives {c}\nbaseline aggregate {b} ms\nrefresh_insights  {f} ms ({int(f) / int(b):.1f}x the baseline), {w} insight rows')" \
    "$rows" "$CREATIVES" "$base" "$refresh" "$written"
