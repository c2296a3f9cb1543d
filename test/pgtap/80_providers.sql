-- The provider registry as SQL sees it (rolloy.providers()), and the checks and hints that read it.
BEGIN;
\ir 00_fixture.inc
SELECT plan(18);  -- fixed: a probe that returns no rows cannot pass unnoticed

CREATE TEMP TABLE reg AS SELECT * FROM rolloy.providers();

SELECT ok((SELECT count(*) FROM reg) >= 3, 'the registry lists at least gemini text, gemini image and fal image');
SELECT set_has($$SELECT provider || '/' || kind FROM reg$$, $$VALUES ('gemini/text'), ('gemini/image'), ('fal/image')$$,
               'gemini writes prompts and images, fal images');
SELECT is((SELECT count(*) FROM reg WHERE provider !~ '^[a-z][a-z0-9_]{1,31}$' OR kind NOT IN ('text', 'image')
                                      OR provider IN ('preview', 'template', 'auto')), 0::bigint,
          'every name fits provider_secrets and is no local provider; every kind is text or image');
SELECT is((SELECT count(*) FROM (SELECT provider, kind FROM reg GROUP BY 1, 2 HAVING count(*) > 1) d), 0::bigint,
          'one row per provider and kind');

-- The GUCs the registry names exist, and the model it reports is the one in force.
SELECT is((SELECT count(*) FROM reg WHERE current_setting(model_setting, true) IS DISTINCT FROM model), 0::bigint,
          'model is the value of model_setting');
SELECT is((SELECT count(*) FROM reg WHERE current_setting(base_url_setting, true) !~ '^https?://'
                                      OR current_setting(concurrency_setting, true) !~ '^[0-9]+$'), 0::bigint,
          'every base URL and concurrency setting exists');
SELECT is((SELECT current_setting('rolloy.gemini_image_model')), 'gemini-2.5-flash-image',
          'the public GUC names and defaults stay (gemini_image_model)');
SELECT is((SELECT current_setting('rolloy.fal_base_url') || ' ' || current_setting('rolloy.concurrency_fal')),
          'https://queue.fal.run 16', 'the public GUC names and defaults stay (fal_base_url, concurrency_fal)');

-- Every price unit of every provider and kind has a seeded price for its default model:
-- a registry entry without its seeded prices fails here (budgets would count it at $0).
SELECT is((SELECT string_agg(r.provider || '/' || r.model || '/' || u.unit, ', ') FROM reg r, unnest(r.price_units) u(unit)
            WHERE NOT EXISTS (SELECT 1 FROM rolloy.provider_prices p
                               WHERE p.provider = r.provider AND p.model = r.model AND p.unit = u.unit
                                 AND p.is_seed AND p.valid_from <= now())), NULL,
          'every price unit of every registry model has a seeded price');
SELECT is((SELECT count(*) FROM reg WHERE kind = 'image' AND rolloy.estimated_image_cost(provider, model) <= 0), 0::bigint,
          'every image model of the registry has a non-zero estimate');

-- Who may read it: any member; nobody reaches the internal JSON by name.
SELECT is(pg_temp.probe('alice', 'SELECT * FROM rolloy.providers()'), 'rows:' || (SELECT count(*) FROM reg),
          'a member reads the registry');
SELECT is(pg_temp.probe('alice', 'SELECT rolloy_internal._provider_registry()'), 'error:42501',
          'the internal JSON is not reachable by name');

-- The checks that read it: an unknown name is refused, listing the known ones; nothing is written.
SELECT matches(pg_temp.probe_message('admin', $$SELECT rolloy.set_provider_key('dalle', 'abcdefgh12345')$$),
               '^error:22023 unknown provider "dalle" \(providers: gemini, fal(, [a-z0-9_]+)*\) \| rolloy.providers\(\) lists',
               'set_provider_key refuses an unknown provider and lists the known ones');
SELECT matches(pg_temp.probe_message('alice', $$SELECT * FROM rolloy.batch_generate('10000000-0000-0000-0000-0000000000a1', '{"provider": "midjourney"}')$$),
               '^error:22023 unknown image provider "midjourney" \(providers: preview, gemini, fal(, [a-z0-9_]+)*\)',
               'batch_generate refuses an unknown image provider and lists preview and the registry''s');
-- The same refusals outside a probe, then the data: nothing written, nothing queued.
CREATE TEMP TABLE before AS SELECT (SELECT count(*) FROM rolloy.provider_secrets) AS keys,
                                   (SELECT count(*) FROM rolloy.generated_images) AS images;
SELECT pg_temp.enter('admin');
SELECT throws_ok($$SELECT rolloy.set_provider_key('dalle', 'abcdefgh12345')$$, '22023', NULL, 'unknown key refused (admin)');
SELECT throws_ok($$SELECT * FROM rolloy.batch_generate('10000000-0000-0000-0000-0000000000a1', '{"provider": "dalle"}')$$,
                 '22023', NULL, 'unknown image provider refused (admin)');
RESET ROLE;
SELECT is((SELECT (count(*), (SELECT count(*) FROM rolloy.generated_images))::text FROM rolloy.provider_secrets),
          (SELECT (keys, images)::text FROM before), 'no key written, no image queued');

-- provider_keys() lists every provider of the registry once (admins).
SELECT is(pg_temp.probe('admin', 'SELECT * FROM rolloy.provider_keys()'),
          'rows:' || (SELECT count(DISTINCT provider) FROM reg), 'provider_keys has one row per registry provider');

SELECT * FROM finish();
ROLLBACK;
