-- Installing the extension: objects exist, every user-facing thing is documented.
CREATE EXTENSION rolloy CASCADE;
SELECT extversion FROM pg_extension WHERE extname = 'rolloy';

-- Tables of the schema.
SELECT c.relname
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE n.nspname = 'rolloy' AND c.relkind = 'r'
 ORDER BY 1;

-- Every table, view and visible column has a comment (expected: no rows).
SELECT c.relname, a.attname
  FROM pg_class c
  JOIN pg_namespace n ON n.oid = c.relnamespace
  LEFT JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
 WHERE n.nspname = 'rolloy' AND c.relkind IN ('r', 'v')
   AND c.relname <> 'name_counters'
   AND a.attname NOT IN ('id', 'created_at', 'updated_at')
   AND col_description(c.oid, a.attnum) IS NULL
 ORDER BY 1, 2;
SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE n.nspname = 'rolloy' AND c.relkind IN ('r', 'v') AND obj_description(c.oid, 'pg_class') IS NULL;

-- Every function and type of the API schema, and both schemas, are documented (expected: no
-- rows). \df+ and PostgREST's OpenAPI output show these comments.
SELECT p.oid::regprocedure FROM pg_proc p
 WHERE p.pronamespace = 'rolloy'::regnamespace AND obj_description(p.oid, 'pg_proc') IS NULL
 ORDER BY 1;
SELECT t.oid::regtype FROM pg_type t
 WHERE t.typnamespace = 'rolloy'::regnamespace AND t.typtype IN ('c', 'd', 'e')
   AND NOT EXISTS (SELECT 1 FROM pg_class c WHERE c.reltype = t.oid AND c.relkind <> 'c')
   AND obj_description(t.oid, 'pg_type') IS NULL
 ORDER BY 1;
SELECT n.nspname FROM pg_namespace n
 WHERE n.nspname IN ('rolloy', 'rolloy_internal') AND obj_description(n.oid, 'pg_namespace') IS NULL;

-- The API schema holds the API only: no internal (_prefix) names, nothing for triggers.
SELECT p.oid::regprocedure FROM pg_proc p
 WHERE p.pronamespace = 'rolloy'::regnamespace AND (p.proname LIKE '\_%' OR p.prorettype = 'trigger'::regtype)
 ORDER BY 1;

-- Group roles exist and nest.
SELECT rolname, rolcanlogin FROM pg_roles WHERE rolname LIKE 'rolloy\_%' ORDER BY 1;
SELECT pg_has_role('rolloy_admin', 'rolloy_member', 'MEMBER') AS admin_is_member,
       pg_has_role('rolloy_api', 'rolloy_member', 'MEMBER') AS api_is_member;

-- Every user-data table has row-level security on (expected: no rows).
SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE n.nspname = 'rolloy' AND c.relkind = 'r' AND NOT c.relrowsecurity;

-- Tables pg_dump must keep (config dump): every table but provider_secrets (keys are re-entered after a restore).
SELECT c.relname FROM pg_extension e, unnest(e.extconfig) AS cfg(oid) JOIN pg_class c ON c.oid = cfg.oid
 WHERE e.extname = 'rolloy' AND c.relkind = 'r' ORDER BY 1;

-- Seeded list prices.
SELECT provider, model, unit, price_usd FROM rolloy.provider_prices ORDER BY provider, model, unit;
