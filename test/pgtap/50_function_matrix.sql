-- Who may call what: each identity x each function of image generation (queueing, cancel,
-- retry, regenerate, prompts, keys, bytes, maintenance, internals), and how the internals are
-- reached without USAGE on rolloy_internal. Which role may execute which function at all is
-- docs/api.md, compared with the catalog by test/integration/api_surface.sh.
BEGIN;
\ir 00_fixture.inc
SELECT plan(344);  -- fixed: a probe that returns no rows cannot pass unnoticed

-- Alice's park project has a prompt (batch_generate needs one).
UPDATE rolloy.creative_projects SET prompt = 'a senior walks in a park'
 WHERE id = '10000000-0000-0000-0000-0000000000a1';

-- Alice's first (completed) image and her first reference photo, fixed before anyone probes.
CREATE TEMP TABLE ids AS
SELECT (SELECT id FROM rolloy.generated_images WHERE project_id = '10000000-0000-0000-0000-0000000000a1'
         ORDER BY variant_no LIMIT 1) AS alice_image,
       (SELECT storage_ref FROM rolloy.generated_images WHERE project_id = '10000000-0000-0000-0000-0000000000a1'
         ORDER BY variant_no LIMIT 1) AS alice_ref,
       '20000000-0000-0000-0000-000000000001'::uuid AS photo,
       '10000000-0000-0000-0000-0000000000a1'::uuid AS alice_project,
       '00000000-0000-0000-0000-0000000000a1'::uuid AS alice,
       '10000000-0000-0000-0000-0000000000a2'::uuid AS alice_project_without_images,
       '00000000-0000-0000-0000-0000000000d1'::uuid AS dave,
       (SELECT id FROM rolloy.formats WHERE code = 'PORT') AS unused_format,
       (SELECT id FROM rolloy.provider_prices WHERE is_seed LIMIT 1) AS seed_price;

-- rows:N = the call ran and returned N rows (SELECT 1 WHERE … IS NOT NULL: 1 = got something; a
-- STABLE function in a select list the count does not read would not even be called);
-- error:SQLSTATE = refused (42501 no rolloy identity or privilege, 42704 not yours, 53400 limit,
-- 23503 still referenced, 55000 a seeded price).
CREATE TEMP TABLE fmatrix (fn text, statement text, expected text[]);
INSERT INTO fmatrix
SELECT v.fn, format(v.statement, i.alice_image, i.alice_ref, i.photo, i.alice_project, i.alice,
                    i.alice_project_without_images, i.dave, i.unused_format, i.seed_price), v.expected::text[]
  FROM ids i, (VALUES
    ('batch_generate', $$SELECT * FROM rolloy.batch_generate(%4$L, '{"provider": "preview"}')$$,
        '{rows:1,error:42704,rows:1,error:42704,rows:1,rows:1,error:42501,error:42501,error:42501}'),
    ('cancel_generation', $$SELECT rolloy.cancel_generation(%4$L)$$,
        '{rows:1,error:42704,rows:1,error:42704,rows:1,rows:1,error:42501,error:42501,error:42501}'),
    ('retry_failed', $$SELECT rolloy.retry_failed(%4$L)$$,
        '{rows:1,error:42704,rows:1,error:42704,rows:1,rows:1,error:42501,error:42501,error:42501}'),
    ('regenerate_image', $$SELECT rolloy.regenerate_image(%1$L)$$,
        '{rows:1,error:42704,rows:1,error:42704,rows:1,rows:1,error:42501,error:42501,error:42501}'),
    ('generate_prompt', $$SELECT rolloy.generate_prompt(%4$L, 'template')$$,
        '{rows:1,error:42704,rows:1,error:42704,rows:1,rows:1,error:42501,error:42501,error:42501}'),
    ('image', $$SELECT 1 WHERE rolloy.image(%1$L) IS NOT NULL$$,
        '{rows:1,rows:0,rows:1,rows:0,rows:1,rows:1,rows:0,rows:0,error:42501}'),
    ('thumbnail', $$SELECT 1 WHERE rolloy.thumbnail(%1$L) IS NOT NULL$$,
        '{rows:1,rows:0,rows:1,rows:0,rows:1,rows:1,rows:0,rows:0,error:42501}'),
    ('_stored_image', $$SELECT 1 WHERE rolloy_internal._stored_image(%2$L, false) IS NOT NULL$$,  -- by name: no USAGE
        '{error:42501,error:42501,error:42501,error:42501,error:42501,error:42501,error:42501,error:42501,error:42501}'),
    ('reference_image', $$SELECT 1 WHERE rolloy.reference_image(%3$L) IS NOT NULL$$,
        '{rows:1,rows:1,rows:1,rows:1,rows:1,rows:1,rows:0,rows:0,error:42501}'),
    ('project_zip', $$SELECT 1 WHERE rolloy.project_zip(%4$L) IS NOT NULL$$,
        '{rows:1,error:42704,rows:1,error:42704,rows:1,rows:1,error:42501,error:42501,error:42501}'),
    ('usage_this_month', $$SELECT * FROM rolloy.usage_this_month(%5$L)$$,
        '{rows:1,rows:0,rows:1,rows:0,rows:1,rows:1,rows:0,rows:0,error:42501}'),
    ('set_provider_key', $$SELECT rolloy.set_provider_key('fal', 'fal-matrix-key-0001')$$,
        '{error:42501,error:42501,rows:1,error:42501,rows:1,error:42501,error:42501,error:42501,error:42501}'),
    ('remove_provider_key', $$SELECT rolloy.remove_provider_key('fal')$$,
        '{error:42501,error:42501,rows:1,error:42501,rows:1,error:42501,error:42501,error:42501,error:42501}'),
    ('provider_keys', $$SELECT * FROM rolloy.provider_keys()$$,  -- admins: one row per provider, never the key
        '{rows:0,rows:0,rows:3,rows:0,rows:3,rows:0,rows:0,rows:0,error:42501}'),
    ('cleanup', $$SELECT * FROM rolloy.cleanup()$$,
        '{error:42501,error:42501,rows:4,error:42501,rows:4,error:42501,error:42501,error:42501,error:42501}'),
    -- The image stores: credentials, settings, URLs (images of the db store have none: 0A000
    -- for those who may see the image, nothing for the others), moving and sweeping.
    ('set_storage_credentials', $$SELECT rolloy.set_storage_credentials('AKIAMATRIX', 'matrix-secret-0001')$$,
        '{error:42501,error:42501,rows:1,error:42501,rows:1,error:42501,error:42501,error:42501,error:42501}'),
    ('remove_storage_credentials', $$SELECT rolloy.remove_storage_credentials()$$,
        '{error:42501,error:42501,rows:1,error:42501,rows:1,error:42501,error:42501,error:42501,error:42501}'),
    ('storage_settings', $$SELECT * FROM rolloy.storage_settings()$$,  -- admins: one row, never the secret
        '{rows:0,rows:0,rows:1,rows:0,rows:1,rows:0,rows:0,rows:0,error:42501}'),
    ('image_url', $$SELECT 1 WHERE rolloy.image_url(%1$L) IS NOT NULL$$,
        '{error:0A000,rows:0,error:0A000,rows:0,error:0A000,error:0A000,rows:0,rows:0,error:42501}'),
    ('move_images', $$SELECT * FROM rolloy.move_images('db')$$,  -- all in db already: nothing to move
        '{error:42501,error:42501,rows:1,error:42501,rows:1,error:42501,error:42501,error:42501,error:42501}'),
    ('_presigned_url', $$SELECT rolloy_internal._presigned_url(%2$L, 60)$$,  -- by name: no USAGE
        '{error:42501,error:42501,error:42501,error:42501,error:42501,error:42501,error:42501,error:42501,error:42501}'),
    ('_copy_stored_image', $$SELECT rolloy_internal._copy_stored_image(%2$L, 's3', 'p', 'i', 's')$$,
        '{error:42501,error:42501,error:42501,error:42501,error:42501,error:42501,error:42501,error:42501,error:42501}'),
    ('_sweep_storage', $$SELECT rolloy_internal._sweep_storage(0)$$,
        '{error:42501,error:42501,error:42501,error:42501,error:42501,error:42501,error:42501,error:42501,error:42501}'),
    ('worker_status', $$SELECT * FROM rolloy.worker_status()$$,
        '{rows:1,rows:1,rows:1,rows:1,rows:1,rows:1,rows:1,rows:1,error:42501}'),
    ('_check_limits', $$SELECT rolloy_internal._check_limits(%5$L, 1, 'preview', 'preview-v1')$$,
        '{error:42501,error:42501,error:42501,error:42501,error:42501,error:42501,error:42501,error:42501,error:42501}'),
    ('_check_budget', $$SELECT rolloy_internal._check_budget(%5$L, 0)$$,
        '{error:42501,error:42501,error:42501,error:42501,error:42501,error:42501,error:42501,error:42501,error:42501}'),
    ('_lock_own_project', $$SELECT rolloy_internal._lock_own_project(%4$L)$$,
        '{error:42501,error:42501,error:42501,error:42501,error:42501,error:42501,error:42501,error:42501,error:42501}'),
    ('_remove_stored_image', $$SELECT rolloy_internal._remove_stored_image(%2$L)$$,
        '{error:42501,error:42501,error:42501,error:42501,error:42501,error:42501,error:42501,error:42501,error:42501}'),
    ('_wake_worker_at_commit', $$SELECT rolloy_internal._wake_worker_at_commit()$$,
        '{error:42501,error:42501,error:42501,error:42501,error:42501,error:42501,error:42501,error:42501,error:42501}'),
    ('_withdraw_at_commit', $$SELECT rolloy_internal._withdraw_at_commit()$$,
        '{error:42501,error:42501,error:42501,error:42501,error:42501,error:42501,error:42501,error:42501,error:42501}'),
    -- Deletes go through functions (no role holds a table-level DELETE privilege).
    ('delete_project', $$SELECT rolloy.delete_project(%6$L)$$,
        '{rows:1,error:42704,rows:1,error:42704,rows:1,rows:1,error:42501,error:42501,error:42501}'),
    ('delete_project with images', $$SELECT rolloy.delete_project(%4$L)$$,
        '{error:23503,error:42704,error:23503,error:42704,error:23503,error:23503,error:42501,error:42501,error:42501}'),
    ('delete_reference_image', $$SELECT rolloy.delete_reference_image(%3$L)$$,
        '{rows:1,error:42704,rows:1,error:42704,rows:1,rows:1,error:42501,error:42501,error:42501}'),
    ('delete_user', $$SELECT rolloy.delete_user(%7$L)$$,
        '{error:42501,error:42501,rows:1,error:42501,rows:1,error:42501,error:42501,error:42501,error:42501}'),
    ('delete_dictionary_entry', $$SELECT 1 WHERE rolloy.delete_dictionary_entry('formats', %8$s)$$,
        '{error:42501,error:42501,rows:1,error:42501,rows:1,error:42501,error:42501,error:42501,error:42501}'),
    ('delete_provider_price of a seeded price', $$SELECT rolloy.delete_provider_price(%9$s)$$,
        '{error:42501,error:42501,error:55000,error:42501,error:55000,error:42501,error:42501,error:42501,error:42501}'),
    ('delete_performance_data', $$SELECT 1 WHERE rolloy.delete_performance_data('meta', 'Spring promo') = 1$$,
        '{error:42501,error:42501,rows:1,error:42501,rows:1,error:42501,error:42501,error:42501,error:42501}')
  ) AS v(fn, statement, expected);

SELECT is(pg_temp.probe(c.ctx, m.statement), m.expected[c.pos], format('%s: %s', c.ctx, m.fn))
  FROM fmatrix m CROSS JOIN contexts c
 ORDER BY m.fn, c.pos;

-- Nothing a probe did stays: the stored bytes and the rows are all still there.
SELECT is((SELECT count(*) FROM rolloy.image_store WHERE storage_ref = (SELECT alice_ref FROM ids)), 1::bigint,
          'probes removed no stored bytes');

-- Internals are reached by OID, never by name: a policy, a view, a CHECK, a trigger and a
-- SQL-standard function body run their rolloy_internal function for a member, who has no USAGE
-- on the schema (and no EXECUTE at all on trigger functions).
SELECT ok(NOT has_schema_privilege('rolloy_member', 'rolloy_internal', 'USAGE'), 'members have no USAGE on rolloy_internal');
SELECT is(pg_temp.probe('alice', 'SELECT * FROM rolloy.generated_images'), 'rows:2',
          'a policy runs its project test (creative_projects under her own RLS) for a member');
SELECT is(pg_temp.probe('alice', 'SELECT * FROM rolloy.insight_tiers'), 'rows:1',
          'a security_invoker view runs the insights policy''s project test for a member');
SELECT is(pg_temp.probe('carol_jwt', $$SELECT 1 WHERE rolloy.image('$$ || (SELECT g.id FROM rolloy.generated_images g
                         WHERE g.project_id = '10000000-0000-0000-0000-0000000000c1' AND g.status = 'completed') || $$') IS NOT NULL$$),
          'rows:1', 'a SQL-standard body runs rolloy_internal._stored_image for a member');
SELECT is(pg_temp.probe('admin_jwt', $$INSERT INTO rolloy.performance_data (platform, ad_key, ad_name, report_date, period_end, currency)
                                       VALUES ('meta', 'probe', 'probe', '2026-11-02', '2026-11-02', 'EUR')$$),
          'rows:1', 'an INSERT through the view performance_data checks its currency for an admin (a member at the database level)');
SELECT ok(NOT has_function_privilege('rolloy_member', 'rolloy_internal._guard_project_owner()', 'EXECUTE')
          AND NOT has_function_privilege('rolloy_member', 'rolloy_internal._forget_stored_images()', 'EXECUTE'),
          'members may not execute the trigger functions');
SELECT is(pg_temp.probe('alice', $$INSERT INTO rolloy.creative_projects (scene_id, action_id, driver_id, format_id)
                                   SELECT scene_id, action_id, driver_id, format_id FROM rolloy.creative_projects
                                    WHERE id = '10000000-0000-0000-0000-0000000000a2' RETURNING generated_name$$),
          'rows:1', 'their statements fire them anyway (insert: owner guard and naming triggers)');
SELECT is(pg_temp.probe('alice', $$SELECT rolloy.delete_reference_image('20000000-0000-0000-0000-000000000001')$$),
          'rows:1', 'a delete fires rolloy_internal._forget_stored_images for a member');

-- Every function that runs for another role pins search_path: SECURITY DEFINER functions, trigger
-- functions, and what policies, views, defaults and CHECKs call (C functions that run no SQL as
-- the caller aside: _is_currency_code, in the CHECK of ad_platforms); and every PL/pgSQL function that is not IMMUTABLE (never
-- inlined, so pinning costs nothing; the worker calls _call_cost in its own session).
SELECT is((SELECT array_agg(p.oid::regprocedure::text ORDER BY 1) FROM pg_proc p
            WHERE p.pronamespace IN ('rolloy'::regnamespace, 'rolloy_internal'::regnamespace)
              AND (p.prosecdef OR p.prorettype = 'trigger'::regtype
                   OR (p.prolang = (SELECT l.oid FROM pg_language l WHERE l.lanname = 'plpgsql') AND p.provolatile <> 'i')
                   OR p.oid IN (SELECT d.refobjid FROM pg_depend d
                                 WHERE d.refclassid = 'pg_proc'::regclass
                                   AND d.classid IN ('pg_policy'::regclass, 'pg_rewrite'::regclass,
                                                     'pg_attrdef'::regclass, 'pg_constraint'::regclass)))
              AND NOT coalesce(p.proconfig @> ARRAY['search_path=pg_catalog, pg_temp'], false)),
          ARRAY['rolloy_internal._is_currency_code(text)'],
          'every function that runs for another role pins search_path');

-- With search_path pinned to pg_catalog, pg_temp a temporary object can shadow nothing in
-- pg_catalog, and functions and operators are never looked up in pg_temp; but an unqualified
-- name of anything else (a rolloy table, a rolloy type) would be looked up in pg_temp, where any
-- session may create it. No body of a SQL or PL/pgSQL function names a relation or type of rolloy
-- or rolloy_internal, or a catalog relation, without its schema (bodies read as text, comments and
-- string literals left out: the dynamic SQL in strings is qualified by reading). 0.1.0's
-- _guard_user_changes read "FROM pg_extension": a member's temp table of that name made him admin.
SELECT is((WITH relations AS (
               SELECT c.relname::text AS name FROM pg_class c
                WHERE c.relnamespace IN ('rolloy'::regnamespace, 'rolloy_internal'::regnamespace, 'pg_catalog'::regnamespace)
                  AND c.relkind IN ('r', 'v', 'm', 'p', 'f')
           ), types AS (
               SELECT t.typname::text AS name FROM pg_type t
                WHERE t.typnamespace IN ('rolloy'::regnamespace, 'rolloy_internal'::regnamespace)
           ), bodies AS (
               SELECT p.oid::regprocedure::text AS fn,
                      -- Dollar-quoted strings first; then comments and string literals in one
                      -- left-to-right pass, whichever starts first: an apostrophe in a comment
                      -- does not open a string, and -- in a string does not open a comment.
                      regexp_replace(regexp_replace(lower(p.prosrc),
                          '\$([a-z_]*)\$.*?\$\1\$', ' ', 'g'),
                          '--[^\n]*|''([^'']|'''')*''|/\*([^*]|\*+[^*/])*\*+/', ' ', 'g') AS body
                 FROM pg_proc p JOIN pg_language l ON l.oid = p.prolang
                WHERE p.pronamespace IN ('rolloy'::regnamespace, 'rolloy_internal'::regnamespace)
                  AND l.lanname IN ('plpgsql', 'sql')
           ), unqualified AS (  -- relation names anywhere; type names in casts (columns share their names)
               SELECT b.fn, m.tok[1] AS name, false AS is_cast
                 FROM bodies b, LATERAL regexp_matches(b.body, '(?<![.\w"$])([a-z_][a-z0-9_$]*)(?![\w"$.])', 'g') AS m(tok)
               UNION ALL
               SELECT b.fn, m.tok[1], true
                 FROM bodies b, LATERAL regexp_matches(b.body, '::\s*([a-z_][a-z0-9_$]*)(?![\w"$.])', 'g') AS m(tok)
           )
           SELECT coalesce(array_agg(DISTINCT u.fn || ': ' || u.name), '{}') FROM unqualified u
            WHERE u.name IN (SELECT name FROM relations) OR (u.is_cast AND u.name IN (SELECT name FROM types))),
          '{}'::text[], 'no function body names a table, view, type or catalog relation without its schema');

SELECT * FROM finish();
ROLLBACK;
