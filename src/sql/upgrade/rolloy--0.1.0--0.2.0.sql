-- rolloy 0.1.0 -> 0.2.0: ALTER EXTENSION rolloy UPDATE TO '0.2.0'.
--
-- Every schema change of 0.2.0 is here as well as in src/sql/ (fresh installs); the upgrade test
-- (test/integration/upgrade.sh) proves that an upgraded 0.1.0 database and a fresh 0.2.0 install
-- list the same extension objects and that the data survives. Rules for this file:
--   * new columns go at the end of their table (in src/sql/ too): the test compares column order;
--   * data moves with its schema change, in the same statement block, and nothing is dropped
--     before its data has been moved;
--   * functions are replaced whole (CREATE OR REPLACE) or dropped and re-created with their
--     grants and comments when their signature changes.
\echo Use "ALTER EXTENSION rolloy UPDATE TO '0.2.0'" to load this file. \quit

-- == API surface: internals move to rolloy_internal ==
-- rolloy is the API (what PostgREST serves and \df shows, listed in docs/api.md); helpers,
-- trigger functions and policy helpers move to rolloy_internal, which no role but the owner may
-- use. ALTER FUNCTION ... SET SCHEMA keeps each function's OID, so the triggers, policies, views,
-- the CHECK and the defaults that use them keep working; the bodies that name a moved function
-- are replaced below with the text of src/sql/ (once: a function a later section changes again
-- is replaced only there; nothing runs it in between). The test hook _selftest_raise leaves the install
-- (the regression test declares it itself; the library keeps the symbol).
CREATE SCHEMA rolloy_internal;
REVOKE ALL ON SCHEMA rolloy_internal FROM PUBLIC;
COMMENT ON SCHEMA rolloy_internal IS
    'rolloy internals (helpers, trigger functions, policy helpers): not an API, usable by the extension owner only.';
COMMENT ON SCHEMA rolloy IS
    'rolloy API: ABCD creative naming, AI image generation, ad-performance import and insights. '
    'Members (rolloy_member) use it; rows are decided by row-level security. Listed in docs/api.md.';

DROP FUNCTION rolloy._selftest_raise(text);

ALTER FUNCTION rolloy._after_image_change() SET SCHEMA rolloy_internal;
ALTER FUNCTION rolloy._call_cost(text, text, bigint, bigint, integer, numeric) SET SCHEMA rolloy_internal;
ALTER FUNCTION rolloy._check_budget(uuid, numeric) SET SCHEMA rolloy_internal;
ALTER FUNCTION rolloy._check_dictionary_codes() SET SCHEMA rolloy_internal;
ALTER FUNCTION rolloy._check_limits(uuid, integer, text, text, integer, numeric) SET SCHEMA rolloy_internal;
ALTER FUNCTION rolloy._check_performance_references() SET SCHEMA rolloy_internal;
ALTER FUNCTION rolloy._forget_stored_images() SET SCHEMA rolloy_internal;
ALTER FUNCTION rolloy._freeze_used_codes() SET SCHEMA rolloy_internal;
ALTER FUNCTION rolloy._guard_project_owner() SET SCHEMA rolloy_internal;
ALTER FUNCTION rolloy._guard_user_changes() SET SCHEMA rolloy_internal;
ALTER FUNCTION rolloy._importer_hint() SET SCHEMA rolloy_internal;
ALTER FUNCTION rolloy._incomplete_beta(double precision, double precision, double precision) SET SCHEMA rolloy_internal;
ALTER FUNCTION rolloy._insight_scope() SET SCHEMA rolloy_internal;
ALTER FUNCTION rolloy._is_currency_code(text) SET SCHEMA rolloy_internal;
ALTER FUNCTION rolloy._link_waiting_performance() SET SCHEMA rolloy_internal;
ALTER FUNCTION rolloy._ln_gamma(double precision) SET SCHEMA rolloy_internal;
ALTER FUNCTION rolloy._lock_own_project(uuid, boolean) SET SCHEMA rolloy_internal;
ALTER FUNCTION rolloy._name_image() SET SCHEMA rolloy_internal;
ALTER FUNCTION rolloy._name_project() SET SCHEMA rolloy_internal;
ALTER FUNCTION rolloy._outer_role() SET SCHEMA rolloy_internal;
ALTER FUNCTION rolloy._owns_project(uuid) SET SCHEMA rolloy_internal;
ALTER FUNCTION rolloy._protect_seed_prices() SET SCHEMA rolloy_internal;
ALTER FUNCTION rolloy._remove_stored_image(text) SET SCHEMA rolloy_internal;
ALTER FUNCTION rolloy._replace_insight_settings() SET SCHEMA rolloy_internal;
ALTER FUNCTION rolloy._require_admin_or_superuser(text, text) SET SCHEMA rolloy_internal;
ALTER FUNCTION rolloy._require_pg_cron() SET SCHEMA rolloy_internal;
ALTER FUNCTION rolloy._resolve_user(name, text) SET SCHEMA rolloy_internal;
ALTER FUNCTION rolloy._setting(text, text) SET SCHEMA rolloy_internal;
ALTER FUNCTION rolloy._stored_image(text, boolean) SET SCHEMA rolloy_internal;
ALTER FUNCTION rolloy._touch_updated_at() SET SCHEMA rolloy_internal;
ALTER FUNCTION rolloy._unlink_deleted_references() SET SCHEMA rolloy_internal;
ALTER FUNCTION rolloy._user_is_admin(uuid) SET SCHEMA rolloy_internal;
ALTER FUNCTION rolloy._wake_worker_at_commit() SET SCHEMA rolloy_internal;
ALTER FUNCTION rolloy._welch_test(numeric, numeric, numeric, numeric, numeric, numeric) SET SCHEMA rolloy_internal;
ALTER FUNCTION rolloy._withdraw_at_commit() SET SCHEMA rolloy_internal;
ALTER FUNCTION rolloy.check_code(text, text) SET SCHEMA rolloy_internal;
ALTER FUNCTION rolloy.compose_image_name(text, integer) SET SCHEMA rolloy_internal;
ALTER FUNCTION rolloy.require_admin() SET SCHEMA rolloy_internal;
ALTER FUNCTION rolloy.require_user() SET SCHEMA rolloy_internal;
ALTER FUNCTION rolloy.student_t_cdf(double precision, double precision) SET SCHEMA rolloy_internal;
ALTER FUNCTION rolloy.wilson_lower_bound(numeric, numeric, numeric) SET SCHEMA rolloy_internal;
ALTER FUNCTION rolloy.wilson_upper_bound(numeric, numeric, numeric) SET SCHEMA rolloy_internal;

-- Functions that run for another role (triggers, policy helpers) pin search_path.
ALTER FUNCTION rolloy_internal._freeze_used_codes() SET search_path = pg_catalog, pg_temp;
ALTER FUNCTION rolloy_internal._guard_project_owner() SET search_path = pg_catalog, pg_temp;
ALTER FUNCTION rolloy_internal._protect_seed_prices() SET search_path = pg_catalog, pg_temp;
ALTER FUNCTION rolloy_internal._replace_insight_settings() SET search_path = pg_catalog, pg_temp;
ALTER FUNCTION rolloy_internal._owns_project(uuid) SET search_path = pg_catalog, pg_temp;
ALTER FUNCTION rolloy_internal._insight_scope() SET search_path = pg_catalog, pg_temp;

-- Internal functions whose body names a moved function or changed (00, 10, 20, 30, 45, 60).
CREATE OR REPLACE FUNCTION rolloy_internal._touch_updated_at() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    NEW.updated_at := pg_catalog.now();
    RETURN NEW;
END
$$;

CREATE OR REPLACE FUNCTION rolloy_internal._check_dictionary_codes() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    IF TG_TABLE_NAME = 'scenes' THEN
        PERFORM rolloy_internal.check_code('scene category code (A1)', NEW.category_code);
        PERFORM rolloy_internal.check_code('scene code (A2)', NEW.scene_code);
    ELSIF TG_TABLE_NAME = 'actions' THEN
        PERFORM rolloy_internal.check_code('action code (B)', NEW.code);
    ELSIF TG_TABLE_NAME = 'drivers' THEN
        PERFORM rolloy_internal.check_code('driver code (C)', NEW.code);
    ELSE
        PERFORM rolloy_internal.check_code('format code (D)', NEW.code);
    END IF;
    RETURN NEW;
END
$$;

CREATE OR REPLACE FUNCTION rolloy_internal.require_user() RETURNS uuid
LANGUAGE plpgsql STABLE AS $$
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

CREATE OR REPLACE FUNCTION rolloy_internal.require_admin() RETURNS uuid
LANGUAGE plpgsql STABLE AS $$
DECLARE
    me uuid := rolloy_internal.require_user();
BEGIN
    IF NOT rolloy_internal._user_is_admin(me) THEN
        RAISE EXCEPTION 'only rolloy admins may do this' USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN me;
END
$$;

CREATE OR REPLACE FUNCTION rolloy_internal._require_admin_or_superuser(what text DEFAULT 'do this', hint text DEFAULT NULL)
RETURNS uuid
LANGUAGE plpgsql STABLE AS $$
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

CREATE OR REPLACE FUNCTION rolloy_internal._guard_user_changes() RETURNS trigger
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

CREATE OR REPLACE FUNCTION rolloy_internal._forget_stored_images() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    PERFORM rolloy_internal._remove_stored_image(g.storage_ref) FROM gone g WHERE g.storage_ref IS NOT NULL;
    RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION rolloy_internal._check_limits(owner uuid, n integer, provider text, model text,
                                              already_images integer DEFAULT 0, already_usd numeric DEFAULT 0)
RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    u record;
    recent integer;
    rate_limit integer := rolloy_internal._setting('rate_limit_images', '200')::integer;
    rate_window interval :=
        make_interval(secs => rolloy_internal._setting('rate_limit_window_seconds', '3600')::integer);
    requested integer := already_images + n;
BEGIN
    SELECT * INTO u FROM rolloy.usage_this_month(owner);
    IF u.images_used + u.images_queued + requested > u.image_quota THEN
        RAISE EXCEPTION 'monthly image quota exceeded: % used + % queued + % requested > quota %',
                        u.images_used, u.images_queued, requested, u.image_quota
            USING ERRCODE = 'configuration_limit_exceeded',
                  HINT = 'Queue fewer images, cancel queued ones, or ask an admin to raise monthly_image_quota.';
    END IF;
    PERFORM rolloy_internal._check_budget(owner, already_usd + n * rolloy.estimated_image_cost(provider, model));
    SELECT count(*) INTO recent FROM rolloy.generated_images g JOIN rolloy.creative_projects p ON p.id = g.project_id
     WHERE p.created_by = owner AND g.created_at > now() - rate_window;
    IF recent + requested > rate_limit THEN
        RAISE EXCEPTION 'rate limit: at most % images per %; % queued in that window already', rate_limit, rate_window, recent
            USING ERRCODE = 'configuration_limit_exceeded',
                  HINT = 'Wait and try again, or ask an admin to change rolloy.rate_limit_images.';
    END IF;
END
$$;

CREATE OR REPLACE FUNCTION rolloy_internal._after_image_change() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    c record;
    changed uuid := coalesce(NEW.project_id, OLD.project_id);
BEGIN
    IF TG_OP = 'UPDATE' AND NEW.status = OLD.status THEN
        RETURN NULL;
    END IF;
    SELECT count(*) FILTER (WHERE g.status <> 'cancelled') AS total,
           count(*) FILTER (WHERE g.status = 'completed') AS completed,
           count(*) FILTER (WHERE g.status = 'failed') AS failed,
           count(*) FILTER (WHERE g.status IN ('pending', 'processing')) AS open
      INTO c FROM rolloy.generated_images g WHERE g.project_id = changed;
    UPDATE rolloy.creative_projects p
       SET total_images = c.total, completed_images = c.completed, failed_images = c.failed, updated_at = now()
     WHERE p.id = changed AND (p.total_images, p.completed_images, p.failed_images) IS DISTINCT FROM (c.total, c.completed, c.failed);
    IF TG_OP <> 'DELETE' THEN
        -- Every listener receives every notification (NOTIFY knows no row-level security), so the
        -- payload carries ids and counts only; names and errors are read through RLS.
        PERFORM pg_notify('rolloy_progress', json_build_object(
            'project_id', NEW.project_id, 'image_id', NEW.id, 'variant_no', NEW.variant_no, 'status', NEW.status,
            'attempts', NEW.attempts,
            'total', c.total, 'completed', c.completed, 'failed', c.failed, 'open', c.open)::text);
    END IF;
    IF TG_OP = 'INSERT' OR (NEW.status = 'pending' AND OLD.status <> 'pending') THEN
        PERFORM rolloy_internal._wake_worker_at_commit();
    END IF;
    -- A leased row taken from the worker (cancelled, deleted): it gives back the claimed jobs it
    -- has not called yet rather than call them.
    IF OLD.status = 'processing' AND (TG_OP = 'DELETE' OR NEW.status = 'cancelled') THEN
        PERFORM rolloy_internal._withdraw_at_commit();
    END IF;
    RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION rolloy_internal._ln_gamma(x double precision) RETURNS double precision
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
DECLARE
    c constant double precision[] := ARRAY[0.99999999999980993, 676.5203681218851, -1259.1392167224028,
        771.32342877765313, -176.61502916214059, 12.507343278686905, -0.13857109526572012,
        9.9843695780195716e-6, 1.5056327351493116e-7];
    a double precision;
    t double precision;
    y double precision;
BEGIN
    IF x < 0.5 THEN  -- reflection
        RETURN ln(pi() / abs(sin(pi() * x))) - rolloy_internal._ln_gamma(1 - x);
    END IF;
    y := x - 1;
    a := c[1];
    FOR i IN 1..8 LOOP
        a := a + c[i + 1] / (y + i);
    END LOOP;
    t := y + 7.5;
    RETURN 0.5 * ln(2 * pi()) + (y + 0.5) * ln(t) - t + ln(a);
END
$$;

CREATE OR REPLACE FUNCTION rolloy_internal._incomplete_beta(x double precision, a double precision, b double precision)
RETURNS double precision
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
DECLARE
    tiny constant double precision := 1e-300;
    front double precision;
    swap boolean := x > (a + 1) / (a + b + 2);
    aa double precision;
    c double precision := 1;
    d double precision;
    h double precision;
    delta double precision;
    m2 integer;
    pa double precision := a;
    pb double precision := b;
    px double precision := x;
BEGIN
    IF x <= 0 THEN RETURN 0; END IF;
    IF x >= 1 THEN RETURN 1; END IF;
    IF swap THEN
        pa := b; pb := a; px := 1 - x;
    END IF;
    front := exp(rolloy_internal._ln_gamma(pa + pb) - rolloy_internal._ln_gamma(pa) - rolloy_internal._ln_gamma(pb)
                 + pa * ln(px) + pb * ln(1 - px));
    d := 1 - (pa + pb) * px / (pa + 1);
    IF abs(d) < tiny THEN d := tiny; END IF;
    d := 1 / d;
    h := d;
    FOR m IN 1..20000 LOOP
        m2 := 2 * m;
        aa := m * (pb - m) * px / ((pa - 1 + m2) * (pa + m2));
        d := 1 + aa * d; IF abs(d) < tiny THEN d := tiny; END IF;
        c := 1 + aa / c; IF abs(c) < tiny THEN c := tiny; END IF;
        d := 1 / d;
        h := h * d * c;
        aa := -(pa + m) * (pa + pb + m) * px / ((pa + m2) * (pa + 1 + m2));
        d := 1 + aa * d; IF abs(d) < tiny THEN d := tiny; END IF;
        c := 1 + aa / c; IF abs(c) < tiny THEN c := tiny; END IF;
        d := 1 / d;
        delta := d * c;
        h := h * delta;
        EXIT WHEN abs(delta - 1) < 1e-15;
    END LOOP;
    IF swap THEN
        RETURN 1 - front * h / pa;
    END IF;
    RETURN front * h / pa;
END
$$;

CREATE OR REPLACE FUNCTION rolloy_internal._welch_test(r1 numeric, v1 numeric, m1 numeric, r2 numeric, v2 numeric, m2 numeric,
                                            OUT std_error numeric, OUT t_statistic numeric,
                                            OUT degrees_of_freedom numeric, OUT confidence numeric)
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
BEGIN
    IF r1 IS NULL OR r2 IS NULL OR v1 IS NULL OR v2 IS NULL OR m1 < 2 OR m2 < 2 THEN
        RETURN;  -- not testable: every output NULL
    END IF;
    IF v1 + v2 = 0 THEN  -- no spread at all between units: any difference is certain
        std_error := 0;
        confidence := CASE WHEN r1 = r2 THEN 0 ELSE 1 END;
        RETURN;
    END IF;
    std_error := sqrt(v1 + v2);
    t_statistic := (r1 - r2) / std_error;
    degrees_of_freedom := (v1 + v2) ^ 2 / (v1 ^ 2 / (m1 - 1) + v2 ^ 2 / (m2 - 1));
    confidence := round((2 * rolloy_internal.student_t_cdf(abs(t_statistic)::double precision,
                                                           degrees_of_freedom::double precision) - 1)::numeric, 6);
    confidence := least(1, greatest(0, confidence));
END
$$;

-- API functions whose body names a moved function. current_user_id(), is_admin(), create_project()
-- and load_sample_dictionaries() become SECURITY DEFINER (they reach owner-only internals);
-- image(), thumbnail() and reference_image() get SQL-standard bodies (they run as the caller and
-- reach _stored_image by OID).
CREATE OR REPLACE FUNCTION rolloy.current_user_id() RETURNS uuid
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
    SELECT rolloy_internal._resolve_user(rolloy_internal._outer_role(),
                                         pg_catalog.current_setting('request.jwt.claims', true))
$$;

CREATE OR REPLACE FUNCTION rolloy.is_admin() RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
    SELECT rolloy_internal._user_is_admin(rolloy.current_user_id())
$$;

CREATE OR REPLACE FUNCTION rolloy.image(image_id uuid) RETURNS rolloy."image/jpeg"
LANGUAGE sql STABLE
BEGIN ATOMIC
    SELECT rolloy_internal._stored_image(g.storage_ref, false)::rolloy."image/jpeg" FROM rolloy.generated_images g
     WHERE g.id = image.image_id AND g.status = 'completed';
END;

CREATE OR REPLACE FUNCTION rolloy.thumbnail(image_id uuid) RETURNS rolloy."image/jpeg"
LANGUAGE sql STABLE
BEGIN ATOMIC
    SELECT rolloy_internal._stored_image(g.storage_ref, true)::rolloy."image/jpeg" FROM rolloy.generated_images g
     WHERE g.id = thumbnail.image_id AND g.status = 'completed';
END;

CREATE OR REPLACE FUNCTION rolloy.reference_image(reference_image_id uuid, thumbnail boolean DEFAULT false) RETURNS bytea
LANGUAGE sql STABLE
BEGIN ATOMIC
    SELECT rolloy_internal._stored_image(r.storage_ref, reference_image.thumbnail)
      FROM rolloy.reference_images r
     WHERE r.id = reference_image.reference_image_id;
END;

CREATE OR REPLACE FUNCTION rolloy.remove_provider_key(provider text) RETURNS boolean
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    PERFORM rolloy_internal.require_admin();
    DELETE FROM rolloy.provider_secrets s WHERE s.provider = remove_provider_key.provider;
    RETURN FOUND;
END
$$;

CREATE OR REPLACE FUNCTION rolloy.usage_this_month(user_id uuid DEFAULT rolloy.current_user_id())
RETURNS TABLE (images_used integer, images_queued integer, image_quota integer,
               spent_usd numeric, queued_usd numeric, budget_usd numeric)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
    WITH me AS (
        SELECT u.* FROM rolloy.users u
         WHERE u.id = usage_this_month.user_id
           AND (u.id = rolloy.current_user_id() OR rolloy.is_admin()
                OR (rolloy.current_user_id() IS NULL
                    AND (SELECT r.rolsuper FROM pg_catalog.pg_roles r
                          WHERE r.rolname = rolloy_internal._outer_role())))
    ), month AS (SELECT date_trunc('month', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' AS start)
    SELECT
        (SELECT count(*) FROM rolloy.generated_images g JOIN rolloy.creative_projects p ON p.id = g.project_id, month
          WHERE p.created_by = me.id AND g.status = 'completed' AND g.completed_at >= month.start)::integer,
        (SELECT count(*) FROM rolloy.generated_images g JOIN rolloy.creative_projects p ON p.id = g.project_id
          WHERE p.created_by = me.id AND g.status IN ('pending', 'processing'))::integer,
        me.monthly_image_quota,
        (SELECT coalesce(sum(l.cost_usd), 0) FROM rolloy.api_usage_logs l, month
          WHERE l.user_id = me.id AND l.occurred_at >= month.start),
        (SELECT coalesce(sum(rolloy.estimated_image_cost(g.provider, g.model)), 0)
           FROM rolloy.generated_images g JOIN rolloy.creative_projects p ON p.id = g.project_id
          WHERE p.created_by = me.id AND g.status IN ('pending', 'processing')),
        me.monthly_budget_usd
      FROM me
$$;

CREATE OR REPLACE FUNCTION rolloy.cancel_generation(project_id uuid) RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    n integer;
BEGIN
    PERFORM rolloy_internal._lock_own_project(project_id, queueing => false);
    UPDATE rolloy.generated_images g SET status = 'cancelled', lease_expires_at = NULL, leased_by = NULL,
           last_error = coalesce(g.last_error || '; ', '') || 'cancelled by ' || rolloy_internal._outer_role()
     WHERE g.project_id = cancel_generation.project_id AND g.status IN ('pending', 'processing');
    GET DIAGNOSTICS n = ROW_COUNT;
    RETURN n;
END
$$;

CREATE OR REPLACE FUNCTION rolloy.retry_failed(project_id uuid) RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    p rolloy.creative_projects;
    n integer;
    r record;
    images_before integer := 0;
    usd_before numeric := 0;
BEGIN
    p := rolloy_internal._lock_own_project(project_id);
    FOR r IN SELECT g.provider, g.model, count(*)::integer AS k FROM rolloy.generated_images g
              WHERE g.project_id = p.id AND g.status = 'failed' GROUP BY 1, 2 ORDER BY 1, 2 LOOP
        PERFORM rolloy_internal._check_limits(p.created_by, r.k, r.provider, r.model, images_before, usd_before);
        images_before := images_before + r.k;
        usd_before := usd_before + r.k * rolloy.estimated_image_cost(r.provider, r.model);
    END LOOP;
    UPDATE rolloy.generated_images g SET status = 'pending', attempts = 0, next_attempt_at = now(),
           last_error = 'retried after: ' || coalesce(g.last_error, '?')
     WHERE g.project_id = p.id AND g.status = 'failed';
    GET DIAGNOSTICS n = ROW_COUNT;
    RETURN n;
END
$$;

CREATE OR REPLACE FUNCTION rolloy.restart_worker() RETURNS boolean
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    w record;
BEGIN
    PERFORM rolloy_internal.require_admin();
    SELECT * INTO w FROM rolloy.worker_status();
    IF NOT w.running THEN
        RETURN false;
    END IF;
    RETURN pg_terminate_backend(w.pid);  -- the worker exits non-zero and the postmaster restarts it
END
$$;

CREATE OR REPLACE FUNCTION rolloy.rematch_performance() RETURNS bigint
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    to_images bigint;
    to_projects bigint;
BEGIN
    PERFORM rolloy_internal._require_admin_or_superuser('re-match ad performance', rolloy_internal._importer_hint());
    -- Read the names of unmatched rows again: the parser may know spellings it did not at import.
    UPDATE rolloy.performance_data d
       SET creative_name = (SELECT coalesce(x.image_name, x.project_name) FROM rolloy.parse_creative_name(d.ad_name) x)
     WHERE d.project_id IS NULL
       AND d.creative_name IS DISTINCT FROM
           (SELECT coalesce(x.image_name, x.project_name) FROM rolloy.parse_creative_name(d.ad_name) x);

    UPDATE rolloy.performance_data d SET project_id = g.project_id, image_id = g.id
      FROM rolloy.generated_images g
     WHERE d.image_id IS NULL AND d.creative_name IS NOT NULL AND d.creative_name = g.ad_name;
    GET DIAGNOSTICS to_images = ROW_COUNT;

    UPDATE rolloy.performance_data d SET project_id = p.id
      FROM rolloy.creative_projects p
     WHERE d.project_id IS NULL AND d.image_id IS NULL AND d.creative_name IS NOT NULL
       AND p.generated_name = (rolloy.parse_creative_name(d.creative_name)).project_name;
    GET DIAGNOSTICS to_projects = ROW_COUNT;
    RETURN to_images + to_projects;
END
$$;

CREATE OR REPLACE FUNCTION rolloy.refresh_insights()
RETURNS TABLE (kind text, scopes integer, rows_written bigint)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
-- A nightly batch: hash aggregates in memory, and no JIT compilation (it costs more than it saves here).
SET work_mem = '256MB' SET jit = off AS $$
#variable_conflict use_column
DECLARE
    cfg rolloy.insight_settings;
    stamp timestamptz := pg_catalog.now();
BEGIN
    PERFORM rolloy_internal._require_admin_or_superuser();
    -- One refresh at a time; readers keep seeing the previous results until this commits.
    LOCK TABLE rolloy.insights IN SHARE ROW EXCLUSIVE MODE;
    SELECT * INTO cfg FROM rolloy.insight_settings;
    IF NOT FOUND THEN
        INSERT INTO rolloy.insight_settings DEFAULT VALUES RETURNING * INTO cfg;
    END IF;

    -- Left over from an earlier call in the same transaction (they are dropped at commit).
    IF to_regclass('pg_temp.rolloy_ins_period') IS NOT NULL THEN
        DROP TABLE IF EXISTS pg_temp.rolloy_ins_period, pg_temp.rolloy_ins_creative, pg_temp.rolloy_ins_scope,
                             pg_temp.rolloy_ins_cc, pg_temp.rolloy_ins_sc;
    END IF;

    -- The one full pass over performance_data: creative x week x month x currency pieces (a week
    -- that straddles two months gives two pieces), so that weeks and months both add up from
    -- them. Rows that cover a range count in the period of their first day.
    CREATE TEMP TABLE rolloy_ins_period ON COMMIT DROP AS
    WITH piece AS MATERIALIZED (
        SELECT pd.project_id, pd.report_date - (extract(isodow FROM pd.report_date)::integer - 1) AS week_start,
               date_trunc('month', pd.report_date::timestamp)::date AS month_start, pd.currency,
               sum(pd.impressions) AS impressions, sum(pd.clicks) AS clicks, sum(pd.conversions) AS conversions,
               sum(pd.spend) AS spend, sum(pd.conversion_value) AS conversion_value, max(pd.report_date) AS last_day
          FROM rolloy.performance_data pd
         WHERE pd.project_id IS NOT NULL
         GROUP BY pd.project_id, pd.report_date - (extract(isodow FROM pd.report_date)::integer - 1),
                  date_trunc('month', pd.report_date::timestamp)::date, pd.currency
    )
    SELECT pc.project_id, 'week' AS grain, pc.week_start AS period_start, pc.currency,
           sum(pc.impressions)::bigint AS impressions, sum(pc.clicks)::bigint AS clicks, sum(pc.conversions) AS conversions,
           sum(pc.spend) AS spend, sum(pc.conversion_value) AS conversion_value, max(pc.last_day) AS last_day
      FROM piece pc GROUP BY pc.project_id, pc.week_start, pc.currency
    UNION ALL
    SELECT pc.project_id, 'month', pc.month_start, pc.currency, sum(pc.impressions)::bigint, sum(pc.clicks)::bigint,
           sum(pc.conversions), sum(pc.spend), sum(pc.conversion_value), max(pc.last_day)
      FROM piece pc GROUP BY pc.project_id, pc.month_start, pc.currency;
    ANALYZE pg_temp.rolloy_ins_period;

    -- Creative x currency totals (from the weeks, which partition the days).
    CREATE TEMP TABLE rolloy_ins_cc ON COMMIT DROP AS
    SELECT pr.project_id, pr.currency, sum(pr.impressions)::bigint AS impressions, sum(pr.clicks)::bigint AS clicks,
           sum(pr.conversions) AS conversions, sum(pr.spend) AS spend, sum(pr.conversion_value) AS conversion_value
      FROM pg_temp.rolloy_ins_period pr
     WHERE pr.grain = 'week'
     GROUP BY pr.project_id, pr.currency;
    ANALYZE pg_temp.rolloy_ins_cc;

    -- Creatives with data and their ABCD codes (scene as A1_A2: scene codes repeat across categories).
    CREATE TEMP TABLE rolloy_ins_creative ON COMMIT DROP AS
    SELECT p.id AS project_id, p.created_by AS owner_id, u.is_active AS owner_active, p.generated_name AS creative_name,
           s.category_code AS category, s.category_code || '_' || s.scene_code AS scene,
           a.code AS action, d.code AS driver, f.code AS format
      FROM rolloy.creative_projects p
      JOIN rolloy.users u ON u.id = p.created_by
      JOIN rolloy.scenes s ON s.id = p.scene_id
      JOIN rolloy.actions a ON a.id = p.action_id
      JOIN rolloy.drivers d ON d.id = p.driver_id
      JOIN rolloy.formats f ON f.id = p.format_id
     WHERE p.id IN (SELECT cc.project_id FROM pg_temp.rolloy_ins_cc cc);
    ANALYZE pg_temp.rolloy_ins_creative;

    -- Scopes: 0 = all data; then one per active owner. A creative belongs to two scopes.
    CREATE TEMP TABLE rolloy_ins_scope ON COMMIT DROP AS
    SELECT 0 AS scope_no, NULL::uuid AS scope_user_id, c.project_id FROM pg_temp.rolloy_ins_creative c
    UNION ALL
    SELECT dense_rank() OVER (ORDER BY c.owner_id)::integer, c.owner_id, c.project_id
      FROM pg_temp.rolloy_ins_creative c WHERE c.owner_active;
    ANALYZE pg_temp.rolloy_ins_scope;

    -- Per scope and creative: counts over all currencies (CTR), money in the scope's reporting
    -- currency (the one with most impressions in the scope; ties: alphabetical).
    CREATE TEMP TABLE rolloy_ins_sc ON COMMIT DROP AS
    WITH reporting AS (
        SELECT DISTINCT ON (s.scope_no) s.scope_no, cc.currency
          FROM pg_temp.rolloy_ins_scope s JOIN pg_temp.rolloy_ins_cc cc ON cc.project_id = s.project_id
         GROUP BY s.scope_no, cc.currency
         ORDER BY s.scope_no, sum(cc.impressions) DESC, cc.currency
    ), totals AS (
        SELECT cc.project_id, sum(cc.impressions)::bigint AS impressions, sum(cc.clicks)::bigint AS clicks,
               sum(cc.conversions) AS conversions
          FROM pg_temp.rolloy_ins_cc cc GROUP BY cc.project_id
    )
    SELECT s.scope_no, s.scope_user_id, c.*, t.impressions, t.clicks, t.conversions, r.currency,
           coalesce(m.spend, 0) AS spend, coalesce(m.conversion_value, 0) AS conversion_value,
           t.impressions >= cfg.min_impressions AS eligible
      FROM pg_temp.rolloy_ins_scope s
      JOIN pg_temp.rolloy_ins_creative c ON c.project_id = s.project_id
      JOIN totals t ON t.project_id = s.project_id
      JOIN reporting r ON r.scope_no = s.scope_no
      LEFT JOIN pg_temp.rolloy_ins_cc m ON m.project_id = s.project_id AND m.currency = r.currency;
    ANALYZE pg_temp.rolloy_ins_sc;

    DELETE FROM rolloy.insights;

    -- Tiers: rank eligible creatives by the Wilson lower bound of CTR; a creative is in the top
    -- X % when its rank is within the first X % of the eligible creatives of the scope.
    INSERT INTO rolloy.insights (refreshed_at, scope_user_id, kind, dimension, dimension_value, project_id,
                                 metric, value, label, rank, currency, impressions, clicks, conversions,
                                 spend, conversion_value, sample_creatives, details)
    SELECT stamp, r.scope_user_id, 'tier', 'creative', r.creative_name, r.project_id, 'ctr',
           r.clicks::numeric / nullif(r.impressions, 0),
           CASE WHEN NOT r.eligible THEN 'insufficient_data'
                WHEN r.tier_rank * 10 <= r.eligible_creatives THEN 'top_10'
                WHEN r.tier_rank * 5 <= r.eligible_creatives THEN 'top_20'
                WHEN r.tier_rank * 2 <= r.eligible_creatives THEN 'top_50'
                ELSE 'below_50' END,
           r.tier_rank, r.currency, r.impressions, r.clicks, r.conversions, r.spend, r.conversion_value, 1,
           jsonb_build_object('ctr_lower_bound', r.lower_bound, 'ctr_upper_bound',
                              rolloy_internal.wilson_upper_bound(r.clicks, r.impressions, cfg.wilson_z),
                              'eligible_creatives', r.eligible_creatives,
                              'category', r.category, 'scene', r.scene, 'action', r.action,
                              'driver', r.driver, 'format', r.format)
      FROM (SELECT sc.*,
                   CASE WHEN sc.eligible THEN rank() OVER (PARTITION BY sc.scope_no, sc.eligible
                                                           ORDER BY sc.lower_bound DESC) END AS tier_rank,
                   count(*) FILTER (WHERE sc.eligible) OVER (PARTITION BY sc.scope_no) AS eligible_creatives
              FROM (SELECT x.*, rolloy_internal.wilson_lower_bound(x.clicks, x.impressions, cfg.wilson_z) AS lower_bound
                      FROM pg_temp.rolloy_ins_sc x) sc) r;

    INSERT INTO rolloy.insights (refreshed_at, scope_user_id, kind, dimension, dimension_value, project_id,
                                 metric, value, label, rank, currency, impressions, clicks, conversions,
                                 spend, conversion_value, sample_creatives, details)
    SELECT stamp, i.scope_user_id, 'leaderboard', i.dimension, i.dimension_value, i.project_id, i.metric,
           i.value, i.label, i.rank, i.currency, i.impressions, i.clicks, i.conversions, i.spend,
           i.conversion_value, i.sample_creatives, i.details
      FROM rolloy.insights i
     WHERE i.kind = 'tier' AND i.rank <= cfg.leaderboard_size;

    -- Effects: each dimension value against the rest of the scope's eligible creatives (the
    -- complement, not an average that contains the group), creatives as the units. The rest of
    -- a value = scope totals - group totals. The jackknife needs each creative's leave-one-out
    -- ratio on its side: in the group of its own value, in the rest of every other value of the
    -- same dimension (one row per creative and value of its dimension).
    INSERT INTO rolloy.insights (refreshed_at, scope_user_id, kind, dimension, dimension_value, metric,
                                 value, lift, confidence_score, label, currency, impressions, clicks,
                                 conversions, spend, conversion_value, sample_creatives, details)
    WITH unit AS (
        SELECT sc.scope_no, v.dimension, v.dimension_value, sc.impressions::numeric AS n, sc.clicks::numeric AS k,
               -- ROAS units are the creatives with spend in the reporting currency.
               nullif(sc.spend, 0) AS s, CASE WHEN sc.spend > 0 THEN sc.conversion_value END AS cv
          FROM pg_temp.rolloy_ins_sc sc
         CROSS JOIN LATERAL (VALUES ('category', sc.category), ('scene', sc.scene), ('action', sc.action),
                                    ('driver', sc.driver), ('format', sc.format)) v(dimension, dimension_value)
         WHERE sc.eligible
    ), total AS (
        SELECT sc.scope_no, min(sc.scope_user_id::text)::uuid AS scope_user_id, min(sc.currency) AS currency,
               count(*)::numeric AS m, sum(sc.clicks::numeric) AS k, sum(sc.impressions::numeric) AS n,
               count(*) FILTER (WHERE sc.spend > 0)::numeric AS ms,
               coalesce(sum(sc.conversion_value) FILTER (WHERE sc.spend > 0), 0) AS cv, coalesce(sum(sc.spend), 0) AS s
          FROM pg_temp.rolloy_ins_sc sc
         WHERE sc.eligible
         GROUP BY sc.scope_no
    ), grp AS (
        SELECT u.scope_no, u.dimension, u.dimension_value, count(*)::numeric AS m, sum(u.k) AS k, sum(u.n) AS n,
               count(u.s)::numeric AS ms, coalesce(sum(u.cv), 0) AS cv, coalesce(sum(u.s), 0) AS s
          FROM unit u
         GROUP BY u.scope_no, u.dimension, u.dimension_value
    ), sides AS (  -- group and rest of every value, with the totals of each side
        SELECT g.scope_no, t.scope_user_id, t.currency, g.dimension, g.dimension_value,
               g.m AS gm, g.k AS gk, g.n AS gn, g.ms AS gms, g.cv AS gcv, g.s AS gs,
               t.m - g.m AS rm, t.k - g.k AS rk, t.n - g.n AS rn, t.ms - g.ms AS rms, t.cv - g.cv AS rcv, t.s - g.s AS rs
          FROM grp g JOIN total t ON t.scope_no = g.scope_no
    ), jackknife AS (
        SELECT sd.scope_no, sd.dimension, sd.dimension_value,
               -- v = (m-1)/m · Σ(R₋ᵢ - mean)² = (m-1)²/m · var_samp(R₋ᵢ)
               (sd.gm - 1) ^ 2 / sd.gm * var_samp((sd.gk - u.k) / nullif(sd.gn - u.n, 0))
                   FILTER (WHERE u.dimension_value = sd.dimension_value) AS g_var_ctr,
               (sd.rm - 1) ^ 2 / nullif(sd.rm, 0) * var_samp((sd.rk - u.k) / nullif(sd.rn - u.n, 0))
                   FILTER (WHERE u.dimension_value <> sd.dimension_value) AS r_var_ctr,
               (sd.gms - 1) ^ 2 / nullif(sd.gms, 0) * var_samp((sd.gcv - u.cv) / nullif(sd.gs - u.s, 0))
                   FILTER (WHERE u.dimension_value = sd.dimension_value) AS g_var_roas,
               (sd.rms - 1) ^ 2 / nullif(sd.rms, 0) * var_samp((sd.rcv - u.cv) / nullif(sd.rs - u.s, 0))
                   FILTER (WHERE u.dimension_value <> sd.dimension_value) AS r_var_roas
          FROM sides sd
          JOIN unit u ON u.scope_no = sd.scope_no AND u.dimension = sd.dimension
         WHERE sd.gm >= cfg.effect_min_creatives AND sd.rm >= cfg.effect_min_creatives
         GROUP BY sd.scope_no, sd.dimension, sd.dimension_value, sd.gm, sd.gk, sd.gn, sd.gms, sd.gcv, sd.gs,
                  sd.rm, sd.rk, sd.rn, sd.rms, sd.rcv, sd.rs
    ), compared AS (
        SELECT sd.scope_user_id, sd.dimension, sd.dimension_value, x.*, w.*
          FROM sides sd
          LEFT JOIN jackknife j ON j.scope_no = sd.scope_no AND j.dimension = sd.dimension
                               AND j.dimension_value = sd.dimension_value
         CROSS JOIN LATERAL (VALUES
               ('ctr', NULL::text, sd.gm, sd.rm, sd.gk / nullif(sd.gn, 0), sd.rk / nullif(sd.rn, 0),
                j.g_var_ctr, j.r_var_ctr, sd.gn, sd.gk, NULL::numeric, NULL::numeric),
               ('roas', sd.currency, sd.gms, sd.rms, sd.gcv / nullif(sd.gs, 0), sd.rcv / nullif(sd.rs, 0),
                j.g_var_roas, j.r_var_roas, NULL, NULL, sd.gs, sd.gcv))
               x(metric, currency, m_group, m_rest, group_value, rest_value, group_var, rest_var,
                 impressions, clicks, spend, conversion_value)
         CROSS JOIN LATERAL rolloy_internal._welch_test(
               x.group_value, x.group_var,
               CASE WHEN x.m_group >= cfg.effect_min_creatives AND x.m_rest >= cfg.effect_min_creatives THEN x.m_group END,
               x.rest_value, x.rest_var, x.m_rest) w
         WHERE x.group_value IS NOT NULL
    )
    SELECT stamp, c.scope_user_id, 'effect', c.dimension, c.dimension_value, c.metric, c.group_value,
           c.group_value / nullif(c.rest_value, 0) - 1, c.confidence,
           CASE WHEN c.confidence IS NULL THEN 'insufficient_data'
                WHEN c.confidence >= cfg.effect_confidence AND c.group_value > c.rest_value THEN 'better'
                WHEN c.confidence >= cfg.effect_confidence AND c.group_value < c.rest_value THEN 'worse'
                ELSE 'inconclusive' END,
           c.currency, c.impressions::bigint, c.clicks::bigint, NULL, c.spend, c.conversion_value, c.m_group,
           jsonb_build_object('rest_value', c.rest_value, 'rest_creatives', c.m_rest, 'std_error', c.std_error,
                              't_statistic', round(c.t_statistic, 6), 'degrees_of_freedom', round(c.degrees_of_freedom, 6),
                              'p_value', 1 - c.confidence)
      FROM compared c;

    -- Trends: per week (ISO, from Monday) and month, overall and per dimension value, per currency
    -- (every figure of a row comes from rows in that currency, so its ratios are consistent).
    -- Summed per owner first; the all-data scope is the sum over owners (fewer rows to add up).
    INSERT INTO rolloy.insights (refreshed_at, scope_user_id, kind, dimension, dimension_value, grain, period_start,
                                 metric, value, currency, impressions, clicks, conversions, spend,
                                 conversion_value, sample_creatives, details)
    WITH per_owner AS MATERIALIZED (
        SELECT c.owner_id, bool_and(c.owner_active) AS owner_active, v.dimension, v.dimension_value, pr.grain,
               pr.period_start, pr.currency, sum(pr.impressions) AS impressions, sum(pr.clicks) AS clicks,
               sum(pr.conversions) AS conversions, sum(pr.spend) AS spend, sum(pr.conversion_value) AS conversion_value,
               count(*) AS creatives, max(pr.last_day) AS last_day
          FROM pg_temp.rolloy_ins_period pr
          JOIN pg_temp.rolloy_ins_creative c ON c.project_id = pr.project_id
         CROSS JOIN LATERAL (VALUES ('all', 'all'), ('category', c.category), ('scene', c.scene), ('action', c.action),
                                    ('driver', c.driver), ('format', c.format)) v(dimension, dimension_value)
         GROUP BY c.owner_id, v.dimension, v.dimension_value, pr.grain, pr.period_start, pr.currency
    ), scoped AS (
        SELECT o.owner_id AS scope_user_id, o.dimension, o.dimension_value, o.grain, o.period_start, o.currency,
               o.impressions, o.clicks, o.conversions, o.spend, o.conversion_value, o.creatives, o.last_day
          FROM per_owner o WHERE o.owner_active
        UNION ALL
        SELECT NULL, o.dimension, o.dimension_value, o.grain, o.period_start, o.currency, sum(o.impressions),
               sum(o.clicks), sum(o.conversions), sum(o.spend), sum(o.conversion_value), sum(o.creatives), max(o.last_day)
          FROM per_owner o
         GROUP BY o.dimension, o.dimension_value, o.grain, o.period_start, o.currency
    )
    SELECT stamp, x.scope_user_id, 'trend', x.dimension, x.dimension_value, x.grain, x.period_start, 'ctr',
           x.clicks::numeric / nullif(x.impressions, 0), x.currency, x.impressions, x.clicks, x.conversions, x.spend,
           x.conversion_value, x.creatives, jsonb_build_object('data_through', x.last_day)
      FROM scoped x;

    -- Cost efficiency: totals per dimension value and currency.
    INSERT INTO rolloy.insights (refreshed_at, scope_user_id, kind, dimension, dimension_value, metric, value,
                                 currency, impressions, clicks, conversions, spend, conversion_value, sample_creatives)
    SELECT stamp, s.scope_user_id, 'cost', v.dimension, v.dimension_value, 'roas',
           sum(cc.conversion_value) / nullif(sum(cc.spend), 0), cc.currency, sum(cc.impressions), sum(cc.clicks),
           sum(cc.conversions), sum(cc.spend), sum(cc.conversion_value), count(*)
      FROM pg_temp.rolloy_ins_cc cc
      JOIN pg_temp.rolloy_ins_scope s ON s.project_id = cc.project_id
      JOIN pg_temp.rolloy_ins_creative c ON c.project_id = cc.project_id
     CROSS JOIN LATERAL (VALUES ('all', 'all'), ('category', c.category), ('scene', c.scene), ('action', c.action),
                                ('driver', c.driver), ('format', c.format)) v(dimension, dimension_value)
     GROUP BY s.scope_no, s.scope_user_id, v.dimension, v.dimension_value, cc.currency;

    -- Heatmaps: every pair of dimensions (stored once, in ABCD order; the view offers both ways).
    INSERT INTO rolloy.insights (refreshed_at, scope_user_id, kind, dimension, dimension_value, dimension2,
                                 dimension_value2, metric, value, currency, impressions, clicks, conversions,
                                 spend, conversion_value, sample_creatives)
    SELECT stamp, s.scope_user_id, 'heatmap', v.d1, v.v1, v.d2, v.v2, 'ctr',
           sum(cc.clicks)::numeric / nullif(sum(cc.impressions), 0), cc.currency, sum(cc.impressions),
           sum(cc.clicks), sum(cc.conversions), sum(cc.spend), sum(cc.conversion_value), count(*)
      FROM pg_temp.rolloy_ins_cc cc
      JOIN pg_temp.rolloy_ins_scope s ON s.project_id = cc.project_id
      JOIN pg_temp.rolloy_ins_creative c ON c.project_id = cc.project_id
     CROSS JOIN LATERAL (VALUES
           ('category', c.category, 'scene', c.scene), ('category', c.category, 'action', c.action),
           ('category', c.category, 'driver', c.driver), ('category', c.category, 'format', c.format),
           ('scene', c.scene, 'action', c.action), ('scene', c.scene, 'driver', c.driver),
           ('scene', c.scene, 'format', c.format), ('action', c.action, 'driver', c.driver),
           ('action', c.action, 'format', c.format), ('driver', c.driver, 'format', c.format)) v(d1, v1, d2, v2)
     GROUP BY s.scope_no, s.scope_user_id, v.d1, v.v1, v.d2, v.v2, cc.currency;

    -- Fatigue: CTR of the creative's last W days with data against its first W days, days as
    -- the units of the test (jackknife over days, as for effects). Only daily rows count (a
    -- range cannot say which day was which). The days are found through the index on
    -- performance_data (project_id, report_date): the first 2W and the last W days with data of
    -- each creative, never a sort of all rows. 2W days are needed, so the windows never overlap.
    -- A daily row is written period_end <= report_date (equal, given the CHECK period_end >=
    -- report_date): the planner guesses 0.5 % of rows for "column = column" and would then
    -- sort every row of a creative instead of walking the index in date order.
    INSERT INTO rolloy.insights (refreshed_at, scope_user_id, kind, dimension, dimension_value, project_id,
                                 metric, value, lift, confidence_score, label, impressions, clicks, sample_creatives,
                                 details)
    WITH first_days AS (
        SELECT c.project_id, f.day, f.day_no
          FROM pg_temp.rolloy_ins_creative c
         CROSS JOIN LATERAL (
               SELECT d.day, row_number() OVER (ORDER BY d.day) AS day_no
                 FROM (SELECT DISTINCT pd.report_date AS day
                         FROM rolloy.performance_data pd
                        WHERE pd.project_id = c.project_id AND pd.period_end <= pd.report_date AND pd.impressions > 0
                        ORDER BY pd.report_date
                        LIMIT 2 * cfg.fatigue_window_days) d) f
    ), found AS (
        SELECT fd.project_id, max(fd.day_no) AS days_with_data FROM first_days fd GROUP BY fd.project_id
    ), totals AS (
        SELECT cc.project_id, sum(cc.impressions)::bigint AS impressions, sum(cc.clicks)::bigint AS clicks,
               min(f.days_with_data) AS days_with_data
          FROM pg_temp.rolloy_ins_cc cc LEFT JOIN found f ON f.project_id = cc.project_id
         GROUP BY cc.project_id
    ), eligible AS (
        SELECT t.project_id FROM totals t
         WHERE t.days_with_data = 2 * cfg.fatigue_window_days AND t.impressions >= cfg.fatigue_min_impressions
    ), window_days AS (
        SELECT fd.project_id, fd.day, 'baseline' AS window_name
          FROM first_days fd WHERE fd.day_no <= cfg.fatigue_window_days AND fd.project_id IN (SELECT e.project_id FROM eligible e)
        UNION ALL
        SELECT e.project_id, l.day, 'recent'
          FROM eligible e
         CROSS JOIN LATERAL (SELECT DISTINCT pd.report_date AS day
                               FROM rolloy.performance_data pd
                              WHERE pd.project_id = e.project_id AND pd.period_end <= pd.report_date AND pd.impressions > 0
                              ORDER BY pd.report_date DESC
                              LIMIT cfg.fatigue_window_days) l
    ), days AS (
        SELECT w.project_id, w.window_name, w.day, sum(pd.impressions)::numeric AS n, sum(pd.clicks)::numeric AS k
          FROM window_days w
          JOIN rolloy.performance_data pd ON pd.project_id = w.project_id AND pd.report_date = w.day
                                         AND pd.period_end <= pd.report_date
         GROUP BY w.project_id, w.window_name, w.day
    ), windowed AS (
        SELECT d.*, count(*) OVER w AS wm, sum(d.k) OVER w AS wk, sum(d.n) OVER w AS wn
          FROM days d
        WINDOW w AS (PARTITION BY d.project_id, d.window_name)
    ), windows AS (
        SELECT w.project_id, w.window_name, min(w.wm)::numeric AS m, min(w.wk) / min(w.wn) AS ratio,
               (min(w.wm)::numeric - 1) ^ 2 / min(w.wm) * var_samp((w.wk - w.k) / nullif(w.wn - w.n, 0)) AS variance,
               min(w.day) AS from_day, max(w.day) AS to_day
          FROM windowed w
         GROUP BY w.project_id, w.window_name
    ), assessed AS (
        SELECT b.project_id, b.ratio AS baseline_ctr, r.ratio AS recent_ctr, t.confidence,
               b.from_day AS baseline_from, b.to_day AS baseline_to, r.from_day AS recent_from, r.to_day AS recent_to
          FROM windows b
          JOIN windows r ON r.project_id = b.project_id AND r.window_name = 'recent'
         CROSS JOIN LATERAL rolloy_internal._welch_test(r.ratio, r.variance, r.m, b.ratio, b.variance, b.m) t
         WHERE b.window_name = 'baseline'
    )
    SELECT stamp, s.scope_user_id, 'fatigue', 'creative', c.creative_name, c.project_id, 'ctr',
           a.recent_ctr, a.recent_ctr / nullif(a.baseline_ctr, 0) - 1, a.confidence,
           CASE WHEN a.project_id IS NULL THEN 'insufficient_data'
                WHEN a.recent_ctr <= (1 - cfg.fatigue_drop) * a.baseline_ctr
                     AND a.confidence >= cfg.fatigue_confidence THEN 'fatigued'
                ELSE 'stable' END,
           t.impressions, t.clicks, 1,
           jsonb_build_object('baseline_ctr', a.baseline_ctr, 'window_days', cfg.fatigue_window_days,
                              'baseline_from', a.baseline_from, 'baseline_to', a.baseline_to,
                              'recent_from', a.recent_from, 'recent_to', a.recent_to,
                              'days_with_data', t.days_with_data)
      FROM pg_temp.rolloy_ins_creative c
      JOIN totals t ON t.project_id = c.project_id
      JOIN pg_temp.rolloy_ins_scope s ON s.project_id = c.project_id
      LEFT JOIN assessed a ON a.project_id = c.project_id;

    DROP TABLE pg_temp.rolloy_ins_period, pg_temp.rolloy_ins_creative, pg_temp.rolloy_ins_scope,
               pg_temp.rolloy_ins_cc, pg_temp.rolloy_ins_sc;

    RETURN QUERY
    SELECT k.kind, count(DISTINCT i.scope_user_id)::integer + (count(*) FILTER (WHERE i.scope_user_id IS NULL) > 0)::integer,
           count(i.id)
      FROM (VALUES ('tier'), ('leaderboard'), ('effect'), ('trend'), ('cost'), ('heatmap'), ('fatigue')) k(kind)
      LEFT JOIN rolloy.insights i ON i.kind = k.kind
     GROUP BY k.kind
     ORDER BY k.kind;
END
$$;

CREATE OR REPLACE FUNCTION rolloy.unschedule_insights() RETURNS boolean
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    found boolean;
BEGIN
    PERFORM rolloy_internal._require_admin_or_superuser();
    PERFORM rolloy_internal._require_pg_cron();
    EXECUTE 'SELECT EXISTS (SELECT 1 FROM cron.job WHERE jobname = $1 AND username = current_user)'
        INTO found USING 'rolloy-insights';
    IF found THEN
        EXECUTE 'SELECT cron.unschedule($1::name)' USING 'rolloy-insights';
    END IF;
    RETURN found;
END
$$;

CREATE OR REPLACE FUNCTION rolloy.load_sample_dictionaries() RETURNS TABLE (dictionary text, rows_added integer)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    n integer;
BEGIN
    PERFORM rolloy_internal._require_admin_or_superuser();

    INSERT INTO rolloy.scenes (category, category_code, scene, scene_code, description, display_order)
    VALUES
        ('Outdoor', 'OUT', 'City park', 'PARK', 'A green city park with wide paved paths, benches and trees in soft daylight.', 10),
        ('Outdoor', 'OUT', 'Seaside promenade', 'BEACH', 'A sunny seaside promenade with a railing, sea view and light breeze.', 11),
        ('Outdoor', 'OUT', 'Nature trail', 'TRAIL', 'A smooth gravel trail through a forest edge in golden-hour light.', 12),
        ('Urban', 'URB', 'Café terrace', 'CAFE', 'A lively café terrace on a pedestrian street, cups on small tables.', 20),
        ('Urban', 'URB', 'Farmers market', 'MARKET', 'An open-air farmers market with fruit stalls and shoppers.', 21),
        ('Urban', 'URB', 'Shopping street', 'STREET', 'A clean shopping street with shop windows and smooth sidewalks.', 22),
        ('At home', 'HOME', 'Living room', 'LIVING', 'A bright, tidy living room with a sofa and large windows.', 30),
        ('At home', 'HOME', 'Garden', 'GARDEN', 'A well-kept back garden with flower beds and a stone path.', 31),
        ('At home', 'HOME', 'Hallway', 'HALL', 'A home hallway by the front door with a coat rack.', 32),
        ('Travel', 'TRVL', 'Car boot', 'CAR', 'The open boot of a hatchback car parked in a driveway.', 40),
        ('Travel', 'TRVL', 'Train platform', 'TRAIN', 'A modern train platform with a train arriving.', 41),
        ('Travel', 'TRVL', 'Airport', 'AIRPORT', 'An airport terminal with large windows and luggage.', 42)
    ON CONFLICT (category_code, scene_code) DO NOTHING;
    GET DIAGNOSTICS n = ROW_COUNT;
    dictionary := 'scenes'; rows_added := n; RETURN NEXT;

    INSERT INTO rolloy.actions (name, code, action_type, product_state, description, display_order)
    VALUES
        ('Walking', 'WALK', 'movement', 'expanded', 'Walks upright at an easy pace, both hands on the handles.', 10),
        ('Resting on the seat', 'REST', 'rest', 'expanded', 'Sits on the walker''s built-in seat with brakes locked, relaxed.', 11),
        ('Shopping', 'SHOP', 'movement', 'expanded', 'Walks with groceries in the walker''s basket.', 12),
        ('Meeting friends', 'MEET', 'social', 'expanded', 'Stands with the walker while talking and laughing with friends.', 13),
        ('Folding', 'FOLD', 'handling', 'both', 'Folds the walker with one hand in a single motion.', 20),
        ('Loading the car', 'LOAD', 'transport', 'folded', 'Lifts the folded walker into a car boot without effort.', 21),
        ('Storing', 'STORE', 'storage', 'folded', 'Stores the folded walker upright in a small space.', 22),
        ('Carrying', 'CARRY', 'transport', 'folded', 'Carries the folded walker onto a train or up a step.', 23)
    ON CONFLICT (code) DO NOTHING;
    GET DIAGNOSTICS n = ROW_COUNT;
    dictionary := 'actions'; rows_added := n; RETURN NEXT;

    INSERT INTO rolloy.drivers (emotion, code, keywords, description, display_order)
    VALUES
        ('Joy', 'JOY', '{laughter,sunshine,smile,lightness}', 'Open, genuine happiness in the moment.', 10),
        ('Freedom', 'FREE', '{independence,open road,spontaneous,go anywhere}', 'Going where you want, when you want.', 11),
        ('Confidence', 'CONF', '{upright posture,self-assured,steady,strong}', 'Standing tall and steady, in control.', 12),
        ('Safety', 'SAFE', '{secure,stable,trusted,peace of mind}', 'Calm certainty that nothing will go wrong.', 13),
        ('Connection', 'CONN', '{family,friends,together,belonging}', 'Time shared with people who matter.', 14),
        ('Style', 'STYLE', '{elegant,modern design,premium,tasteful}', 'A walker that looks like a lifestyle product.', 15),
        ('Calm', 'CALM', '{serene,unhurried,soft light,breathing space}', 'A slow, peaceful moment.', 16)
    ON CONFLICT (code) DO NOTHING;
    GET DIAGNOSTICS n = ROW_COUNT;
    dictionary := 'drivers'; rows_added := n; RETURN NEXT;

    INSERT INTO rolloy.formats (name, code, aspect_ratio, description, display_order)
    VALUES
        ('User-generated look', 'UGC', '4:5', 'Candid smartphone-style shot, natural framing, authentic.', 10),
        ('Lifestyle photo', 'LIFE', '1:1', 'Polished lifestyle photography, subject and scene balanced.', 11),
        ('Product hero', 'HERO', '1:1', 'The walker as hero, crisp detail, clean uncluttered background.', 12),
        ('Story vertical', 'STORY', '9:16', 'Full-screen vertical composition with space at top and bottom for text.', 13),
        ('Wide banner', 'BANNER', '16:9', 'Wide scene with the subject off-centre and room for a headline.', 14),
        ('Portrait close-up', 'PORT', '4:5', 'Close, warm portrait with the walker visible in frame.', 15)
    ON CONFLICT (code) DO NOTHING;
    GET DIAGNOSTICS n = ROW_COUNT;
    dictionary := 'formats'; rows_added := n; RETURN NEXT;
END
$$;

-- Privileges of rolloy_internal (99_internal_privileges.sql).
REVOKE ALL ON ALL FUNCTIONS IN SCHEMA rolloy_internal FROM PUBLIC, rolloy_member;
GRANT EXECUTE ON FUNCTION rolloy_internal._owns_project(uuid), rolloy_internal._insight_scope(),
                          rolloy_internal._is_currency_code(text), rolloy_internal._stored_image(text, boolean)
    TO rolloy_member;

-- Comments that changed (the text of src/sql/).
COMMENT ON FUNCTION rolloy.current_user_id() IS
    'The rolloy user id of this session: the users row mapped to the caller''s role, else (for members of '
    'rolloy_api, i.e. PostgREST) the JWT claim sub; NULL when neither resolves to an active user. '
    'Anyone with the schema may call it; it answers only about the caller.';
COMMENT ON FUNCTION rolloy.is_admin() IS
    'True when the rolloy user of this session has role admin and is active. Anyone with the schema may '
    'call it; it answers only about the caller.';
COMMENT ON FUNCTION rolloy.create_project(text, text, text, text, text, text, text) IS
    'Creates a project owned by the caller from ABCD codes (case-insensitive) and returns it with its generated '
    'name. Any member with a rolloy identity; refuses (42501) a session that maps to no rolloy user.';
COMMENT ON FUNCTION rolloy.image(uuid) IS
    'The generated JPEG of a completed image the caller may see (own projects; admins all); NULL otherwise. '
    'PostgREST: GET /rpc/image?image_id=… with Accept: image/jpeg.';
COMMENT ON FUNCTION rolloy.thumbnail(uuid) IS
    'The 300x300 JPEG thumbnail of a completed image the caller may see; NULL otherwise. '
    'PostgREST: GET /rpc/thumbnail?image_id=… with Accept: image/jpeg.';
COMMENT ON FUNCTION rolloy.reference_image(uuid, boolean) IS
    'Bytes (or the 300x300 thumbnail) of a reference photo; every member may read the shared photo library.';
COMMENT ON FUNCTION rolloy.load_sample_dictionaries() IS
    'Loads a sample ABCD dictionary for a rollator/walker brand (12 scenes in 4 categories, 8 actions, '
    '7 drivers, 6 formats). Idempotent; admins (or a superuser session without a rolloy user) only. Returns rows '
    'added per dictionary.';
COMMENT ON FUNCTION rolloy.cancel_generation(uuid) IS
    'Cancels the pending and in-flight images of a project (an in-flight result is discarded); returns '
    'how many. Owner of the project or an admin.';
COMMENT ON FUNCTION rolloy.estimated_image_cost(text, text) IS
    'Cost in USD one image of a provider and model is expected to cost (per-image price, or per-megapixel '
    'price at 1.05 MP): what quotas and budgets reserve for a queued image. Any member.';
COMMENT ON FUNCTION rolloy.import_csv(text) IS
    'PostgREST upload: POST /rpc/import_csv with Content-Type: text/plain and the CSV as the body. '
    'Platform detected, on_error reject_file. Returns the import_batches row. Admins only.';
COMMENT ON FUNCTION rolloy.import_csv_file(bytea) IS
    'PostgREST upload of the file as is: POST /rpc/import_csv_file with Content-Type: application/octet-stream '
    '(UTF-16 "Excel CSV" included). Platform detected, on_error reject_file. Returns the import_batches row. Admins only.';
COMMENT ON FUNCTION rolloy.import_performance(bytea, text, text, text) IS
    'Same as import_performance(text, ...) for the file''s raw bytes: accepts UTF-8 (with or without BOM) and '
    'UTF-16 ("Excel CSV" of Google Ads), and names an .xlsx, .xls, PDF, zip or image sent by mistake. Returns the '
    'import_batches row. Admins only.';
COMMENT ON FUNCTION rolloy.parse_creative_name(text) IS
    'Splits a creative name (YYYYMMDD_A1_A2_B_C_D[_N][_Vnn]) into its parts. Tolerates surrounding '
    'whitespace, any case, - or spaces for _, and copy suffixes such as " - Copy", " – Copy 2", "(1)". '
    'Returns NULL for text that is not a creative name. Any member.';
COMMENT ON FUNCTION rolloy.price_of(text, text, text, timestamptz) IS
    'The price per unit in force at a time for a provider and model; NULL when none is listed. Any member.';
COMMENT ON FUNCTION rolloy.project_zip(uuid) IS
    'All completed images of a project as one ZIP, files named <ad name>.jpg. Owner of the project or an '
    'admin (42704 otherwise). PostgREST: GET /rpc/project_zip?project_id=… with Accept: application/zip.';
COMMENT ON FUNCTION rolloy.reference_images_for(uuid) IS
    'Active reference images usable for a project: those whose product state matches its action''s, '
    'plus those showing both states (all of them when the action shows both). Owner of the project or an admin; '
    'empty for projects the caller may not see.';
COMMENT ON FUNCTION rolloy.regenerate_image(uuid, bigint) IS
    'Queues a new variant like an existing image (same reference and parameters, new seed unless given) '
    'within quota, budget and rate limit, and returns its row. The old image keeps its name: it may already be live '
    'in ad platforms. Owner of the project or an admin.';
COMMENT ON FUNCTION rolloy.remove_provider_key(text) IS
    'Removes the API key of a provider; true when there was one. Admins only.';
COMMENT ON FUNCTION rolloy.restart_worker() IS
    'Restarts the background worker; false when none runs. It releases its in-flight images on the way out '
    '(their attempt is given back) and the postmaster starts a new worker a few seconds later. Admins only.';
COMMENT ON FUNCTION rolloy.retry_failed(uuid) IS
    'Puts a project''s failed images back in the queue (attempts reset), within quota and budget; returns '
    'how many. Owner of the project or an admin.';
COMMENT ON FUNCTION rolloy.upload_reference_image(bytea, text, rolloy.product_state, text) IS
    'Adds a reference photo and returns its reference_images row: the type is sniffed from the bytes (JPEG, '
    'PNG, WebP), size and dimensions are checked, a thumbnail is made, and a photo already uploaded (same '
    'SHA-256) is refused. Any member with a rolloy identity; the photo joins the library every member uses.';
COMMENT ON FUNCTION rolloy.worker_status() IS
    'Health of the background worker: running, pid, database, start and last loop time, jobs in flight, '
    'and counts since start. running is false when rolloy is not in shared_preload_libraries. Any member.';
COMMENT ON VIEW rolloy.generation_progress IS
    'Image generation progress per project: members see their own projects, admins all.';
COMMENT ON VIEW rolloy.project_overview IS
    'Projects with their ABCD spelled out and image counts: members see their own projects, admins all (RLS).';
COMMENT ON VIEW rolloy.insight_leaderboard IS
    'The top creatives (insight_settings.leaderboard_size, default 20; ties at the last rank included) '
    'by the Wilson lower bound of CTR (admins: all creatives; members: their own).';
COMMENT ON VIEW rolloy.insight_effects IS
    'Effect of each scene category, scene, action, driver and format on CTR and ROAS: the value over '
    'the creatives that have it against the rest, lift and confidence_score (Welch test with creatives '
    'as the unit; docs/insights.md). Admins: over all data; members: over their own creatives.';
COMMENT ON VIEW rolloy.insight_trends IS
    'Weekly and monthly figures, overall (dimension all) and per ABCD value, one row per currency '
    '(admins: all data; members: their own creatives).';
COMMENT ON VIEW rolloy.insight_cost_efficiency IS
    'Spend, CPC, CPM, CPA and ROAS overall (dimension all) and per ABCD value, one row per currency '
    '(admins: all data; members: their own creatives).';
COMMENT ON VIEW rolloy.insight_heatmap IS
    'Any two ABCD dimensions against each other (filter dimension_x and dimension_y, e.g. scene x '
    'driver): CTR, CPC, CPA and ROAS per cell, one row per currency (admins: all data; members: their own creatives).';
COMMENT ON VIEW rolloy.insight_fatigue IS
    'Creative fatigue: CTR of the last window_days days with data against the first window_days; '
    'fatigued when it fell by at least insight_settings.fatigue_drop with enough confidence (admins: all '
    'creatives; members: their own).';
COMMENT ON TABLE rolloy.scenes IS
    'A: where the ad is set. Two levels: category (A1) and scene (A2). Read by all members, written by admins.';
COMMENT ON TABLE rolloy.actions IS
    'B: what the person does; fixes the product state shown. Read by all members, written by admins.';
COMMENT ON TABLE rolloy.drivers IS
    'C: the emotional driver of the creative. Read by all members, written by admins.';
COMMENT ON TABLE rolloy.formats IS
    'D: the format (composition style) of the creative. Read by all members, written by admins.';
COMMENT ON TABLE rolloy.users IS
    'People who use rolloy, their role, quotas and optional Postgres login. Members read their own row '
    'and may change its display_name; admins manage all.';
COMMENT ON TABLE rolloy.creative_projects IS
    'One creative: an ABCD combination with its automatic name, prompt and generated images. Members '
    'create (rolloy.create_project), read, edit and delete their own; admins all.';
COMMENT ON TABLE rolloy.name_counters IS
    'Last sequence issued per YYYYMMDD_A1_A2_B_C_D, so that a name is never issued twice; written by the '
    'naming trigger, readable by no member.';
COMMENT ON TABLE rolloy.generated_images IS
    'One image of a project: a job for the worker, then the result. Members read those of their own '
    'projects, admins all; written only through rolloy functions and the worker.';
COMMENT ON TABLE rolloy.api_usage_logs IS
    'One row per provider call with its cost; written only by rolloy. Members read their own, admins all.';
COMMENT ON TABLE rolloy.provider_prices IS
    'Price list of provider calls in USD; the row in force at the time of a call prices it. Read by all '
    'members; admins add prices (the seeded list prices are immutable).';
COMMENT ON TABLE rolloy.image_store IS
    'Bytes of reference and generated images with their 300x300 thumbnails; readable where the image is '
    '(reference photos: all members; generated images: their project''s owner and admins); written only by rolloy.';
COMMENT ON TABLE rolloy.import_batches IS
    'One row per call of rolloy.import_performance: what it read and did. Members read their own imports, '
    'admins all.';
COMMENT ON TABLE rolloy.performance_data IS
    'Daily ad performance per platform and ad; one row per (platform, ad, day), re-imports update it. '
    'Members read the rows matched to their own projects; admins read and write all (rolloy.import_performance).';
COMMENT ON TABLE rolloy.insights IS
    'Findings computed by rolloy.refresh_insights(): over all data (scope_user_id NULL, admins) or over one '
    'user''s creatives (that user). Read through the insight_* views.';
COMMENT ON TABLE rolloy.reference_images IS
    'Product photos of the walker that image generation starts from (img2img), shared by all members: '
    'members read all, add their own (rolloy.upload_reference_image) and change or delete their own; admins all.';

-- == Statistics from the C++ core: Student's t by Boost.Math, Wilson bounds in C++ ==
-- The PL/pgSQL transcriptions of textbook code (Lanczos log-gamma, the incomplete beta's
-- continued fraction) leave; the functions keep their signatures, grants and callers.
CREATE OR REPLACE FUNCTION rolloy_internal.student_t_cdf(t double precision, df double precision) RETURNS double precision
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE AS 'MODULE_PATHNAME', 'rolloy_student_t_cdf';
COMMENT ON FUNCTION rolloy_internal.student_t_cdf(double precision, double precision) IS
    'P(T <= t) for Student''s t distribution with df degrees of freedom (df may be fractional, as '
    'Welch''s is; infinity gives the normal law); Boost.Math, accurate to about 1e-15.';

CREATE OR REPLACE FUNCTION rolloy_internal.wilson_lower_bound(successes numeric, trials numeric, z numeric DEFAULT 1.96)
RETURNS numeric
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE AS 'MODULE_PATHNAME', 'rolloy_wilson_lower_bound';
COMMENT ON FUNCTION rolloy_internal.wilson_lower_bound(numeric, numeric, numeric) IS
    'Lower bound of the Wilson score interval of a proportion (e.g. clicks of impressions); z 1.96 = 95 %. '
    'NULL when trials is 0. Ranks small samples fairly: 1/10 does not beat 300/10000.';

CREATE OR REPLACE FUNCTION rolloy_internal.wilson_upper_bound(successes numeric, trials numeric, z numeric DEFAULT 1.96)
RETURNS numeric
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE AS 'MODULE_PATHNAME', 'rolloy_wilson_upper_bound';
COMMENT ON FUNCTION rolloy_internal.wilson_upper_bound(numeric, numeric, numeric) IS
    'Upper bound of the Wilson score interval of a proportion; z 1.96 = 95 %. NULL when trials is 0.';

DROP FUNCTION rolloy_internal._incomplete_beta(double precision, double precision, double precision);
DROP FUNCTION rolloy_internal._ln_gamma(double precision);

-- == Least privilege against a hostile member (issue 11) ==
-- Every text field a person types gets a limit (a named CHECK); no role but the owner holds a
-- table-level write privilege (one would let a member LOCK a table in any mode and freeze every
-- session): plain INSERT and UPDATE go through column privileges, deletes through functions;
-- reference photos are added only by upload_reference_image(); without an active rolloy identity
-- nothing is readable; imports serialise on a row lock no member can take; ownership is checked
-- before anything is read, and every PL/pgSQL function pins search_path.
--
-- The new limits are validated CHECKs, as in a fresh install. A NOT VALID constraint would not
-- do: a CHECK is evaluated on every UPDATE of a row, so an old over-long row would fail the
-- worker's counter updates of its project. When a 0.1.0 database holds a value over a limit the
-- upgrade stops before changing anything, names the rows and truncates nothing: shorten them
-- (the hint shows how) and run ALTER EXTENSION rolloy UPDATE again.
DO $limits$
DECLARE
    c record;
    n bigint;
    found text := '';
BEGIN
    FOR c IN SELECT * FROM (VALUES
        ('rolloy.scenes', 'description', 'length(description) > 2000'),
        ('rolloy.actions', 'description', 'length(description) > 2000'),
        ('rolloy.drivers', 'description', 'length(description) > 2000'),
        ('rolloy.drivers', 'keywords', 'cardinality(keywords) > 30 OR length(array_to_string(keywords, '''')) > 1000'),
        ('rolloy.formats', 'description', 'length(description) > 2000'),
        ('rolloy.reference_images', 'description', 'length(description) > 2000'),
        ('rolloy.creative_projects', 'notes', 'length(notes) > 5000'),
        ('rolloy.generated_images', 'model', 'length(model) > 120'),
        ('rolloy.provider_prices', 'notes', 'length(notes) > 500'),
        ('rolloy.import_batches', 'source_name', 'length(source_name) > 255'),
        ('rolloy.performance_data', 'ad_key', 'octet_length(ad_key) > 1000'),
        ('rolloy.performance_data', 'ad_id', 'octet_length(ad_id) > 1000'),
        ('rolloy.performance_data', 'ad_name', 'octet_length(ad_name) > 1000'),
        ('rolloy.performance_data', 'campaign', 'octet_length(campaign) > 1000'),
        ('rolloy.performance_data', 'ad_group', 'octet_length(ad_group) > 1000'),
        ('rolloy.performance_data', 'creative_name', 'octet_length(creative_name) > 1000')) AS v(tbl, col, over)
    LOOP
        EXECUTE format('SELECT count(*) FROM %s WHERE %s', c.tbl, c.over) INTO n;
        IF n > 0 THEN
            found := found || format('%s%s.%s: %s rows (WHERE %s)', CASE WHEN found = '' THEN '' ELSE '; ' END,
                                     c.tbl, c.col, n, c.over);
        END IF;
    END LOOP;
    IF found <> '' THEN
        RAISE EXCEPTION 'rolloy 0.2.0 limits the length of free text, and this database holds longer values: %', found
            USING ERRCODE = 'string_data_right_truncation',
                  HINT = 'Nothing was changed. Shorten those values (e.g. UPDATE rolloy.creative_projects SET notes = '
                         'left(notes, 5000) WHERE length(notes) > 5000), then run ALTER EXTENSION rolloy UPDATE again. '
                         'The limits: docs/security.md.';
    END IF;
END
$limits$;

ALTER TABLE rolloy.scenes ADD CONSTRAINT scenes_description_length CHECK (length(description) <= 2000);
ALTER TABLE rolloy.actions ADD CONSTRAINT actions_description_length CHECK (length(description) <= 2000);
ALTER TABLE rolloy.drivers ADD CONSTRAINT drivers_description_length CHECK (length(description) <= 2000),
    ADD CONSTRAINT drivers_keywords_length
        CHECK (cardinality(keywords) <= 30 AND length(array_to_string(keywords, '')) <= 1000);
ALTER TABLE rolloy.formats ADD CONSTRAINT formats_description_length CHECK (length(description) <= 2000);
ALTER TABLE rolloy.reference_images
    ADD CONSTRAINT reference_images_description_length CHECK (length(description) <= 2000);
ALTER TABLE rolloy.creative_projects ADD CONSTRAINT creative_projects_notes_length CHECK (length(notes) <= 5000);
ALTER TABLE rolloy.generated_images ADD CONSTRAINT generated_images_model_length CHECK (length(model) <= 120);
ALTER TABLE rolloy.provider_prices ADD CONSTRAINT provider_prices_notes_length CHECK (length(notes) <= 500);
ALTER TABLE rolloy.import_batches
    ADD CONSTRAINT import_batches_source_name_length CHECK (length(source_name) <= 255);
ALTER TABLE rolloy.performance_data
    ADD CONSTRAINT performance_data_ad_key_length CHECK (octet_length(ad_key) <= 1000),
    ADD CONSTRAINT performance_data_ad_id_length CHECK (octet_length(ad_id) <= 1000),
    ADD CONSTRAINT performance_data_ad_name_length CHECK (octet_length(ad_name) <= 1000),
    ADD CONSTRAINT performance_data_campaign_length CHECK (octet_length(campaign) <= 1000),
    ADD CONSTRAINT performance_data_ad_group_length CHECK (octet_length(ad_group) <= 1000),
    ADD CONSTRAINT performance_data_creative_name_length CHECK (octet_length(creative_name) <= 1000);

-- What the limits are, and who may read and write (COMMENTs, as in src/sql/).
COMMENT ON COLUMN rolloy.scenes.category IS 'Scene category, e.g. Outdoor. At most 80 characters.';
COMMENT ON COLUMN rolloy.scenes.scene IS 'Scene within the category, e.g. City park. At most 80 characters.';
COMMENT ON COLUMN rolloy.scenes.description IS 'What the scene shows; used when writing image prompts. At most 2000 characters.';
COMMENT ON COLUMN rolloy.actions.name IS 'Action, e.g. Walking. At most 80 characters.';
COMMENT ON COLUMN rolloy.actions.description IS 'What the action looks like; used when writing image prompts. At most 2000 characters.';
COMMENT ON COLUMN rolloy.drivers.emotion IS 'Emotion, e.g. Joy. At most 80 characters.';
COMMENT ON COLUMN rolloy.drivers.keywords IS 'Words that evoke the emotion; used when writing image prompts. At most 30, 1000 characters in all.';
COMMENT ON COLUMN rolloy.drivers.description IS 'How the emotion should read in the image. At most 2000 characters.';
COMMENT ON COLUMN rolloy.formats.name IS 'Format, e.g. User-generated content. At most 80 characters.';
COMMENT ON COLUMN rolloy.formats.description IS 'Composition guidance; used when writing image prompts. At most 2000 characters.';
COMMENT ON COLUMN rolloy.users.email IS 'E-mail address, unique regardless of case; at most 254 characters.';
COMMENT ON COLUMN rolloy.users.display_name IS 'Name shown in reports; at most 120 characters.';
COMMENT ON TABLE rolloy.reference_images IS
    'Product photos of the walker that image generation starts from (img2img), shared by all members: '
    'members with a rolloy identity read all, add photos only through rolloy.upload_reference_image, change the '
    'file name, description, product state and is_active of their own and delete them with '
    'rolloy.delete_reference_image; admins all.';
COMMENT ON COLUMN rolloy.reference_images.file_name IS 'Original file name (informational; the type is sniffed from content); at most 255 characters.';
COMMENT ON COLUMN rolloy.reference_images.description IS 'What the photo shows; at most 2000 characters.';
COMMENT ON TABLE rolloy.creative_projects IS
    'One creative: an ABCD combination with its automatic name, prompt and generated images. Members '
    'create (rolloy.create_project), read and edit their own and delete them with rolloy.delete_project; admins all.';
COMMENT ON COLUMN rolloy.creative_projects.title IS 'Free-text working title; at most 200 characters.';
COMMENT ON COLUMN rolloy.creative_projects.notes IS 'Free-text notes; at most 5000 characters.';
COMMENT ON COLUMN rolloy.generated_images.model IS 'Model id at the provider; at most 120 characters.';
COMMENT ON TABLE rolloy.provider_prices IS
    'Price list of provider calls in USD; the row in force at the time of a call prices it. Read by all '
    'members with a rolloy identity; admins add prices (the seeded list prices are immutable).';
COMMENT ON COLUMN rolloy.provider_prices.model IS 'Model id at the provider; at most 120 characters.';
COMMENT ON COLUMN rolloy.provider_prices.notes IS 'Source of the price; at most 500 characters.';
COMMENT ON TABLE rolloy.image_store IS
    'Bytes of reference and generated images with their 300x300 thumbnails; readable where the image is '
    '(reference photos: all members with a rolloy identity; generated images: their project''s owner and admins); '
    'written only by rolloy.';
COMMENT ON FUNCTION rolloy.reference_image(uuid, boolean) IS
    'Bytes (or the 300x300 thumbnail) of a reference photo; every member with a rolloy identity may read the shared '
    'photo library (NULL for others and for unknown ids).';
COMMENT ON COLUMN rolloy.import_batches.source_name IS 'Name given for the file; at most 255 characters.';
COMMENT ON TABLE rolloy.performance_data IS
    'Daily ad performance per platform and ad; one row per (platform, ad, day), re-imports update it. '
    'Members read the rows matched to their own projects; admins read and write all (rolloy.import_performance, '
    'rolloy.delete_performance_data).';
COMMENT ON COLUMN rolloy.performance_data.ad_key IS
    'Natural key of the ad: the platform ad id when the export has one, else the canonical creative name, else the ad name. '
    'At most 1000 bytes, as ad_id, ad_name, campaign, ad_group and creative_name.';
COMMENT ON COLUMN rolloy.performance_data.ad_id IS 'Ad id at the platform; at most 1000 bytes.';
COMMENT ON COLUMN rolloy.performance_data.ad_name IS 'Ad name as exported; at most 1000 bytes.';
COMMENT ON COLUMN rolloy.performance_data.campaign IS 'Campaign name; at most 1000 bytes.';
COMMENT ON COLUMN rolloy.performance_data.ad_group IS 'Ad set / ad group name; at most 1000 bytes.';
COMMENT ON COLUMN rolloy.performance_data.creative_name IS
    'Canonical creative name the ad name spells (image name with _Vnn, else project name); NULL when it is not a creative name. '
    'At most 1000 bytes.';
COMMENT ON TABLE rolloy.insight_settings IS
    'Gates and thresholds of rolloy.refresh_insights(); one row (an INSERT replaces it, columns not '
    'given take their defaults; no row = defaults). Read by all members with a rolloy identity, changed by '
    'admins (INSERT or UPDATE; INSERT DEFAULT VALUES resets).';

-- Without an active rolloy identity nothing is readable: the policies that read USING (true).
ALTER POLICY scenes_read ON rolloy.scenes USING ((SELECT rolloy.current_user_id()) IS NOT NULL);
ALTER POLICY actions_read ON rolloy.actions USING ((SELECT rolloy.current_user_id()) IS NOT NULL);
ALTER POLICY drivers_read ON rolloy.drivers USING ((SELECT rolloy.current_user_id()) IS NOT NULL);
ALTER POLICY formats_read ON rolloy.formats USING ((SELECT rolloy.current_user_id()) IS NOT NULL);
ALTER POLICY reference_images_read ON rolloy.reference_images USING ((SELECT rolloy.current_user_id()) IS NOT NULL);
ALTER POLICY provider_prices_read ON rolloy.provider_prices USING ((SELECT rolloy.current_user_id()) IS NOT NULL);
ALTER POLICY insight_settings_read ON rolloy.insight_settings USING ((SELECT rolloy.current_user_id()) IS NOT NULL);

-- No table-level write privilege for members (PostgREST's authenticated included): column
-- privileges for the plain INSERT and UPDATE that stay, deletes through the functions below, and
-- no reference_images INSERT (upload_reference_image() only). REVOKE on a table takes its column
-- privileges too; the policies no write reaches any more go.
REVOKE ALL ON rolloy.users, rolloy.scenes, rolloy.actions, rolloy.drivers, rolloy.formats, rolloy.reference_images,
              rolloy.creative_projects, rolloy.provider_prices, rolloy.performance_data, rolloy.insight_settings
    FROM rolloy_member;
DROP POLICY users_delete ON rolloy.users;
DROP POLICY scenes_delete ON rolloy.scenes;
DROP POLICY actions_delete ON rolloy.actions;
DROP POLICY drivers_delete ON rolloy.drivers;
DROP POLICY formats_delete ON rolloy.formats;
DROP POLICY reference_images_insert ON rolloy.reference_images;
DROP POLICY reference_images_delete ON rolloy.reference_images;
DROP POLICY creative_projects_delete ON rolloy.creative_projects;
DROP POLICY provider_prices_delete ON rolloy.provider_prices;
DROP POLICY insight_settings_delete ON rolloy.insight_settings;
DROP POLICY performance_data_admin_write ON rolloy.performance_data;
CREATE POLICY performance_data_insert ON rolloy.performance_data FOR INSERT WITH CHECK ((SELECT rolloy.is_admin()));
CREATE POLICY performance_data_update ON rolloy.performance_data FOR UPDATE
    USING ((SELECT rolloy.is_admin())) WITH CHECK ((SELECT rolloy.is_admin()));
GRANT SELECT ON rolloy.users TO rolloy_member;
GRANT INSERT (id, email, display_name, role, monthly_image_quota, monthly_budget_usd, pg_role, is_active),
      UPDATE (email, display_name, role, monthly_image_quota, monthly_budget_usd, pg_role, is_active)
    ON rolloy.users TO rolloy_member;
GRANT SELECT ON rolloy.scenes, rolloy.actions, rolloy.drivers, rolloy.formats TO rolloy_member;
GRANT INSERT (category, category_code, scene, scene_code, description, is_active, display_order),
      UPDATE (category, category_code, scene, scene_code, description, is_active, display_order) ON rolloy.scenes TO rolloy_member;
GRANT INSERT (name, code, action_type, product_state, description, is_active, display_order),
      UPDATE (name, code, action_type, product_state, description, is_active, display_order) ON rolloy.actions TO rolloy_member;
GRANT INSERT (emotion, code, keywords, description, is_active, display_order),
      UPDATE (emotion, code, keywords, description, is_active, display_order) ON rolloy.drivers TO rolloy_member;
GRANT INSERT (name, code, aspect_ratio, description, is_active, display_order),
      UPDATE (name, code, aspect_ratio, description, is_active, display_order) ON rolloy.formats TO rolloy_member;
GRANT SELECT ON rolloy.reference_images TO rolloy_member;
GRANT UPDATE (file_name, product_state, description, is_active) ON rolloy.reference_images TO rolloy_member;
GRANT SELECT ON rolloy.creative_projects TO rolloy_member;
GRANT INSERT (title, notes, scene_id, action_id, driver_id, format_id, created_by) ON rolloy.creative_projects TO rolloy_member;
GRANT UPDATE (title, notes, scene_id, action_id, driver_id, format_id) ON rolloy.creative_projects TO rolloy_member;
GRANT SELECT ON rolloy.provider_prices TO rolloy_member;
GRANT INSERT (provider, model, unit, price_usd, valid_from, notes), UPDATE (provider, model, unit, price_usd, valid_from, notes)
    ON rolloy.provider_prices TO rolloy_member;
GRANT SELECT ON rolloy.performance_data TO rolloy_member;
GRANT INSERT (platform, ad_key, report_date, period_end, ad_id, ad_name, campaign, ad_group, creative_name, project_id,
              image_id, impressions, reach, clicks, spend, currency, conversions, conversion_value, source_lines,
              import_batch_id),
      UPDATE (platform, ad_key, report_date, period_end, ad_id, ad_name, campaign, ad_group, creative_name, project_id,
              image_id, impressions, reach, clicks, spend, currency, conversions, conversion_value, source_lines,
              import_batch_id)
    ON rolloy.performance_data TO rolloy_member;
GRANT SELECT ON rolloy.insight_settings TO rolloy_member;
GRANT INSERT (min_impressions, wilson_z, effect_min_creatives, effect_confidence, leaderboard_size, fatigue_window_days,
              fatigue_min_impressions, fatigue_drop, fatigue_confidence),
      UPDATE (min_impressions, wilson_z, effect_min_creatives, effect_confidence, leaderboard_size, fatigue_window_days,
              fatigue_min_impressions, fatigue_drop, fatigue_confidence)
    ON rolloy.insight_settings TO rolloy_member;

-- Imports serialise on a row lock in rolloy_internal instead of a public advisory key.
CREATE TABLE rolloy_internal.import_locks (
    platform  rolloy.ad_platform PRIMARY KEY
);
COMMENT ON TABLE rolloy_internal.import_locks IS
    'One row per platform, locked FOR UPDATE by rolloy.import_performance so that imports of a platform run one at a time.';

-- Every PL/pgSQL function pins search_path (the worker calls _call_cost in its own session);
-- admins hold no DELETE on insight_settings, so the trigger that replaces its row runs as the owner.
ALTER FUNCTION rolloy_internal.require_user() SET search_path = pg_catalog, pg_temp;
ALTER FUNCTION rolloy_internal.require_admin() SET search_path = pg_catalog, pg_temp;
ALTER FUNCTION rolloy_internal._require_admin_or_superuser(text, text) SET search_path = pg_catalog, pg_temp;
ALTER FUNCTION rolloy_internal._call_cost(text, text, bigint, bigint, integer, numeric) SET search_path = pg_catalog, pg_temp;
ALTER FUNCTION rolloy_internal._require_pg_cron() SET search_path = pg_catalog, pg_temp;
ALTER FUNCTION rolloy_internal._replace_insight_settings() SECURITY DEFINER;

CREATE FUNCTION rolloy_internal._check_length(what text, value text, max_chars integer) RETURNS void
LANGUAGE plpgsql IMMUTABLE SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    IF length(value) > max_chars THEN
        RAISE EXCEPTION '% may be at most % characters (this one has %)', what, max_chars, length(value)
            USING ERRCODE = 'string_data_right_truncation';
    END IF;
END
$$;
REVOKE ALL ON FUNCTION rolloy_internal._check_length(text, text, integer) FROM PUBLIC;
COMMENT ON FUNCTION rolloy_internal._check_length(text, text, integer) IS
    'Raises string_data_right_truncation (22001) naming what when value is longer than max_chars characters.';

-- Functions replaced: ownership checked before anything is read (regenerate_image), arguments
-- over their limit refused without echoing them, row locks that do not block foreign-key checks.

CREATE OR REPLACE FUNCTION rolloy_internal._guard_project_owner() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    -- Superusers (restores, operators, the test suites) may act for anyone.
    IF (SELECT r.rolsuper FROM pg_catalog.pg_roles r WHERE r.rolname = current_user) THEN
        RETURN NEW;
    END IF;
    IF TG_OP = 'INSERT' THEN
        -- (No identity: created_by defaults to NULL, which is not distinct from it.)
        IF rolloy.current_user_id() IS NULL OR NEW.created_by IS DISTINCT FROM rolloy.current_user_id() THEN
            RAISE EXCEPTION 'created_by must be the current user'
                USING ERRCODE = 'insufficient_privilege';
        END IF;
    ELSIF NEW.created_by IS DISTINCT FROM OLD.created_by THEN
        RAISE EXCEPTION 'the owner of a project cannot be changed' USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
END
$$;

CREATE OR REPLACE FUNCTION rolloy_internal._name_image() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    project_name text;
BEGIN
    IF TG_OP = 'UPDATE' THEN
        IF (NEW.project_id, NEW.variant_no, NEW.ad_name) IS DISTINCT FROM (OLD.project_id, OLD.variant_no, OLD.ad_name) THEN
            RAISE EXCEPTION 'the project, variant and ad name of an image cannot be changed'
                USING ERRCODE = 'object_not_in_prerequisite_state';
        END IF;
        RETURN NEW;
    END IF;
    -- Lock the project row: serialises variant numbering per project. NO KEY UPDATE, not UPDATE:
    -- a member who queues and keeps his transaction open must not block the KEY SHARE locks of
    -- foreign-key checks (the worker's usage log, refresh_insights, imports) on his project.
    SELECT p.generated_name INTO project_name FROM rolloy.creative_projects p WHERE p.id = NEW.project_id
       FOR NO KEY UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'project % does not exist', NEW.project_id USING ERRCODE = 'foreign_key_violation';
    END IF;
    SELECT coalesce(max(g.variant_no), 0) + 1 INTO NEW.variant_no
      FROM rolloy.generated_images g WHERE g.project_id = NEW.project_id;
    NEW.ad_name := rolloy_internal.compose_image_name(project_name, NEW.variant_no);
    RETURN NEW;
END
$$;

CREATE OR REPLACE FUNCTION rolloy.create_project(
    category_code text, scene_code text, action_code text, driver_code text, format_code text,
    title text DEFAULT '', notes text DEFAULT '')
RETURNS rolloy.creative_projects
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    s_id integer; a_id integer; d_id integer; f_id integer;
    created rolloy.creative_projects;
    too_long text;
BEGIN
    PERFORM rolloy_internal.require_user();
    -- Codes have 2 to 8 characters: a longer one is refused before it is looked up or echoed.
    SELECT v.what INTO too_long
      FROM (VALUES ('category', create_project.category_code), ('scene', create_project.scene_code),
                   ('action', create_project.action_code), ('driver', create_project.driver_code),
                   ('format', create_project.format_code)) v(what, code)
     WHERE length(btrim(v.code)) > 8 LIMIT 1;
    IF too_long IS NOT NULL THEN
        RAISE EXCEPTION 'the % code is longer than 8 characters (ABCD codes have 2 to 8)', too_long
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    PERFORM rolloy_internal._check_length('title', create_project.title, 200);
    PERFORM rolloy_internal._check_length('notes', create_project.notes, 5000);
    SELECT s.id INTO s_id FROM rolloy.scenes s
     WHERE s.category_code = upper(btrim(create_project.category_code)) AND s.scene_code = upper(btrim(create_project.scene_code));
    IF s_id IS NULL THEN
        RAISE EXCEPTION 'unknown scene %/%', category_code, scene_code USING ERRCODE = 'undefined_object',
            HINT = 'See SELECT category_code, scene_code FROM rolloy.scenes;';
    END IF;
    SELECT a.id INTO a_id FROM rolloy.actions a WHERE a.code = upper(btrim(action_code));
    IF a_id IS NULL THEN
        RAISE EXCEPTION 'unknown action code %', action_code USING ERRCODE = 'undefined_object',
            HINT = 'See SELECT code FROM rolloy.actions;';
    END IF;
    SELECT d.id INTO d_id FROM rolloy.drivers d WHERE d.code = upper(btrim(driver_code));
    IF d_id IS NULL THEN
        RAISE EXCEPTION 'unknown driver code %', driver_code USING ERRCODE = 'undefined_object',
            HINT = 'See SELECT code FROM rolloy.drivers;';
    END IF;
    SELECT f.id INTO f_id FROM rolloy.formats f WHERE f.code = upper(btrim(format_code));
    IF f_id IS NULL THEN
        RAISE EXCEPTION 'unknown format code %', format_code USING ERRCODE = 'undefined_object',
            HINT = 'See SELECT code FROM rolloy.formats;';
    END IF;
    INSERT INTO rolloy.creative_projects (scene_id, action_id, driver_id, format_id, title, notes)
    VALUES (s_id, a_id, d_id, f_id, coalesce(create_project.title, ''), coalesce(create_project.notes, ''))
    RETURNING * INTO created;
    RETURN created;
END
$$;

CREATE OR REPLACE FUNCTION rolloy.set_provider_key(provider text, api_key text) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    me uuid := rolloy_internal.require_admin();
BEGIN
    IF set_provider_key.provider NOT IN ('gemini', 'fal') THEN
        RAISE EXCEPTION 'unknown provider "%"', left(set_provider_key.provider, 40) USING ERRCODE = 'invalid_parameter_value',
            HINT = 'Keys are set for gemini or fal.';
    END IF;
    IF api_key IS NULL OR length(btrim(api_key)) < 8 OR length(api_key) > 512 OR api_key ~ '\s' THEN
        RAISE EXCEPTION 'that does not look like an API key (8 to 512 characters, no spaces)'
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    INSERT INTO rolloy.provider_secrets AS s (provider, api_key, set_by) VALUES (set_provider_key.provider, api_key, me)
    ON CONFLICT ON CONSTRAINT provider_secrets_pkey
    DO UPDATE SET api_key = EXCLUDED.api_key, set_by = EXCLUDED.set_by, updated_at = now();
END
$$;

CREATE OR REPLACE FUNCTION rolloy_internal._lock_own_project(project_id uuid, queueing boolean DEFAULT true)
RETURNS rolloy.creative_projects
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    me uuid := rolloy_internal.require_user();
    p rolloy.creative_projects;
BEGIN
    SELECT * INTO p FROM rolloy.creative_projects c WHERE c.id = _lock_own_project.project_id;
    IF NOT FOUND OR (p.created_by <> me AND NOT rolloy_internal._user_is_admin(me)) THEN
        RAISE EXCEPTION 'project % not found', project_id USING ERRCODE = 'undefined_object',
            HINT = 'Only the owner of a project (or an admin) can generate, cancel or retry its images.';
    END IF;
    -- The checks that follow count what the owner has queued: under REPEATABLE READ they would
    -- count from a snapshot taken before the lock below, missing what a session holding it just
    -- queued. READ COMMITTED (the default) takes a fresh snapshot per statement; SERIALIZABLE
    -- aborts one of two such sessions instead (40001, retry).
    IF queueing AND current_setting('transaction_isolation') = 'repeatable read' THEN
        RAISE EXCEPTION 'images cannot be queued in a REPEATABLE READ transaction'
            USING ERRCODE = 'invalid_transaction_state',
                  DETAIL = 'Its snapshot could miss images another session queued meanwhile, and quota and budget could be overspent.',
                  HINT = 'Use READ COMMITTED (the default) or SERIALIZABLE.';
    END IF;
    -- NO KEY UPDATE serialises queueing per owner just as well, and does not block the KEY SHARE
    -- locks of foreign-key checks (the worker's usage log, refresh_insights) on the owner's row
    -- while the caller's transaction stays open.
    PERFORM 1 FROM rolloy.users u WHERE u.id = p.created_by FOR NO KEY UPDATE;
    RETURN p;
END
$$;

CREATE OR REPLACE FUNCTION rolloy.batch_generate(project_id uuid, options jsonb DEFAULT '{}')
RETURNS SETOF rolloy.generated_images
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    p rolloy.creative_projects;
    known_options text[] := ARRAY['provider', 'model', 'variants', 'reference_image_ids', 'strength',
                                  'steps', 'guidance', 'seed', 'max_attempts'];
    unknown text;
    v_provider text;
    v_model text;
    variants integer;
    refs uuid[];
    n integer;
    base_seed bigint;
    params jsonb;
    bad_attempts boolean;
BEGIN
    IF options IS NULL OR jsonb_typeof(options) <> 'object' THEN
        RAISE EXCEPTION 'options must be a JSON object' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    SELECT k INTO unknown FROM jsonb_object_keys(options) k WHERE k <> ALL (known_options) LIMIT 1;
    IF unknown IS NOT NULL THEN
        RAISE EXCEPTION 'unknown option "%"', left(unknown, 40) USING ERRCODE = 'invalid_parameter_value',
            HINT = 'Options: ' || array_to_string(known_options, ', ');
    END IF;
    p := rolloy_internal._lock_own_project(project_id);

    v_provider := coalesce(options ->> 'provider', rolloy_internal._setting('default_image_provider', 'preview'));
    IF v_provider NOT IN ('preview', 'gemini', 'fal') THEN
        RAISE EXCEPTION 'unknown image provider "%"', left(v_provider, 40) USING ERRCODE = 'invalid_parameter_value',
            HINT = 'Providers: preview (offline), gemini, fal.';
    END IF;
    v_model := coalesce(options ->> 'model', CASE v_provider
        WHEN 'preview' THEN 'preview-v1'
        WHEN 'gemini' THEN rolloy_internal._setting('gemini_image_model', 'gemini-2.5-flash-image')
        ELSE rolloy_internal._setting('fal_image_model', 'fal-ai/flux/dev/image-to-image') END);
    PERFORM rolloy_internal._check_length('the model name', v_model, 120);
    -- An unpriced model would be estimated and charged at $0: budgets must not be escapable.
    IF rolloy.estimated_image_cost(v_provider, v_model) = 0 AND v_provider <> 'preview' THEN
        RAISE EXCEPTION 'no price is listed for % model "%"', v_provider, v_model
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'An admin adds one to rolloy.provider_prices (unit image or megapixel) before it can be used.';
    END IF;
    IF v_provider <> 'preview' AND NOT EXISTS (SELECT 1 FROM rolloy.provider_secrets s WHERE s.provider = v_provider) THEN
        RAISE EXCEPTION 'no API key for provider "%"', v_provider USING ERRCODE = 'object_not_in_prerequisite_state',
            HINT = 'An admin sets one with rolloy.set_provider_key(''' || v_provider || ''', …), or use provider preview.';
    END IF;

    IF jsonb_typeof(options -> 'reference_image_ids') = 'array' AND jsonb_array_length(options -> 'reference_image_ids') > 1000 THEN
        RAISE EXCEPTION 'reference_image_ids may list at most 1000 photos' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    BEGIN
        variants := coalesce((options ->> 'variants')::integer, 1);
        refs := CASE WHEN options ? 'reference_image_ids'
                     THEN ARRAY(SELECT jsonb_array_elements_text(options -> 'reference_image_ids')::uuid) END;
        base_seed := coalesce((options ->> 'seed')::bigint, floor(random() * 2147483647)::bigint);
        params := jsonb_build_object(
            'strength', coalesce((options ->> 'strength')::numeric, 0.85),
            'steps', coalesce((options ->> 'steps')::integer, 28),
            'guidance', coalesce((options ->> 'guidance')::numeric, 3.5));
    EXCEPTION WHEN invalid_text_representation OR numeric_value_out_of_range OR invalid_parameter_value
                   OR cannot_coerce OR datatype_mismatch THEN
        RAISE EXCEPTION 'invalid option value: %', left(SQLERRM, 200) USING ERRCODE = 'invalid_parameter_value',
            HINT = 'variants, steps, seed, max_attempts are integers; strength and guidance numbers; '
                   'reference_image_ids an array of uuids.';
    END;
    -- (A CASE inside IF would end the IF condition at its first THEN: assign it first.)
    bad_attempts := CASE WHEN NOT options ? 'max_attempts' THEN false
                         WHEN jsonb_typeof(options -> 'max_attempts') <> 'number' THEN true
                         ELSE (options ->> 'max_attempts')::numeric NOT BETWEEN 1 AND 20
                              OR (options ->> 'max_attempts')::numeric % 1 <> 0 END;
    IF bad_attempts THEN
        RAISE EXCEPTION 'max_attempts must be a whole number from 1 to 20' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF variants NOT BETWEEN 1 AND 20 THEN
        RAISE EXCEPTION 'variants must be between 1 and 20, not %', variants USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF (params ->> 'strength')::numeric NOT BETWEEN 0.01 AND 1 OR (params ->> 'steps')::integer NOT BETWEEN 1 AND 100
       OR (params ->> 'guidance')::numeric NOT BETWEEN 0 AND 30 THEN
        RAISE EXCEPTION 'strength must be in (0,1], steps in 1..100, guidance in 0..30'
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF refs IS NOT NULL AND EXISTS (
        SELECT 1 FROM unnest(refs) r(id)
         WHERE r.id NOT IN (SELECT u.id FROM rolloy.reference_images_for(p.id) u)) THEN
        RAISE EXCEPTION 'a reference image is not usable for project %', p.generated_name
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'See rolloy.reference_images_for(project_id): the product state must match the action.';
    END IF;
    IF p.prompt IS NULL THEN
        RAISE EXCEPTION 'project % has no prompt yet', p.generated_name USING ERRCODE = 'object_not_in_prerequisite_state',
            HINT = 'Write one with rolloy.generate_prompt(project_id) first.';
    END IF;

    SELECT count(*) * variants INTO n FROM rolloy.reference_images_for(p.id) r
     WHERE refs IS NULL OR r.id = ANY (refs);
    IF n = 0 THEN
        RAISE EXCEPTION 'no reference image fits project %', p.generated_name USING ERRCODE = 'object_not_in_prerequisite_state',
            HINT = 'Upload a photo whose product state matches the action (rolloy.upload_reference_image).';
    END IF;
    PERFORM rolloy_internal._check_limits(p.created_by, n, v_provider, v_model);

    RETURN QUERY
    INSERT INTO rolloy.generated_images (project_id, reference_image_id, provider, model, prompt, params, seed, max_attempts)
    SELECT p.id, r.id, v_provider, v_model, p.prompt, params,
           base_seed + (row_number() OVER (ORDER BY r.created_at, r.id, v) - 1),
           coalesce((options ->> 'max_attempts')::integer, rolloy_internal._setting('max_attempts', '5')::integer)
      FROM rolloy.reference_images_for(p.id) r, generate_series(1, variants) v
     WHERE refs IS NULL OR r.id = ANY (refs)
     ORDER BY r.created_at, r.id, v
    RETURNING *;
END
$$;

CREATE OR REPLACE FUNCTION rolloy.regenerate_image(image_id uuid, new_seed bigint DEFAULT NULL) RETURNS rolloy.generated_images
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    me uuid := rolloy_internal.require_user();
    g rolloy.generated_images;
    p rolloy.creative_projects;
    created rolloy.generated_images;
BEGIN
    -- Ownership first, in the same query: an image of someone else's project is "not found" like
    -- one that does not exist, and nothing of it (its project's id) is told.
    SELECT x.* INTO g FROM rolloy.generated_images x JOIN rolloy.creative_projects c ON c.id = x.project_id
     WHERE x.id = regenerate_image.image_id AND (c.created_by = me OR rolloy_internal._user_is_admin(me));
    IF NOT FOUND THEN
        RAISE EXCEPTION 'image % not found', image_id USING ERRCODE = 'undefined_object',
            HINT = 'Only the owner of a project (or an admin) can regenerate its images.';
    END IF;
    p := rolloy_internal._lock_own_project(g.project_id);
    PERFORM rolloy_internal._check_limits(p.created_by, 1, g.provider, g.model);
    INSERT INTO rolloy.generated_images (project_id, reference_image_id, provider, model, prompt, params, seed, max_attempts)
    VALUES (g.project_id, g.reference_image_id, g.provider, g.model, coalesce(p.prompt, g.prompt), g.params,
            coalesce(new_seed, floor(random() * 2147483647)::bigint), g.max_attempts)
    RETURNING * INTO created;
    RETURN created;
END
$$;

CREATE OR REPLACE FUNCTION rolloy.schedule_insights(cron text DEFAULT '0 2 * * *') RETURNS bigint
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    job bigint;
BEGIN
    PERFORM rolloy_internal._require_admin_or_superuser();
    PERFORM rolloy_internal._check_length('the schedule', cron, 100);
    PERFORM rolloy_internal._require_pg_cron();
    -- A named job is upserted by pg_cron: calling again changes the schedule, never adds a job.
    EXECUTE 'SELECT cron.schedule($1, $2, $3)' INTO job
        USING 'rolloy-insights', cron, 'SELECT rolloy.refresh_insights()';
    RETURN job;
END
$$;

-- Deletes, for members and admins alike (PostgREST's admins are members at the database level).

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

CREATE FUNCTION rolloy.delete_project(project_id uuid) RETURNS boolean
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    me uuid := rolloy_internal.require_user();
    p rolloy.creative_projects;
BEGIN
    SELECT * INTO p FROM rolloy.creative_projects c
     WHERE c.id = delete_project.project_id AND (c.created_by = me OR rolloy_internal._user_is_admin(me));
    IF NOT FOUND THEN
        RAISE EXCEPTION 'project % not found', project_id USING ERRCODE = 'undefined_object',
            HINT = 'Only the owner of a project (or an admin) can delete it.';
    END IF;
    IF EXISTS (SELECT 1 FROM rolloy.generated_images g WHERE g.project_id = p.id) THEN
        RAISE EXCEPTION 'project % has generated images and cannot be deleted', p.generated_name
            USING ERRCODE = 'foreign_key_violation',
                  HINT = 'Its images may be live in ad platforms under their names; keep the project.';
    END IF;
    DELETE FROM rolloy.creative_projects c WHERE c.id = p.id;
    RETURN true;
END
$$;
REVOKE ALL ON FUNCTION rolloy.delete_project(uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION rolloy.delete_project(uuid) TO rolloy_member;
COMMENT ON FUNCTION rolloy.delete_project(uuid) IS
    'Deletes a project without generated images and returns true; its name is never issued again. Owner of the '
    'project or an admin (42704 otherwise, as for a project that does not exist); 23503 when it has images.';

CREATE FUNCTION rolloy.delete_reference_image(reference_image_id uuid) RETURNS boolean
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    me uuid := rolloy_internal.require_user();
BEGIN
    DELETE FROM rolloy.reference_images r
     WHERE r.id = delete_reference_image.reference_image_id
       AND (r.uploaded_by = me OR rolloy_internal._user_is_admin(me));
    IF NOT FOUND THEN
        RAISE EXCEPTION 'reference image % not found', reference_image_id USING ERRCODE = 'undefined_object',
            HINT = 'Only the uploader of a photo (or an admin) can delete it.';
    END IF;
    RETURN true;
END
$$;
REVOKE ALL ON FUNCTION rolloy.delete_reference_image(uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION rolloy.delete_reference_image(uuid) TO rolloy_member;
COMMENT ON FUNCTION rolloy.delete_reference_image(uuid) IS
    'Deletes a reference photo and its stored bytes and returns true; images generated from it keep their own bytes. '
    'Uploader of the photo or an admin (42704 otherwise, as for a photo that does not exist).';

CREATE FUNCTION rolloy.delete_provider_price(price_id integer) RETURNS boolean
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    PERFORM rolloy_internal.require_admin();
    DELETE FROM rolloy.provider_prices p WHERE p.id = delete_provider_price.price_id;
    RETURN FOUND;
END
$$;
REVOKE ALL ON FUNCTION rolloy.delete_provider_price(integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION rolloy.delete_provider_price(integer) TO rolloy_member;
COMMENT ON FUNCTION rolloy.delete_provider_price(integer) IS
    'Deletes a price row added by an admin; true when there was one. Admins only; the seeded list prices cannot be '
    'deleted (55000).';

CREATE FUNCTION rolloy.delete_performance_data(platform rolloy.ad_platform, ad_key text, report_date date DEFAULT NULL)
RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    n bigint;
BEGIN
    PERFORM rolloy_internal.require_admin();
    DELETE FROM rolloy.performance_data d
     WHERE d.platform = delete_performance_data.platform AND d.ad_key = delete_performance_data.ad_key
       AND (delete_performance_data.report_date IS NULL OR d.report_date = delete_performance_data.report_date);
    GET DIAGNOSTICS n = ROW_COUNT;
    RETURN n;
END
$$;
REVOKE ALL ON FUNCTION rolloy.delete_performance_data(rolloy.ad_platform, text, date) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION rolloy.delete_performance_data(rolloy.ad_platform, text, date) TO rolloy_member;
COMMENT ON FUNCTION rolloy.delete_performance_data(rolloy.ad_platform, text, date) IS
    'Deletes the performance rows of one ad (platform and ad_key), of one day when report_date is given; returns '
    'how many. Admins only.';

CREATE FUNCTION rolloy.delete_dictionary_entry(dictionary text, entry_id integer) RETURNS boolean
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    n bigint;
BEGIN
    PERFORM rolloy_internal.require_admin();
    IF dictionary IS NULL OR dictionary NOT IN ('scenes', 'actions', 'drivers', 'formats') THEN
        RAISE EXCEPTION 'unknown dictionary "%"', left(dictionary, 40) USING ERRCODE = 'invalid_parameter_value',
            HINT = 'Dictionaries: scenes, actions, drivers, formats.';
    END IF;
    EXECUTE format('DELETE FROM rolloy.%I t WHERE t.id = $1', dictionary) USING entry_id;
    GET DIAGNOSTICS n = ROW_COUNT;
    RETURN n > 0;
END
$$;
REVOKE ALL ON FUNCTION rolloy.delete_dictionary_entry(text, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION rolloy.delete_dictionary_entry(text, integer) TO rolloy_member;
COMMENT ON FUNCTION rolloy.delete_dictionary_entry(text, integer) IS
    'Deletes an entry of a dictionary (scenes, actions, drivers or formats) by id; true when there was one. Admins '
    'only. An entry a project uses cannot be deleted (23503): set is_active = false instead.';

-- == S3-compatible image store (issue 15 §4) ==
-- New: the credentials table (not dumped), functions to set them, storage_settings(),
-- image_url(), move_images() and their internals (src/sql/47_storage.sql, copied whole); cleanup()
-- sweeps orphaned objects (replaced here only). Existing images keep their db: references; the
-- GUC rolloy.image_store decides where new ones go (db unless set).
-- Credentials are held like provider keys: no grants, RLS without policies (no role but the
-- extension owner reads them), written only through set_storage_credentials(), never shown,
-- not in pg_dump (re-enter after a restore).
CREATE TABLE rolloy.storage_credentials (
    store              text PRIMARY KEY CHECK (store = 's3'),
    access_key_id      text NOT NULL CHECK (access_key_id ~ '^[!-~]+$' AND length(access_key_id) BETWEEN 3 AND 256),
    secret_access_key  text NOT NULL CHECK (length(secret_access_key) BETWEEN 8 AND 512),
    set_by             uuid,
    updated_at         timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE rolloy.storage_credentials IS 'Credentials of the s3 image store; no role but the extension owner can read it.';
COMMENT ON COLUMN rolloy.storage_credentials.store IS 'Store the credentials belong to (s3).';
COMMENT ON COLUMN rolloy.storage_credentials.access_key_id IS 'Access key id.';
COMMENT ON COLUMN rolloy.storage_credentials.secret_access_key IS 'Secret access key (never shown).';
COMMENT ON COLUMN rolloy.storage_credentials.set_by IS 'Admin who set them.';
COMMENT ON COLUMN rolloy.storage_credentials.updated_at IS 'When they were set.';
ALTER TABLE rolloy.storage_credentials ENABLE ROW LEVEL SECURITY;
REVOKE ALL ON rolloy.storage_credentials FROM PUBLIC;

CREATE FUNCTION rolloy.set_storage_credentials(access_key_id text, secret_access_key text) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    me uuid := rolloy_internal.require_admin();
BEGIN
    IF access_key_id IS NULL OR access_key_id !~ '^[!-~]+$' OR length(access_key_id) NOT BETWEEN 3 AND 256 THEN
        RAISE EXCEPTION 'that does not look like an access key id (3 to 256 printable characters, no spaces)'
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF secret_access_key IS NULL OR length(secret_access_key) NOT BETWEEN 8 AND 512 OR secret_access_key ~ '\s' THEN
        RAISE EXCEPTION 'that does not look like a secret access key (8 to 512 characters, no spaces)'
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    INSERT INTO rolloy.storage_credentials AS c (store, access_key_id, secret_access_key, set_by)
    VALUES ('s3', set_storage_credentials.access_key_id, set_storage_credentials.secret_access_key, me)
    ON CONFLICT ON CONSTRAINT storage_credentials_pkey
    DO UPDATE SET access_key_id = EXCLUDED.access_key_id, secret_access_key = EXCLUDED.secret_access_key,
                  set_by = EXCLUDED.set_by, updated_at = now();
END
$$;
REVOKE ALL ON FUNCTION rolloy.set_storage_credentials(text, text) FROM PUBLIC;
-- Members may call it (PostgREST admins arrive as members); it checks require_admin() itself.
GRANT EXECUTE ON FUNCTION rolloy.set_storage_credentials(text, text) TO rolloy_member;
COMMENT ON FUNCTION rolloy.set_storage_credentials(text, text) IS
    'Stores the access key id and secret of the s3 image store. Admins only; the secret is never shown again.';

CREATE FUNCTION rolloy.remove_storage_credentials() RETURNS boolean
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    PERFORM rolloy_internal.require_admin();
    DELETE FROM rolloy.storage_credentials c WHERE c.store = 's3';
    RETURN FOUND;
END
$$;
REVOKE ALL ON FUNCTION rolloy.remove_storage_credentials() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION rolloy.remove_storage_credentials() TO rolloy_member;
COMMENT ON FUNCTION rolloy.remove_storage_credentials() IS
    'Removes the credentials of the s3 image store; true when there were some. Admins only.';

CREATE FUNCTION rolloy.storage_settings()
RETURNS TABLE (new_images text, endpoint text, bucket text, region text, path_style boolean, credentials_set boolean,
               access_key_hint text, images_in_db bigint, images_in_s3 bigint)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
    SELECT coalesce(nullif(current_setting('rolloy.image_store', true), ''), 'db'),
           nullif(current_setting('rolloy.s3_endpoint', true), ''), nullif(current_setting('rolloy.s3_bucket', true), ''),
           current_setting('rolloy.s3_region', true), current_setting('rolloy.s3_path_style', true)::boolean,
           c.store IS NOT NULL, CASE WHEN c.access_key_id IS NULL THEN NULL ELSE '…' || right(c.access_key_id, 4) END,
           (SELECT count(*) FROM rolloy.generated_images g WHERE g.storage_ref LIKE 'db:%'),
           (SELECT count(*) FROM rolloy.generated_images g WHERE g.storage_ref LIKE 's3:%')
      FROM (SELECT 1) one LEFT JOIN rolloy.storage_credentials c ON c.store = 's3'
     WHERE rolloy.is_admin()
$$;
COMMENT ON FUNCTION rolloy.storage_settings() IS
    'Where new images go, the s3 bucket''s settings, whether credentials are set (last 4 characters of the access key '
    'id only) and how many generated images each store holds. Admins only; empty for others.';

-- A presigned GET URL of an image in the s3 store (see _stored_image: signs only references of
-- rows the caller can see).
CREATE FUNCTION rolloy_internal._presigned_url(storage_ref text, ttl_seconds bigint) RETURNS text
LANGUAGE C VOLATILE AS 'MODULE_PATHNAME', 'rolloy_presigned_url';
COMMENT ON FUNCTION rolloy_internal._presigned_url(text, bigint) IS
    'Presigned GET URL of an s3-stored image or photo the caller may see.';

CREATE FUNCTION rolloy.image_url(image_id uuid, ttl interval DEFAULT '1 hour') RETURNS text
LANGUAGE sql VOLATILE
BEGIN ATOMIC
    SELECT rolloy_internal._presigned_url(g.storage_ref, extract(epoch FROM image_url.ttl)::bigint)
      FROM rolloy.generated_images g
     WHERE g.id = image_url.image_id AND g.status = 'completed';
END;
COMMENT ON FUNCTION rolloy.image_url(uuid, interval) IS
    'A presigned GET URL (valid for ttl: 1 second to 7 days, default 1 hour) of a completed image the caller may see, '
    'for browsers and PostgREST clients; NULL otherwise. Images in the s3 store only (0A000 for the db store: use image()).';

-- Moving images between stores: in batches, each its own transaction, so a stopped move loses
-- nothing and the next call goes on where it stopped.
CREATE FUNCTION rolloy_internal._copy_stored_image(source_ref text, target text, project_id text, image_id text,
                                                   sha256 text) RETURNS text
LANGUAGE C STRICT AS 'MODULE_PATHNAME', 'rolloy_copy_stored_image';
COMMENT ON FUNCTION rolloy_internal._copy_stored_image(text, text, text, text, text) IS
    'Copies a generated image (checked against its SHA-256) into another store; returns its new reference (move_images only).';

CREATE FUNCTION rolloy.move_images(target text, batch_size integer DEFAULT 50, OUT moved integer, OUT remaining bigint)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    g record;
BEGIN
    PERFORM rolloy_internal._require_admin_or_superuser('move images between stores');
    IF target IS NULL OR target NOT IN ('db', 's3') THEN
        RAISE EXCEPTION 'unknown image store "%"', left(target, 40) USING ERRCODE = 'invalid_parameter_value',
            HINT = 'Stores: db, s3.';
    END IF;
    IF batch_size IS NULL OR batch_size NOT BETWEEN 1 AND 1000 THEN
        RAISE EXCEPTION 'batch_size must be between 1 and 1000' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    moved := 0;
    -- Rows another transaction holds (a result being written, a user's open transaction) are
    -- skipped: a later call takes them.
    FOR g IN SELECT x.id, x.project_id, x.storage_ref, x.sha256 FROM rolloy.generated_images x
              WHERE x.status = 'completed' AND x.storage_ref NOT LIKE move_images.target || ':%'
              ORDER BY x.completed_at, x.id LIMIT batch_size FOR NO KEY UPDATE SKIP LOCKED LOOP
        UPDATE rolloy.generated_images x
           SET storage_ref = rolloy_internal._copy_stored_image(g.storage_ref, move_images.target, g.project_id::text,
                                                                g.id::text, g.sha256)
         WHERE x.id = g.id;
        -- The old copy: a database row goes with this transaction; an object is left to the
        -- orphan sweep of cleanup() (deleting it now would lose it if this transaction rolled back).
        DELETE FROM rolloy.image_store s WHERE s.storage_ref = g.storage_ref;
        moved := moved + 1;
    END LOOP;
    SELECT count(*) INTO remaining FROM rolloy.generated_images x
     WHERE x.status = 'completed' AND x.storage_ref NOT LIKE move_images.target || ':%';
END
$$;
REVOKE ALL ON FUNCTION rolloy.move_images(text, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION rolloy.move_images(text, integer) TO rolloy_member;
COMMENT ON FUNCTION rolloy.move_images(text, integer) IS
    'Moves up to batch_size completed images into the store target (db or s3), each checked against its SHA-256, and '
    'returns how many moved and how many are still elsewhere: call it again until remaining is 0 (each call is one '
    'transaction, so a stopped move loses nothing). Admins or a superuser.';

-- Objects of the s3 store no row refers to (an upload whose row never committed, a deleted or
-- moved image) are deleted by cleanup() once older than rolloy.storage_orphan_grace_seconds.
CREATE FUNCTION rolloy_internal._sweep_storage(grace_seconds bigint) RETURNS bigint
LANGUAGE C STRICT AS 'MODULE_PATHNAME', 'rolloy_sweep_storage';
COMMENT ON FUNCTION rolloy_internal._sweep_storage(bigint) IS
    'Deletes s3 objects no image row refers to, older than grace_seconds; returns how many (cleanup only).';

CREATE OR REPLACE FUNCTION rolloy.cleanup(keep_usage_logs interval DEFAULT '400 days', keep_job_details interval DEFAULT '30 days')
RETURNS TABLE (what text, rows_affected bigint)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    n bigint;
BEGIN
    PERFORM rolloy_internal._require_admin_or_superuser();
    DELETE FROM rolloy.api_usage_logs l WHERE l.occurred_at < now() - keep_usage_logs;
    GET DIAGNOSTICS n = ROW_COUNT;
    what := 'usage logs deleted'; rows_affected := n; RETURN NEXT;
    -- Job details of finished images: the error text of retries no longer needed.
    UPDATE rolloy.generated_images g SET last_error = left(g.last_error, 500)
     WHERE g.status IN ('completed', 'cancelled') AND g.updated_at < now() - keep_job_details
       AND length(g.last_error) > 500;
    GET DIAGNOSTICS n = ROW_COUNT;
    what := 'job details trimmed'; rows_affected := n; RETURN NEXT;
    -- Objects of the s3 store no row refers to (docs/generation.md#storage). A store that cannot
    -- be reached does not stop the retention above: a warning, and the next run sweeps.
    BEGIN
        n := rolloy_internal._sweep_storage(rolloy_internal._setting('storage_orphan_grace_seconds', '86400')::bigint);
    EXCEPTION WHEN OTHERS THEN
        RAISE WARNING 'rolloy.cleanup: orphaned objects of the s3 store not swept: %', SQLERRM;
        n := NULL;
    END;
    what := 'orphaned objects deleted'; rows_affected := n; RETURN NEXT;
END
$$;
COMMENT ON FUNCTION rolloy.cleanup(interval, interval) IS
    'Retention: deletes usage logs older than keep_usage_logs (default 400 days, enough for yearly '
    'accounting), trims the error text of finished images older than keep_job_details and deletes objects of '
    'the s3 image store no row refers to (older than rolloy.storage_orphan_grace_seconds, default 1 day). '
    'Admins or a superuser (pg_cron). Schedule: SELECT cron.schedule(''rolloy-cleanup'', ''30 3 * * *'', '
    '''SELECT rolloy.cleanup()'').';

REVOKE ALL ON FUNCTION rolloy_internal._presigned_url(text, bigint), rolloy_internal._copy_stored_image(text, text, text, text, text),
                       rolloy_internal._sweep_storage(bigint) FROM PUBLIC, rolloy_member;
GRANT EXECUTE ON FUNCTION rolloy_internal._presigned_url(text, bigint) TO rolloy_member;
