-- Prints docs/schema.md from the catalog comments of an installed rolloy (psql -At).
-- Regenerate with scripts/gen-docs.sh; test/integration/docs_current.sh checks it is current.
SELECT '# Schema reference (generated)' || E'\n\n' ||
       'Generated from the `COMMENT ON` text of rolloy ' || (SELECT extversion FROM pg_extension WHERE extname = 'rolloy') ||
       ' by `scripts/gen-docs.sh`; edit the comments in `src/sql/`, not this file.' || E'\n';
SELECT E'## Tables and views\n';
SELECT format(E'### rolloy.%s%s\n\n%s\n\n| column | type | description |\n|---|---|---|\n%s\n',
              c.relname, CASE c.relkind WHEN 'v' THEN ' (view)' ELSE '' END,
              coalesce(obj_description(c.oid, 'pg_class'), ''),
              (SELECT string_agg(format('| `%s` | %s | %s |', a.attname, format_type(a.atttypid, a.atttypmod),
                                        replace(coalesce(col_description(c.oid, a.attnum), ''), '|', '\|')),
                                 E'\n' ORDER BY a.attnum)
                 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped))
  FROM pg_class c
 WHERE c.relnamespace = 'rolloy'::regnamespace AND c.relkind IN ('r', 'v')
 ORDER BY c.relkind, c.relname;
SELECT E'## Functions\n\n| function | returns | description |\n|---|---|---|\n' ||
       string_agg(format('| `rolloy.%s(%s)` | %s | %s |', p.proname, pg_get_function_identity_arguments(p.oid),
                         pg_get_function_result(p.oid), replace(coalesce(obj_description(p.oid, 'pg_proc'), ''), '|', '\|')),
                  E'\n' ORDER BY p.proname, pg_get_function_identity_arguments(p.oid))
  FROM pg_proc p
 WHERE p.pronamespace = 'rolloy'::regnamespace;
SELECT E'## Types\n\n' || string_agg(format('- `rolloy.%s`: %s', t.typname, coalesce(obj_description(t.oid, 'pg_type'), '')),
                                     E'\n' ORDER BY t.typname)
  FROM pg_type t
 WHERE t.typnamespace = 'rolloy'::regnamespace AND t.typtype IN ('e', 'c', 'd')
   AND NOT EXISTS (SELECT 1 FROM pg_class c WHERE c.reltype = t.oid AND c.relkind <> 'c');
