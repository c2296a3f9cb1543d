-- How identity is resolved, and attempts to get around it.
BEGIN;
\ir 00_fixture.inc
SELECT plan(24);  -- fixed: a probe that returns no rows cannot pass unnoticed

CREATE FUNCTION pg_temp.who(ctx text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    result text;
BEGIN
    BEGIN
        PERFORM pg_temp.enter(ctx);
        SELECT coalesce(rolloy.current_user_id()::text, 'none') || '/' || rolloy.is_admin() INTO result;
        RAISE EXCEPTION USING ERRCODE = 'P0099', MESSAGE = result;
    EXCEPTION WHEN SQLSTATE 'P0099' THEN
        RETURN SQLERRM;
    END;
END
$$;

SELECT is(pg_temp.who('alice'), '00000000-0000-0000-0000-0000000000a1/false', 'psql login maps to its user');
SELECT is(pg_temp.who('admin'), '00000000-0000-0000-0000-0000000000ad/true', 'admin login is admin');
SELECT is(pg_temp.who('carol_jwt'), '00000000-0000-0000-0000-0000000000c1/false', 'PostgREST: identity from the sub claim');
SELECT is(pg_temp.who('admin_jwt'), '00000000-0000-0000-0000-0000000000a2/true', 'PostgREST: admin from the sub claim');
SELECT is(pg_temp.who('forged'), '00000000-0000-0000-0000-0000000000a1/false',
          'a mapped psql login cannot become someone else by setting request.jwt.claims');
SELECT is(pg_temp.who('stranger'), 'none/false',
          'a role outside rolloy_api cannot use JWT claims even with a valid sub');
SELECT is(pg_temp.who('anon_jwt'), 'none/false', 'no claims, no identity (claims read back as empty)');

-- Malformed or unknown claims give no identity rather than an error.
CREATE FUNCTION pg_temp.who_with_claims(claims text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    PERFORM set_config('role', 'tap_authenticated', true);
    PERFORM set_config('request.jwt.claims', claims, true);
    RETURN coalesce(rolloy.current_user_id()::text, 'none');
END
$$;
SELECT is(pg_temp.who_with_claims('not json'), 'none', 'claims that are not JSON');
SELECT is(pg_temp.who_with_claims('{"sub":"alice"}'), 'none', 'sub that is not a uuid');
SELECT is(pg_temp.who_with_claims('{"sub":"00000000-0000-0000-0000-000000000999"}'), 'none', 'sub of no user');
SELECT is(pg_temp.who_with_claims('{"sub":"00000000-0000-0000-0000-0000000000e1"}'), 'none', 'sub of an inactive admin');
SELECT is(pg_temp.who_with_claims('{"sub":"00000000-0000-0000-0000-0000000000c1"}'), '00000000-0000-0000-0000-0000000000c1', 'valid sub');
RESET ROLE;

-- Functions do not leak other users' rows.
CREATE FUNCTION pg_temp.as_alice(statement text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    n bigint;
BEGIN
    BEGIN
        PERFORM pg_temp.enter('alice');
        EXECUTE 'SELECT count(*) FROM (' || statement || ') q' INTO n;
        RAISE EXCEPTION USING ERRCODE = 'P0099', MESSAGE = 'rows:' || n;
    EXCEPTION
        WHEN SQLSTATE 'P0099' THEN RETURN SQLERRM;
        WHEN others THEN RETURN 'error:' || SQLSTATE || ' ' || SQLERRM;
    END;
END
$$;
SELECT is(pg_temp.as_alice($$SELECT * FROM rolloy.reference_images_for('10000000-0000-0000-0000-0000000000b1')$$), 'rows:0',
          'reference_images_for() shows nothing for another user''s project');
SELECT is(pg_temp.as_alice($$SELECT * FROM rolloy.reference_images_for('10000000-0000-0000-0000-0000000000a1')$$), 'rows:1',
          'reference_images_for() works for an own project (expanded photo only)');
SELECT is(pg_temp.as_alice($$SELECT * FROM rolloy.project_overview WHERE created_by <> '00000000-0000-0000-0000-0000000000a1'$$), 'rows:0',
          'project_overview shows only own projects');
SELECT is(pg_temp.as_alice($$SELECT * FROM rolloy.load_sample_dictionaries()$$), 'error:42501 only rolloy admins may do this',
          'members cannot load dictionaries');
SELECT is(pg_temp.as_alice($$SELECT rolloy_internal._resolve_user('tap_admin', NULL)$$),
          'error:42501 permission denied for schema rolloy_internal',
          'members cannot ask _resolve_user about another role');

-- SQL-injection-shaped input is data, never SQL.
SELECT is(pg_temp.as_alice($$SELECT * FROM rolloy.create_project('OUT''; DROP TABLE rolloy.users; --', 'PARK', 'WALK', 'JOY', 'UGC')$$),
          'error:22023 the category code is longer than 8 characters (ABCD codes have 2 to 8)',
          'injection in a code is refused as too long, not echoed');
SELECT is(pg_temp.as_alice($$SELECT * FROM rolloy.create_project('O''--', 'PARK', 'WALK', 'JOY', 'UGC')$$),
          'error:42704 unknown scene O''--/PARK', 'a short injection-shaped code is an unknown code');
SELECT is(pg_temp.as_alice($$SELECT * FROM rolloy.create_project('OUT', 'PARK', 'WALK', 'JOY', 'UGC', 'x''); DELETE FROM rolloy.users; --')$$),
          'rows:1', 'injection-shaped title is stored as text');
SELECT is((SELECT count(*) FROM rolloy.users), 7::bigint, 'users intact');
SELECT is(rolloy.parse_creative_name($$20261127_OUT_PARK_WALK_JOY_UGC'); DROP TABLE x; --$$), NULL, 'parser refuses injection text');
SELECT throws_ok($$INSERT INTO rolloy.formats (name, code) VALUES ('x', 'X''--')$$, '22023', NULL, 'injection in a dictionary code is refused');

-- Members who are not users cannot create projects, with a clear message.
CREATE FUNCTION pg_temp.as_stranger_create() RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    BEGIN
        PERFORM pg_temp.enter('stranger');
        PERFORM rolloy.create_project('OUT', 'PARK', 'WALK', 'JOY', 'UGC');
        RETURN 'created';
    EXCEPTION WHEN others THEN
        RETURN SQLSTATE || ' ' || SQLERRM;
    END;
END
$$;
SELECT is(pg_temp.as_stranger_create(), '42501 no rolloy user for role "tap_stranger"', 'unmapped member gets a clear error');

SELECT * FROM finish();
ROLLBACK;
