#!/usr/bin/env bash
# pg_dump / pg_restore keeps the insight settings an admin changed (the install script recreates
# a default row first; restoring the dumped row replaces it) and the computed insights.
set -euo pipefail
source "$(dirname "$0")/../../scripts/lib.sh"
: "${PGHOST:?}" "${PGPORT:?}" "${PGUSER:?}"
q() { psql -X -q -v ON_ERROR_STOP=1 -At "$@"; }
src=rolloy_insights_dump_src dst=rolloy_insights_dump_dst

for db in $src $dst; do q -d postgres -c "SET client_min_messages = warning" -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db"; done
q -d $src <<'SQL'
CREATE EXTENSION rolloy;
SELECT FROM rolloy.load_sample_dictionaries();
UPDATE rolloy.insight_settings SET min_impressions = 250, leaderboard_size = 5, fatigue_window_days = 3;
INSERT INTO rolloy.users (id, email, display_name) VALUES ('00000000-0000-0000-0000-0000000000a1', 'a@example.com', 'A');
INSERT INTO rolloy.creative_projects (scene_id, action_id, driver_id, format_id, created_by, title)
SELECT 1 + g % 3, 1, 1 + g % 2, 1, '00000000-0000-0000-0000-0000000000a1', 'p' || g FROM generate_series(1, 4) g;
INSERT INTO rolloy.performance_data (platform, ad_key, ad_name, report_date, period_end, project_id, impressions, clicks)
SELECT 'meta', p.generated_name, p.generated_name, date '2026-11-01' + d, date '2026-11-01' + d, p.id, 300 + 10 * d, 3 + d % 4
  FROM rolloy.creative_projects p, generate_series(0, 6) d;
SELECT FROM rolloy.refresh_insights();
SQL
snapshot() {
    q -d "$1" -c "SELECT min_impressions || '/' || leaderboard_size || '/' || fatigue_window_days || '/' || count(*) OVER () FROM rolloy.insight_settings" \
        -c "SELECT kind || ':' || count(*) FROM rolloy.insights GROUP BY kind ORDER BY kind" \
        -c "SELECT string_agg(tier || '@' || coalesce(rank::text, '-'), ',' ORDER BY creative_name) FROM rolloy.insight_tiers"
}
before=$(snapshot $src)
dump=$(mktemp)
pg_dump -Fc -d $src -f "$dump"
pg_restore -d $dst --exit-on-error "$dump"
rm -f "$dump"
after=$(snapshot $dst)
if [ "$before" != "$after" ]; then
    echo "dump/restore changed insights or their settings:"; diff <(echo "$before") <(echo "$after"); exit 1
fi
# The restored database refreshes to the same figures with the restored settings.
q -d $dst -c "SELECT FROM rolloy.refresh_insights()" >/dev/null
[ "$(snapshot $dst)" = "$before" ] || die "a refresh after the restore gives other figures"
for db in $src $dst; do q -d postgres -c "DROP DATABASE $db"; done
echo "insight settings dump/restore: ok ($(echo "$before" | head -1) kept)"
