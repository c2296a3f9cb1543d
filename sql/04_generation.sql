-- Generation functions without a worker (this database is not rolloy.database): uploads,
-- keys, prompts, queueing, limits and every refusal, with the data unchanged after each.
CREATE FUNCTION pg_temp.outcome(query text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE query;
    RETURN 'no error';
EXCEPTION WHEN others THEN
    RETURN SQLSTATE || ': ' || regexp_replace(SQLERRM, '\d{8}_', 'YYYYMMDD_', 'g');
END
$$;
-- Photos from test/fixtures/images: a 300x300 PNG, a 100x100 one (too small), a PDF, and a
-- PNG cut after 300 bytes.
\set png300 `base64 -w0 test/fixtures/images/grey-300.png`
\set png100 `base64 -w0 test/fixtures/images/black-100.png`
\set pdf `base64 -w0 test/fixtures/images/not-an-image.pdf`
\set cut `base64 -w0 test/fixtures/images/truncated-300.png`
SELECT FROM rolloy.load_sample_dictionaries();
DROP ROLE IF EXISTS regress_gen_mia;
DROP ROLE IF EXISTS regress_gen_ada;
CREATE ROLE regress_gen_mia;
CREATE ROLE regress_gen_ada;
GRANT rolloy_member TO regress_gen_mia;
GRANT rolloy_admin TO regress_gen_ada;
INSERT INTO rolloy.users (id, email, display_name, role, pg_role, monthly_image_quota, monthly_budget_usd) VALUES
    ('00000000-0000-0000-0000-0000000000a1', 'gen-mia@example.com', 'Mia', 'member', 'regress_gen_mia', 10, 1.00),
    ('00000000-0000-0000-0000-0000000000ad', 'gen-ada@example.com', 'Ada', 'admin', 'regress_gen_ada', 500, 50);

SET ROLE regress_gen_mia;
-- Uploads: the type is sniffed from the bytes; bad files are refused and store nothing.
SELECT pg_temp.outcome($$SELECT rolloy.upload_reference_image(decode('$$ || :'pdf' || $$', 'base64'), 'walker.jpg', 'expanded')$$);
SELECT pg_temp.outcome($$SELECT rolloy.upload_reference_image(decode('$$ || :'png100' || $$', 'base64'), 'tiny.png', 'expanded')$$);
SELECT pg_temp.outcome($$SELECT rolloy.upload_reference_image(decode('$$ || :'cut' || $$', 'base64'), 'cut.png', 'expanded')$$);
SELECT pg_temp.outcome($$SELECT rolloy.upload_reference_image('', 'empty.png', 'expanded')$$);
SELECT pg_temp.outcome($$SELECT rolloy.upload_reference_image(NULL, 'null.png', 'expanded')$$);
SELECT count(*) AS reference_images, (SELECT count(*) FROM rolloy.image_store) AS stored FROM rolloy.reference_images;
SELECT file_name, product_state, mime_type, width, height, size_bytes, length(sha256) AS sha_len, storage_ref LIKE 'db:reference/%' AS stored_in_db
  FROM rolloy.upload_reference_image(decode(:'png300', 'base64'), 'walker-grey.png', 'both', 'test photo');
SELECT pg_temp.outcome($$SELECT rolloy.upload_reference_image(decode('$$ || :'png300' || $$', 'base64'), 'again.png', 'folded')$$) ~ 'already uploaded as "walker-grey.png"' AS duplicate_refused;
SELECT length(rolloy.reference_image(id)) = size_bytes AS bytes_back, length(rolloy.reference_image(id, true)) > 0 AS thumbnail
  FROM rolloy.reference_images;

-- Keys: admins only; members cannot see them.
SELECT pg_temp.outcome($$SELECT rolloy.set_provider_key('gemini', 'abcdefgh12345')$$);
SELECT pg_temp.outcome($$SELECT * FROM rolloy.provider_secrets$$);
SELECT count(*) AS keys_visible_to_member FROM rolloy.provider_keys();
RESET ROLE;
SET ROLE regress_gen_ada;
SELECT pg_temp.outcome($$SELECT rolloy.set_provider_key('dalle', 'abcdefgh12345')$$);
SELECT pg_temp.outcome($$SELECT rolloy.set_provider_key('fal', 'short')$$);
SELECT pg_temp.outcome($$SELECT rolloy.set_provider_key('fal', 'has spaces in it')$$);
SELECT pg_temp.outcome($$SELECT rolloy.set_provider_key('fal', repeat('k', 600))$$);
SELECT rolloy.set_provider_key('fal', 'fal-secret-key-0001');
SELECT provider, key_set, key_hint FROM rolloy.provider_keys() ORDER BY provider;
RESET ROLE;

-- Prompts: template offline; refusals for unknown providers, missing keys and other people's projects.
-- The providers generate_prompt knows are the registry's text providers (rolloy.providers(),
-- kind text): a refusal's message and hint list them.
CREATE FUNCTION pg_temp.hint(query text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    h text;
BEGIN
    EXECUTE query;
    RETURN 'no error';
EXCEPTION WHEN others THEN
    GET STACKED DIAGNOSTICS h = PG_EXCEPTION_HINT;
    RETURN h;
END
$$;
SET ROLE regress_gen_mia;
SELECT id AS pid FROM rolloy.create_project('OUT', 'PARK', 'WALK', 'JOY', 'UGC', 'gen test') \gset
SELECT pg_temp.outcome($$SELECT rolloy.batch_generate('$$ || :'pid' || $$')$$);
SELECT pg_temp.outcome($$SELECT rolloy.generate_prompt('$$ || :'pid' || $$', 'dall-e')$$);
SELECT pg_temp.outcome($$SELECT rolloy.generate_prompt('$$ || :'pid' || $$', 'fal')$$);
SELECT pg_temp.outcome($$SELECT rolloy.generate_prompt('$$ || :'pid' || $$', repeat('x', 100))$$);
SELECT h AS hint, position('(' || t || ')' IN h) > 0 AS lists_the_text_providers
  FROM pg_temp.hint($$SELECT rolloy.generate_prompt('$$ || :'pid' || $$', 'dall-e')$$) h,
       (SELECT string_agg(provider, ', ') FROM rolloy.providers() WHERE kind = 'text') p (t);
SELECT prompt IS NULL AS unchanged_by_refusals FROM rolloy.creative_projects WHERE id = :'pid';
SELECT pg_temp.outcome($$SELECT rolloy.generate_prompt('$$ || :'pid' || $$', 'gemini')$$);
SELECT pg_temp.outcome($$SELECT rolloy.generate_prompt('00000000-0000-0000-0000-000000000000')$$);
SELECT left(rolloy.generate_prompt(:'pid'), 80) AS auto_without_key_uses_template;
SELECT prompt_provider, prompt_model, prompt_tokens_in, prompt_cost_usd, prompt_generated_at IS NOT NULL AS dated
  FROM rolloy.creative_projects WHERE id = :'pid';

-- Queueing: options are validated; nothing is queued by a refused call.
SELECT pg_temp.outcome($$SELECT rolloy.batch_generate('$$ || :'pid' || $$', '{"variants": 0}')$$);
SELECT pg_temp.outcome($$SELECT rolloy.batch_generate('$$ || :'pid' || $$', '{"variants": "two"}')$$);
SELECT pg_temp.outcome($$SELECT rolloy.batch_generate('$$ || :'pid' || $$', '{"provider": "midjourney"}')$$);
SELECT pg_temp.outcome($$SELECT rolloy.batch_generate('$$ || :'pid' || $$', '{"provider": "gemini"}')$$);
SELECT pg_temp.outcome($$SELECT rolloy.batch_generate('$$ || :'pid' || $$', '{"colour": "red"}')$$);
SELECT pg_temp.outcome($$SELECT rolloy.batch_generate('$$ || :'pid' || $$', '{"strength": 1.5}')$$);
SELECT pg_temp.outcome($$SELECT rolloy.batch_generate('$$ || :'pid' || $$', '[]')$$);
SELECT pg_temp.outcome($$SELECT rolloy.batch_generate('$$ || :'pid' || $$', '{"reference_image_ids": ["00000000-0000-0000-0000-000000000000"]}')$$);
SELECT pg_temp.outcome($$SELECT rolloy.batch_generate('$$ || :'pid' || $$', '{"variants": 11}')$$);
SELECT pg_temp.outcome($$SELECT rolloy.batch_generate('$$ || :'pid' || $$', '{"max_attempts": 2.5}')$$);
SELECT pg_temp.outcome($$SELECT rolloy.batch_generate('$$ || :'pid' || $$', '{"max_attempts": "x"}')$$);
SELECT pg_temp.outcome($$SELECT rolloy.batch_generate('$$ || :'pid' || $$', '{"provider": "fal", "model": "fal-ai/unpriced"}')$$);
SELECT count(*) AS queued_after_refusals FROM rolloy.generated_images;
SELECT variant_no, status, provider, model, seed, params, max_attempts, right(ad_name, 4) AS suffix
  FROM rolloy.batch_generate(:'pid', '{"variants": 2, "seed": 7, "strength": 0.6}');
SELECT total_images, completed_images, failed_images FROM rolloy.creative_projects WHERE id = :'pid';
SELECT images_used, images_queued, image_quota, spent_usd, queued_usd, budget_usd FROM rolloy.usage_this_month();
SELECT pending, processing FROM rolloy.queue_metrics;
-- Expected cost per image: fal is priced per megapixel (at ~1.05 MP), Gemini per image.
SELECT rolloy.estimated_image_cost('fal', 'fal-ai/flux/dev/image-to-image'), rolloy.estimated_image_cost('gemini', 'gemini-2.5-flash-image');
SELECT pg_temp.outcome($$SELECT rolloy.batch_generate('$$ || :'pid' || $$', '{"variants": 9}')$$);
SELECT rolloy.cancel_generation(:'pid') AS cancelled;
SELECT total_images, completed_images FROM rolloy.creative_projects WHERE id = :'pid';
SELECT pg_temp.outcome($$SELECT rolloy.retry_failed('$$ || :'pid' || $$')$$);
SELECT pg_temp.outcome($$SELECT rolloy.regenerate_image('00000000-0000-0000-0000-000000000000')$$);
SELECT pg_temp.outcome($$SELECT rolloy.project_zip('$$ || :'pid' || $$')$$);
SELECT rolloy.image(id) IS NULL AS no_bytes_before_completion FROM rolloy.generated_images LIMIT 1;
-- Maintenance and administration are not for members.
SELECT pg_temp.outcome($$SELECT * FROM rolloy.cleanup()$$);
SELECT pg_temp.outcome($$SELECT rolloy.restart_worker()$$);
RESET ROLE;

-- An admin sees Mia's images.
SET ROLE regress_gen_ada;
SELECT count(*) AS admin_sees_images FROM rolloy.generated_images;
RESET ROLE;

-- Prices are history: seeded rows are immutable; a newer row takes over from its date.
SELECT pg_temp.outcome($$UPDATE rolloy.provider_prices SET price_usd = 0 WHERE provider = 'gemini' AND unit = 'image'$$);
INSERT INTO rolloy.provider_prices (provider, model, unit, price_usd, valid_from)
VALUES ('gemini', 'gemini-2.5-flash-image', 'image', 0.045, now() - interval '1 minute');
SELECT rolloy.price_of('gemini', 'gemini-2.5-flash-image', 'image') AS now,
       rolloy.price_of('gemini', 'gemini-2.5-flash-image', 'image', '2026-01-01') AS in_january;
SELECT rolloy_internal._call_cost('gemini', 'gemini-2.5-flash', 1000000, 100000, 0, 0) AS prompt_call,
       rolloy_internal._call_cost('fal', 'fal-ai/flux/dev/image-to-image', 0, 0, 1, 1.2) AS two_started_megapixels;

-- retry_failed checks its provider/model groups together: 20 failed fal images ($0.525) and 12
-- failed Gemini ones ($0.54) each fit Mia's $1 budget, both together do not. Nothing changes.
UPDATE rolloy.users SET monthly_image_quota = 100 WHERE pg_role = 'regress_gen_mia';
INSERT INTO rolloy.generated_images (project_id, provider, model, prompt, status, last_error)
SELECT :'pid', v.provider, v.model, 'p', 'failed', 'HTTP 503'
  FROM (VALUES ('fal', 'fal-ai/flux/dev/image-to-image', 20), ('gemini', 'gemini-2.5-flash-image', 12)) v (provider, model, n),
       generate_series(1, v.n);
SET ROLE regress_gen_mia;
SELECT pg_temp.outcome($$SELECT rolloy.retry_failed('$$ || :'pid' || $$')$$);
SELECT status, provider, count(*) FROM rolloy.generated_images WHERE project_id = :'pid' GROUP BY 1, 2 ORDER BY 1, 2;
RESET ROLE;
DELETE FROM rolloy.generated_images WHERE project_id = :'pid' AND status = 'failed' AND provider = 'fal';
SET ROLE regress_gen_mia;
SELECT rolloy.retry_failed(:'pid') AS retried_within_budget;
SELECT rolloy.cancel_generation(:'pid') AS cancelled_again;
RESET ROLE;

-- A Gemini prompt costs money: with Mia's budget spent it is refused before any call is made
-- (no request leaves the machine), and the project is unchanged.
SET ROLE regress_gen_ada;
SELECT rolloy.set_provider_key('gemini', 'gemini-test-key-01');
RESET ROLE;
INSERT INTO rolloy.api_usage_logs (user_id, operation, provider, model, success, cost_usd)
VALUES ('00000000-0000-0000-0000-0000000000a1', 'image', 'gemini', 'gemini-2.5-flash-image', true, 1.00);
SET ROLE regress_gen_mia;
SELECT pg_temp.outcome($$SELECT rolloy.generate_prompt('$$ || :'pid' || $$', 'gemini')$$);
SELECT prompt_provider, (SELECT count(*) FROM rolloy.api_usage_logs WHERE operation = 'prompt' AND provider = 'gemini') AS gemini_prompt_logs
  FROM rolloy.creative_projects WHERE id = :'pid';
-- The template costs nothing and is still allowed.
SELECT left(rolloy.generate_prompt(:'pid', 'template'), 20) AS template_still_works;
RESET ROLE;

-- cleanup() deletes rows of the db store no image or reference photo refers to, once older than
-- rolloy.storage_orphan_grace_seconds (default a day); a young orphan and referenced rows stay.
INSERT INTO rolloy.image_store (storage_ref, content, content_type, thumbnail, sha256, size_bytes, created_at)
VALUES ('db:generated/' || :'pid' || '/orphan-old', '\x01', 'image/jpeg', '\x01', repeat('0', 64), 1, now() - interval '2 days'),
       ('db:generated/' || :'pid' || '/orphan-young', '\x01', 'image/jpeg', '\x01', repeat('0', 64), 1, now());
UPDATE rolloy.image_store SET created_at = now() - interval '2 days' WHERE storage_ref LIKE 'db:reference/%';
SELECT what, rows_affected FROM rolloy.cleanup() WHERE what LIKE 'orphaned%';
SELECT count(*) FILTER (WHERE storage_ref LIKE '%/orphan-old') AS old_orphan,
       count(*) FILTER (WHERE storage_ref LIKE '%/orphan-young') AS young_orphan,
       count(*) FILTER (WHERE storage_ref LIKE 'db:reference/%') AS referenced
  FROM rolloy.image_store;
SET rolloy.storage_orphan_grace_seconds = 0;
SELECT rows_affected AS young_orphan_swept_without_grace FROM rolloy.cleanup() WHERE what = 'orphaned stored images deleted';
RESET rolloy.storage_orphan_grace_seconds;
SELECT count(*) AS referenced_rows_kept FROM rolloy.image_store;

-- Deleting a reference photo deletes its bytes and thumbnail from the store; a rolled-back
-- delete keeps them.
SELECT count(*) AS stored_before FROM rolloy.image_store;
BEGIN;
DELETE FROM rolloy.reference_images;
SELECT count(*) AS stored_inside_the_delete FROM rolloy.image_store;
ROLLBACK;
SELECT count(*) AS stored_after_rollback FROM rolloy.image_store;
DELETE FROM rolloy.reference_images;
SELECT count(*) AS stored_after_delete FROM rolloy.image_store;
SELECT rows_affected AS nothing_left_to_sweep FROM rolloy.cleanup() WHERE what = 'orphaned stored images deleted';

-- The ledger: an image counts in the month its successful call was made (occurred_at, when the
-- attempt was opened), also once the image is deleted (image_id NULL); a call of unknown outcome
-- (a crash) counts in spent_usd at the price it was closed with.
SELECT images_used AS used_before, spent_usd AS spent_before
  FROM rolloy.usage_this_month('00000000-0000-0000-0000-0000000000a1') \gset
INSERT INTO rolloy.api_usage_logs (user_id, operation, provider, model, success, cost_usd, state, occurred_at)
VALUES ('00000000-0000-0000-0000-0000000000a1', 'image', 'gemini', 'gemini-2.5-flash-image', true, 0.039, 'completed',
        date_trunc('month', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' - interval '1 second'),
       ('00000000-0000-0000-0000-0000000000a1', 'image', 'gemini', 'gemini-2.5-flash-image', true, 0.039, 'completed', now()),
       ('00000000-0000-0000-0000-0000000000a1', 'image', 'gemini', 'gemini-2.5-flash-image', false, 0.039, 'unknown', now());
SELECT images_used - :used_before AS images_counted_this_month, spent_usd - :spent_before AS spent_this_month
  FROM rolloy.usage_this_month('00000000-0000-0000-0000-0000000000a1');
SELECT pg_temp.outcome($$INSERT INTO rolloy.api_usage_logs (operation, provider, model, success, state)
                         VALUES ('image', 'gemini', 'm', false, 'lost')$$);

-- Clean up the cluster-wide roles.
DELETE FROM rolloy.api_usage_logs;
DELETE FROM rolloy.generated_images;
DELETE FROM rolloy.creative_projects;
DELETE FROM rolloy.reference_images;
DELETE FROM rolloy.image_store;
DELETE FROM rolloy.provider_secrets;
DELETE FROM rolloy.provider_prices WHERE NOT is_seed;
DELETE FROM rolloy.users;
DROP ROLE regress_gen_mia;
DROP ROLE regress_gen_ada;
