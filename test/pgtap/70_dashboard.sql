-- The dashboard (rolloy.dashboard and the image handlers): bad input fails with a clear message,
-- another user's project answers like a missing one, hostile text comes out escaped on every
-- page, members see their own creatives and admins all, and the media types are what PostgREST
-- needs. The browser's view of the same pages: test/integration/dashboard_browser.sh.
BEGIN;
\ir 00_fixture.inc
SELECT plan(40);  -- fixed: a probe that returns no rows cannot pass unnoticed

-- A page as an identity (rolled back like probe(); plpgsql variables survive the rollback).
CREATE FUNCTION pg_temp.page(ctx text, statement text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    html text;
BEGIN
    BEGIN
        PERFORM pg_temp.enter(ctx);
        EXECUTE statement INTO html;
        RAISE EXCEPTION USING ERRCODE = 'P0099';
    EXCEPTION WHEN SQLSTATE 'P0099' THEN NULL;
    END;
    RETURN html;
END
$$;
-- Runs an expression as an identity: 'rows:1' when it gives a value, else 'error:SQLSTATE message'.
-- (probe() counts rows of a subquery, and the planner need not evaluate a STABLE function whose
-- value nothing uses: the WHERE makes it.)
CREATE FUNCTION pg_temp.call(ctx text, expression text) RETURNS text LANGUAGE sql AS $$
    SELECT pg_temp.probe_message(ctx, 'SELECT 1 WHERE (' || expression || ') IS NOT NULL')
$$;
-- The message of a refusal with every uuid replaced, to compare two refusals.
CREATE FUNCTION pg_temp.refusal(ctx text, expression text) RETURNS text LANGUAGE sql AS $$
    SELECT regexp_replace(pg_temp.call(ctx, expression),
                          '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}', '<id>', 'g')
$$;

-- ---------------------------------------------------------------------------------------------
-- Types and rights: what PostgREST needs to serve the pages and images.
SELECT is((SELECT format_type(t.typbasetype, NULL) FROM pg_type t WHERE t.oid = 'rolloy."text/html"'::regtype), 'text',
          'text/html is a domain over text');
SELECT is((SELECT format_type(t.typbasetype, NULL) FROM pg_type t WHERE t.oid = 'rolloy."*/*"'::regtype), 'bytea',
          '*/* is a domain over bytea');
SELECT is(pg_get_function_result('rolloy.dashboard(text, uuid, text, text, boolean)'::regprocedure), 'rolloy."text/html"',
          'dashboard() returns text/html');
SELECT is(pg_get_function_result(p::regprocedure), 'rolloy."*/*"', p || ' returns */* (answers <img>)')
  FROM unnest(ARRAY['rolloy.image_file(uuid, boolean)', 'rolloy.project_zip_file(uuid)']) p;
SELECT is((SELECT count(*) FROM pg_proc p WHERE p.oid IN ('rolloy.dashboard(text, uuid, text, text, boolean)'::regprocedure,
                                                          'rolloy.image_file(uuid, boolean)'::regprocedure,
                                                          'rolloy.project_zip_file(uuid)'::regprocedure)
                                            AND NOT p.prosecdef AND p.provolatile = 's'), 3::bigint,
          'the page and the handlers run as the caller (RLS decides) and are STABLE (GET)');

-- ---------------------------------------------------------------------------------------------
-- Bad input: clear messages.
SELECT is(pg_temp.call('alice', $$rolloy.dashboard('nope')$$),
          'error:22023 unknown dashboard page "nope" | Pages: overview, project (with project_id), generation.',
          'an unknown page is refused, naming the pages');
SELECT is(split_part(pg_temp.call('alice', $$rolloy.dashboard(NULL)$$), ' ', 1), 'error:22023', 'a NULL page is refused');
SELECT is(pg_temp.call('alice', $$rolloy.dashboard('project')$$),
          'error:22023 the project page needs project_id | GET /rpc/dashboard?page=project&project_id=<uuid>',
          'the project page without project_id is refused');
SELECT is(pg_temp.call('alice', $$rolloy.dashboard(heatmap_x => 'scene', heatmap_y => 'scene')$$),
          'error:22023 heatmap_x and heatmap_y must be two different dimensions | Dimensions: category, scene, action, driver, format.',
          'a heatmap of one dimension against itself is refused');
SELECT is(split_part(pg_temp.call('alice', $$rolloy.dashboard(heatmap_x => 'colour')$$), ' ', 1), 'error:22023',
          'an unknown heatmap dimension is refused');
SELECT is(split_part(pg_temp.call('alice', $$rolloy.dashboard('overview', heatmap_y => NULL)$$), ' ', 1), 'error:22023',
          'a NULL heatmap dimension is refused');

-- Another user's project answers exactly like one that does not exist.
SELECT is(pg_temp.refusal('alice', $$rolloy.dashboard('project', '10000000-0000-0000-0000-0000000000b1')$$),
          'error:42704 project <id> not found | Your own projects (admins: all) have a page.', 'bob''s project: not found for alice');
SELECT is(pg_temp.refusal('alice', $$rolloy.dashboard('project', '10000000-0000-0000-0000-00000000dead')$$),
          pg_temp.refusal('alice', $$rolloy.dashboard('project', '10000000-0000-0000-0000-0000000000b1')$$),
          'a missing project gets the same answer');
SELECT is(split_part(pg_temp.call('admin', $$rolloy.dashboard('project', '10000000-0000-0000-0000-0000000000b1')$$), ' ', 1), 'rows:1',
          'an admin opens bob''s project');
SELECT is(split_part(pg_temp.call('carol_jwt', $$rolloy.dashboard('project', '10000000-0000-0000-0000-0000000000c1')$$), ' ', 1), 'rows:1',
          'a PostgREST member opens her own project');
SELECT is(pg_temp.refusal('bob', $$SELECT rolloy.image_file(id) FROM rolloy.generated_images
                                   WHERE project_id = '10000000-0000-0000-0000-0000000000a1' AND status = 'completed'$$),
          'rows:0', 'image_file of alice''s image: bob sees no such row to ask for');
SELECT is(pg_temp.refusal('bob', $$rolloy.image_file('30000000-0000-0000-0000-000000000001')$$),
          'error:PT404 image <id> not found | Completed images of your own projects (admins: all) are served.',
          'image_file of a missing image: 404');
SELECT is(pg_temp.refusal('bob', format('rolloy.image_file(%L)',
                                        (SELECT id FROM rolloy.generated_images
                                          WHERE project_id = '10000000-0000-0000-0000-0000000000a1' AND status = 'completed'))),
          pg_temp.refusal('bob', $$rolloy.image_file('30000000-0000-0000-0000-000000000001')$$),
          'image_file of another user''s image: the same 404');
SELECT is(pg_temp.refusal('bob', $$rolloy.project_zip_file('10000000-0000-0000-0000-0000000000a1')$$),
          'error:PT404 project <id> not found | Your own projects (admins: all) can be downloaded.',
          'project_zip_file of another user''s project: 404');
SELECT is(split_part(pg_temp.call('anon', $$rolloy.dashboard()$$), ' ', 1), 'error:42501', 'PostgREST''s anonymous role gets no page');
SELECT is(split_part(pg_temp.call('nobody', $$rolloy.dashboard()$$), ' ', 1), 'error:42501', 'a role without rolloy gets no page');
SELECT is(pg_temp.call('stranger', $$rolloy.dashboard()$$),
          'error:42501 no rolloy user for role "tap_stranger" | An admin maps a login with rolloy.users.pg_role, or call through '
          'PostgREST with a JWT whose sub is a rolloy.users.id.', 'a member role mapped to no user gets no page, and is told why');

-- The image handler serves the bytes and says what they are.
SELECT is(pg_temp.page('alice', format($$SELECT encode(rolloy.image_file(%L, true), 'hex') || ' '
                                         || current_setting('response.headers')$$,
                                       (SELECT id FROM rolloy.generated_images
                                         WHERE project_id = '10000000-0000-0000-0000-0000000000a1' AND status = 'completed'))),
          '01 [{"Content-Type" : "image/jpeg"}, {"Cache-Control" : "private, max-age=86400"}]',
          'image_file: the thumbnail''s bytes, Content-Type image/jpeg in response.headers');

-- Each variant shows its own tier (insight_image_tiers) once its ad has data.
INSERT INTO rolloy.performance_data (platform, ad_key, ad_name, report_date, period_end, project_id, image_id,
                                     impressions, clicks, spend, currency)
SELECT 'meta', g.ad_name, g.ad_name, date '2026-11-02', date '2026-11-02', g.project_id, g.id, 5000, 100, 10, 'USD'
  FROM rolloy.generated_images g WHERE g.project_id = '10000000-0000-0000-0000-0000000000a1' AND g.status = 'completed';
CREATE TEMP TABLE refreshed AS SELECT * FROM rolloy.refresh_insights();
SELECT ok(strpos(pg_temp.page('alice', $$SELECT rolloy.dashboard('project', '10000000-0000-0000-0000-0000000000a1')$$),
                 'Tier: <span class="tier">below 50</span>, rank 1 of 1 images, CTR 2.00 %') > 0,
          'a variant with data shows its own tier and rank among the images');

-- ---------------------------------------------------------------------------------------------
-- Hostile text in every place a user can write it comes out escaped.
UPDATE rolloy.creative_projects SET title = '<script>alert("t")</script>', notes = '"''><img src=x onerror=alert(1)> & more'
 WHERE id = '10000000-0000-0000-0000-0000000000a1';
UPDATE rolloy.creative_projects SET prompt = '</pre><script>alert(2)</script>' WHERE id = '10000000-0000-0000-0000-0000000000a1';
UPDATE rolloy.users SET display_name = 'Alice <b onmouseover=alert(3)>' WHERE id = '00000000-0000-0000-0000-0000000000a1';
UPDATE rolloy.generated_images SET status = 'failed', last_error = 'HTTP 400: <svg onload=alert(4)> "quoted"'
 WHERE project_id = '10000000-0000-0000-0000-0000000000a1' AND variant_no = 2;
CREATE TEMP TABLE pages AS
SELECT 'project' AS page, pg_temp.page('alice', $$SELECT rolloy.dashboard('project', '10000000-0000-0000-0000-0000000000a1')$$) AS html
UNION ALL SELECT 'generation', pg_temp.page('alice', $$SELECT rolloy.dashboard('generation')$$)
UNION ALL SELECT 'overview', pg_temp.page('alice', $$SELECT rolloy.dashboard()$$);

SELECT is((SELECT count(*) FROM pages WHERE html IS NOT NULL), 3::bigint, 'all three pages render for alice');
SELECT ok(strpos(html, '&lt;script&gt;alert(&quot;t&quot;)&lt;/script&gt;') > 0, 'the title is escaped') FROM pages WHERE page = 'project';
SELECT ok(strpos(html, '&quot;&#39;&gt;&lt;img src=x onerror=alert(1)&gt; &amp; more') > 0, 'the notes are escaped')
  FROM pages WHERE page = 'project';
SELECT ok(strpos(html, '&lt;/pre&gt;&lt;script&gt;alert(2)&lt;/script&gt;') > 0, 'the prompt is escaped') FROM pages WHERE page = 'project';
SELECT ok(strpos(html, 'HTTP 400: &lt;svg onload=alert(4)&gt; &quot;quoted&quot;') > 0, 'a failure message is escaped')
  FROM pages WHERE page = 'generation';
SELECT ok(strpos(html, 'Alice &lt;b onmouseover=alert(3)&gt;') > 0, 'the user''s name is escaped') FROM pages WHERE page = 'overview';
SELECT is((SELECT string_agg(page, ',' ORDER BY page) FROM pages
            WHERE html ~ '<(img src=x|svg onload|b onmouseover|script>alert|/pre><script)'),
          NULL, 'no page carries any of the hostile markup unescaped');
SELECT is((SELECT string_agg(page || ':' || (length(html) - length(replace(html, '<script', ''))) / 7, ',' ORDER BY page)
             FROM pages),
          'generation:1,overview:1,project:1', 'each page holds exactly one script element, its own');
-- The Content-Security-Policy allows that one script by its hash: nothing injected could run.
SELECT is((SELECT string_agg(page, ',' ORDER BY page) FROM pages
            WHERE strpos(html, '''sha256-' || encode(sha256(convert_to(substring(html FROM '<script>(.*)</script>'), 'UTF8')), 'base64')
                               || '''') > 0),
          'generation,overview,project', 'the CSP names the hash of the page''s own script');

-- ---------------------------------------------------------------------------------------------
-- Members see their own creatives, admins all (after a refresh, from the insight views).
SELECT is(pg_temp.probe('admin', 'SELECT rolloy.refresh_insights()'), 'rows:7', 'insights refreshed');
DO $$ BEGIN PERFORM rolloy.refresh_insights(); END $$;
CREATE TEMP TABLE scoped AS
SELECT who, pg_temp.page(who, $$SELECT rolloy.dashboard()$$) AS overview,
       pg_temp.page(who, $$SELECT rolloy.dashboard('generation')$$) AS generation
  FROM unnest(ARRAY['alice', 'admin']) who;
SELECT is((SELECT string_agg(who, ',' ORDER BY who) FROM scoped s, rolloy.creative_projects p
            WHERE p.title = 'bob cafe' AND strpos(s.overview, p.generated_name) > 0),
          'admin', 'bob''s creative is on the admin''s leaderboard only');
SELECT is((SELECT string_agg(who, ',' ORDER BY who) FROM scoped s, rolloy.creative_projects p
            WHERE p.id = '10000000-0000-0000-0000-0000000000a1' AND strpos(s.overview, 'data-project-id="' || p.id || '"') > 0),
          'admin,alice', 'alice''s creative is on both leaderboards');
SELECT is((SELECT string_agg(who, ',' ORDER BY who) FROM scoped s WHERE strpos(s.generation, '<h3>Bob</h3>') > 0),
          'admin', 'only the admin sees bob''s usage');
SELECT ok((SELECT strpos(overview, 'admin: all creatives') > 0 FROM scoped WHERE who = 'admin')
          AND (SELECT strpos(overview, 'your creatives') > 0 FROM scoped WHERE who = 'alice'),
          'the page says whose creatives it shows');

-- Thumbnails: linked for PostgREST, inlined as data: URIs for a file saved from psql.
SELECT ok(strpos(pg_temp.page('alice', $$SELECT rolloy.dashboard()$$), 'src="image_file?image_id=') > 0
          AND strpos(pg_temp.page('alice', $$SELECT rolloy.dashboard(inline_images => true)$$), 'src="data:image/jpeg;base64,AQ=="') > 0
          AND strpos(pg_temp.page('alice', $$SELECT rolloy.dashboard(inline_images => true)$$), 'image_file?image_id=') = 0,
          'thumbnails link to image_file, or are inlined (and then nothing links)');

SELECT * FROM finish();
ROLLBACK;
