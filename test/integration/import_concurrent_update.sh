#!/usr/bin/env bash
# A re-import meets a concurrent writer of the same day rows (src/pg/import/day_update.hpp): an
# admin's open transaction has updated one day and deleted another of the ads being re-imported.
# The import's in-place update waits for it like an UPDATE does; once it commits, those two rows
# are handed to the SQL upsert, which re-reads the newest version: the changed day is replaced by
# the export's figures, the deleted one inserted again. The other days are updated in place. The
# import's DEBUG1 line says which path wrote how many rows; the result is the export's, as if the
# admin's write had come first.
set -euo pipefail
source "$(dirname "$0")/../../scripts/lib.sh"
: "${PGHOST:?}" "${PGPORT:?}" "${PGUSER:?}"
DB=rolloy_concurrent_$$
TMP=$(mktemp -d /tmp/rolloy-concurrent-XXXXXX)
HOLDER=
cleanup() {
    exec 3>&- 2>/dev/null || true
    [ -n "$HOLDER" ] && kill "$HOLDER" 2>/dev/null
    psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null 2>&1 || true
    rm -rf "$TMP"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
q() { psql -X -q -At -v ON_ERROR_STOP=1 -d "$DB" "$@"; }

psql -X -q -d postgres -c "SET client_min_messages = warning" -c "DROP DATABASE IF EXISTS $DB" -c "CREATE DATABASE $DB"
csv() {  # impressions of the first day, of the second day
    printf 'Day,Ad name,Ad ID,Amount spent (USD),Impressions,Link clicks\n'
    for ad in 1 2 3; do
        printf '2026-10-01,Concurrent %s,c%s,1.00,%s,1\n2026-10-02,Concurrent %s,c%s,2.00,%s,2\n' \
            "$ad" "$ad" "$1" "$ad" "$ad" "$2"
    done
}
q -c "SET client_min_messages = warning" -c "CREATE EXTENSION rolloy" \
  -c "UPDATE rolloy.insight_settings SET refresh_after_import = false"
q -c "SELECT rows_inserted FROM rolloy.import_performance(\$csv\$$(csv 100 200)\$csv\$, 'meta')" >/dev/null

# The admin's write, left uncommitted: c2's first day changed, c3's first day deleted.
mkfifo "$TMP/holder.in"
psql -X -q -At -v ON_ERROR_STOP=1 -d "$DB" <"$TMP/holder.in" >"$TMP/holder.out" 2>&1 &
HOLDER=$!
exec 3>"$TMP/holder.in"
cat >&3 <<'SQL'
BEGIN;
UPDATE rolloy.performance_data SET impressions = 5, clicks = 0 WHERE ad_key = 'c2' AND report_date = '2026-10-01';
DELETE FROM rolloy.performance_data WHERE ad_key = 'c3' AND report_date = '2026-10-01';
SELECT 'held';
SQL
for _ in $(seq 100); do grep -q '^held' "$TMP/holder.out" && break; sleep 0.1; done
grep -q '^held' "$TMP/holder.out" || fail "the admin's session did not get going: $(cat "$TMP/holder.out")"

# The re-import, in the background: it must wait for the admin's transaction.
psql -X -q -At -v ON_ERROR_STOP=1 -d "$DB" -c "SET client_min_messages = debug1" \
     -c "SELECT rows_inserted || ' inserted, ' || rows_updated || ' updated'
           FROM rolloy.import_performance(\$csv\$$(csv 300 400)\$csv\$, 'meta')" >"$TMP/import.out" 2>&1 &
IMPORT=$!
waiting=
for _ in $(seq 100); do
    waiting=$(q -c "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()
                     AND wait_event_type = 'Lock' AND query LIKE '%import_performance%'")
    [ "$waiting" = 1 ] && break
    sleep 0.1
done
[ "$waiting" = 1 ] || fail "the re-import did not wait for the admin's row lock: $(cat "$TMP/import.out")"
echo "ok - the re-import waits for the admin's uncommitted update"
echo "COMMIT;" >&3
exec 3>&-
wait "$HOLDER" || fail "the admin's session failed: $(cat "$TMP/holder.out")"
HOLDER=
wait "$IMPORT" || fail "the re-import failed: $(cat "$TMP/import.out")"

grep -q 'rolloy import: 0 days inserted in bulk, 0 by SQL INSERT; 4 updated in place, 2 by SQL upsert' "$TMP/import.out" ||
    fail "expected 4 days updated in place and the 2 the admin wrote by the SQL upsert: $(cat "$TMP/import.out")"
echo "ok - 4 days updated in place, the 2 the admin changed and deleted by the SQL upsert"
grep -q '^1 inserted, 5 updated$' "$TMP/import.out" ||
    fail "expected the batch to count 1 inserted (the deleted day) and 5 updated: $(cat "$TMP/import.out")"
echo "ok - the batch counts the deleted day as inserted again, the others as updated"
got=$(q -c "SELECT string_agg(ad_key || ' ' || report_date || ' ' || impressions, ', ' ORDER BY ad_key, report_date)
              FROM rolloy.performance_data WHERE ad_key LIKE 'c_'")
want="c1 2026-10-01 300, c1 2026-10-02 400, c2 2026-10-01 300, c2 2026-10-02 400, c3 2026-10-01 300, c3 2026-10-02 400"
[ "$got" = "$want" ] || fail "expected every day with the export's figures; got: $got"
echo "ok - every day has the re-import's figures (the admin's change replaced, the deleted day back)"
echo "import concurrent update: ok"
