-- Who may call what: each identity x each function of image generation (queueing, cancel,
-- retry, regenerate, prompts, keys, bytes, maintenance, internals), and who may EXECUTE every
-- function of the schema at all. The suite fails when a function is missing from the list.
BEGIN;
\ir 00_fixture.inc
SELECT no_plan();

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
       '00000000-0000-0000-0000-0000000000a1'::uuid AS alice;

-- rows:N = the call ran and returned N rows (SELECT 1 WHERE … IS NOT NULL: 1 = got something; a
-- STABLE function in a select list the count does not read would not even be called);
-- error:SQLSTATE = refused (42501 no rolloy identity or privilege, 42704 not yours, 53400 limit).
CREATE TEMP TABLE fmatrix (fn text, statement text, expected text[]);
INSERT INTO fmatrix
SELECT v.fn, format(v.statement, i.alice_image, i.alice_ref, i.photo, i.alice_project, i.alice), v.expected::text[]
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
        '{rows:1,error:42704,rows:1,error:42704,rows:1,rows:1,error:42704,error:42704,error:42501}'),
    ('image', $$SELECT 1 WHERE rolloy.image(%1$L) IS NOT NULL$$,
        '{rows:1,rows:0,rows:1,rows:0,rows:1,rows:1,rows:0,rows:0,error:42501}'),
    ('thumbnail', $$SELECT 1 WHERE rolloy.thumbnail(%1$L) IS NOT NULL$$,
        '{rows:1,rows:0,rows:1,rows:0,rows:1,rows:1,rows:0,rows:0,error:42501}'),
    ('_stored_image', $$SELECT 1 WHERE rolloy._stored_image(%2$L, false) IS NOT NULL$$,
        '{rows:1,rows:0,rows:1,rows:0,rows:1,rows:1,rows:0,rows:0,error:42501}'),
    ('reference_image', $$SELECT 1 WHERE rolloy.reference_image(%3$L) IS NOT NULL$$,
        '{rows:1,rows:1,rows:1,rows:1,rows:1,rows:1,rows:1,rows:1,error:42501}'),
    ('project_zip', $$SELECT 1 WHERE rolloy.project_zip(%4$L) IS NOT NULL$$,
        '{rows:1,error:42704,rows:1,error:42704,rows:1,rows:1,error:42704,error:42704,error:42501}'),
    ('usage_this_month', $$SELECT * FROM rolloy.usage_this_month(%5$L)$$,
        '{rows:1,rows:0,rows:1,rows:0,rows:1,rows:1,rows:0,rows:0,error:42501}'),
    ('set_provider_key', $$SELECT rolloy.set_provider_key('fal', 'fal-matrix-key-0001')$$,
        '{error:42501,error:42501,rows:1,error:42501,rows:1,error:42501,error:42501,error:42501,error:42501}'),
    ('remove_provider_key', $$SELECT rolloy.remove_provider_key('fal')$$,
        '{error:42501,error:42501,rows:1,error:42501,rows:1,error:42501,error:42501,error:42501,error:42501}'),
    ('provider_keys', $$SELECT * FROM rolloy.provider_keys()$$,  -- admins: one row per provider, never the key
        '{rows:0,rows:0,rows:2,rows:0,rows:2,rows:0,rows:0,rows:0,error:42501}'),
    ('cleanup', $$SELECT * FROM rolloy.cleanup()$$,
        '{error:42501,error:42501,rows:2,error:42501,rows:2,error:42501,error:42501,error:42501,error:42501}'),
    ('worker_status', $$SELECT * FROM rolloy.worker_status()$$,
        '{rows:1,rows:1,rows:1,rows:1,rows:1,rows:1,rows:1,rows:1,error:42501}'),
    ('_check_limits', $$SELECT rolloy._check_limits(%5$L, 1, 'preview', 'preview-v1')$$,
        '{error:42501,error:42501,error:42501,error:42501,error:42501,error:42501,error:42501,error:42501,error:42501}'),
    ('_check_budget', $$SELECT rolloy._check_budget(%5$L, 0)$$,
        '{error:42501,error:42501,error:42501,error:42501,error:42501,error:42501,error:42501,error:42501,error:42501}'),
    ('_lock_own_project', $$SELECT rolloy._lock_own_project(%4$L)$$,
        '{error:42501,error:42501,error:42501,error:42501,error:42501,error:42501,error:42501,error:42501,error:42501}'),
    ('_remove_stored_image', $$SELECT rolloy._remove_stored_image(%2$L)$$,
        '{error:42501,error:42501,error:42501,error:42501,error:42501,error:42501,error:42501,error:42501,error:42501}'),
    ('_wake_worker_at_commit', $$SELECT rolloy._wake_worker_at_commit()$$,
        '{error:42501,error:42501,error:42501,error:42501,error:42501,error:42501,error:42501,error:42501,error:42501}'),
    ('_withdraw_at_commit', $$SELECT rolloy._withdraw_at_commit()$$,
        '{error:42501,error:42501,error:42501,error:42501,error:42501,error:42501,error:42501,error:42501,error:42501}')
  ) AS v(fn, statement, expected);

SELECT is(pg_temp.probe(c.ctx, m.statement), m.expected[c.pos], format('%s: %s', c.ctx, m.fn))
  FROM fmatrix m CROSS JOIN contexts c
 ORDER BY m.fn, c.pos;

-- Nothing a probe did stays: the stored bytes and the rows are all still there.
SELECT is((SELECT count(*) FROM rolloy.image_store WHERE storage_ref = (SELECT alice_ref FROM ids)), 1::bigint,
          'probes removed no stored bytes');

-- EXECUTE for every function of the schema (trigger functions cannot be called): internals
-- that write or lock are for rolloy itself only; the rest check who calls them inside.
CREATE TEMP TABLE execute_privileges (fn text, member boolean, everyone boolean);
INSERT INTO execute_privileges VALUES
    ('rolloy._call_cost(text,text,bigint,bigint,integer,numeric)', true, true),
    ('rolloy._check_budget(uuid,numeric)', false, false),
    ('rolloy._check_limits(uuid,integer,text,text,integer,numeric)', false, false),
    ('rolloy._importer_hint()', true, true),
    ('rolloy._incomplete_beta(double precision,double precision,double precision)', true, true),
    ('rolloy._insight_scope()', true, true),
    ('rolloy._is_currency_code(text)', true, true),
    ('rolloy._ln_gamma(double precision)', true, true),
    ('rolloy._lock_own_project(uuid,boolean)', false, false),
    ('rolloy._outer_role()', true, true),
    ('rolloy._owns_project(uuid)', true, true),
    ('rolloy._remove_stored_image(text)', false, false),
    ('rolloy._require_admin_or_superuser(text,text)', true, false),
    ('rolloy._require_pg_cron()', true, true),
    ('rolloy._resolve_user(name,text)', true, false),
    ('rolloy._selftest_raise(text)', false, false),
    ('rolloy._setting(text,text)', true, true),
    ('rolloy._stored_image(text,boolean)', true, true),
    ('rolloy._user_is_admin(uuid)', true, false),
    ('rolloy._wake_worker_at_commit()', false, false),
    ('rolloy._withdraw_at_commit()', false, false),
    ('rolloy._welch_test(numeric,numeric,numeric,numeric,numeric,numeric)', true, true),
    ('rolloy.batch_generate(uuid,jsonb)', true, true),
    ('rolloy.cancel_generation(uuid)', true, true),
    ('rolloy.check_code(text,text)', true, true),
    ('rolloy.cleanup(interval,interval)', true, true),
    ('rolloy.compose_image_name(text,integer)', true, true),
    ('rolloy.create_project(text,text,text,text,text,text,text)', true, true),
    ('rolloy.current_user_id()', true, true),
    ('rolloy.estimated_image_cost(text,text)', true, true),
    ('rolloy.generate_prompt(uuid,text)', true, true),
    ('rolloy.image(uuid)', true, true),
    ('rolloy.import_csv(text)', true, false),
    ('rolloy.import_csv_file(bytea)', true, false),
    ('rolloy.import_performance(bytea,text,text,text)', true, false),
    ('rolloy.import_performance(text,text,text,text)', true, false),
    ('rolloy.is_admin()', true, true),
    ('rolloy.load_sample_dictionaries()', true, true),
    ('rolloy.parse_creative_name(text)', true, true),
    ('rolloy.price_of(text,text,text,timestamp with time zone)', true, true),
    ('rolloy.project_zip(uuid)', true, true),
    ('rolloy.provider_keys()', true, true),
    ('rolloy.reference_image(uuid,boolean)', true, true),
    ('rolloy.reference_images_for(uuid)', true, true),
    ('rolloy.refresh_insights()', true, true),
    ('rolloy.regenerate_image(uuid,bigint)', true, true),
    ('rolloy.rematch_performance()', true, false),
    ('rolloy.remove_provider_key(text)', true, false),
    ('rolloy.require_admin()', true, true),
    ('rolloy.require_user()', true, true),
    ('rolloy.restart_worker()', true, false),
    ('rolloy.retry_failed(uuid)', true, true),
    ('rolloy.schedule_insights(text)', true, true),
    ('rolloy.set_provider_key(text,text)', true, false),
    ('rolloy.student_t_cdf(double precision,double precision)', true, true),
    ('rolloy.thumbnail(uuid)', true, true),
    ('rolloy.unschedule_insights()', true, true),
    ('rolloy.upload_reference_image(bytea,text,rolloy.product_state,text)', true, true),
    ('rolloy.usage_this_month(uuid)', true, true),
    ('rolloy.wilson_lower_bound(numeric,numeric,numeric)', true, true),
    ('rolloy.wilson_upper_bound(numeric,numeric,numeric)', true, true),
    ('rolloy.worker_status()', true, true);

SELECT is(has_function_privilege('rolloy_member', e.fn::regprocedure, 'EXECUTE'), e.member,
          format('members %s execute %s', CASE WHEN e.member THEN 'may' ELSE 'may not' END, e.fn))
  FROM execute_privileges e ORDER BY e.fn;
SELECT is(has_function_privilege('public', e.fn::regprocedure, 'EXECUTE'), e.everyone,
          format('PUBLIC %s execute %s', CASE WHEN e.everyone THEN 'may' ELSE 'may not' END, e.fn))
  FROM execute_privileges e ORDER BY e.fn;
SELECT is(
    (SELECT array_agg(p.oid::regprocedure::text ORDER BY p.oid::regprocedure::text) FROM pg_proc p
      WHERE p.pronamespace = 'rolloy'::regnamespace AND p.prorettype <> 'trigger'::regtype),
    (SELECT array_agg(fn ORDER BY fn) FROM execute_privileges),
    'every function of rolloy has its EXECUTE privileges listed');

SELECT * FROM finish();
ROLLBACK;
