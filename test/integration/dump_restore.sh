#!/usr/bin/env bash
# pg_dump / pg_restore round trip: the rows users created (dictionaries, users, projects,
# images, prices, name counters) survive, names are not re-issued, seeded prices are not doubled.
set -euo pipefail
source "$(dirname "$0")/../../scripts/lib.sh"
: "${PGHOST:?}" "${PGPORT:?}" "${PGUSER:?}"
q() { psql -X -q -v ON_ERROR_STOP=1 -At "$@"; }

for db in rolloy_dump_src rolloy_dump_dst; do q -d postgres -c "SET client_min_messages = warning" -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db"; done
q -d rolloy_dump_src <<'SQL'
CREATE EXTENSION rolloy;
SELECT FROM rolloy.load_sample_dictionaries();
INSERT INTO rolloy.formats (name, code, aspect_ratio) VALUES ('Carousel card', 'CARD', '1:1');
INSERT INTO rolloy.users (id, email, display_name) VALUES ('00000000-0000-0000-0000-0000000000a1', 'a@example.com', 'A');
INSERT INTO rolloy.creative_projects (scene_id, action_id, driver_id, format_id, created_by, title)
SELECT 1, 1, 1, 1, '00000000-0000-0000-0000-0000000000a1', 'p' || g FROM generate_series(1, 3) g;
INSERT INTO rolloy.generated_images (project_id, prompt) SELECT id, 'x' FROM rolloy.creative_projects WHERE title = 'p1';
INSERT INTO rolloy.provider_prices (provider, model, unit, price_usd, valid_from) VALUES ('gemini', 'gemini-2.5-flash-image', 'image', 0.045, '2026-12-01');
SQL
snapshot() {
    q -d "$1" -c "SELECT string_agg(generated_name || ':' || name_sequence, ',' ORDER BY generated_name) FROM rolloy.creative_projects" \
        -c "SELECT string_agg(ad_name, ',' ORDER BY ad_name) FROM rolloy.generated_images" \
        -c "SELECT count(*) FROM rolloy.formats" -c "SELECT count(*) || '/' || count(*) FILTER (WHERE is_seed) FROM rolloy.provider_prices" \
        -c "SELECT string_agg(base_name || '=' || last_sequence, ',') FROM rolloy.name_counters" \
        -c "SELECT count(*) FROM rolloy.users"
}
before=$(snapshot rolloy_dump_src)
dump=$(mktemp)
pg_dump -Fc -d rolloy_dump_src -f "$dump"
pg_restore -d rolloy_dump_dst --exit-on-error "$dump"
rm -f "$dump"
after=$(snapshot rolloy_dump_dst)
if [ "$before" != "$after" ]; then
    echo "dump/restore changed data:"; diff <(echo "$before") <(echo "$after"); exit 1
fi
# After the restore, new projects continue the sequence instead of re-issuing a name.
next=$(q -d rolloy_dump_dst -c "INSERT INTO rolloy.creative_projects (scene_id, action_id, driver_id, format_id, created_by)
                                VALUES (1, 1, 1, 1, '00000000-0000-0000-0000-0000000000a1') RETURNING name_sequence")
[ "$next" = 4 ] || { echo "expected sequence 4 after restore, got $next"; exit 1; }
# The identity sequences were restored too: a new format gets a fresh id.
q -d rolloy_dump_dst -c "INSERT INTO rolloy.formats (name, code) VALUES ('New', 'NEWF')" >/dev/null
for db in rolloy_dump_src rolloy_dump_dst; do q -d postgres -c "DROP DATABASE $db"; done
echo "dump/restore: ok ($(echo "$before" | wc -l) snapshots equal)"
