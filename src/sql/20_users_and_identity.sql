-- Users and identity. Who is calling is resolved once per statement by current_user_id():
--   1. a Postgres role mapped in users.pg_role (psql, BI tools) — wins, claims are ignored;
--   2. otherwise, for roles that are members of rolloy_api (PostgREST's `authenticated`), the
--      `sub` claim of request.jwt.claims, which must be a users.id.

CREATE TYPE rolloy.user_role AS ENUM ('admin', 'member');
COMMENT ON TYPE rolloy.user_role IS 'admin: sees and manages everything; member: own projects only.';

CREATE TABLE rolloy.users (
    id                   uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    email                text NOT NULL CHECK (email ~ '^[^@\s]+@[^@\s]+\.[^@\s]+$' AND length(email) <= 254),
    display_name         text NOT NULL CHECK (btrim(display_name) <> '' AND length(display_name) <= 120),
    role                 rolloy.user_role NOT NULL DEFAULT 'member',
    monthly_image_quota  integer NOT NULL DEFAULT 500 CHECK (monthly_image_quota >= 0),
    monthly_budget_usd   numeric(12, 2) NOT NULL DEFAULT 50 CHECK (monthly_budget_usd >= 0),
    pg_role              name UNIQUE,
    is_active            boolean NOT NULL DEFAULT true,
    created_at           timestamptz NOT NULL DEFAULT now(),
    updated_at           timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX users_email_unique ON rolloy.users (lower(email));
COMMENT ON TABLE rolloy.users IS
    'People who use rolloy, their role, quotas and optional Postgres login. Members read their own row '
    'and may change its display_name; admins manage all.';
COMMENT ON COLUMN rolloy.users.id IS 'User id; the `sub` claim of PostgREST JWTs.';
COMMENT ON COLUMN rolloy.users.email IS 'E-mail address, unique regardless of case; at most 254 characters.';
COMMENT ON COLUMN rolloy.users.display_name IS 'Name shown in reports; at most 120 characters.';
COMMENT ON COLUMN rolloy.users.role IS 'admin or member.';
COMMENT ON COLUMN rolloy.users.monthly_image_quota IS 'Images the user may generate per calendar month (UTC).';
COMMENT ON COLUMN rolloy.users.monthly_budget_usd IS 'USD the user may spend on provider calls per calendar month (UTC).';
COMMENT ON COLUMN rolloy.users.pg_role IS 'Postgres role (psql login) that acts as this user; NULL for PostgREST-only users.';
COMMENT ON COLUMN rolloy.users.is_active IS 'Inactive users resolve to no identity and can do nothing.';
CREATE TRIGGER touch_updated_at BEFORE UPDATE ON rolloy.users
    FOR EACH ROW EXECUTE FUNCTION rolloy_internal._touch_updated_at();
SELECT pg_catalog.pg_extension_config_dump('rolloy.users', '');

-- SECURITY DEFINER so that resolving identity never depends on the users policies (which
-- themselves use the identity). It maps any role name or JWT subject to an id, so only the
-- extension owner may call it; the caller-facing current_user_id() passes the real caller.
CREATE FUNCTION rolloy_internal._resolve_user(role_name name, jwt_claims text) RETURNS uuid
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    resolved uuid;
    subject text;
BEGIN
    SELECT u.id INTO resolved FROM rolloy.users u WHERE u.pg_role = role_name AND u.is_active;
    IF FOUND THEN
        RETURN resolved;
    END IF;
    IF NULLIF(jwt_claims, '') IS NULL OR NOT pg_has_role(role_name, 'rolloy_api', 'MEMBER') THEN
        RETURN NULL;
    END IF;
    BEGIN
        subject := jwt_claims::jsonb ->> 'sub';
    EXCEPTION WHEN invalid_text_representation THEN
        RETURN NULL;  -- not JSON: no identity rather than an error in every policy
    END;
    IF subject IS NULL OR subject !~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' THEN
        RETURN NULL;
    END IF;
    SELECT u.id INTO resolved FROM rolloy.users u WHERE u.id = subject::uuid AND u.is_active;
    RETURN resolved;
END
$$;

-- The role the caller acts as: current_user outside SECURITY DEFINER functions, and inside
-- them still the caller's role (Postgres' "outer" user id), so definer functions know who
-- called them.
CREATE FUNCTION rolloy_internal._outer_role() RETURNS name
LANGUAGE C STABLE PARALLEL SAFE AS 'MODULE_PATHNAME', 'rolloy_outer_role';

-- SECURITY DEFINER (a policy helper): it resolves the outer role, i.e. always the caller, and
-- only the owner may call the resolver, which answers for any role.
CREATE FUNCTION rolloy.current_user_id() RETURNS uuid
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
    SELECT rolloy_internal._resolve_user(rolloy_internal._outer_role(),
                                         pg_catalog.current_setting('request.jwt.claims', true))
$$;
COMMENT ON FUNCTION rolloy.current_user_id() IS
    'The rolloy user id of this session: the users row mapped to the caller''s role, else (for members of '
    'rolloy_api, i.e. PostgREST) the JWT claim sub; NULL when neither resolves to an active user. '
    'Anyone with the schema may call it; it answers only about the caller.';

CREATE FUNCTION rolloy_internal._user_is_admin(user_id uuid) RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
    SELECT coalesce((SELECT u.role = 'admin' FROM rolloy.users u WHERE u.id = user_id AND u.is_active), false)
$$;

CREATE FUNCTION rolloy.is_admin() RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
    SELECT rolloy_internal._user_is_admin(rolloy.current_user_id())
$$;
COMMENT ON FUNCTION rolloy.is_admin() IS
    'True when the rolloy user of this session has role admin and is active. Anyone with the schema may '
    'call it; it answers only about the caller.';

-- Raises a clear error when the session maps to no rolloy user; returns the id otherwise.
CREATE FUNCTION rolloy_internal.require_user() RETURNS uuid
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    me uuid := rolloy.current_user_id();
BEGIN
    IF me IS NULL THEN
        RAISE EXCEPTION 'no rolloy user for role "%"', rolloy_internal._outer_role()
            USING ERRCODE = 'insufficient_privilege',
                  HINT = 'An admin maps a login with rolloy.users.pg_role, or call through PostgREST '
                         'with a JWT whose sub is a rolloy.users.id.';
    END IF;
    RETURN me;
END
$$;
COMMENT ON FUNCTION rolloy_internal.require_user() IS
    'The current rolloy user id; raises insufficient_privilege when the session maps to none.';

CREATE FUNCTION rolloy_internal.require_admin() RETURNS uuid
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    me uuid := rolloy_internal.require_user();
BEGIN
    IF NOT rolloy_internal._user_is_admin(me) THEN
        RAISE EXCEPTION 'only rolloy admins may do this' USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN me;
END
$$;
COMMENT ON FUNCTION rolloy_internal.require_admin() IS
    'The current user id if an admin; raises insufficient_privilege otherwise.';

-- For functions that pg_cron or an operator runs without a rolloy user (maintenance, imports,
-- insights): admins, or a superuser session mapped to no user (returns NULL then). An unmapped
-- login that merely has rolloy_member has no identity either, and must not pass.
CREATE FUNCTION rolloy_internal._require_admin_or_superuser(what text DEFAULT 'do this', hint text DEFAULT NULL)
RETURNS uuid
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    me uuid := rolloy.current_user_id();
BEGIN
    IF me IS NULL THEN
        IF (SELECT r.rolsuper FROM pg_catalog.pg_roles r WHERE r.rolname = rolloy_internal._outer_role()) THEN
            RETURN NULL;
        END IF;
        PERFORM rolloy_internal.require_user();  -- raises: no rolloy user for the role
    END IF;
    IF NOT rolloy_internal._user_is_admin(me) THEN
        IF hint IS NULL THEN
            RAISE EXCEPTION 'only rolloy admins may %', what USING ERRCODE = 'insufficient_privilege';
        END IF;
        RAISE EXCEPTION 'only rolloy admins may %', what USING ERRCODE = 'insufficient_privilege', HINT = hint;
    END IF;
    RETURN me;
END
$$;

-- Members may edit their display name only; role, quotas and login mapping are admin matters.
CREATE FUNCTION rolloy_internal._guard_user_changes() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    IF rolloy.is_admin() OR current_user = (SELECT e.extowner::regrole::name FROM pg_catalog.pg_extension e
                                            WHERE e.extname = 'rolloy') THEN
        RETURN NEW;
    END IF;
    IF (NEW.id, NEW.email, NEW.role, NEW.monthly_image_quota, NEW.monthly_budget_usd, NEW.pg_role, NEW.is_active)
       IS DISTINCT FROM
       (OLD.id, OLD.email, OLD.role, OLD.monthly_image_quota, OLD.monthly_budget_usd, OLD.pg_role, OLD.is_active) THEN
        RAISE EXCEPTION 'members may change only their display_name'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER guard_user_changes BEFORE UPDATE ON rolloy.users
    FOR EACH ROW EXECUTE FUNCTION rolloy_internal._guard_user_changes();

ALTER TABLE rolloy.users ENABLE ROW LEVEL SECURITY;
CREATE POLICY users_select ON rolloy.users FOR SELECT
    USING (id = (SELECT rolloy.current_user_id()) OR (SELECT rolloy.is_admin()));
CREATE POLICY users_insert ON rolloy.users FOR INSERT WITH CHECK ((SELECT rolloy.is_admin()));
CREATE POLICY users_update ON rolloy.users FOR UPDATE
    USING (id = (SELECT rolloy.current_user_id()) OR (SELECT rolloy.is_admin()))
    WITH CHECK (id = (SELECT rolloy.current_user_id()) OR (SELECT rolloy.is_admin()));
-- No table-level write privilege (it would let a member LOCK the table in any mode and freeze
-- every session): column privileges for the plain INSERT and UPDATE admins (and, of their own
-- display_name, members) make, RLS and the trigger above decide the rows; no DELETE at all,
-- admins remove users with rolloy.delete_user().
GRANT SELECT ON rolloy.users TO rolloy_member;
GRANT INSERT (id, email, display_name, role, monthly_image_quota, monthly_budget_usd, pg_role, is_active),
      UPDATE (email, display_name, role, monthly_image_quota, monthly_budget_usd, pg_role, is_active)
    ON rolloy.users TO rolloy_member;

CREATE FUNCTION rolloy.delete_user(user_id uuid) RETURNS boolean
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    PERFORM rolloy_internal.require_admin();
    DELETE FROM rolloy.users u WHERE u.id = delete_user.user_id;
    RETURN FOUND;
END
$$;
REVOKE ALL ON FUNCTION rolloy.delete_user(uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION rolloy.delete_user(uuid) TO rolloy_member;
COMMENT ON FUNCTION rolloy.delete_user(uuid) IS
    'Deletes a user; true when there was one. Admins only. A user who owns projects or reference photos '
    'cannot be deleted (23503): set is_active = false instead.';
