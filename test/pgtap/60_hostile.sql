-- The adversarial suite of issue 11 ("least privilege against a hostile member"): a member (psql
-- login), a JWT user (PostgREST's authenticated role with request.jwt.claims), PostgREST's anon and
-- logins without a rolloy identity, each trying every class of abuse:
--   1. shadowing catalogs, rolloy tables, types, functions and operators with temporary objects,
--      under each search_path a session can set, against every trigger-protected operation;
--   2. locks: LOCK TABLE in every mode on every table and view, row locks on every table, and
--      the import's serialisation (no advisory key); the second session that proves nobody waits
--      is test/integration/hostile_locks.sh;
--   3. direct writes: TRUNCATE and DELETE on every table, reference photos without the upload
--      function, the columns of a photo that describe its bytes;
--   4. oversize input to every function argument and every free-text column;
--   5. ownership probes with someone else's real ids and unknown ids (the same answer);
--   6. no identity: every table, view and function returns nothing or refuses.
-- Identities and probe helpers: 00_fixture.inc. Threat table: docs/security.md.
BEGIN;
\ir 00_fixture.inc
SELECT plan(312);

-- Alice's project with images gets a prompt (batch_generate needs one), so that "not found" is
-- the only reason an ownership probe can fail.
UPDATE rolloy.creative_projects SET prompt = 'a senior walks in a park' WHERE id IN
    ('10000000-0000-0000-0000-0000000000a1', '10000000-0000-0000-0000-0000000000b1');

-- The ids every section uses: %1$s … in the statements below (format()).
CREATE TEMP TABLE h AS
SELECT '10000000-0000-0000-0000-0000000000a1'::uuid AS alice_project,                                 -- %1$s
       '10000000-0000-0000-0000-0000000000b1'::uuid AS bob_project,                                   -- %2$s
       (SELECT id FROM rolloy.generated_images WHERE project_id = '10000000-0000-0000-0000-0000000000a1'
         ORDER BY variant_no LIMIT 1) AS alice_image,                                                 -- %3$s
       (SELECT id FROM rolloy.generated_images WHERE project_id = '10000000-0000-0000-0000-0000000000b1'
         ORDER BY variant_no LIMIT 1) AS bob_image,                                                   -- %4$s
       '20000000-0000-0000-0000-000000000001'::uuid AS alice_photo,                                   -- %5$s
       '20000000-0000-0000-0000-000000000002'::uuid AS bob_photo,                                     -- %6$s
       '00000000-0000-0000-0000-0000000000a1'::uuid AS alice,                                         -- %7$s
       '00000000-0000-0000-0000-0000000000b1'::uuid AS bob,                                           -- %8$s
       '00000000-0000-0000-0000-0000000000c1'::uuid AS carol,                                         -- %9$s
       '10000000-0000-0000-0000-0000000000a2'::uuid AS alice_project_without_images,                  -- %10$s
       'ffffffff-0000-4000-8000-00000000beef'::uuid AS unknown;                                       -- %11$s
CREATE FUNCTION pg_temp.ids(statement text) RETURNS text LANGUAGE sql AS $$
    SELECT format(statement, h.alice_project, h.bob_project, h.alice_image, h.bob_image, h.alice_photo, h.bob_photo,
                  h.alice, h.bob, h.carol, h.alice_project_without_images, h.unknown)
      FROM h
$$;

-- =============================================================================================
-- 1. Shadowing. Each probe first creates, as the probing role, temporary objects named like the
-- catalogs rolloy's functions read (a pg_extension naming the prober as the extension's owner,
-- pg_roles and pg_authid calling him a superuser), like every rolloy table (users making him an
-- admin with unlimited quota, provider keys of his own, free prices, projects that are his), like
-- rolloy's types, functions (is_admin() true, length() 0, now() in 2000) and an = operator on
-- uuids that is always true; then sets the session's search_path and runs one operation. With
-- search_path pinned to pg_catalog, pg_temp in every function that runs for another role, and
-- every name qualified, the outcome is the one without the shadows.
CREATE TEMP TABLE shadow_setup AS SELECT $setup$
CREATE TEMP TABLE pg_extension (oid oid, extname name, extowner oid, extnamespace oid, extrelocatable boolean,
                                extversion text, extconfig oid[], extcondition text[]);
INSERT INTO pg_temp.pg_extension (extname, extowner) VALUES ('rolloy', current_user::regrole);
CREATE TEMP TABLE pg_roles (rolname name, rolsuper boolean, oid oid);
INSERT INTO pg_temp.pg_roles VALUES (current_user, true, current_user::regrole);
CREATE TEMP TABLE pg_authid (rolname name, rolsuper boolean, oid oid);
INSERT INTO pg_temp.pg_authid VALUES (current_user, true, current_user::regrole);
CREATE TEMP VIEW pg_namespace AS SELECT 'rolloy'::name AS nspname, 0::oid AS oid;
CREATE TEMP TABLE users (id uuid, email text, display_name text, role text, monthly_image_quota integer,
                         monthly_budget_usd numeric, pg_role name, is_active boolean);
INSERT INTO pg_temp.users
SELECT u, 'shadow@example.com', 'Shadow', 'admin', 1000000, 1000000, current_user, true
  FROM unnest(ARRAY['00000000-0000-0000-0000-0000000000a1', '00000000-0000-0000-0000-0000000000b1',
                    '00000000-0000-0000-0000-0000000000c1', '00000000-0000-0000-0000-00000000dead']::uuid[]) u;
CREATE TEMP TABLE creative_projects (id uuid, created_by uuid, generated_name text, prompt text, scene_id integer,
                                     action_id integer, driver_id integer, format_id integer);
INSERT INTO pg_temp.creative_projects (id, created_by, generated_name, prompt)
SELECT p, '00000000-0000-0000-0000-0000000000a1', 'SHADOW', 'shadow'
  FROM unnest(ARRAY['10000000-0000-0000-0000-0000000000a1', '10000000-0000-0000-0000-0000000000b1',
                    '10000000-0000-0000-0000-0000000000c1']::uuid[]) p;
CREATE TEMP TABLE generated_images (id uuid, project_id uuid, status text, storage_ref text, provider text, model text);
CREATE TEMP TABLE reference_images (id uuid, uploaded_by uuid, storage_ref text, product_state text, is_active boolean);
CREATE TEMP TABLE image_store (storage_ref text, content bytea, thumbnail bytea);
CREATE TEMP TABLE provider_secrets (provider text, api_key text);
INSERT INTO pg_temp.provider_secrets VALUES ('gemini', 'shadow-key-0001'), ('fal', 'shadow-key-0002');
CREATE TEMP TABLE provider_prices (provider text, model text, unit text, price_usd numeric, valid_from timestamptz,
                                   is_seed boolean);
INSERT INTO pg_temp.provider_prices VALUES ('gemini', 'gemini-2.5-flash-image', 'image', 0, '2000-01-01', false);
CREATE TEMP TABLE scenes (id integer); CREATE TEMP TABLE actions (id integer); CREATE TEMP TABLE drivers (id integer);
CREATE TEMP TABLE formats (id integer); CREATE TEMP TABLE insights (id integer);
CREATE TEMP TABLE insight_settings (min_impressions bigint); CREATE TEMP TABLE import_batches (id bigint);
CREATE TEMP TABLE performance_data (ad_key text); CREATE TEMP TABLE api_usage_logs (id bigint);
CREATE TEMP TABLE name_counters (base_name text); CREATE TEMP TABLE import_locks (platform text);
CREATE TYPE pg_temp.user_role AS ENUM ('admin');
CREATE TYPE pg_temp.image_status AS ENUM ('completed');
CREATE FUNCTION pg_temp.is_admin() RETURNS boolean LANGUAGE sql AS 'SELECT true';
CREATE FUNCTION pg_temp.current_user_id() RETURNS uuid LANGUAGE sql AS $f$SELECT '00000000-0000-0000-0000-0000000000ad'::uuid$f$;
CREATE FUNCTION pg_temp.length(text) RETURNS integer LANGUAGE sql AS 'SELECT 0';
CREATE FUNCTION pg_temp.now() RETURNS timestamptz LANGUAGE sql AS $f$SELECT '2000-01-01'::timestamptz$f$;
CREATE FUNCTION pg_temp.pg_has_role(name, name, text) RETURNS boolean LANGUAGE sql AS 'SELECT true';
CREATE FUNCTION pg_temp.always(uuid, uuid) RETURNS boolean LANGUAGE sql AS 'SELECT true';
CREATE OPERATOR pg_temp.= (LEFTARG = uuid, RIGHTARG = uuid, FUNCTION = pg_temp.always);
$setup$::text AS sql;

CREATE TEMP TABLE search_paths (pos integer, path text);
INSERT INTO search_paths VALUES (1, NULL),  -- the default: "$user", public (pg_temp first, implicitly)
                                (2, 'pg_temp, rolloy, pg_catalog'), (3, 'pg_temp, pg_catalog');

CREATE TEMP TABLE shadowed (ctx text, what text, statement text, expected text);
INSERT INTO shadowed VALUES
    ('alice', 'make herself admin', $$UPDATE rolloy.users SET role = 'admin' WHERE id = '%7$s'$$, 'error:42501'),
    ('alice', 'raise her quota and budget',
     $$UPDATE rolloy.users SET monthly_image_quota = 1000000, monthly_budget_usd = 1000000 WHERE id = '%7$s'$$, 'error:42501'),
    ('alice', 'map herself to postgres', $$UPDATE rolloy.users SET pg_role = 'postgres' WHERE id = '%7$s'$$, 'error:42501'),
    ('alice', 'rename herself (allowed)', $$UPDATE rolloy.users SET display_name = 'Alice A.' WHERE id = '%7$s'$$, 'rows:1'),
    ('alice', 'give her project to bob', $$UPDATE rolloy.creative_projects SET created_by = '%8$s' WHERE id = '%1$s'$$, 'error:42501'),
    ('alice', 'create a project as bob',
     $$INSERT INTO rolloy.creative_projects (scene_id, action_id, driver_id, format_id, created_by)
       SELECT scene_id, action_id, driver_id, format_id, '%8$s' FROM rolloy.creative_projects WHERE id = '%10$s'$$, 'error:42501'),
    ('alice', 'is_admin()', $$SELECT 1 WHERE rolloy.is_admin()$$, 'rows:0'),
    ('alice', 'read users', $$SELECT * FROM rolloy.users$$, 'rows:1'),
    ('alice', 'regenerate bob''s image', $$SELECT rolloy.regenerate_image('%4$s')$$, 'error:42704'),
    ('alice', 'queue bob''s project', $$SELECT * FROM rolloy.batch_generate('%2$s')$$, 'error:42704'),
    ('alice', 'set a provider key', $$SELECT rolloy.set_provider_key('fal', 'fal-hostile-key-0001')$$, 'error:42501'),
    ('alice', 'list provider keys', $$SELECT * FROM rolloy.provider_keys()$$, 'rows:0'),
    ('alice', 'change the insight settings', $$INSERT INTO rolloy.insight_settings (min_impressions) VALUES (1)$$, 'error:42501'),
    ('alice', 'run cleanup', $$SELECT * FROM rolloy.cleanup()$$, 'error:42501'),
    ('alice', 'refresh insights', $$SELECT * FROM rolloy.refresh_insights()$$, 'error:42501'),
    ('alice', 'change a code', $$UPDATE rolloy.scenes SET scene_code = 'HACK'$$, 'rows:0'),
    ('alice', 'read bob''s usage', $$SELECT * FROM rolloy.usage_this_month('%8$s')$$, 'rows:0'),
    ('alice', 'store over-long notes', $$SELECT rolloy.create_project('OUT', 'PARK', 'WALK', 'JOY', 'UGC', '', repeat('n', 5001))$$,
     'error:22001'),
    ('alice', 'delete bob''s project', $$SELECT rolloy.delete_project('%2$s')$$, 'error:42704'),
    ('alice', 'make prices free', $$UPDATE rolloy.provider_prices SET price_usd = 0$$, 'rows:0'),
    ('alice', 'write bob''s prompt', $$SELECT rolloy.generate_prompt('%2$s', 'template')$$, 'error:42704'),
    ('alice', 'read bob''s image', $$SELECT 1 WHERE rolloy.image('%4$s') IS NOT NULL$$, 'rows:0'),
    ('alice', 'read stored bytes', $$SELECT * FROM rolloy.image_store$$, 'rows:3'),
    ('alice', 'delete bob''s photo', $$SELECT rolloy.delete_reference_image('%6$s')$$, 'error:42704'),
    ('alice', 'describe bob''s photo', $$UPDATE rolloy.reference_images SET description = 'mine now' WHERE id = '%6$s'$$, 'rows:0'),
    ('alice', 'import performance', $$SELECT * FROM rolloy.import_performance('Day,Ad name,Impressions' || chr(10) || '2026-11-01,x,1', 'meta')$$,
     'error:42501'),
    ('carol_jwt', 'make herself admin', $$UPDATE rolloy.users SET role = 'admin' WHERE id = '%9$s'$$, 'error:42501'),
    ('carol_jwt', 'raise her quota', $$UPDATE rolloy.users SET monthly_image_quota = 1000000 WHERE id = '%9$s'$$, 'error:42501'),
    ('carol_jwt', 'is_admin()', $$SELECT 1 WHERE rolloy.is_admin()$$, 'rows:0'),
    ('carol_jwt', 'regenerate alice''s image', $$SELECT rolloy.regenerate_image('%3$s')$$, 'error:42704'),
    ('carol_jwt', 'set a provider key', $$SELECT rolloy.set_provider_key('fal', 'fal-hostile-key-0001')$$, 'error:42501'),
    ('stranger', 'read reference photos', $$SELECT * FROM rolloy.reference_images$$, 'rows:0'),
    ('stranger', 'read alice''s usage as a "superuser"', $$SELECT * FROM rolloy.usage_this_month('%7$s')$$, 'rows:0'),
    ('stranger', 'run cleanup as a "superuser"', $$SELECT * FROM rolloy.cleanup()$$, 'error:42501'),
    ('stranger', 'create a project', $$SELECT rolloy.create_project('OUT', 'PARK', 'WALK', 'JOY', 'UGC')$$, 'error:42501'),
    ('stranger', 'insert a project as a "superuser"',
     $$INSERT INTO rolloy.creative_projects (scene_id, action_id, driver_id, format_id, created_by) VALUES (1, 1, 1, 1, '%7$s')$$,
     'error:42501');

SELECT is(split_part(pg_temp.probe_message(s.ctx, pg_temp.ids(s.statement), (SELECT sql FROM shadow_setup), p.path), ' ', 1),
          s.expected, format('shadowed, search_path %s: %s: %s', coalesce(p.path, 'default'), s.ctx, s.what))
  FROM shadowed s CROSS JOIN search_paths p
 ORDER BY s.ctx, s.what, p.pos;

-- =============================================================================================
-- 2. Locks. Table-level: a role holding INSERT, UPDATE, DELETE or TRUNCATE on a table may LOCK it
-- (UPDATE, DELETE, TRUNCATE: in any mode; INSERT: up to ROW EXCLUSIVE); column privileges do not
-- count (Postgres 15, LockTableAclCheck). No role but the owner holds any of them, so every mode
-- above ACCESS SHARE (which conflicts with ACCESS EXCLUSIVE only) is refused on every table and
-- view, to every identity, admins included.
CREATE TEMP TABLE lock_modes (pos integer, mode text);
INSERT INTO lock_modes VALUES (1, 'ROW SHARE'), (2, 'ROW EXCLUSIVE'), (3, 'SHARE UPDATE EXCLUSIVE'), (4, 'SHARE'),
                              (5, 'SHARE ROW EXCLUSIVE'), (6, 'EXCLUSIVE'), (7, 'ACCESS EXCLUSIVE');
CREATE TEMP TABLE hostile (pos integer, ctx text);
INSERT INTO hostile VALUES (1, 'alice'), (2, 'carol_jwt'), (3, 'stranger'), (4, 'anon'), (5, 'nobody'), (6, 'admin'),
                           (7, 'admin_jwt');
CREATE TEMP TABLE relations AS
SELECT c.oid::regclass::text AS rel, c.relkind FROM pg_class c
 WHERE c.relnamespace IN ('rolloy'::regnamespace, 'rolloy_internal'::regnamespace) AND c.relkind IN ('r', 'v', 'p');

SELECT is(ARRAY(SELECT r.rel FROM relations r
                 WHERE pg_temp.probe(x.ctx, format('LOCK TABLE %s IN %s MODE', r.rel, m.mode)) <> 'error:42501'
                 ORDER BY 1),
          '{}'::text[], format('%s: LOCK TABLE … IN %s MODE is refused on every table and view', x.ctx, m.mode))
  FROM hostile x CROSS JOIN lock_modes m
 ORDER BY x.pos, m.pos;

-- The privileges behind it: nobody but the owner holds a table-level write privilege on a table
-- of rolloy or rolloy_internal.
SELECT is(ARRAY(SELECT format('%s %s %s', r.rolname, p.priv, t.rel)
                  FROM relations t
                 CROSS JOIN (VALUES ('INSERT'), ('UPDATE'), ('DELETE'), ('TRUNCATE'), ('REFERENCES'), ('TRIGGER')) p(priv)
                 CROSS JOIN (SELECT rolname FROM pg_roles WHERE rolname IN ('rolloy_member', 'rolloy_admin', 'rolloy_api',
                                                                            'tap_authenticated', 'tap_alice', 'tap_admin')
                             UNION ALL SELECT 'public') r
                 WHERE t.relkind <> 'v' AND has_table_privilege(r.rolname, t.rel, p.priv)
                 ORDER BY 1),
          '{}'::text[], 'no role but the owner holds INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES or TRIGGER on a table');

-- Row locks: SELECT … FOR UPDATE/SHARE needs UPDATE on some column and only reaches rows the UPDATE
-- policy lets the role change. What stays lockable is the caller's own rows of the three tables
-- a member edits with a plain UPDATE (docs/security.md: the worker gives up such a lock after
-- lock_timeout); no shared row (dictionaries, prices, settings, performance, images, bytes).
CREATE TEMP TABLE row_locks (pos integer, strength text);
INSERT INTO row_locks VALUES (1, 'UPDATE'), (2, 'NO KEY UPDATE'), (3, 'SHARE'), (4, 'KEY SHARE');
SELECT is(ARRAY(SELECT r.rel || ':' || split_part(o.outcome, ':', 2) FROM relations r,
                       LATERAL (SELECT pg_temp.probe(x.ctx, format('SELECT 1 FROM %s FOR %s', r.rel, l.strength)) AS outcome) o
                 WHERE r.relkind = 'r' AND o.outcome NOT IN ('rows:0', 'error:42501')
                 ORDER BY 1),
          CASE x.ctx WHEN 'alice' THEN '{rolloy.creative_projects:2,rolloy.reference_images:1,rolloy.users:1}'
                     WHEN 'carol_jwt' THEN '{rolloy.creative_projects:1,rolloy.users:1}'
                     ELSE '{}' END::text[],
          format('%s: SELECT … FOR %s locks only rows of their own', x.ctx, l.strength))
  FROM hostile x CROSS JOIN row_locks l
 WHERE x.ctx IN ('alice', 'carol_jwt', 'stranger')
 ORDER BY x.pos, l.pos;

-- Imports serialise on their platform's row in rolloy_internal.import_locks, which no member can
-- read, let alone lock; no advisory key is involved that any session could take first.
SELECT is(pg_temp.probe('alice', 'SELECT 1 FROM rolloy_internal.import_locks FOR UPDATE'), 'error:42501',
          'a member cannot take the import''s lock');
SELECT is(pg_temp.probe('carol_jwt', 'SELECT 1 FROM rolloy_internal.import_locks FOR KEY SHARE'), 'error:42501',
          'a JWT user cannot take the import''s lock');
SAVEPOINT import_lock;
SET LOCAL ROLE tap_admin;
SELECT rows_inserted FROM rolloy.import_performance(
    'Day,Ad name,Ad ID,Amount spent (USD),Impressions,Link clicks' || chr(10) || '2026-11-20,Winter promo,w1,1.00,100,1', 'meta');
RESET ROLE;
SELECT is((SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid()), 0::bigint,
          'an import holds no advisory lock');
SELECT is(pg_temp.probe_message('postgres', $$SELECT 1 FROM rolloy_internal.import_locks l WHERE l.platform = 'meta'$$),
          'rows:1', 'an import locks its platform''s row in rolloy_internal.import_locks');
ROLLBACK TO SAVEPOINT import_lock;

-- =============================================================================================
-- 3. Direct writes. TRUNCATE and DELETE: no role holds the privilege (deletes go through
-- delete_project(), delete_reference_image() and the admin functions).
CREATE TEMP TABLE write_ops (pos integer, op text, statement text);
INSERT INTO write_ops VALUES (1, 'TRUNCATE', 'TRUNCATE %s'), (2, 'DELETE', 'DELETE FROM %s');
SELECT is(ARRAY(SELECT r.rel FROM relations r
                 WHERE r.relkind = 'r' AND pg_temp.probe(x.ctx, format(w.statement, r.rel)) <> 'error:42501'
                 ORDER BY 1),
          '{}'::text[], format('%s: %s is refused on every table', x.ctx, w.op))
  FROM hostile x CROSS JOIN write_ops w
 ORDER BY w.pos, x.pos;

-- Reference photos are added only by upload_reference_image() (MIME sniffing, size limits,
-- SHA-256 dedupe): no identity may insert a row, and none may rewrite what describes the bytes.
SELECT is(pg_temp.probe(c, $$INSERT INTO rolloy.reference_images (id, product_state, file_name, mime_type, width, height, size_bytes,
                                                                   sha256, storage_ref)
                              VALUES ('20000000-0000-0000-0000-000000000009', 'both', 'x.jpg', 'image/jpeg', 1, 1, 1,
                                      repeat('9', 64), 'db:reference/20000000-0000-0000-0000-000000000009')$$),
          'error:42501', c || ': a reference photo cannot be inserted without upload_reference_image()')
  FROM unnest(ARRAY['alice', 'carol_jwt', 'admin', 'admin_jwt']) c;
SELECT is(ARRAY(SELECT col FROM unnest(ARRAY['id', 'mime_type', 'width', 'height', 'size_bytes', 'sha256', 'storage_ref',
                                             'uploaded_by', 'created_at']) col
                 WHERE pg_temp.probe(c, format('UPDATE rolloy.reference_images SET %I = %I WHERE id = %L', col, col,
                                               '20000000-0000-0000-0000-000000000001')) <> 'error:42501'),
          '{}'::text[], c || ': the columns that describe a photo''s bytes cannot be changed')
  FROM unnest(ARRAY['alice', 'admin']) c;

-- =============================================================================================
-- 4. Oversize input. Every function argument that takes text, bytes, JSON or an array, given a
-- megabyte (the file of an upload: 26 MB), is refused with a short message that does not echo it
-- (or, for a lookup, answers nothing); 'long:' marks a message of 400 characters or more.
CREATE FUNCTION pg_temp.oversize(ctx text, statement text) RETURNS text LANGUAGE sql AS $$
    SELECT CASE WHEN o LIKE 'error:%' AND length(o) >= 400 THEN 'long:' || split_part(o, ' ', 1) ELSE split_part(o, ' ', 1) END
      FROM pg_temp.probe_message(ctx, statement) o
$$;
CREATE TEMP TABLE oversize_calls (fn text, ctx text, statement text, expected text);
INSERT INTO oversize_calls VALUES
    ('batch_generate(uuid,jsonb)', 'alice', $$SELECT * FROM rolloy.batch_generate('%1$s', jsonb_build_object('model', repeat('m', 1048576)))$$, 'error:22001'),
    ('batch_generate(uuid,jsonb)', 'alice', $$SELECT * FROM rolloy.batch_generate('%1$s', jsonb_build_object(repeat('k', 1048576), 1))$$, 'error:22023'),
    ('batch_generate(uuid,jsonb)', 'alice', $$SELECT * FROM rolloy.batch_generate('%1$s', jsonb_build_object('provider', repeat('p', 1048576)))$$, 'error:22023'),
    ('batch_generate(uuid,jsonb)', 'alice', $$SELECT * FROM rolloy.batch_generate('%1$s', jsonb_build_object('variants', repeat('9', 1048576)))$$, 'error:22023'),
    ('batch_generate(uuid,jsonb)', 'alice', $$SELECT * FROM rolloy.batch_generate('%1$s', jsonb_build_object('reference_image_ids', (SELECT jsonb_agg(gen_random_uuid()) FROM generate_series(1, 1001))))$$, 'error:22023'),
    ('create_project(text,text,text,text,text,text,text)', 'alice', $$SELECT rolloy.create_project(repeat('O', 1048576), 'PARK', 'WALK', 'JOY', 'UGC')$$, 'error:22023'),
    ('create_project(text,text,text,text,text,text,text)', 'alice', $$SELECT rolloy.create_project('OUT', 'PARK', 'WALK', 'JOY', 'UGC', repeat('t', 1048576))$$, 'error:22001'),
    ('create_project(text,text,text,text,text,text,text)', 'alice', $$SELECT rolloy.create_project('OUT', 'PARK', 'WALK', 'JOY', 'UGC', '', repeat('n', 1048576))$$, 'error:22001'),
    ('dashboard(text,uuid,text,text,boolean)', 'alice', $$SELECT 1 WHERE rolloy.dashboard(repeat('p', 1048576)) IS NOT NULL$$, 'error:22023'),
    ('dashboard(text,uuid,text,text,boolean)', 'alice', $$SELECT 1 WHERE rolloy.dashboard(heatmap_x => repeat('x', 1048576)) IS NOT NULL$$, 'error:22023'),
    ('delete_dictionary_entry(text,integer)', 'admin', $$SELECT rolloy.delete_dictionary_entry(repeat('d', 1048576), 1)$$, 'error:22023'),
    ('delete_performance_data(ad_platform,text,date)', 'admin', $$SELECT rolloy.delete_performance_data('meta', repeat('k', 1048576))$$, 'rows:1'),
    ('estimated_image_cost(text,text)', 'alice', $$SELECT 1 WHERE rolloy.estimated_image_cost(repeat('p', 1048576), repeat('m', 1048576)) = 0$$, 'rows:1'),
    ('generate_prompt(uuid,text)', 'alice', $$SELECT rolloy.generate_prompt('%1$s', repeat('p', 1048576))$$, 'error:22023'),
    ('import_csv(text)', 'admin', $$SELECT * FROM rolloy.import_csv(repeat('x', 1048576))$$, 'error:22023'),
    ('import_csv_file(bytea)', 'admin', $$SELECT * FROM rolloy.import_csv_file(convert_to(repeat('x', 1048576), 'UTF8'))$$, 'error:22023'),
    ('import_performance(bytea,text,text,text)', 'admin', $$SELECT * FROM rolloy.import_performance(convert_to('x', 'UTF8'), repeat('p', 1048576))$$, 'error:22023'),
    ('import_performance(text,text,text,text)', 'admin', $$SELECT * FROM rolloy.import_performance('x', 'auto', repeat('o', 1048576))$$, 'error:22023'),
    ('import_performance(text,text,text,text)', 'admin', $$SELECT * FROM rolloy.import_performance('Day,Ad name,Impressions' || chr(10) || '2026-11-01,x,1', 'meta', 'reject_file', repeat('s', 1048576))$$, 'error:22001'),
    -- import_performance_file: an admin without pg_read_server_files is refused before the path is read;
    -- the superuser reaches the checks (PG_VERSION: a file every data directory has).
    ('import_performance_file(text,text,text,text)', 'admin', $$SELECT * FROM rolloy.import_performance_file(repeat('/p', 524288))$$, 'error:42501'),
    ('import_performance_file(text,text,text,text)', 'postgres', $$SELECT * FROM rolloy.import_performance_file(repeat('/p', 524288))$$, 'error:22023'),
    ('import_performance_file(text,text,text,text)', 'postgres', $$SELECT * FROM rolloy.import_performance_file(current_setting('data_directory') || '/PG_VERSION', repeat('p', 1048576))$$, 'error:22023'),
    ('import_performance_file(text,text,text,text)', 'postgres', $$SELECT * FROM rolloy.import_performance_file(current_setting('data_directory') || '/PG_VERSION', 'auto', repeat('o', 1048576))$$, 'error:22023'),
    ('import_performance_file(text,text,text,text)', 'postgres', $$SELECT * FROM rolloy.import_performance_file(current_setting('data_directory') || '/PG_VERSION', 'meta', 'reject_file', repeat('s', 1048576))$$, 'error:22001'),
    ('move_images(text,integer)', 'admin', $$SELECT * FROM rolloy.move_images(repeat('s', 1048576))$$, 'error:22023'),
    ('parse_creative_name(text)', 'alice', $$SELECT 1 WHERE rolloy.parse_creative_name(repeat('20261127_OUT_PARK_WALK_JOY_UGC', 40000)) IS NULL$$, 'rows:1'),
    ('price_of(text,text,text,timestamp with time zone)', 'alice', $$SELECT 1 WHERE rolloy.price_of(repeat('p', 1048576), 'm', repeat('u', 1048576)) IS NULL$$, 'rows:1'),
    ('remove_provider_key(text)', 'admin', $$SELECT rolloy.remove_provider_key(repeat('p', 1048576))$$, 'rows:1'),
    ('schedule_insights(text)', 'admin', $$SELECT rolloy.schedule_insights(repeat('*', 1048576))$$, 'error:22001'),
    ('set_provider_key(text,text)', 'admin', $$SELECT rolloy.set_provider_key(repeat('p', 1048576), 'fal-key-00000001')$$, 'error:22023'),
    ('set_provider_key(text,text)', 'admin', $$SELECT rolloy.set_provider_key('fal', repeat('k', 1048576))$$, 'error:22023'),
    ('set_storage_credentials(text,text)', 'admin', $$SELECT rolloy.set_storage_credentials(repeat('A', 1048576), 'secret-000000001')$$, 'error:22023'),
    ('set_storage_credentials(text,text)', 'admin', $$SELECT rolloy.set_storage_credentials('AKIAOVERSIZE', repeat('s', 1048576))$$, 'error:22023'),
    ('upload_reference_image(bytea,text,product_state,text)', 'alice', $$SELECT rolloy.upload_reference_image(convert_to(repeat('x', 27262976), 'UTF8'), 'big.jpg', 'both')$$, 'error:22023'),
    ('upload_reference_image(bytea,text,product_state,text)', 'alice', $$SELECT rolloy.upload_reference_image('\xffd8ff', repeat('f', 1048576), 'both')$$, 'error:22001'),
    ('upload_reference_image(bytea,text,product_state,text)', 'alice', $$SELECT rolloy.upload_reference_image('\xffd8ff', 'a.jpg', 'both', repeat('d', 1048576))$$, 'error:22001');

SELECT is(pg_temp.oversize(o.ctx, pg_temp.ids(o.statement)), o.expected, format('oversize input: %s (%s)', o.fn, o.ctx))
  FROM oversize_calls o ORDER BY o.fn, o.statement;

SELECT is(ARRAY(SELECT p.proname || '(' || array_to_string(ARRAY(SELECT format_type(t, NULL) FROM unnest(p.proargtypes) t), ',') || ')'
                  FROM pg_proc p
                 WHERE p.pronamespace = 'rolloy'::regnamespace
                   AND EXISTS (SELECT 1 FROM unnest(p.proargtypes) t
                                WHERE t IN ('text'::regtype, 'bytea'::regtype, 'jsonb'::regtype, 'json'::regtype)
                                   OR (SELECT typcategory FROM pg_type WHERE oid = t) = 'A')
                EXCEPT SELECT regexp_replace(replace(fn, 'rolloy.', ''), 'ad_platform|product_state', 'rolloy.\&', 'g')
                         FROM oversize_calls
                 ORDER BY 1),
          '{}'::text[], 'every function argument of text, bytes, JSON or an array gets an oversize probe');

-- Every free-text column a member or an admin may write has a limit (a CHECK) with a clear name,
-- one character over it is refused naming the constraint, and no text column that can be written
-- goes without one.
CREATE TEMP TABLE column_limits (col text, ctx text, statement text, constraint_name text);
INSERT INTO column_limits VALUES
    ('scenes.category', 'admin', $$UPDATE rolloy.scenes SET category = repeat('c', 81)$$, 'scenes_category_check'),
    ('scenes.scene', 'admin', $$UPDATE rolloy.scenes SET scene = repeat('s', 81)$$, 'scenes_scene_check'),
    ('scenes.description', 'admin', $$UPDATE rolloy.scenes SET description = repeat('d', 2001)$$, 'scenes_description_length'),
    ('actions.name', 'admin', $$UPDATE rolloy.actions SET name = repeat('n', 81)$$, 'actions_name_check'),
    ('actions.description', 'admin', $$UPDATE rolloy.actions SET description = repeat('d', 2001)$$, 'actions_description_length'),
    ('drivers.emotion', 'admin', $$UPDATE rolloy.drivers SET emotion = repeat('e', 81)$$, 'drivers_emotion_check'),
    ('drivers.keywords', 'admin', $$UPDATE rolloy.drivers SET keywords = ARRAY[repeat('k', 1001)]$$, 'drivers_keywords_length'),
    ('drivers.keywords', 'admin', $$UPDATE rolloy.drivers SET keywords = array_fill('k'::text, ARRAY[31])$$, 'drivers_keywords_length'),
    ('drivers.description', 'admin', $$UPDATE rolloy.drivers SET description = repeat('d', 2001)$$, 'drivers_description_length'),
    ('formats.name', 'admin', $$UPDATE rolloy.formats SET name = repeat('n', 81)$$, 'formats_name_check'),
    ('formats.description', 'admin', $$UPDATE rolloy.formats SET description = repeat('d', 2001)$$, 'formats_description_length'),
    ('users.email', 'admin', $$UPDATE rolloy.users SET email = repeat('e', 250) || '@x.io' WHERE id = '%7$s'$$, 'users_email_check'),
    ('users.display_name', 'alice', $$UPDATE rolloy.users SET display_name = repeat('d', 121) WHERE id = '%7$s'$$, 'users_display_name_check'),
    ('reference_images.file_name', 'alice', $$UPDATE rolloy.reference_images SET file_name = repeat('f', 256) WHERE id = '%5$s'$$, 'reference_images_file_name_check'),
    ('reference_images.description', 'alice', $$UPDATE rolloy.reference_images SET description = repeat('d', 2001) WHERE id = '%5$s'$$, 'reference_images_description_length'),
    ('creative_projects.title', 'alice', $$UPDATE rolloy.creative_projects SET title = repeat('t', 201) WHERE id = '%1$s'$$, 'creative_projects_title_check'),
    ('creative_projects.notes', 'alice', $$UPDATE rolloy.creative_projects SET notes = repeat('n', 5001) WHERE id = '%1$s'$$, 'creative_projects_notes_length'),
    ('creative_projects.notes', 'carol_jwt', $$INSERT INTO rolloy.creative_projects (scene_id, action_id, driver_id, format_id, notes)
                                               SELECT scene_id, action_id, driver_id, format_id, repeat('n', 1048576)
                                                 FROM rolloy.creative_projects WHERE created_by = '%9$s'$$, 'creative_projects_notes_length'),
    ('provider_prices.model', 'admin_jwt', $$INSERT INTO rolloy.provider_prices (provider, model, unit, price_usd) VALUES ('fal', repeat('m', 121), 'image', 1)$$, 'provider_prices_model_check'),
    ('provider_prices.notes', 'admin_jwt', $$INSERT INTO rolloy.provider_prices (provider, model, unit, price_usd, notes) VALUES ('fal', 'm', 'image', 1, repeat('n', 501))$$, 'provider_prices_notes_length'),
    ('ad_platforms.spellings', 'admin', $$UPDATE rolloy.ad_platforms SET spellings = array_fill('s'::text, ARRAY[21])$$, 'ad_platforms_spellings_length'),
    ('ad_platforms.detection_headers', 'admin', $$UPDATE rolloy.ad_platforms SET detection_headers = ARRAY[repeat('h', 2001)]$$, 'ad_platforms_detection_headers_length'),
    ('ad_platforms.label', 'admin', $$UPDATE rolloy.ad_platforms SET label = repeat('l', 101)$$, 'ad_platforms_label_length'),
    ('performance_data.ad_key', 'admin', $$UPDATE rolloy.performance_data SET ad_key = repeat('k', 1001)$$, 'ads_ad_key_length'),
    ('performance_data.ad_id', 'admin', $$UPDATE rolloy.performance_data SET ad_id = repeat('i', 1001)$$, 'ads_ad_id_length'),
    ('performance_data.ad_name', 'admin', $$UPDATE rolloy.performance_data SET ad_name = repeat('é', 501)$$, 'ads_ad_name_length'),
    ('performance_data.campaign', 'admin', $$UPDATE rolloy.performance_data SET campaign = repeat('c', 1001)$$, 'ads_campaign_length'),
    ('performance_data.ad_group', 'admin', $$UPDATE rolloy.performance_data SET ad_group = repeat('g', 1001)$$, 'ads_ad_group_length'),
    ('performance_data.creative_name', 'admin', $$UPDATE rolloy.performance_data SET creative_name = repeat('c', 1001)$$, 'ads_creative_name_length');

SELECT is(CASE WHEN o LIKE 'error:23514 %' THEN 'error:23514 ' || substring(o FROM 'check constraint "([^"]+)"') ELSE o END,
          'error:23514 ' || l.constraint_name, format('over the limit: %s (%s)', l.col, l.ctx))
  FROM column_limits l, LATERAL (SELECT split_part(pg_temp.probe_message(l.ctx, pg_temp.ids(l.statement)), ' |', 1) AS o) p
 ORDER BY l.col, l.ctx, l.statement;

-- The class: every text column some role may write holds a CHECK that bounds its length (length,
-- octet_length or cardinality, an anchored pattern, or a list of values).
SELECT is(ARRAY(SELECT DISTINCT c.relname || '.' || a.attname
                  FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
                 WHERE c.relnamespace = 'rolloy'::regnamespace AND c.relkind = 'r' AND a.attnum > 0 AND NOT a.attisdropped
                   AND a.atttypid IN ('text'::regtype, 'text[]'::regtype)
                   AND (has_column_privilege('rolloy_member', c.oid, a.attnum, 'INSERT')
                        OR has_column_privilege('rolloy_member', c.oid, a.attnum, 'UPDATE'))
                   AND NOT EXISTS (
                       SELECT 1 FROM pg_constraint k
                        WHERE k.conrelid = c.oid AND k.contype = 'c' AND a.attnum = ANY (k.conkey)
                          AND pg_get_constraintdef(k.oid) ~ ('(length|octet_length|cardinality)\(' || a.attname || '\)|'
                                                             || a.attname || ' ~ ''\^.*\$''|' || a.attname || ' = ANY|'
                                                             || '_is_currency_code\(' || a.attname || '\)'))
                 ORDER BY 1),
          '{}'::text[], 'every text column a member or an admin may write has a length limit');

-- =============================================================================================
-- 5. Ownership probes. A function given the id of something someone else owns answers exactly as
-- for an id that does not exist (SQLSTATE, message, detail and hint; the ids themselves masked),
-- and that answer is a refusal or nothing. 0.1.0's regenerate_image told the project id of an
-- image a member could not see.
CREATE FUNCTION pg_temp.masked(outcome text) RETURNS text LANGUAGE sql AS $$
    SELECT regexp_replace(outcome, '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}', '<id>', 'g')
$$;
CREATE TEMP TABLE ownership (what text, ctx text, statement text, expected text);
INSERT INTO ownership VALUES
    ('batch_generate', 'alice', $$SELECT * FROM rolloy.batch_generate('%2$s')$$, 'error:42704'),
    ('cancel_generation', 'alice', $$SELECT rolloy.cancel_generation('%2$s')$$, 'error:42704'),
    ('retry_failed', 'alice', $$SELECT rolloy.retry_failed('%2$s')$$, 'error:42704'),
    ('regenerate_image', 'alice', $$SELECT rolloy.regenerate_image('%4$s')$$, 'error:42704'),
    ('generate_prompt', 'alice', $$SELECT rolloy.generate_prompt('%2$s', 'template')$$, 'error:42704'),
    ('project_zip', 'alice', $$SELECT 1 WHERE rolloy.project_zip('%2$s') IS NOT NULL$$, 'error:42704'),
    ('reference_images_for', 'alice', $$SELECT * FROM rolloy.reference_images_for('%2$s')$$, 'rows:0'),
    ('usage_this_month', 'alice', $$SELECT * FROM rolloy.usage_this_month('%8$s')$$, 'rows:0'),
    ('image', 'alice', $$SELECT 1 WHERE rolloy.image('%4$s') IS NOT NULL$$, 'rows:0'),
    ('thumbnail', 'alice', $$SELECT 1 WHERE rolloy.thumbnail('%4$s') IS NOT NULL$$, 'rows:0'),
    ('delete_project', 'alice', $$SELECT rolloy.delete_project('%2$s')$$, 'error:42704'),
    ('delete_reference_image', 'alice', $$SELECT rolloy.delete_reference_image('%6$s')$$, 'error:42704'),
    ('UPDATE of a project', 'alice', $$UPDATE rolloy.creative_projects SET title = 'mine' WHERE id = '%2$s'$$, 'rows:0'),
    ('INSERT of a project with an id', 'alice', $$INSERT INTO rolloy.creative_projects (id, scene_id, action_id, driver_id, format_id)
                                                  VALUES ('%2$s', 1, 1, 1, 1)$$, 'error:42501'),
    ('regenerate_image', 'carol_jwt', $$SELECT rolloy.regenerate_image('%4$s')$$, 'error:42704'),
    ('batch_generate', 'carol_jwt', $$SELECT * FROM rolloy.batch_generate('%2$s')$$, 'error:42704'),
    ('project_zip', 'carol_jwt', $$SELECT 1 WHERE rolloy.project_zip('%2$s') IS NOT NULL$$, 'error:42704'),
    ('delete_project', 'carol_jwt', $$SELECT rolloy.delete_project('%2$s')$$, 'error:42704');

SELECT is(pg_temp.masked(pg_temp.probe_message(o.ctx, pg_temp.ids(o.statement))),
          pg_temp.masked(pg_temp.probe_message(o.ctx, pg_temp.ids(replace(replace(replace(replace(o.statement,
              '%2$s', '%11$s'), '%4$s', '%11$s'), '%6$s', '%11$s'), '%8$s', '%11$s')))),
          format('%s: %s of someone else''s id answers as for an unknown id', o.ctx, o.what))
  FROM ownership o ORDER BY o.ctx, o.what;
SELECT is(split_part(pg_temp.probe_message(o.ctx, pg_temp.ids(o.statement)), ' ', 1), o.expected,
          format('%s: %s of someone else''s id is refused or empty', o.ctx, o.what))
  FROM ownership o ORDER BY o.ctx, o.what;

-- =============================================================================================
-- 6. No identity. A login that maps to no rolloy user, JWTs whose sub is unknown, an inactive
-- user's or no uuid, no claims at all, PostgREST's anon and a login without rolloy roles: every
-- table and view returns no row or refuses, and so does every function (a NULL, false or 0 is
-- nothing).
CREATE TEMP TABLE no_identity (pos integer, ctx text);
INSERT INTO no_identity VALUES (1, 'stranger'), (2, 'unknown_jwt'), (3, 'inactive_jwt'), (4, 'garbage_jwt'), (5, 'anon_jwt'),
                               (6, 'anon'), (7, 'nobody');
SELECT is(ARRAY(SELECT r.rel FROM relations r
                 WHERE r.rel LIKE 'rolloy.%'
                   AND pg_temp.probe(x.ctx, CASE r.rel
                         WHEN 'rolloy.queue_metrics' THEN  -- one row of counts, always: none may be other than zero
                              'SELECT * FROM rolloy.queue_metrics WHERE greatest(pending, pending_due, processing, expired_leases,
                                      failed_last_hour, completed_last_hour) > 0 OR oldest_pending_seconds IS NOT NULL'
                         ELSE 'SELECT * FROM ' || r.rel END) NOT IN ('rows:0', 'error:42501')
                 ORDER BY 1),
          '{}'::text[], x.ctx || ': every table and view returns nothing or refuses')
  FROM no_identity x ORDER BY x.pos;

-- Each function called so that it returns a row only when it answers with data (a STABLE function
-- in a select list the count does not read would not even be called: those go in WHERE).
CREATE TEMP TABLE function_calls (fn text, statement text);
INSERT INTO function_calls VALUES
    ('batch_generate', $$SELECT * FROM rolloy.batch_generate('%1$s')$$),
    ('cancel_generation', $$SELECT rolloy.cancel_generation('%1$s')$$),
    ('cleanup', $$SELECT * FROM rolloy.cleanup()$$),
    ('create_project', $$SELECT * FROM rolloy.create_project('OUT', 'PARK', 'WALK', 'JOY', 'UGC')$$),
    ('current_user_id', $$SELECT 1 WHERE rolloy.current_user_id() IS NOT NULL$$),
    ('dashboard', $$SELECT 1 WHERE rolloy.dashboard() IS NOT NULL$$),
    ('dashboard', $$SELECT 1 WHERE rolloy.dashboard('project', '%1$s') IS NOT NULL$$),
    ('dashboard', $$SELECT 1 WHERE rolloy.dashboard('generation') IS NOT NULL$$),
    ('delete_dictionary_entry', $$SELECT rolloy.delete_dictionary_entry('formats', 1)$$),
    ('delete_performance_data', $$SELECT rolloy.delete_performance_data('meta', 'Spring promo')$$),
    ('delete_project', $$SELECT rolloy.delete_project('%10$s')$$),
    ('delete_provider_price', $$SELECT rolloy.delete_provider_price(1)$$),
    ('delete_reference_image', $$SELECT rolloy.delete_reference_image('%5$s')$$),
    ('delete_user', $$SELECT rolloy.delete_user('%7$s')$$),
    ('estimated_image_cost', $$SELECT 1 WHERE rolloy.estimated_image_cost('gemini', 'gemini-2.5-flash-image') > 0$$),
    ('generate_prompt', $$SELECT rolloy.generate_prompt('%1$s', 'template')$$),
    ('image', $$SELECT 1 WHERE rolloy.image('%3$s') IS NOT NULL$$),
    ('image_file', $$SELECT 1 WHERE rolloy.image_file('%3$s', true) IS NOT NULL$$),
    ('image_url', $$SELECT 1 WHERE rolloy.image_url('%3$s') IS NOT NULL$$),
    ('import_csv', $$SELECT * FROM rolloy.import_csv('Day,Ad name,Impressions' || chr(10) || '2026-11-01,x,1')$$),
    ('import_csv_file', $$SELECT * FROM rolloy.import_csv_file(convert_to('Day,Ad name,Impressions' || chr(10) || '2026-11-01,x,1', 'UTF8'))$$),
    ('import_performance', $$SELECT * FROM rolloy.import_performance('Day,Ad name,Impressions' || chr(10) || '2026-11-01,x,1')$$),
    ('import_performance', $$SELECT * FROM rolloy.import_performance(convert_to('Day,Ad name,Impressions' || chr(10) || '2026-11-01,x,1', 'UTF8'))$$),
    ('import_performance_file', $$SELECT * FROM rolloy.import_performance_file('/nonexistent/export.csv')$$),
    ('is_admin', $$SELECT 1 WHERE rolloy.is_admin()$$),
    ('load_sample_dictionaries', $$SELECT * FROM rolloy.load_sample_dictionaries()$$),
    ('move_images', $$SELECT * FROM rolloy.move_images('db')$$),
    ('price_of', $$SELECT 1 WHERE rolloy.price_of('gemini', 'gemini-2.5-flash-image', 'image') IS NOT NULL$$),
    ('project_zip', $$SELECT 1 WHERE rolloy.project_zip('%1$s') IS NOT NULL$$),
    ('project_zip_file', $$SELECT 1 WHERE rolloy.project_zip_file('%1$s') IS NOT NULL$$),
    ('provider_keys', $$SELECT * FROM rolloy.provider_keys()$$),
    ('reference_image', $$SELECT 1 WHERE rolloy.reference_image('%5$s') IS NOT NULL$$),
    ('reference_images_for', $$SELECT * FROM rolloy.reference_images_for('%1$s')$$),
    ('refresh_insights', $$SELECT * FROM rolloy.refresh_insights()$$),
    ('regenerate_image', $$SELECT rolloy.regenerate_image('%3$s')$$),
    ('rematch_performance', $$SELECT rolloy.rematch_performance()$$),
    ('remove_provider_key', $$SELECT 1 WHERE rolloy.remove_provider_key('fal')$$),
    ('remove_storage_credentials', $$SELECT 1 WHERE rolloy.remove_storage_credentials()$$),
    ('restart_worker', $$SELECT rolloy.restart_worker()$$),
    ('retry_failed', $$SELECT rolloy.retry_failed('%1$s')$$),
    ('schedule_insights', $$SELECT rolloy.schedule_insights()$$),
    ('set_provider_key', $$SELECT rolloy.set_provider_key('fal', 'fal-anonymous-0001')$$),
    ('set_storage_credentials', $$SELECT rolloy.set_storage_credentials('AKIAANON', 'anonymous-secret-0001')$$),
    ('storage_settings', $$SELECT * FROM rolloy.storage_settings()$$),
    ('thumbnail', $$SELECT 1 WHERE rolloy.thumbnail('%3$s') IS NOT NULL$$),
    ('unschedule_insights', $$SELECT rolloy.unschedule_insights()$$),
    ('upload_reference_image', $$SELECT * FROM rolloy.upload_reference_image('\xffd8ff', 'a.jpg', 'both')$$),
    ('usage_this_month', $$SELECT * FROM rolloy.usage_this_month('%7$s')$$);
-- Not listed: parse_creative_name() computes over its argument only (no data),
-- worker_status() shows the worker's health (its last_error: issue 11 item 3, filtered there),
-- and providers() lists the library's provider registry (names, models, setting names: no data).

SELECT is(ARRAY(SELECT DISTINCT f.fn FROM function_calls f
                 -- PT404: how the browser handlers (image_file, project_zip_file) refuse: HTTP 404
                 WHERE pg_temp.probe(x.ctx, pg_temp.ids(f.statement)) NOT IN ('rows:0', 'error:42501', 'error:PT404')
                 ORDER BY 1),
          '{}'::text[], x.ctx || ': every function returns nothing or refuses')
  FROM no_identity x ORDER BY x.pos;

SELECT is(ARRAY(SELECT DISTINCT p.proname::text FROM pg_proc p WHERE p.pronamespace = 'rolloy'::regnamespace
                EXCEPT SELECT fn FROM function_calls
                EXCEPT SELECT unnest(ARRAY['parse_creative_name', 'providers', 'worker_status'])
                 ORDER BY 1),
          '{}'::text[], 'every function of rolloy is probed without an identity');

SELECT * FROM finish();
ROLLBACK;
