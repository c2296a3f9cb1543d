#!/usr/bin/env bash
# pg_cron scheduling of rolloy.refresh_insights(): calling schedule_insights() twice leaves one
# job, a new schedule replaces the old, unschedule removes it, and a scheduled job really runs
# the refresh (as the extension owner). pg_cron works only in cron.database_name, which
# scripts/test.sh sets to rolloy_cron.
set -euo pipefail
source "$(dirname "$0")/../../scripts/lib.sh"
: "${PGHOST:?}" "${PGPORT:?}" "${PGUSER:?}"
q() { psql -X -q -v ON_ERROR_STOP=1 -At "$@"; }
db=rolloy_cron

cron_db=$(q -d postgres -c "SHOW cron.database_name")
[ "$cron_db" = "$db" ] || die "the cluster's cron.database_name is '$cron_db', expected '$db'"
cleanup() { q -d postgres -c "SET client_min_messages = warning" -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" || true; }
trap cleanup EXIT
if [ "$(q -d postgres -c "SELECT count(*) FROM pg_database WHERE datname = '$db'")" = 0 ]; then
    q -d postgres -c "CREATE DATABASE $db"
fi
q -d "$db" -c "SET client_min_messages = warning" -c "CREATE EXTENSION IF NOT EXISTS pg_cron" -c "CREATE EXTENSION IF NOT EXISTS rolloy"
# pg_cron's launcher retries every second until its database exists. Dropping that database
# (as this test does at the end) stops the launcher for good: it exits cleanly and the
# postmaster does not restart it. So on a reused cluster, say so instead of timing out.
launcher=0
for _ in $(seq 1 15); do
    launcher=$(q -d postgres -c "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'pg_cron launcher'")
    [ "$launcher" = 1 ] && break
    sleep 1
done
[ "$launcher" = 1 ] || die "the pg_cron launcher is not running (it stops for good once database $db is dropped, e.g. by an earlier run of this test); restart the cluster"

jobs() { q -d "$db" -c "SELECT count(*) FROM cron.job WHERE jobname = 'rolloy-insights'"; }
first=$(q -d "$db" -c "SELECT rolloy.schedule_insights()")
second=$(q -d "$db" -c "SELECT rolloy.schedule_insights()")
[ "$first" = "$second" ] || die "scheduling twice gave two job ids: $first, $second"
[ "$(jobs)" = 1 ] || die "expected exactly one rolloy-insights job, found $(jobs)"
got=$(q -d "$db" -c "SELECT schedule || ' | ' || command FROM cron.job WHERE jobname = 'rolloy-insights'")
[ "$got" = "0 2 * * * | SELECT rolloy.refresh_insights()" ] || die "unexpected job: $got"

q -d "$db" -c "SELECT rolloy.schedule_insights('30 4 * * 1')" >/dev/null
got=$(q -d "$db" -c "SELECT schedule FROM cron.job WHERE jobname = 'rolloy-insights'")
[ "$got" = "30 4 * * 1" ] || die "schedule not changed: $got"
[ "$(jobs)" = 1 ] || die "changing the schedule added a job"

# A member may not schedule, even in the cron database.
q -d "$db" <<'SQL'
CREATE ROLE insights_cron_member;
GRANT rolloy_member TO insights_cron_member;
INSERT INTO rolloy.users (email, display_name, pg_role) VALUES ('cron-member@example.com', 'Member', 'insights_cron_member');
SQL
refused=$(q -d "$db" -c "SET ROLE insights_cron_member" -c "SELECT rolloy.schedule_insights()" 2>&1 || true)
q -d "$db" -c "DELETE FROM rolloy.users WHERE pg_role = 'insights_cron_member'" -c "DROP ROLE insights_cron_member"
[[ "$refused" == *"only rolloy admins may do this"* ]] || die "a member could schedule: $refused"

[ "$(q -d "$db" -c "SELECT rolloy.unschedule_insights()")" = t ] || die "unschedule found no job"
[ "$(jobs)" = 0 ] || die "the job is still there after unscheduling"
[ "$(q -d "$db" -c "SELECT rolloy.unschedule_insights()")" = f ] || die "unscheduling twice should report false"

# The job really runs: one creative with data, a job every minute, wait for its first run.
q -d "$db" <<'SQL'
SELECT FROM rolloy.load_sample_dictionaries();
INSERT INTO rolloy.users (id, email, display_name) VALUES ('00000000-0000-0000-0000-00000000c0de', 'cron@example.com', 'Cron');
INSERT INTO rolloy.creative_projects (id, scene_id, action_id, driver_id, format_id, created_by)
VALUES ('00000000-0000-0000-0000-00000000c0df', 1, 1, 1, 1, '00000000-0000-0000-0000-00000000c0de');
INSERT INTO rolloy.performance_data (platform, ad_key, ad_name, report_date, period_end, project_id, impressions, clicks)
VALUES ('meta', 'k', 'k', '2026-11-02', '2026-11-02', '00000000-0000-0000-0000-00000000c0df', 5000, 100);
SQL
job=$(q -d "$db" -c "SELECT rolloy.schedule_insights('* * * * *')")
status=""
for _ in $(seq 1 80); do
    status=$(q -d "$db" -c "SELECT status FROM cron.job_run_details WHERE jobid = $job AND status IN ('succeeded', 'failed') LIMIT 1")
    [ -n "$status" ] && break
    sleep 1
done
q -d "$db" -c "SELECT rolloy.unschedule_insights()" >/dev/null
[ "$status" = succeeded ] || die "the scheduled refresh did not succeed: ${status:-no run within 80 s} $(q -d "$db" -c "SELECT return_message FROM cron.job_run_details WHERE jobid = $job" || true)"
tiers=$(q -d "$db" -c "SELECT count(*) FROM rolloy.insights WHERE kind = 'tier'")
[ "$tiers" = 1 ] || die "expected 1 tier row (the creative, over all data: no per-member copy) after the cron run, got $tiers"
trigger=$(q -d "$db" -c "SELECT string_agg(DISTINCT trigger, ',') FROM rolloy.insight_refreshes")
[ "$trigger" = schedule ] || die "the cron run is recorded in insight_refreshes as '$trigger', not 'schedule'"
echo "schedule_insights: ok (one job $first, rescheduled, unscheduled; a cron run refreshed insights)"
