#!/usr/bin/env bash
# Locks as a weapon (issue 11): a hostile member's session takes every lock it can and keeps its
# transaction open — LOCK TABLE in the strongest mode it is allowed on every table and view, the
# advisory key 0.1.0 serialised imports with, a queued batch (the rows that locks), an edit of
# her own project, a read of every table. A second session then does the everyday work of other
# people with lock_timeout = 3s: an admin imports, refreshes insights, edits dictionaries, prices
# and users; another member creates a project, writes its prompt, queues images, uploads a photo
# and reads everything. Nothing may wait. (Row locks a member takes on rows of her own with
# SELECT … FOR UPDATE are the documented exception: docs/security.md, test/pgtap/60_hostile.sql.)
set -euo pipefail
source "$(dirname "$0")/../../scripts/lib.sh"
: "${PGHOST:?}" "${PGPORT:?}" "${PGUSER:?}"
DB=rolloy_locks_$$
TMP=$(mktemp -d /tmp/rolloy-locks-XXXXXX)
chmod 755 "$TMP"
HOLDER=
cleanup() {
    exec 3>&- 2>/dev/null || true
    [ -n "$HOLDER" ] && kill "$HOLDER" 2>/dev/null
    psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" \
         -c "DROP ROLE IF EXISTS rolloy_locks_alice, rolloy_locks_bob, rolloy_locks_ada" >/dev/null 2>&1 || true
    rm -rf "$TMP"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
q() { psql -X -q -At -v ON_ERROR_STOP=1 -d "$DB" "$@"; }

psql -X -q -d postgres -c "SET client_min_messages = warning" -c "DROP DATABASE IF EXISTS $DB" -c "CREATE DATABASE $DB"
psql -X -q -d postgres -c "SET client_min_messages = warning" \
     -c "DROP ROLE IF EXISTS rolloy_locks_alice, rolloy_locks_bob, rolloy_locks_ada" \
     -c "CREATE ROLE rolloy_locks_alice LOGIN" -c "CREATE ROLE rolloy_locks_bob LOGIN" -c "CREATE ROLE rolloy_locks_ada LOGIN"
q <<'SQL'
SET client_min_messages = warning;
CREATE EXTENSION rolloy;
GRANT rolloy_member TO rolloy_locks_alice, rolloy_locks_bob;
GRANT rolloy_admin TO rolloy_locks_ada;
SELECT FROM rolloy.load_sample_dictionaries();
INSERT INTO rolloy.users (id, email, display_name, role, pg_role) VALUES
    ('00000000-0000-0000-0000-0000000000a1', 'alice@example.com', 'Alice', 'member', 'rolloy_locks_alice'),
    ('00000000-0000-0000-0000-0000000000b1', 'bob@example.com', 'Bob', 'member', 'rolloy_locks_bob'),
    ('00000000-0000-0000-0000-0000000000ad', 'ada@example.com', 'Ada', 'admin', 'rolloy_locks_ada');
-- Alice's project, with a prompt, a reference photo to queue from, and performance that the
-- import and the insights of the second session touch (foreign-key checks lock her rows).
INSERT INTO rolloy.creative_projects (id, scene_id, action_id, driver_id, format_id, created_by, title, prompt)
VALUES ('10000000-0000-0000-0000-0000000000a1', 1, 1, 1, 1, '00000000-0000-0000-0000-0000000000a1', 'alice', 'a walk'),
       ('10000000-0000-0000-0000-0000000000a2', 1, 1, 2, 1, '00000000-0000-0000-0000-0000000000a1', 'alice 2', 'a run');
INSERT INTO rolloy.reference_images (id, product_state, file_name, mime_type, width, height, size_bytes, sha256, storage_ref, uploaded_by)
VALUES ('20000000-0000-0000-0000-000000000001', 'both', 'a.jpg', 'image/jpeg', 300, 300, 1, repeat('1', 64),
        'db:reference/20000000-0000-0000-0000-000000000001', '00000000-0000-0000-0000-0000000000a1');
INSERT INTO rolloy.performance_data (platform, ad_key, ad_name, report_date, period_end, project_id, impressions, clicks)
SELECT 'meta', p.generated_name, p.generated_name, date '2026-11-01' + d, date '2026-11-01' + d, p.id, 2000, 20
  FROM rolloy.creative_projects p, generate_series(0, 6) d;
-- An ad that matched nothing so far; the import below names her second project with its id.
INSERT INTO rolloy.performance_data (platform, ad_key, ad_id, ad_name, report_date, period_end, impressions, clicks)
VALUES ('meta', 'x2', 'x2', 'Old teaser', '2026-11-01', '2026-11-01', 100, 1);
SQL
alice_name=$(q -c "SELECT generated_name FROM rolloy.creative_projects WHERE title = 'alice'")
alice2_name=$(q -c "SELECT generated_name FROM rolloy.creative_projects WHERE title = 'alice 2'")

# 1. The hostile session: everything it can get, held in an open transaction.
mkfifo "$TMP/holder.in"
psql -X -q -At -v ON_ERROR_STOP=1 -U rolloy_locks_alice -d "$DB" <"$TMP/holder.in" >"$TMP/holder.out" 2>&1 &
HOLDER=$!
exec 3>"$TMP/holder.in"
cat >&3 <<'SQL'
BEGIN;
SELECT pg_advisory_xact_lock(hashtext('rolloy.import_performance'), hashtext(p))
  FROM unnest(ARRAY['meta', 'google_ads', 'tiktok']) p;
-- The strongest table lock she is allowed on every table and view of both schemas.
DO $$
DECLARE
    r record;
    m text;
BEGIN
    FOR r IN SELECT c.oid::regclass::text AS rel FROM pg_class c
              WHERE c.relnamespace IN ('rolloy'::regnamespace, 'rolloy_internal'::regnamespace)
                AND c.relkind IN ('r', 'v') ORDER BY 1 LOOP
        FOREACH m IN ARRAY ARRAY['ACCESS EXCLUSIVE', 'EXCLUSIVE', 'SHARE ROW EXCLUSIVE', 'SHARE', 'SHARE UPDATE EXCLUSIVE',
                                 'ROW EXCLUSIVE', 'ROW SHARE', 'ACCESS SHARE'] LOOP
            BEGIN
                EXECUTE format('LOCK TABLE %s IN %s MODE NOWAIT', r.rel, m);
                EXIT;  -- held until the transaction ends
            EXCEPTION WHEN insufficient_privilege OR lock_not_available THEN
                NULL;
            END;
        END LOOP;
    END LOOP;
END
$$;
-- Everyday work of her own, left uncommitted: queueing locks her users row and her project,
-- an edit locks her project.
SELECT count(*) FROM rolloy.batch_generate('10000000-0000-0000-0000-0000000000a1', '{"provider": "preview"}');
UPDATE rolloy.creative_projects SET title = 'alice (editing)' WHERE id = '10000000-0000-0000-0000-0000000000a1';
-- The strongest row locks she may take: FOR UPDATE of her own users row and of her second project
-- (what an uncommitted delete of them holds, too). They conflict with the KEY SHARE of a foreign-key
-- check: refresh_insights writes insights of her and of that project.
SELECT FROM rolloy.users u WHERE u.id = '00000000-0000-0000-0000-0000000000a1' FOR UPDATE;
SELECT FROM rolloy.creative_projects p WHERE p.id = '10000000-0000-0000-0000-0000000000a2' FOR UPDATE;
SELECT 'held: ' || string_agg(DISTINCT l.mode || ' ' || coalesce(l.relation::regclass::text, l.locktype), ', ')
  FROM pg_locks l
 WHERE l.pid = pg_backend_pid() AND l.granted
   AND (l.locktype = 'advisory' OR l.mode NOT IN ('AccessShareLock', 'RowExclusiveLock', 'RowShareLock'))
UNION ALL
SELECT 'rows: ' || count(*) || ' of her own (users row, project) FOR UPDATE'
  FROM pg_locks l
 WHERE l.pid = pg_backend_pid() AND l.locktype = 'transactionid' AND l.granted
   AND EXISTS (SELECT FROM rolloy.users u WHERE u.id = '00000000-0000-0000-0000-0000000000a1' AND u.xmax = l.transactionid)
   AND EXISTS (SELECT FROM rolloy.creative_projects p WHERE p.id = '10000000-0000-0000-0000-0000000000a2' AND p.xmax = l.transactionid);
SQL
for _ in $(seq 100); do grep -q '^held' "$TMP/holder.out" && break; sleep 0.1; done
grep -q '^held' "$TMP/holder.out" || fail "the hostile session did not get going: $(cat "$TMP/holder.out"; psql -X -At -d "$DB" -c "select pid, state, wait_event_type, wait_event, left(query, 120) from pg_stat_activity where datname = current_database()")"
echo "the hostile member holds: $(grep '^held' "$TMP/holder.out" | sed 's/^held: //')"
grep -q '^rows: 1 ' "$TMP/holder.out" || fail "the hostile session holds no row locks: $(cat "$TMP/holder.out")"

# 2. Everybody else, with lock_timeout = 3s: every statement must get through without waiting.
as() {  # as ROLE "description" SQL
    local out
    if ! out=$(psql -X -q -At -v ON_ERROR_STOP=1 -U "$1" -d "$DB" -c "SET lock_timeout = '3s'" -c "$3" 2>&1); then
        fail "$2 ($1) did not get through: $out"
    fi
    echo "ok - $2 ($1)"
}
# The import links ads to her projects: a new ad to the one she edits (NO KEY UPDATE: no conflict),
# the ad x2 to the one she holds FOR UPDATE. That link's foreign-key check (KEY SHARE) would wait
# for her: the import leaves x2 unlinked for now, with a warning, instead.
csv=$(printf 'Day,Ad name,Ad ID,Amount spent (USD),Impressions,Link clicks\n2026-11-08,%s,a1,5.00,2500,25\n2026-11-08,Spring promo,sp1,1.00,100,1\n2026-11-08,%s,x2,2.00,200,2' "$alice_name" "$alice2_name")
photo=$(xxd -p "$ROLLOY_ROOT/test/fixtures/images/grey-300.png" | tr -d '\n')
as rolloy_locks_ada "an import of Meta (the platform whose 0.1.0 advisory key she holds)" \
    "SELECT rows_inserted + rows_updated FROM rolloy.import_performance(\$csv\$${csv}\$csv\$, 'meta')"
[ "$(q -c "SELECT array_to_string(warnings, ' ') LIKE '%1 ad names a creative that another session held locked%'
             FROM rolloy.import_batches ORDER BY id DESC LIMIT 1")" = t ] ||
    fail "the import did not say it left an ad unlinked: $(q -c "SELECT warnings FROM rolloy.import_batches ORDER BY id DESC LIMIT 1")"
[ "$(q -c "SELECT (SELECT project_id IS NULL FROM rolloy.ads WHERE ad_key = 'x2')
                  AND (SELECT project_id FROM rolloy.ads WHERE ad_key = 'a1') = '10000000-0000-0000-0000-0000000000a1'")" = t ] ||
    fail "the import should link a1 to her first project and leave x2 unlinked"
# Its line counts as unmatched (its days are linked to no creative), as the Spring promo's does.
[ "$(q -c "SELECT rows_unmatched FROM rolloy.import_batches ORDER BY id DESC LIMIT 1")" = 2 ] ||
    fail "the batch should count 2 unmatched rows (Spring promo, and x2 left unlinked): $(q -c "SELECT rows_unmatched FROM rolloy.import_batches ORDER BY id DESC LIMIT 1")"
echo "ok - ...linking the ad that names the project she holds FOR UPDATE later, with a warning; its row counts as unmatched"
as rolloy_locks_ada "refresh_insights (insights of her and of the project she holds FOR UPDATE)" \
    "SELECT count(*) FROM rolloy.refresh_insights()"
wrote=$(q -c "SELECT count(*) FILTER (WHERE project_id IN (SELECT p.id FROM rolloy.creative_projects p
                                                              WHERE p.created_by = '00000000-0000-0000-0000-0000000000a1')) > 0
                     AND count(*) FILTER (WHERE project_id = '10000000-0000-0000-0000-0000000000a2') > 0
                FROM rolloy.insights")
[ "$wrote" = t ] || fail "refresh_insights wrote no insights of her or of the project she holds"
echo "ok - ...and wrote insights of her and of that project"
as rolloy_locks_ada "a dictionary edit" "UPDATE rolloy.scenes SET description = description || ' ' WHERE scene_code = 'PARK'"
as rolloy_locks_ada "a new price" \
    "INSERT INTO rolloy.provider_prices (provider, model, unit, price_usd, valid_from) VALUES ('fal', 'm', 'image', 1, now())"
as rolloy_locks_ada "a quota change" \
    "UPDATE rolloy.users SET monthly_image_quota = 900 WHERE id = '00000000-0000-0000-0000-0000000000b1'"
as rolloy_locks_ada "insight settings" "UPDATE rolloy.insight_settings SET min_impressions = 500"
as rolloy_locks_bob "a new project" "SELECT generated_name FROM rolloy.create_project('OUT', 'PARK', 'WALK', 'JOY', 'UGC', 'bob')"
as rolloy_locks_bob "its prompt" "SELECT rolloy.generate_prompt(id, 'template') FROM rolloy.creative_projects WHERE title = 'bob'"
as rolloy_locks_bob "a queued batch (from her photo, too)" \
    "SELECT count(*) FROM rolloy.batch_generate((SELECT id FROM rolloy.creative_projects WHERE title = 'bob'), '{\"provider\": \"preview\"}')"
as rolloy_locks_bob "an upload to the shared photo library" \
    "SELECT id FROM rolloy.upload_reference_image('\\x$photo', 'grey.png', 'expanded')"
as rolloy_locks_bob "an edit of his project" "UPDATE rolloy.creative_projects SET notes = 'n' WHERE title = 'bob'"
as rolloy_locks_bob "reading every table and view" "
    SELECT sum(n) FROM (SELECT count(*) AS n FROM rolloy.users UNION ALL SELECT count(*) FROM rolloy.creative_projects
                        UNION ALL SELECT count(*) FROM rolloy.generated_images UNION ALL SELECT count(*) FROM rolloy.reference_images
                        UNION ALL SELECT count(*) FROM rolloy.scenes UNION ALL SELECT count(*) FROM rolloy.provider_prices
                        UNION ALL SELECT count(*) FROM rolloy.insight_settings UNION ALL SELECT count(*) FROM rolloy.insight_effects
                        UNION ALL SELECT count(*) FROM rolloy.performance_data UNION ALL SELECT count(*) FROM rolloy.image_store
                        UNION ALL SELECT count(*) FROM rolloy.project_overview UNION ALL SELECT count(*) FROM rolloy.queue_metrics) t"

# 3. Her transaction was alive all along, and ends normally.
echo "COMMIT;" >&3
exec 3>&-
wait "$HOLDER" || fail "the hostile session failed: $(cat "$TMP/holder.out")"
HOLDER=
# Once she let go, rematch_performance() links the ad the import left.
[ "$(q -c "SELECT rolloy.rematch_performance() > 0")" = t ] &&
    [ "$(q -c "SELECT project_id FROM rolloy.ads WHERE ad_key = 'x2'")" = 10000000-0000-0000-0000-0000000000a2 ] ||
    fail "rematch_performance() did not link the ad the import left unlinked"
echo "ok - rematch_performance() links it once she let go"
echo "hostile locks: ok"
