-- Roles, schema privileges and small helpers every module uses.
--
-- rolloy_member  may use rolloy at all (psql logins and PostgREST's `authenticated` get it);
--                which rows a member sees is decided by row-level security, not by grants.
-- rolloy_admin   additionally may call the administrative functions (provider keys, user
--                management); they also require rolloy.is_admin() (users.role = 'admin').
-- rolloy_api     marks roles whose identity comes from PostgREST's JWT claims
--                (`GRANT rolloy_api TO authenticated`); claims are ignored for other roles, so a
--                psql user cannot impersonate someone by setting request.jwt.claims.
DO $roles$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'rolloy_member') THEN
        CREATE ROLE rolloy_member NOLOGIN;
    END IF;
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'rolloy_admin') THEN
        CREATE ROLE rolloy_admin NOLOGIN;
    END IF;
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'rolloy_api') THEN
        CREATE ROLE rolloy_api NOLOGIN;
    END IF;
    IF NOT pg_has_role('rolloy_admin', 'rolloy_member', 'MEMBER') THEN
        GRANT rolloy_member TO rolloy_admin;
    END IF;
    IF NOT pg_has_role('rolloy_api', 'rolloy_member', 'MEMBER') THEN
        GRANT rolloy_member TO rolloy_api;
    END IF;
END
$roles$;

REVOKE ALL ON SCHEMA rolloy FROM PUBLIC;
GRANT USAGE ON SCHEMA rolloy TO rolloy_member;
-- Functions are executable by PUBLIC by default; without USAGE on the schema PUBLIC cannot reach
-- them. Everything in rolloy is API: docs/api.md lists it with who may use it, and
-- test/integration/api_surface.sh compares that list with the catalog.

COMMENT ON SCHEMA rolloy IS
    'rolloy API: ABCD creative naming, AI image generation, ad-performance import and insights. '
    'Members (rolloy_member) use it; rows are decided by row-level security. Listed in docs/api.md.';

-- Internals: helpers, trigger functions and the helpers of policies, views and CHECKs. Not an
-- API: no role but the extension owner may use the schema, and its functions are executable by
-- the owner only (99_internal_privileges.sql), except the few that run with the caller's rights.
-- Policies, views, triggers, CHECKs and SQL-standard function bodies reach them by OID, which
-- needs no USAGE on the schema.
CREATE SCHEMA rolloy_internal;
REVOKE ALL ON SCHEMA rolloy_internal FROM PUBLIC;
COMMENT ON SCHEMA rolloy_internal IS
    'rolloy internals (helpers, trigger functions, policy helpers): not an API, usable by the extension owner only.';

CREATE FUNCTION rolloy_internal._touch_updated_at() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    NEW.updated_at := pg_catalog.now();
    RETURN NEW;
END
$$;
COMMENT ON FUNCTION rolloy_internal._touch_updated_at() IS 'Trigger: keeps updated_at current on every UPDATE.';

-- C++ helpers shared by the SQL of every module.
CREATE FUNCTION rolloy_internal.check_code(what text, code text) RETURNS text
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE AS 'MODULE_PATHNAME', 'rolloy_check_code';
COMMENT ON FUNCTION rolloy_internal.check_code(text, text) IS
    'Returns code if it is a valid ABCD code (2-8 characters A-Z/0-9, starting with a letter); '
    'otherwise raises invalid_parameter_value naming what (e.g. ''scene code'').';

-- The clear error of a function argument over its limit (the CHECK of the column it goes to is
-- the second line). Never echoes the value: it may be megabytes.
CREATE FUNCTION rolloy_internal._check_length(what text, value text, max_chars integer) RETURNS void
LANGUAGE plpgsql IMMUTABLE SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    IF length(value) > max_chars THEN
        RAISE EXCEPTION '% may be at most % characters (this one has %)', what, max_chars, length(value)
            USING ERRCODE = 'string_data_right_truncation';
    END IF;
END
$$;
COMMENT ON FUNCTION rolloy_internal._check_length(text, text, integer) IS
    'Raises string_data_right_truncation (22001) naming what when value is longer than max_chars characters.';
