-- The whole access matrix: each identity x each table x SELECT/INSERT/UPDATE/DELETE, through
-- psql-style role mapping and PostgREST-style SET ROLE + request.jwt.claims.
BEGIN;
\ir 00_fixture.inc
SELECT plan(694);  -- fixed: a probe that returns no rows cannot pass unnoticed

CREATE TEMP TABLE matrix (tbl text, op text, statement text, expected text[]);
INSERT INTO matrix VALUES
-- SELECT: what each identity sees.
('users', 'select', 'SELECT * FROM rolloy.users',
    '{rows:1,rows:1,rows:7,rows:1,rows:7,rows:1,rows:0,rows:0,error:42501}'),
('scenes', 'select', 'SELECT * FROM rolloy.scenes',
    '{rows:12,rows:12,rows:12,rows:12,rows:12,rows:12,rows:0,rows:0,error:42501}'),
('actions', 'select', 'SELECT * FROM rolloy.actions',
    '{rows:8,rows:8,rows:8,rows:8,rows:8,rows:8,rows:0,rows:0,error:42501}'),
('drivers', 'select', 'SELECT * FROM rolloy.drivers',
    '{rows:7,rows:7,rows:7,rows:7,rows:7,rows:7,rows:0,rows:0,error:42501}'),
('formats', 'select', 'SELECT * FROM rolloy.formats',
    '{rows:6,rows:6,rows:6,rows:6,rows:6,rows:6,rows:0,rows:0,error:42501}'),
('reference_images', 'select', 'SELECT * FROM rolloy.reference_images',
    '{rows:2,rows:2,rows:2,rows:2,rows:2,rows:2,rows:0,rows:0,error:42501}'),
('creative_projects', 'select', 'SELECT * FROM rolloy.creative_projects',
    '{rows:2,rows:1,rows:4,rows:1,rows:4,rows:2,rows:0,rows:0,error:42501}'),
('project_overview', 'select', 'SELECT * FROM rolloy.project_overview',
    '{rows:2,rows:1,rows:4,rows:1,rows:4,rows:2,rows:0,rows:0,error:42501}'),
('generated_images', 'select', 'SELECT * FROM rolloy.generated_images',
    '{rows:2,rows:1,rows:4,rows:1,rows:4,rows:2,rows:0,rows:0,error:42501}'),
('name_counters', 'select', 'SELECT * FROM rolloy.name_counters',
    '{error:42501,error:42501,error:42501,error:42501,error:42501,error:42501,error:42501,error:42501,error:42501}'),
('performance_data', 'select', 'SELECT * FROM rolloy.performance_data',
    '{rows:1,rows:1,rows:3,rows:0,rows:3,rows:1,rows:0,rows:0,error:42501}'),
('unmatched_performance', 'select', 'SELECT * FROM rolloy.unmatched_performance',
    '{rows:0,rows:0,rows:1,rows:0,rows:1,rows:0,rows:0,rows:0,error:42501}'),
('import_batches', 'select', 'SELECT * FROM rolloy.import_batches',
    '{rows:0,rows:0,rows:1,rows:0,rows:1,rows:0,rows:0,rows:0,error:42501}'),
('insights', 'select', 'SELECT * FROM rolloy.insights',
    '{rows:1,rows:0,rows:2,rows:0,rows:2,rows:1,rows:0,rows:0,error:42501}'),
('api_usage_logs', 'select', 'SELECT * FROM rolloy.api_usage_logs',
    '{rows:1,rows:1,rows:2,rows:0,rows:2,rows:1,rows:0,rows:0,error:42501}'),
('provider_prices', 'select', 'SELECT * FROM rolloy.provider_prices',
    '{rows:6,rows:6,rows:6,rows:6,rows:6,rows:6,rows:0,rows:0,error:42501}'),
-- Image bytes: visible where the image (generated: own projects; reference: all with an identity) is.
('image_store', 'select', 'SELECT * FROM rolloy.image_store',
    '{rows:3,rows:3,rows:5,rows:3,rows:5,rows:3,rows:0,rows:0,error:42501}'),
('provider_secrets', 'select', 'SELECT * FROM rolloy.provider_secrets',
    '{error:42501,error:42501,error:42501,error:42501,error:42501,error:42501,error:42501,error:42501,error:42501}'),
('generation_progress', 'select', 'SELECT * FROM rolloy.generation_progress',
    '{rows:2,rows:1,rows:4,rows:1,rows:4,rows:2,rows:0,rows:0,error:42501}'),
('queue_metrics', 'select', $$SELECT * FROM rolloy.queue_metrics WHERE pending > 0$$,
    '{rows:1,rows:0,rows:1,rows:0,rows:1,rows:1,rows:0,rows:0,error:42501}'),

-- Insights: settings readable by all, writable by admins; views show the caller's scope.
('insight_settings', 'select', 'SELECT * FROM rolloy.insight_settings', '{rows:1,rows:1,rows:1,rows:1,rows:1,rows:1,rows:0,rows:0,error:42501}'),
('insight_settings', 'insert', 'INSERT INTO rolloy.insight_settings (min_impressions) VALUES (500)', '{error:42501,error:42501,rows:1,error:42501,rows:1,error:42501,error:42501,error:42501,error:42501}'),
('insight_settings', 'update', 'UPDATE rolloy.insight_settings SET min_impressions = 500', '{rows:0,rows:0,rows:1,rows:0,rows:1,rows:0,rows:0,rows:0,error:42501}'),
('insight_settings', 'delete', 'DELETE FROM rolloy.insight_settings', '{error:42501,error:42501,error:42501,error:42501,error:42501,error:42501,error:42501,error:42501,error:42501}'),
('insight_effects', 'select', 'SELECT * FROM rolloy.insight_effects', '{rows:1,rows:0,rows:1,rows:0,rows:1,rows:1,rows:0,rows:0,error:42501}'),
('insight_tiers', 'select', 'SELECT * FROM rolloy.insight_tiers', '{rows:0,rows:0,rows:0,rows:0,rows:0,rows:0,rows:0,rows:0,error:42501}'),
('insight_tiers', 'insert', $$INSERT INTO rolloy.insight_tiers (tier) VALUES ('top_10')$$, '{error:42501,error:42501,error:42501,error:42501,error:42501,error:42501,error:42501,error:42501,error:42501}'),
('insight_leaderboard', 'select', 'SELECT * FROM rolloy.insight_leaderboard', '{rows:0,rows:0,rows:0,rows:0,rows:0,rows:0,rows:0,rows:0,error:42501}'),
('insight_trends', 'select', 'SELECT * FROM rolloy.insight_trends', '{rows:0,rows:0,rows:0,rows:0,rows:0,rows:0,rows:0,rows:0,error:42501}'),
('insight_cost_efficiency', 'select', 'SELECT * FROM rolloy.insight_cost_efficiency', '{rows:0,rows:0,rows:0,rows:0,rows:0,rows:0,rows:0,rows:0,error:42501}'),
('insight_heatmap', 'select', 'SELECT * FROM rolloy.insight_heatmap', '{rows:0,rows:0,rows:0,rows:0,rows:0,rows:0,rows:0,rows:0,error:42501}'),
('insight_fatigue', 'select', 'SELECT * FROM rolloy.insight_fatigue', '{rows:0,rows:0,rows:0,rows:0,rows:0,rows:0,rows:0,rows:0,error:42501}'),

-- INSERT.
('users', 'insert', $$INSERT INTO rolloy.users (email, display_name) VALUES ('new@example.com', 'New')$$,
    '{error:42501,error:42501,rows:1,error:42501,rows:1,error:42501,error:42501,error:42501,error:42501}'),
('formats', 'insert', $$INSERT INTO rolloy.formats (name, code) VALUES ('Reel', 'REEL')$$,
    '{error:42501,error:42501,rows:1,error:42501,rows:1,error:42501,error:42501,error:42501,error:42501}'),
('scenes', 'insert', $$INSERT INTO rolloy.scenes (category, category_code, scene, scene_code) VALUES ('Outdoor', 'OUT', 'Lake', 'LAKE')$$,
    '{error:42501,error:42501,rows:1,error:42501,rows:1,error:42501,error:42501,error:42501,error:42501}'),
('reference_images', 'insert', $$INSERT INTO rolloy.reference_images (id, product_state, file_name, mime_type, width, height, size_bytes, sha256, storage_ref)
                                  VALUES ('20000000-0000-0000-0000-000000000009', 'both', 'x.jpg', 'image/jpeg', 1, 1, 1, repeat('9', 64),
                                          'db:reference/20000000-0000-0000-0000-000000000009')$$,
    '{error:42501,error:42501,error:42501,error:42501,error:42501,error:42501,error:42501,error:42501,error:42501}'),
('reference_images', 'insert forged uploader', $$INSERT INTO rolloy.reference_images (id, product_state, file_name, mime_type, width, height, size_bytes, sha256, storage_ref, uploaded_by)
                                  VALUES ('20000000-0000-0000-0000-000000000009', 'both', 'x.jpg', 'image/jpeg', 1, 1, 1, repeat('9', 64),
                                          'db:reference/20000000-0000-0000-0000-000000000009', '00000000-0000-0000-0000-0000000000d1')$$,
    '{error:42501,error:42501,error:42501,error:42501,error:42501,error:42501,error:42501,error:42501,error:42501}'),
('reference_images', 'insert a storage ref of another image', $$INSERT INTO rolloy.reference_images (id, product_state, file_name, mime_type, width, height, size_bytes, sha256, storage_ref)
                                  SELECT '20000000-0000-0000-0000-000000000009', 'both', 'x.jpg', 'image/jpeg', 1, 1, 1, repeat('9', 64), g.storage_ref
                                    FROM rolloy.generated_images g WHERE g.storage_ref IS NOT NULL LIMIT 1$$,
    -- (nobody inserts reference photos but upload_reference_image(): no INSERT privilege)
    '{error:42501,error:42501,error:42501,error:42501,error:42501,error:42501,error:42501,error:42501,error:42501}'),
('creative_projects', 'insert', $$INSERT INTO rolloy.creative_projects (scene_id, action_id, driver_id, format_id) SELECT s, a, d, f FROM pg_temp.ids('OUT', 'PARK', 'SHOP', 'JOY', 'UGC')$$,
    '{rows:1,rows:1,rows:1,rows:1,rows:1,rows:1,error:42501,error:42501,error:42501}'),
('creative_projects', 'insert forged owner', $$INSERT INTO rolloy.creative_projects (scene_id, action_id, driver_id, format_id, created_by) SELECT s, a, d, f, '00000000-0000-0000-0000-0000000000d1' FROM pg_temp.ids('OUT', 'PARK', 'SHOP', 'JOY', 'UGC')$$,
    '{error:42501,error:42501,error:42501,error:42501,error:42501,error:42501,error:42501,error:42501,error:42501}'),
('generated_images', 'insert', $$INSERT INTO rolloy.generated_images (project_id) VALUES ('10000000-0000-0000-0000-0000000000a1')$$,
    '{error:42501,error:42501,error:42501,error:42501,error:42501,error:42501,error:42501,error:42501,error:42501}'),
('name_counters', 'insert', $$INSERT INTO rolloy.name_counters VALUES ('X', 1)$$,
    '{error:42501,error:42501,error:42501,error:42501,error:42501,error:42501,error:42501,error:42501,error:42501}'),
('performance_data', 'insert', $$INSERT INTO rolloy.performance_data (platform, ad_key, ad_name, report_date, period_end) VALUES ('tiktok', 'k', 'k', '2026-11-02', '2026-11-02')$$,
    '{error:42501,error:42501,rows:1,error:42501,rows:1,error:42501,error:42501,error:42501,error:42501}'),
('import_batches', 'insert', $$INSERT INTO rolloy.import_batches (platform) VALUES ('meta')$$,
    '{error:42501,error:42501,error:42501,error:42501,error:42501,error:42501,error:42501,error:42501,error:42501}'),
('insights', 'insert', $$INSERT INTO rolloy.insights (kind) VALUES ('x')$$,
    '{error:42501,error:42501,error:42501,error:42501,error:42501,error:42501,error:42501,error:42501,error:42501}'),
('api_usage_logs', 'insert', $$INSERT INTO rolloy.api_usage_logs (operation, provider, model, success) VALUES ('image', 'fal', 'm', true)$$,
    '{error:42501,error:42501,error:42501,error:42501,error:42501,error:42501,error:42501,error:42501,error:42501}'),
('provider_prices', 'insert', $$INSERT INTO rolloy.provider_prices (provider, model, unit, price_usd) VALUES ('fal', 'x', 'image', 1)$$,
    '{error:42501,error:42501,rows:1,error:42501,rows:1,error:42501,error:42501,error:42501,error:42501}'),
('image_store', 'insert', $$INSERT INTO rolloy.image_store VALUES ('db:reference/x', '\x01', 'image/jpeg', '\x01', repeat('0', 64), 1)$$,
    '{error:42501,error:42501,error:42501,error:42501,error:42501,error:42501,error:42501,error:42501,error:42501}'),
('provider_secrets', 'insert', $$INSERT INTO rolloy.provider_secrets (provider, api_key) VALUES ('fal', 'stolen-key-123')$$,
    '{error:42501,error:42501,error:42501,error:42501,error:42501,error:42501,error:42501,error:42501,error:42501}'),

-- UPDATE: rows an identity may change (0 = silently none, as RLS does).
('users', 'update own name', 'UPDATE rolloy.users SET display_name = display_name',
    '{rows:1,rows:1,rows:7,rows:1,rows:7,rows:1,rows:0,rows:0,error:42501}'),
('users', 'update role', $$UPDATE rolloy.users SET role = 'admin'$$,
    '{error:42501,error:42501,rows:7,error:42501,rows:7,error:42501,rows:0,rows:0,error:42501}'),
('users', 'update quota', 'UPDATE rolloy.users SET monthly_image_quota = 100000',
    '{error:42501,error:42501,rows:7,error:42501,rows:7,error:42501,rows:0,rows:0,error:42501}'),
('scenes', 'update', 'UPDATE rolloy.scenes SET description = description',
    '{rows:0,rows:0,rows:12,rows:0,rows:12,rows:0,rows:0,rows:0,error:42501}'),
('drivers', 'update', 'UPDATE rolloy.drivers SET keywords = keywords',
    '{rows:0,rows:0,rows:7,rows:0,rows:7,rows:0,rows:0,rows:0,error:42501}'),
('reference_images', 'update', 'UPDATE rolloy.reference_images SET description = description',
    '{rows:1,rows:1,rows:2,rows:0,rows:2,rows:1,rows:0,rows:0,error:42501}'),
('creative_projects', 'update title', 'UPDATE rolloy.creative_projects SET title = title',
    '{rows:2,rows:1,rows:4,rows:1,rows:4,rows:2,rows:0,rows:0,error:42501}'),
('creative_projects', 'update owner', $$UPDATE rolloy.creative_projects SET created_by = '00000000-0000-0000-0000-0000000000d1'$$,
    '{error:42501,error:42501,error:42501,error:42501,error:42501,error:42501,error:42501,error:42501,error:42501}'),
('creative_projects', 'update counters', 'UPDATE rolloy.creative_projects SET total_images = 99',
    '{error:42501,error:42501,error:42501,error:42501,error:42501,error:42501,error:42501,error:42501,error:42501}'),
('generated_images', 'update', $$UPDATE rolloy.generated_images SET status = 'completed'$$,
    '{error:42501,error:42501,error:42501,error:42501,error:42501,error:42501,error:42501,error:42501,error:42501}'),
('performance_data', 'update', 'UPDATE rolloy.performance_data SET clicks = clicks',
    '{rows:0,rows:0,rows:3,rows:0,rows:3,rows:0,rows:0,rows:0,error:42501}'),
('import_batches', 'update', 'UPDATE rolloy.import_batches SET rows_read = 0',
    '{error:42501,error:42501,error:42501,error:42501,error:42501,error:42501,error:42501,error:42501,error:42501}'),
('insights', 'update', 'UPDATE rolloy.insights SET value = 1',
    '{error:42501,error:42501,error:42501,error:42501,error:42501,error:42501,error:42501,error:42501,error:42501}'),
('api_usage_logs', 'update', 'UPDATE rolloy.api_usage_logs SET cost_usd = 0',
    '{error:42501,error:42501,error:42501,error:42501,error:42501,error:42501,error:42501,error:42501,error:42501}'),
('image_store', 'update', 'UPDATE rolloy.image_store SET thumbnail = content',
    '{error:42501,error:42501,error:42501,error:42501,error:42501,error:42501,error:42501,error:42501,error:42501}'),
('provider_secrets', 'update', $$UPDATE rolloy.provider_secrets SET api_key = 'x'$$,
    '{error:42501,error:42501,error:42501,error:42501,error:42501,error:42501,error:42501,error:42501,error:42501}'),
('provider_prices', 'update seed', 'UPDATE rolloy.provider_prices SET price_usd = 0',
    '{rows:0,rows:0,error:55000,rows:0,error:55000,rows:0,rows:0,rows:0,error:42501}'),

-- DELETE.
('users', 'delete user without data', $$DELETE FROM rolloy.users WHERE email = 'dave@example.com'$$,
    '{error:42501,error:42501,error:42501,error:42501,error:42501,error:42501,error:42501,error:42501,error:42501}'),
('formats', 'delete unused', $$DELETE FROM rolloy.formats WHERE code = 'PORT'$$,
    '{error:42501,error:42501,error:42501,error:42501,error:42501,error:42501,error:42501,error:42501,error:42501}'),
('reference_images', 'delete', 'DELETE FROM rolloy.reference_images',
    '{error:42501,error:42501,error:42501,error:42501,error:42501,error:42501,error:42501,error:42501,error:42501}'),
('creative_projects', 'delete project without images', $$DELETE FROM rolloy.creative_projects WHERE title = 'alice car'$$,
    '{error:42501,error:42501,error:42501,error:42501,error:42501,error:42501,error:42501,error:42501,error:42501}'),
('creative_projects', 'delete project with images', $$DELETE FROM rolloy.creative_projects WHERE title = 'bob cafe'$$,
    '{error:42501,error:42501,error:42501,error:42501,error:42501,error:42501,error:42501,error:42501,error:42501}'),
('generated_images', 'delete', 'DELETE FROM rolloy.generated_images',
    '{error:42501,error:42501,error:42501,error:42501,error:42501,error:42501,error:42501,error:42501,error:42501}'),
('performance_data', 'delete', 'DELETE FROM rolloy.performance_data',
    '{error:42501,error:42501,error:42501,error:42501,error:42501,error:42501,error:42501,error:42501,error:42501}'),
('api_usage_logs', 'delete', 'DELETE FROM rolloy.api_usage_logs',
    '{error:42501,error:42501,error:42501,error:42501,error:42501,error:42501,error:42501,error:42501,error:42501}'),
('image_store', 'delete', 'DELETE FROM rolloy.image_store',
    '{error:42501,error:42501,error:42501,error:42501,error:42501,error:42501,error:42501,error:42501,error:42501}'),
('provider_secrets', 'delete', 'DELETE FROM rolloy.provider_secrets',
    '{error:42501,error:42501,error:42501,error:42501,error:42501,error:42501,error:42501,error:42501,error:42501}'),
('provider_prices', 'delete seed', 'DELETE FROM rolloy.provider_prices',
    '{error:42501,error:42501,error:42501,error:42501,error:42501,error:42501,error:42501,error:42501,error:42501}');

SELECT is(pg_temp.probe(c.ctx, m.statement), m.expected[c.pos],
          format('%s: %s on %s', c.ctx, m.op, m.tbl))
  FROM matrix m CROSS JOIN contexts c
 ORDER BY m.tbl, m.op, c.pos;

-- The matrix covers every table of the schema.
SELECT is(
    (SELECT array_agg(relname::text ORDER BY relname) FROM pg_class
      WHERE relnamespace = 'rolloy'::regnamespace AND relkind IN ('r', 'v')),
    (SELECT array_agg(DISTINCT tbl ORDER BY tbl) FROM matrix),
    'every table and view of rolloy is in the matrix');

SELECT * FROM finish();
ROLLBACK;
