#!/usr/bin/env bash
# rolloy.import_performance against plain COPY, in the same run, on the same file(s).
#
# Generates a Meta Ads Manager daily export (23 columns, as Meta writes them) of ROWS lines
# (default 1,000,000: 500 ads x 2,000 days; 450 ad names are creatives created here, 225 named
# at image level, 225 at project level; 50 match nothing), then times, each RUNS times (median):
#   copy      COPY ... FROM the file into an unindexed table with the export's 23 typed columns
#   import    rolloy.import_performance_file(file, 'meta') into an empty performance_data: the
#             server reads the same file as COPY does
#   reimport  the same import again over the rows of the first one (every row an update)
#   import (pg_read_file)  rolloy.import_performance(pg_read_file(file), 'meta') into empty tables
#             again: the text-body import of the same file, for comparison
# and the storage per row (heap + indexes + TOAST) of rolloy.ads and rolloy_internal.ad_days
# after the first import, against the COPY table
# and samples each backend's memory (/proc/<pid>/status every 20 ms): peak RssAnon (the backend's
# private memory: file text, C++ state, chunk arrays) and VmHWM (peak resident, which also counts
# the shared buffers the backend touched).
#
# A text value holds at most 1 GB, so above PART_ROWS (default 1,000,000) lines the export is
# split into files of PART_ROWS lines (consecutive day ranges), each COPYed and imported by one
# statement in turn into the same tables; the figures are the sums, and the per-row time of the
# first and the last file shows whether the cost grows with the table (10,000,000 rows: 10 files).
#
# Needs a running server with rolloy installed (PGHOST/PGPORT/PGUSER of a superuser) on this
# machine (the server reads the file and /proc is read locally). Usage:
#   bench/import_vs_copy.sh [ROWS] [RUNS]
set -euo pipefail
ROWS=${1:-1000000}
RUNS=${2:-3}
ADS=500
DAYS=$(((ROWS + ADS - 1) / ADS))
PART_ROWS=${PART_ROWS:-1000000}
PARTS=$(((ROWS + PART_ROWS - 1) / PART_ROWS))
PART_DAYS=$(((PART_ROWS + ADS - 1) / ADS))
DB=rolloy_bench
: "${PGHOST:?set PGHOST/PGPORT/PGUSER}"
q() { psql -X -q -v ON_ERROR_STOP=1 -At "$@"; }

workdir=$(mktemp -d /tmp/rolloy-bench-XXXXXX)
chmod 777 "$workdir"
file=$workdir/meta_export
[ -n "${KEEP_DB:-}" ] || trap 'rm -rf "$workdir"' EXIT

q -d postgres -c "SET client_min_messages = warning" -c "DROP DATABASE IF EXISTS $DB" -c "CREATE DATABASE $DB"
q -d $DB <<SQL >/dev/null
SET client_min_messages = warning;
CREATE EXTENSION rolloy;
-- The import alone is measured: no background refresh of the insights after each one.
UPDATE rolloy.insight_settings SET refresh_after_import = false;
SELECT count(*) FROM rolloy.load_sample_dictionaries();
INSERT INTO rolloy.users (id, email, display_name, role)
VALUES ('00000000-0000-0000-0000-00000000bbbb', 'bench@example.com', 'Bench', 'member');
SET rolloy.naming_time_zone = 'UTC';
-- 450 projects, one ABCD each, named on 450 different days.
INSERT INTO rolloy.creative_projects (scene_id, action_id, driver_id, format_id, created_by, created_at)
SELECT c.s, c.a, c.d, c.f, '00000000-0000-0000-0000-00000000bbbb',
       timestamptz '2025-01-01 12:00+00' + c.n * interval '1 day'
  FROM (SELECT s.id AS s, a.id AS a, d.id AS d, f.id AS f, row_number() OVER (ORDER BY s.id, a.id, d.id, f.id) AS n
          FROM rolloy.scenes s, rolloy.actions a, rolloy.drivers d, rolloy.formats f) c
 WHERE c.n <= 450;
-- An image for every other project: its ads carry the image name (…_V01).
INSERT INTO rolloy.generated_images (project_id)
SELECT id FROM (SELECT id, row_number() OVER (ORDER BY generated_name) AS n FROM rolloy.creative_projects) p
 WHERE n % 2 = 0;
CREATE TABLE ads (n integer PRIMARY KEY, ad_name text, ad_id text, campaign text);
INSERT INTO ads
SELECT n, coalesce(g.ad_name, p.generated_name), (120210000000000000 + n)::text, 'BF26_Rollator_' || (n % 10)
  FROM (SELECT id, generated_name, row_number() OVER (ORDER BY generated_name) AS n FROM rolloy.creative_projects) p
  LEFT JOIN rolloy.generated_images g ON g.project_id = p.id;
-- 50 ads that match no project: 25 creative-looking names nobody created, 25 free text.
INSERT INTO ads
SELECT 450 + k,
       CASE WHEN k <= 25 THEN '20240101_OUT_PARK_WALK_JOY_UGC_' || (k + 1) ELSE 'Retargeting carousel ' || k END,
       (120210000000000000 + 450 + k)::text, 'BF26_Other'
  FROM generate_series(1, 50) k;
CREATE TABLE copy_target (
    reporting_starts date, reporting_ends date, day date, campaign_name text, ad_set_name text, ad_name text,
    ad_id text, ad_delivery text, attribution_setting text, results integer, result_indicator text,
    amount_spent numeric, impressions bigint, reach bigint, frequency numeric, link_clicks bigint, ctr numeric,
    cpc numeric, clicks_all bigint, purchases integer, purchases_conversion_value numeric, purchase_roas numeric,
    cost_per_results numeric);
SQL
for p in $(seq 0 $((PARTS - 1))); do
    lo=$((p * PART_DAYS)) hi=$(((p + 1) * PART_DAYS - 1)) n=$((ROWS - p * PART_ROWS))
    [ "$hi" -lt "$DAYS" ] || hi=$((DAYS - 1))
    [ "$n" -le "$PART_ROWS" ] || n=$PART_ROWS
    q -d $DB -v lo=$lo -v hi=$hi -v n=$n -v out="$file.$p.csv" <<SQL
COPY (
  SELECT '2021-01-01'::date AS "Reporting starts", '2021-01-01'::date + $DAYS - 1 AS "Reporting ends",
         '2021-01-01'::date + d AS "Day", a.campaign AS "Campaign name", 'Seniors 65+ US' AS "Ad set name",
         a.ad_name AS "Ad name", a.ad_id AS "Ad ID", 'active' AS "Ad delivery",
         '7-day click, 1-day view, or 1-day engaged-view' AS "Attribution setting", v.purchases AS "Results",
         'actions:offsite_conversion.fb_pixel_purchase' AS "Result indicator", v.spend AS "Amount spent (USD)",
         v.impressions AS "Impressions", v.reach AS "Reach", round(v.impressions::numeric / v.reach, 5) AS "Frequency",
         v.clicks AS "Link clicks", round(100.0 * v.clicks / v.impressions, 5) AS "CTR (link click-through rate)",
         round(v.spend / greatest(v.clicks, 1), 5) AS "CPC (cost per link click) (USD)",
         v.clicks * 2 AS "Clicks (all)", v.purchases AS "Purchases", v.purchases * 87.5 AS "Purchases conversion value",
         round(v.purchases * 87.5 / v.spend, 5) AS "Purchase ROAS (return on ad spend)",
         round(v.spend / greatest(v.purchases, 1), 5) AS "Cost per results"
    FROM generate_series(:lo, :hi) d
   CROSS JOIN ads a
   CROSS JOIN LATERAL (SELECT 1000 + (a.n * 7919 + d * 104729) % 50000 AS impressions) i
   CROSS JOIN LATERAL (SELECT i.impressions, i.impressions * 7 / 10 AS reach, i.impressions / 60 AS clicks,
                              i.impressions / 1200 AS purchases, round(i.impressions * 0.0123, 2) AS spend) v
   ORDER BY d, a.n
   LIMIT :n
) TO :'out' WITH (FORMAT csv, HEADER true);
SQL
done
size_mb=$(($(cat "$file".*.csv | wc -c) / 1024 / 1024))
echo "file: $ROWS rows in $PARTS file(s), $size_mb MiB, $ADS ads (450 creatives, 50 unmatched) x $DAYS days"

# Runs one statement in its own backend; prints "<ms> <peak RssAnon kB> <VmHWM kB> <backend CPU ms>".
measure() {
    local tag=rolloy_bench_$$_$RANDOM out=$workdir/out.$RANDOM
    PGAPPNAME=$tag psql -X -q -v ON_ERROR_STOP=1 -At -d $DB -c '\timing on' -c "$1" >"$out" 2>&1 &
    local client=$! pid="" anon=0 hwm=0 cpu=0 tick
    tick=$(getconf CLK_TCK)
    while [ -z "$pid" ] && kill -0 $client 2>/dev/null; do
        pid=$(q -d $DB -c "SELECT pid FROM pg_stat_activity WHERE application_name = '$tag'")
    done
    while [ -n "$pid" ] && [ -r /proc/$pid/status ]; do
        read -r a h < <(awk '/^RssAnon/{a=$2} /^VmHWM/{h=$2} END{print a+0, h+0}' /proc/$pid/status 2>/dev/null || echo "0 0")
        [ "$a" -gt "$anon" ] && anon=$a
        [ "$h" -gt "$hwm" ] && hwm=$h
        c=$(awk -v t="$tick" '{print int(($14 + $15) * 1000 / t)}' /proc/$pid/stat 2>/dev/null || echo 0)
        [ "$c" -gt "$cpu" ] && cpu=$c
        kill -0 $client 2>/dev/null || break
        sleep 0.02
    done
    wait $client || { cat "$out" >&2; exit 1; }
    local ms
    ms=$(sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p' "$out" | tail -1)
    echo "$ms $anon $hwm $cpu"
}

median() { sort -n | awk '{v[NR]=$1} END{print v[int((NR+1)/2)]}'; }

declare -A T C A H
KINDS="copy import reimport read_file"
for kind in $KINDS; do T[$kind]=""; C[$kind]=""; A[$kind]=0; H[$kind]=0; done
record() {  # kind ms anon hwm cpu
    T[$1]+="$2 "; C[$1]+="$5 "
    [ "$3" -gt "${A[$1]}" ] && A[$1]=$3
    [ "$4" -gt "${H[$1]}" ] && H[$1]=$4
    return 0
}
# The length is given so that pg_read_file allocates the file's size once (without it, it grows a
# buffer by doubling: up to twice the file in memory, which would be the benchmark's, not rolloy's).
read_file_sql() { echo "SELECT rows_read FROM rolloy.import_performance(pg_read_file('$file.$1.csv', 0, $(stat -c %s "$file.$1.csv")), 'meta', 'reject_file', 'bench')"; }
import_sql() { echo "SELECT rows_read FROM rolloy.import_performance_file('$file.$1.csv', 'meta', 'reject_file', 'bench')"; }
# Runs one statement per file (KIND copy, import or read_file); prints "<ms> <anon> <hwm> <cpu> <ms of the first> <ms of the last>".
all_parts() {
    local ms=0 a=0 h=0 c=0 first="" last="" m x y z
    for p in $(seq 0 $((PARTS - 1))); do
        if [ "$1" = copy ]; then
            read -r m x y z < <(measure "COPY copy_target FROM '$file.$p.csv' WITH (FORMAT csv, HEADER true)")
        elif [ "$1" = read_file ]; then
            read -r m x y z < <(measure "$(read_file_sql $p)")
        else
            read -r m x y z < <(measure "$(import_sql $p)")
        fi
        ms=$(echo "$ms + $m" | bc -l); c=$((c + z))
        [ "$x" -gt "$a" ] && a=$x
        [ "$y" -gt "$h" ] && h=$y
        [ -n "$first" ] || first=$m
        last=$m
    done
    echo "$ms $a $h $c $first $last"
}
for run in $(seq 1 "$RUNS"); do
    q -d $DB -c "TRUNCATE copy_target" -c "CHECKPOINT"
    read -r ms a h c f l < <(all_parts copy)
    record copy "$ms" "$a" "$h" "$c"
    line="run $run: copy $ms ms (cpu $c; first file $f ms, last $l ms)"

    q -d $DB -c "SET client_min_messages = warning" -c "TRUNCATE rolloy_internal.ad_days, rolloy.ads, rolloy.import_batches" -c "CHECKPOINT"
    read -r ms a h c f l < <(all_parts import)
    record import "$ms" "$a" "$h" "$c"
    line+=", import $ms ms (cpu $c; first file $f ms, last $l ms)"
    # Storage as an import leaves it (the re-import's old row versions are pruned on later visits).
    [ "$run" -gt 1 ] || read -r star_b copy_b < <(q -d $DB -F ' ' -c "SELECT pg_total_relation_size('rolloy.ads')
                                                     + pg_total_relation_size('rolloy_internal.ad_days'),
                                                     pg_total_relation_size('copy_target')")

    q -d $DB -c "CHECKPOINT"
    read -r ms a h c f l < <(all_parts import)
    record reimport "$ms" "$a" "$h" "$c"
    line+=", reimport $ms ms (cpu $c; first file $f ms, last $l ms)"
    batches=$(q -d $DB -c "SELECT 'batch (' || CASE WHEN rows_updated > 0 THEN 'reimport' ELSE 'import' END || '): ' ||
                                  rows_read || ' read, ' || rows_inserted || ' inserted, ' || rows_updated || ' updated, ' ||
                                  rows_unmatched || ' unmatched, ' || rows_rejected || ' rejected'
                             FROM rolloy.import_batches ORDER BY id")

    q -d $DB -c "SET client_min_messages = warning" -c "TRUNCATE rolloy_internal.ad_days, rolloy.ads, rolloy.import_batches" -c "CHECKPOINT"
    read -r ms a h c f l < <(all_parts read_file)
    record read_file "$ms" "$a" "$h" "$c"
    echo "$line, import (pg_read_file) $ms ms (cpu $c; first file $f ms, last $l ms)"
done
echo "$batches" | sort -u
rows_check=$(q -d $DB -c "SELECT count(*) FROM rolloy.performance_data")
[ "$rows_check" -eq "$ROWS" ] || { echo "expected $ROWS rows in performance_data, found $rows_check" >&2; exit 1; }

echo "storage: ads + ad_days $((star_b / ROWS)) bytes/row, COPY table $((copy_b / ROWS)) bytes/row, ratio $(echo "scale=2; $star_b / $copy_b" | bc -l)"
copy_ms=$(echo ${T[copy]} | tr ' ' '\n' | median)
copy_cpu=$(echo ${C[copy]} | tr ' ' '\n' | median)
echo
printf '%-9s %10s %10s %8s %10s %8s %11s %10s\n' "" "wall ms" "rows/s" "x COPY" "CPU ms" "x COPY" "RssAnon MiB" "VmHWM MiB"
for kind in $KINDS; do
    ms=$(echo ${T[$kind]} | tr ' ' '\n' | median)
    cpu=$(echo ${C[$kind]} | tr ' ' '\n' | median)
    printf '%-9s %10.0f %10.0f %8.2f %10.0f %8.2f %11d %10d\n' "$kind" "$ms" "$(echo "$ROWS / ($ms / 1000)" | bc -l)" \
        "$(echo "$ms / $copy_ms" | bc -l)" "$cpu" "$(echo "$cpu / $copy_cpu" | bc -l)" $((A[$kind] / 1024)) $((H[$kind] / 1024))
done
echo "(medians of $RUNS runs; RssAnon and VmHWM are the peaks over all runs; import and reimport read the file with"
echo " import_performance_file, read_file is import_performance(pg_read_file(...)) into empty tables)"
[ -n "${KEEP_DB:-}" ] || q -d postgres -c "DROP DATABASE $DB"
