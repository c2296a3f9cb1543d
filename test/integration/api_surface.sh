#!/usr/bin/env bash
# The API surface is deliberate: what each role can use in schemas rolloy and rolloy_internal,
# derived from the catalog, equals the list in docs/api.md, line for line. Roles: rolloy_member
# (a psql member login), an admin (rolloy_admin and a users row with role admin), anon
# (PostgREST's anonymous role, no rolloy grants) and a login with no rolloy grants (= PUBLIC).
# Usable means: USAGE on a schema; EXECUTE on a function, USAGE on a type, table privileges
# (column privileges included) on a table, view or sequence, each with USAGE on its schema.
# Listed too, marked "(no USAGE)": EXECUTE in rolloy_internal without USAGE (policies, views and
# SQL-standard bodies run such functions by OID) and any table privilege without USAGE (never a
# default, so always a grant someone made). Every object of rolloy must be listed, usable or not.
set -euo pipefail
cd "$(dirname "$0")/../.."
tmp=$(mktemp -d)
db=rolloy_api_$$
trap 'psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $db"; rm -rf "$tmp"' EXIT
psql -X -q -d postgres -c "CREATE DATABASE $db"
psql -X -q -d "$db" -c "SET client_min_messages = warning" -c "CREATE EXTENSION rolloy"

# docs/api.md: every row of a table with the header below becomes "kind<TAB>object<TAB>*<TAB>listed"
# and one "kind<TAB>object<TAB>role<TAB>privileges" per role column that is not "–".
awk -F'|' '
    function trim(s) { gsub(/^[ \t]+|[ \t]+$/, "", s); gsub(/`/, "", s); return s }
    /^\| object \| kind \| rolloy_member \| admin \| anon \| no-identity login \|/ { header = 1; next }
    header && /^\|[-| ]+\|$/ { next }
    header && /^\|/ {
        object = trim($2); kind = trim($3)
        printf "%s\t%s\t*\tlisted\n", kind, object
        split("rolloy_member|admin|anon|no-identity login", roles, "|")
        for (i = 1; i <= 4; i++) {
            cell = trim($(i + 3))
            if (cell != "–" && cell != "") printf "%s\t%s\t%s\t%s\n", kind, object, roles[i], cell
        }
        next
    }
    { header = 0 }
' docs/api.md | LC_ALL=C sort >"$tmp/documented"

# The catalog, in one transaction that creates the roles it needs and rolls back.
psql -X -q -At -F $'\t' -v ON_ERROR_STOP=1 -d "$db" >"$tmp/catalog.raw" <<'SQL'
BEGIN;
SET LOCAL search_path = pg_catalog, pg_temp;
SET LOCAL client_min_messages = warning;
DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'anon') THEN CREATE ROLE anon NOLOGIN; END IF; END $$;
CREATE ROLE api_surface_admin LOGIN;
GRANT rolloy_admin TO api_surface_admin;
INSERT INTO rolloy.users (email, display_name, role, pg_role) VALUES ('api@example.com', 'API', 'admin', 'api_surface_admin');
CREATE ROLE api_surface_login LOGIN;
CREATE TEMP TABLE roles (col text, rol name);
INSERT INTO roles VALUES ('rolloy_member', 'rolloy_member'), ('admin', 'api_surface_admin'), ('anon', 'anon'),
                         ('no-identity login', 'api_surface_login');

-- Table privileges of a role as one text: "SELECT, INSERT (a, b), DELETE" (column lists where
-- the privilege is held on some columns only).
CREATE FUNCTION pg_temp.rel_privileges(r name, rel oid) RETURNS text LANGUAGE sql AS $f$
    SELECT string_agg(CASE WHEN has_table_privilege(r, rel, p.priv) THEN p.priv ELSE p.priv || ' (' || c.cols || ')' END,
                      ', ' ORDER BY p.ord)
      FROM (VALUES (1, 'SELECT'), (2, 'INSERT'), (3, 'UPDATE'), (4, 'DELETE'), (5, 'TRUNCATE'), (6, 'REFERENCES'),
                   (7, 'TRIGGER')) p(ord, priv)
      LEFT JOIN LATERAL (
          SELECT string_agg(a.attname, ', ' ORDER BY a.attnum) AS cols FROM pg_attribute a
           WHERE a.attrelid = rel AND a.attnum > 0 AND NOT a.attisdropped
             AND p.priv IN ('SELECT', 'INSERT', 'UPDATE', 'REFERENCES') AND has_column_privilege(r, rel, a.attnum, p.priv)) c
        ON true
     WHERE has_table_privilege(r, rel, p.priv) OR c.cols IS NOT NULL
$f$;

CREATE TEMP TABLE objects (kind text, object text, nsp oid, in_api boolean, oid oid);
INSERT INTO objects
SELECT 'schema', n.nspname::text, n.oid, true, n.oid FROM pg_namespace n WHERE n.nspname IN ('rolloy', 'rolloy_internal')
UNION ALL
SELECT CASE c.relkind WHEN 'r' THEN 'table' WHEN 'p' THEN 'table' WHEN 'v' THEN 'view' WHEN 'm' THEN 'materialized view'
                      WHEN 'f' THEN 'foreign table' ELSE 'sequence' END,
       quote_ident(n.nspname) || '.' || quote_ident(c.relname), n.oid, n.nspname = 'rolloy' AND c.relkind <> 'S', c.oid
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE n.nspname IN ('rolloy', 'rolloy_internal') AND c.relkind IN ('r', 'p', 'v', 'm', 'f', 'S')
UNION ALL
SELECT 'function', quote_ident(n.nspname) || '.' || quote_ident(p.proname) || '(' || coalesce(a.args, '') || ')',
       n.oid, n.nspname = 'rolloy', p.oid
  FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
 CROSS JOIN LATERAL (  -- the input arguments with their names (OUT and TABLE columns are results)
       SELECT string_agg(coalesce(quote_ident(nullif(p.proargnames[x.i], '')) || ' ', '') || format_type(x.t, NULL), ', '
                         ORDER BY x.i) AS args
         FROM unnest(coalesce(p.proallargtypes, p.proargtypes::oid[])) WITH ORDINALITY AS x(t, i)
        WHERE coalesce(p.proargmodes[x.i], 'i') IN ('i', 'b')) a
 WHERE n.nspname IN ('rolloy', 'rolloy_internal')
UNION ALL
SELECT 'type', format_type(t.oid, NULL), n.oid, n.nspname = 'rolloy', t.oid
  FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
 WHERE n.nspname IN ('rolloy', 'rolloy_internal') AND t.typtype IN ('c', 'd', 'e', 'm', 'r')  -- not arrays
   AND NOT EXISTS (SELECT 1 FROM pg_class c WHERE c.reltype = t.oid AND c.relkind <> 'c');  -- nor row types

CREATE TEMP TABLE granted AS
SELECT o.kind, o.object, r.col AS role,
       CASE o.kind
           WHEN 'schema' THEN nullif(concat_ws(', ', CASE WHEN has_schema_privilege(r.rol, o.oid, 'USAGE') THEN 'USAGE' END,
                                                     CASE WHEN has_schema_privilege(r.rol, o.oid, 'CREATE') THEN 'CREATE' END), '')
           WHEN 'function' THEN CASE WHEN NOT has_function_privilege(r.rol, o.oid, 'EXECUTE') THEN NULL
                                     WHEN has_schema_privilege(r.rol, o.nsp, 'USAGE') THEN 'EXECUTE'
                                     WHEN o.nsp = 'rolloy_internal'::regnamespace THEN 'EXECUTE (no USAGE)' END
           WHEN 'type' THEN CASE WHEN has_type_privilege(r.rol, o.oid, 'USAGE') AND has_schema_privilege(r.rol, o.nsp, 'USAGE')
                                 THEN 'USAGE' END
           ELSE pg_temp.rel_privileges(r.rol, o.oid)
                || CASE WHEN NOT has_schema_privilege(r.rol, o.nsp, 'USAGE') THEN ' (no USAGE)' ELSE '' END
       END AS privileges
  FROM objects o CROSS JOIN roles r;

-- Objects: every one of rolloy (sequences aside), and whatever anyone may use elsewhere.
SELECT 'object', o.kind, o.object, '*', 'listed' FROM objects o
 WHERE o.in_api OR o.kind = 'schema' OR EXISTS (SELECT 1 FROM granted g WHERE g.object = o.object AND g.privileges IS NOT NULL)
UNION ALL
SELECT 'object', g.kind, g.object, g.role, g.privileges FROM granted g WHERE g.privileges IS NOT NULL;
-- Independent counts, so that a listing that lost objects cannot pass.
SELECT 'count', 'function', count(*)::text, '', '' FROM pg_proc WHERE pronamespace = 'rolloy'::regnamespace
UNION ALL
SELECT 'count', 'relation', count(*)::text, '', '' FROM pg_class WHERE relnamespace = 'rolloy'::regnamespace AND relkind IN ('r', 'p', 'v');
ROLLBACK;
SQL
awk -F'\t' '$1 == "object" { print $2 "\t" $3 "\t" $4 "\t" $5 }' "$tmp/catalog.raw" | LC_ALL=C sort >"$tmp/catalog"

fail() { echo "api_surface: $*"; exit 1; }
count() { awk -F'\t' -v k="$1" -v r="$2" '$1 == k && $3 == r' "$3" | wc -l; }
functions=$(awk -F'\t' '$1 == "count" && $2 == "function" { print $3 }' "$tmp/catalog.raw")
relations=$(awk -F'\t' '$1 == "count" && $2 == "relation" { print $3 }' "$tmp/catalog.raw")
[ "${functions:-0}" -gt 0 ] && [ "${relations:-0}" -gt 0 ] || fail "the catalog lists no functions or relations of rolloy"
listed_functions=$(grep -c $'^function\trolloy\\.[^\t]*\t\\*\t' "$tmp/catalog" || true)
listed_relations=$(grep -cE $'^(table|view)\trolloy\\.[^\t]*\t\\*\t' "$tmp/catalog" || true)
[ "$listed_functions" -eq "$functions" ] && [ "$listed_relations" -eq "$relations" ] ||
    fail "the listing has $listed_functions of $functions functions and $listed_relations of $relations tables and views of rolloy"
[ "$(count function rolloy_member "$tmp/documented")" -gt 0 ] && [ "$(count table rolloy_member "$tmp/documented")" -gt 0 ] ||
    fail "docs/api.md lists nothing members may use (table header changed?)"
if ! diff -u --label docs/api.md --label catalog "$tmp/documented" "$tmp/catalog" >"$tmp/diff"; then
    echo "api_surface: docs/api.md and the catalog differ (- only in docs/api.md, + only in the catalog):"
    grep '^[-+][^-+]' "$tmp/diff"
    exit 1
fi
echo "api_surface: docs/api.md matches the catalog ($(wc -l <"$tmp/catalog") lines: $(grep -c $'\t\\*\tlisted$' "$tmp/catalog") objects, $functions functions and $relations tables and views of rolloy)"
