-- Fills a rolloy 0.1.0 database the way the demo's team would, through the 0.1.0 API (frozen
-- with that release: do not change it to a newer API), for test/integration/upgrade.sh:
-- dictionaries (plus one of the team's own), an admin and two members, provider keys,
-- reference photos, projects with prompts, images queued for the worker (preview, and Gemini
-- against the fake server). The caller waits for the worker, then runs fill_0.1.0_after.sql.
-- psql variables: open_file, folded_file (paths of a JPEG and a PNG).
SET client_min_messages = warning;
CREATE EXTENSION pg_cron;
CREATE EXTENSION rolloy VERSION '0.1.0';
SELECT FROM rolloy.load_sample_dictionaries();
INSERT INTO rolloy.formats (name, code, aspect_ratio) VALUES ('Carousel card', 'CARD', '1:1');
DO $$ BEGIN
    CREATE ROLE up_mia LOGIN; CREATE ROLE up_leo LOGIN;
EXCEPTION WHEN duplicate_object THEN NULL; END $$;
GRANT rolloy_member TO up_mia, up_leo;
INSERT INTO rolloy.users (id, email, display_name, role, pg_role, monthly_image_quota, monthly_budget_usd) VALUES
    ('00000000-0000-0000-0000-0000000000ad', 'ops@example.com', 'Ops', 'admin', 'postgres', 1000, 100),
    ('00000000-0000-0000-0000-0000000000a1', 'mia@example.com', 'Mia', 'member', 'up_mia', 300, 40),
    ('00000000-0000-0000-0000-0000000000a2', 'leo@example.com', 'Leo', 'member', 'up_leo', 500, 50);
SELECT rolloy.set_provider_key('gemini', 'upgrade-gemini-key-0001');
SELECT rolloy.set_provider_key('fal', 'upgrade-fal-key-0002');
INSERT INTO rolloy.provider_prices (provider, model, unit, price_usd, valid_from)
VALUES ('gemini', 'gemini-2.5-flash-image', 'image', 0.041, '2026-11-01');
\set open `base64 -w0 :open_file`
\set folded `base64 -w0 :folded_file`
SELECT FROM rolloy.upload_reference_image(decode(:'open', 'base64'), 'open.jpg', 'expanded', 'Walker unfolded');
SELECT FROM rolloy.upload_reference_image(decode(:'folded', 'base64'), 'folded.png', 'folded', 'Walker folded');

SET ROLE up_mia;
SELECT FROM (VALUES ('OUT', 'PARK', 'WALK', 'JOY', 'UGC'), ('OUT', 'PARK', 'WALK', 'JOY', 'UGC'),
                    ('OUT', 'BEACH', 'WALK', 'FREE', 'STORY'), ('URB', 'MARKET', 'SHOP', 'CONN', 'UGC')) v(a1, a2, b, c, d),
       LATERAL rolloy.create_project(v.a1, v.a2, v.b, v.c, v.d, 'Mia ' || v.a2);
SELECT count(rolloy.generate_prompt(id, 'template')) FROM rolloy.creative_projects;
SELECT count(*) FROM rolloy.creative_projects p, LATERAL rolloy.batch_generate(p.id, '{"variants": 2, "provider": "preview"}') b;
RESET ROLE;
SET ROLE up_leo;
SELECT FROM (VALUES ('URB', 'CAFE', 'REST', 'CONN', 'LIFE'), ('HOME', 'HALL', 'FOLD', 'STYLE', 'CARD'),
                    ('OUT', 'TRAIL', 'WALK', 'CALM', 'PORT')) v(a1, a2, b, c, d),
       LATERAL rolloy.create_project(v.a1, v.a2, v.b, v.c, v.d, 'Leo ' || v.a2);
SELECT count(rolloy.generate_prompt(id, 'template')) FROM rolloy.creative_projects;
SELECT count(*) FROM rolloy.creative_projects p, LATERAL rolloy.batch_generate(p.id, '{"variants": 1, "provider": "gemini"}') b;
RESET ROLE;
