-- rolloy 0.1.0 -> 0.2.0: ALTER EXTENSION rolloy UPDATE TO '0.2.0'.
--
-- Every schema change of 0.2.0 is here as well as in src/sql/ (fresh installs); the upgrade test
-- (test/integration/upgrade.sh) proves that an upgraded 0.1.0 database and a fresh 0.2.0 install
-- list the same extension objects and that the data survives. Rules for this file:
--   * new columns go at the end of their table (in src/sql/ too): the test compares column order;
--   * the privileges of rolloy_internal are set once, in the last section: keep it last;
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
        -- A completed image counts in the month its successful call was made (its money spent),
        -- from the ledger, also once the image is deleted; cancelled images count for nothing.
        (SELECT count(DISTINCT coalesce(l.image_id::text, l.id::text)) FROM rolloy.api_usage_logs l, month
          WHERE l.user_id = me.id AND l.operation = 'image' AND l.success AND l.occurred_at >= month.start
            AND NOT EXISTS (SELECT 1 FROM rolloy.generated_images g WHERE g.id = l.image_id AND g.status <> 'completed'))::integer,
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

-- == Ad platforms are data (issue 12) ==
-- 0.1.0's enum rolloy.ad_platform becomes a domain over text of the same name (so casts such as
-- $1::rolloy.ad_platform keep working) and its three labels the first rows of rolloy.ad_platforms,
-- which every import reads. The enum is renamed out of the way first; the columns that used it
-- change type in place (their values are those rows' names) and get foreign keys to the table; the
-- view and the function that depend on the columns' type are dropped and created again as in src/sql/.
ALTER TYPE rolloy.ad_platform RENAME TO ad_platform_0_1_0;
-- Ad platforms are data: one row of rolloy.ad_platforms each, read by every import
-- (src/pg/import/platform_loader.cpp; the fields and their meaning: src/core/import/platform_definition.hpp).
-- Meta, Google Ads and TikTok are its first rows; an admin adds Pinterest, Snapchat, LinkedIn ... with an
-- INSERT (docs/import.md). A domain over text keeps `$1::rolloy.ad_platform` casts and the type name of
-- 0.1.0's enum; the foreign keys to ad_platforms say which names exist.
CREATE DOMAIN rolloy.ad_platform AS text
    CONSTRAINT ad_platform_name CHECK (VALUE ~ '^[a-z][a-z0-9_]{0,39}$');
COMMENT ON DOMAIN rolloy.ad_platform IS
    'Name of an ad platform (a row of rolloy.ad_platforms): lower-case letters, digits and _, at most 40 characters.';

-- The CHECK of a definition, so that a row that would break every import is refused when it is written:
-- headers is an object of known fields (those of src/core/import/platform_definition.hpp), each with a
-- non-empty array of header names; every required field (alternatives joined by |) and every key field
-- (ad_id, ad_name) has headers. It runs with the writer's rights: admins get EXECUTE (99_internal_privileges.sql).
CREATE FUNCTION rolloy_internal._ad_platform_definition_ok(headers jsonb, required text[], key_fields text[])
RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
    SELECT jsonb_typeof(headers) = 'object'
       AND NOT EXISTS (
           SELECT 1 FROM jsonb_each(headers) h
            WHERE NOT h.key = ANY (ARRAY['date', 'reporting_start', 'reporting_end', 'ad_name', 'ad_id', 'campaign',
                                         'ad_group', 'currency', 'impressions', 'reach', 'clicks', 'spend',
                                         'conversions', 'conversion_value', 'roas'])
               OR jsonb_typeof(h.value) <> 'array' OR jsonb_array_length(h.value) = 0
               OR EXISTS (SELECT 1 FROM jsonb_array_elements(h.value) a
                           WHERE jsonb_typeof(a) <> 'string' OR btrim(a #>> '{}') = ''))
       AND cardinality(required) > 0
       AND NOT EXISTS (
           SELECT 1 FROM unnest(required) r, unnest(string_to_array(r, '|')) f
            WHERE NOT headers ? btrim(f))
       AND cardinality(key_fields) > 0
       AND key_fields <@ ARRAY['ad_id', 'ad_name']::text[]
       AND NOT EXISTS (SELECT 1 FROM unnest(key_fields) k WHERE NOT headers ? k)
$$;

REVOKE ALL ON FUNCTION rolloy_internal._ad_platform_definition_ok(jsonb, text[], text[]) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION rolloy_internal._ad_platform_definition_ok(jsonb, text[], text[]) TO rolloy_member;

CREATE TABLE rolloy.ad_platforms (
    name              rolloy.ad_platform PRIMARY KEY,
    label             text NOT NULL CONSTRAINT ad_platforms_label_length CHECK (length(label) BETWEEN 1 AND 100),
    spellings         text[] NOT NULL DEFAULT '{}'
        CONSTRAINT ad_platforms_spellings_length CHECK (cardinality(spellings) <= 20
                                                        AND octet_length(array_to_string(spellings, '')) <= 2000),
    detection_headers text[] NOT NULL DEFAULT '{}'
        CONSTRAINT ad_platforms_detection_headers_length CHECK (cardinality(detection_headers) <= 20
                                                                AND octet_length(array_to_string(detection_headers, '')) <= 2000),
    headers           jsonb NOT NULL CONSTRAINT ad_platforms_headers_size CHECK (octet_length(headers::text) <= 20000),
    required          text[] NOT NULL CONSTRAINT ad_platforms_required_length CHECK (cardinality(required) <= 15),
    key_fields        text[] NOT NULL DEFAULT '{ad_id,ad_name}'
        CONSTRAINT ad_platforms_key_fields_length CHECK (cardinality(key_fields) <= 2),
    decimal_mark      text NOT NULL DEFAULT 'auto' CHECK (decimal_mark IN ('auto', 'dot', 'comma')),
    date_order        text NOT NULL DEFAULT 'auto' CHECK (date_order IN ('auto', 'month_first', 'day_first')),
    currency          text CHECK (rolloy_internal._is_currency_code(currency)),
    created_at        timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT ad_platforms_definition CHECK (rolloy_internal._ad_platform_definition_ok(headers, required, key_fields))
);
COMMENT ON TABLE rolloy.ad_platforms IS
    'Ad platforms whose CSV exports rolloy imports, one row each; every import reads them (auto-detection tries '
    'every row). Everyone reads them; admins add and change them (see docs/import.md).';
COMMENT ON COLUMN rolloy.ad_platforms.name IS 'Name used by import_performance(platform => ...) and stored with the data (meta, google_ads, ...).';
COMMENT ON COLUMN rolloy.ad_platforms.label IS 'Name for messages (Meta, Google Ads, ...).';
COMMENT ON COLUMN rolloy.ad_platforms.spellings IS 'Further names the platform argument accepts, case-insensitively (facebook, google, ...).';
COMMENT ON COLUMN rolloy.ad_platforms.detection_headers IS
    'Headers that point to this platform when several could read a file (Amount spent: Meta; Impr.: Google Ads).';
COMMENT ON COLUMN rolloy.ad_platforms.headers IS
    'Header names per field, as the export writes them, preferred first: {"date": ["Day"], "clicks": ["Link clicks", '
    '"Clicks (all)"], ...}. Fields: date, reporting_start, reporting_end, ad_name, ad_id, campaign, ad_group, currency, '
    'impressions, reach, clicks, spend, conversions, conversion_value, roas. Compared case-insensitively, blanks '
    'collapsed, a trailing currency code such as (USD) taken off and kept as the currency.';
COMMENT ON COLUMN rolloy.ad_platforms.required IS
    'Fields an export must have; alternatives joined by |: {ad_name,date|reporting_start,impressions,clicks,spend}.';
COMMENT ON COLUMN rolloy.ad_platforms.key_fields IS
    'Fields that identify an ad, in order (ad_id, ad_name): a row where all are empty is a totals line.';
COMMENT ON COLUMN rolloy.ad_platforms.decimal_mark IS 'auto (settled from the file''s numbers), dot or comma.';
COMMENT ON COLUMN rolloy.ad_platforms.date_order IS 'How to read 03/04/2026: auto (settled from the file''s dates), month_first or day_first.';
COMMENT ON COLUMN rolloy.ad_platforms.currency IS 'Currency of the money columns when the export names none (NULL: unknown).';
COMMENT ON COLUMN rolloy.ad_platforms.created_at IS 'When the platform was added.';

INSERT INTO rolloy.ad_platforms (name, label, spellings, detection_headers, headers, required) VALUES
    -- Meta Ads Manager export. Date = Day with Breakdown > Time > Day, else Reporting starts.
    ('meta', 'Meta', '{facebook}', '{Amount spent,Reporting starts,Link clicks}',
     '{"date": ["Day"], "reporting_start": ["Reporting starts"], "reporting_end": ["Reporting ends"],
       "ad_name": ["Ad name"], "ad_id": ["Ad ID"], "campaign": ["Campaign name"], "ad_group": ["Ad set name"],
       "currency": ["Currency"], "impressions": ["Impressions"], "reach": ["Reach"],
       "clicks": ["Link clicks", "Clicks (all)"], "spend": ["Amount spent"],
       "conversions": ["Purchases", "Website purchases"],
       "conversion_value": ["Purchases conversion value", "Website purchases conversion value"],
       "roas": ["Purchase ROAS (return on ad spend)", "Website purchase ROAS (return on ad spend)"]}',
     '{ad_name,date|reporting_start,impressions,clicks,spend}'),
    -- Google Ads UI report download. "Ad name" exists only for some ad types; "Ad" is the ad's text.
    ('google_ads', 'Google Ads', '{google,google ads}', '{Impr.,Currency code,Conv. value}',
     '{"date": ["Day"], "campaign": ["Campaign"], "ad_group": ["Ad group"], "ad_name": ["Ad name", "Ad"],
       "ad_id": ["Ad ID"], "currency": ["Currency code"], "impressions": ["Impr."], "clicks": ["Clicks"],
       "spend": ["Cost"], "conversions": ["Conversions"], "conversion_value": ["Conv. value", "Total conv. value"],
       "roas": ["Conv. value / cost"]}',
     '{date,ad_name|ad_id,impressions,clicks,spend}'),
    -- TikTok Ads Manager custom report. Newer exports may say "Purchase" where older ones say "Complete
    -- payment"; "Total purchase value" (the in-app purchase value) is taken when it is the only value column.
    ('tiktok', 'TikTok', '{}', '{By Day,Clicks (destination),CTR (destination),Complete payment}',
     '{"date": ["By Day", "Date"], "campaign": ["Campaign name"], "ad_group": ["Ad group name"],
       "ad_name": ["Ad name"], "ad_id": ["Ad ID"], "currency": ["Currency"], "impressions": ["Impressions"],
       "reach": ["Reach"], "clicks": ["Clicks (destination)", "Clicks (all)"], "spend": ["Cost"],
       "conversions": ["Conversions"],
       "conversion_value": ["Total complete payment value", "Complete payment value", "Total purchase value",
                            "Purchase value"],
       "roas": ["Complete payment ROAS", "Total complete payment ROAS", "Purchase ROAS", "Total purchase ROAS"]}',
     '{date,ad_name,impressions,clicks,spend}');
-- Platforms added by admins are dumped; the three above come with the extension.
SELECT pg_catalog.pg_extension_config_dump('rolloy.ad_platforms', $$WHERE name NOT IN ('meta', 'google_ads', 'tiktok')$$);

-- Everyone with a rolloy identity reads the platforms; admins add and change them. No member may
-- delete one (no table-level write privilege): rows of a platform in use are referenced by its imports.
ALTER TABLE rolloy.ad_platforms ENABLE ROW LEVEL SECURITY;
CREATE POLICY ad_platforms_select ON rolloy.ad_platforms FOR SELECT USING ((SELECT rolloy.current_user_id()) IS NOT NULL);
CREATE POLICY ad_platforms_insert ON rolloy.ad_platforms FOR INSERT WITH CHECK ((SELECT rolloy.is_admin()));
CREATE POLICY ad_platforms_update ON rolloy.ad_platforms FOR UPDATE
    USING ((SELECT rolloy.is_admin())) WITH CHECK ((SELECT rolloy.is_admin()));
GRANT SELECT ON rolloy.ad_platforms TO rolloy_member;
GRANT INSERT (name, label, spellings, detection_headers, headers, required, key_fields, decimal_mark, date_order,
              currency),
      UPDATE (label, spellings, detection_headers, headers, required, key_fields, decimal_mark, date_order, currency)
    ON rolloy.ad_platforms TO rolloy_member;
GRANT USAGE ON DOMAIN rolloy.ad_platform TO rolloy_member;

DROP VIEW rolloy.unmatched_performance;
ALTER TABLE rolloy.import_batches ALTER COLUMN platform TYPE rolloy.ad_platform USING platform::text;
ALTER TABLE rolloy.import_batches ADD CONSTRAINT import_batches_platform_fkey
    FOREIGN KEY (platform) REFERENCES rolloy.ad_platforms (name);
ALTER TABLE rolloy_internal.import_locks ALTER COLUMN platform TYPE rolloy.ad_platform USING platform::text;
ALTER TABLE rolloy_internal.import_locks ADD CONSTRAINT import_locks_platform_fkey
    FOREIGN KEY (platform) REFERENCES rolloy.ad_platforms (name) ON DELETE CASCADE;
ALTER TABLE rolloy.performance_data ALTER COLUMN platform TYPE rolloy.ad_platform USING platform::text;
DROP TYPE rolloy.ad_platform_0_1_0;

-- rolloy.unmatched_performance: created again over the ads in "Performance data as a star" below.

-- rolloy.delete_performance_data(): created again over the ads in "Performance data as a star" below.

COMMENT ON FUNCTION rolloy.import_performance(text, text, text, text) IS
    'Imports an ad-performance CSV export (Meta Ads Manager, Google Ads, TikTok Ads) into performance_data and '
    'returns its import_batches row. platform: auto (detected from the header) or a name of rolloy.ad_platforms (meta, '
    'google_ads, tiktok, and the platforms admins added). '
    'on_error: reject_file (default: any bad row fails the call and nothing is written) or skip_row (good rows are '
    'imported, the bad ones listed in errors). Re-importing an (ad, day) replaces it; lines of one ad and day are '
    'summed. Admins only. UTF-16 files and uploads that may be binary: use the bytea overload. See docs/import.md.';

-- == Performance data as a star: rolloy.ads, rolloy_internal.ad_days, the flat view (issue 12) ==
-- The text of src/sql/52_ad_performance.sql, 53_performance_writes.sql and the parts of
-- 55_import.sql that read the ads; 0.1.0's rows move into the new tables before the table goes,
-- and rolloy.performance_data comes back as a view with the same columns.
CREATE TABLE rolloy.ads (
    id            integer GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    platform      rolloy.ad_platform NOT NULL REFERENCES rolloy.ad_platforms (name),  -- a platform in use stays
    ad_key        text COLLATE "C" NOT NULL,
    ad_id         text,
    ad_name       text NOT NULL,
    campaign      text,
    ad_group      text,
    creative_name text COLLATE "C",
    -- Foreign keys (an ad row is written once per import, not per day: their per-row check costs
    -- nothing here), which also make pg_dump restore ads after the creatives they name.
    project_id    uuid REFERENCES rolloy.creative_projects (id) ON DELETE SET NULL,
    image_id      uuid REFERENCES rolloy.generated_images (id) ON DELETE SET NULL,
    first_seen    date,
    last_seen     date,
    CONSTRAINT ads_natural_key UNIQUE (platform, ad_key),
    CONSTRAINT ads_image_has_project CHECK (image_id IS NULL OR project_id IS NOT NULL),
    CONSTRAINT ads_seen CHECK (last_seen >= first_seen),
    -- Bytes, as the import counts them (src/pg/import/importer.cpp): 1000 bytes of an ad name
    -- are a row problem there, not a failed chunk.
    CONSTRAINT ads_ad_key_length CHECK (octet_length(ad_key) <= 1000),
    CONSTRAINT ads_ad_id_length CHECK (octet_length(ad_id) <= 1000),
    CONSTRAINT ads_ad_name_length CHECK (octet_length(ad_name) <= 1000),
    CONSTRAINT ads_campaign_length CHECK (octet_length(campaign) <= 1000),
    CONSTRAINT ads_ad_group_length CHECK (octet_length(ad_group) <= 1000),
    CONSTRAINT ads_creative_name_length CHECK (octet_length(creative_name) <= 1000)
);
CREATE INDEX ads_project_idx ON rolloy.ads (project_id) WHERE project_id IS NOT NULL;
-- Unmatched ads, found by the link triggers by creative name (equality, or the range of image
-- names of a project: name_V .. name_W).
CREATE INDEX ads_unmatched_idx ON rolloy.ads (creative_name) WHERE project_id IS NULL;
COMMENT ON TABLE rolloy.ads IS
    'One row per ad of a platform: its id, names and the creative its name matched. Written by imports '
    '(and by writes through rolloy.performance_data); members read the ads of their own projects, admins all.';
COMMENT ON COLUMN rolloy.ads.id IS 'Small key of the ad (the day rows refer to it).';
COMMENT ON COLUMN rolloy.ads.platform IS 'Ad platform.';
COMMENT ON COLUMN rolloy.ads.ad_key IS
    'Natural key of the ad: the platform ad id when an export had one, else the canonical creative name, else the ad '
    'name. At most 1000 bytes, as ad_id, ad_name, campaign, ad_group and creative_name.';
COMMENT ON COLUMN rolloy.ads.ad_id IS 'Ad id at the platform; NULL while only exports without (usable) ids named it.';
COMMENT ON COLUMN rolloy.ads.ad_name IS 'Ad name as last exported.';
COMMENT ON COLUMN rolloy.ads.campaign IS 'Campaign name, as last exported.';
COMMENT ON COLUMN rolloy.ads.ad_group IS 'Ad set / ad group name, as last exported.';
COMMENT ON COLUMN rolloy.ads.creative_name IS
    'Canonical creative name the ad name spells (image name with _Vnn, else project name); NULL when it is not a creative name.';
COMMENT ON COLUMN rolloy.ads.project_id IS 'Creative project the ad name matched; NULL = unmatched.';
COMMENT ON COLUMN rolloy.ads.image_id IS 'Generated image (variant) the ad name matched; NULL when it names only the project.';
COMMENT ON COLUMN rolloy.ads.first_seen IS 'First day an import reported for the ad.';
COMMENT ON COLUMN rolloy.ads.last_seen IS 'Last day an import reported for the ad (period_end).';
SELECT pg_catalog.pg_extension_config_dump('rolloy.ads', '');
SELECT pg_catalog.pg_extension_config_dump(pg_get_serial_sequence('rolloy.ads', 'id'), '');

-- The facts: integers only. Money in millionths (bigint: exact, as numeric(20,6) was, 8 bytes
-- instead of ~12 and no numeric arithmetic on write); the currency as the number of its three
-- letters in base 26 (AAA = 0 .. ZZZ = 17575), decoded by the view. No foreign key: a foreign key
-- checks each inserted row with its own query; ads are kept by the triggers below (deleting an ad
-- deletes its days) and by the writers (the import and the view's triggers), which write ads first.
-- Half of each page is left free: a re-import rewrites every day it restates, and with room on
-- the page every such update is HOT (no new index entry, the old version pruned on a later
-- visit): a re-import of 1,000,000 days took ~1.5x less time so, for ~125 more bytes per day.
CREATE TABLE rolloy_internal.ad_days (
    ad               integer NOT NULL,
    report_date      date NOT NULL,
    period_end       date NOT NULL,
    source_lines     integer NOT NULL DEFAULT 1 CHECK (source_lines >= 1),
    impressions      bigint NOT NULL DEFAULT 0 CHECK (impressions >= 0),
    clicks           bigint NOT NULL DEFAULT 0 CHECK (clicks >= 0),
    reach            bigint CHECK (reach >= 0),
    spend            bigint NOT NULL DEFAULT 0 CHECK (spend >= 0),
    conversions      bigint NOT NULL DEFAULT 0 CHECK (conversions >= 0),
    conversion_value bigint NOT NULL DEFAULT 0 CHECK (conversion_value >= 0),
    import_batch_id  bigint,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    currency         smallint CHECK (currency BETWEEN 0 AND 17575),
    CONSTRAINT ad_days_pkey PRIMARY KEY (ad, report_date),
    CONSTRAINT ad_days_clicks_le_impressions CHECK (clicks <= impressions),
    CONSTRAINT ad_days_period CHECK (period_end >= report_date)
) WITH (fillfactor = 50);
COMMENT ON TABLE rolloy_internal.ad_days IS
    'One row per ad (rolloy.ads.id) and day: counts, money in millionths, currency as a number. Read through '
    'rolloy.performance_data.';
SELECT pg_catalog.pg_extension_config_dump('rolloy_internal.ad_days', '');
-- Only when the statement did not set updated_at itself (the import's upsert does): a PL/pgSQL
-- call per row would cost a re-import of a million rows seconds.
CREATE TRIGGER touch_updated_at BEFORE UPDATE ON rolloy_internal.ad_days
    FOR EACH ROW WHEN (OLD.updated_at IS NOT DISTINCT FROM NEW.updated_at)
    EXECUTE FUNCTION rolloy_internal._touch_updated_at();

-- The data moves: one ads row per (platform, ad_key) of 0.1.0, named as on its latest day; the
-- days keep their figures (money in millionths: numeric(20,6) is exact in them), provenance
-- and timestamps. Then the table goes, with what hangs on it (policies, triggers, the review view).
INSERT INTO rolloy.ads (platform, ad_key, ad_id, ad_name, campaign, ad_group, creative_name, project_id, image_id,
                        first_seen, last_seen)
SELECT DISTINCT ON (p.platform, p.ad_key) p.platform, p.ad_key, p.ad_id, p.ad_name, p.campaign, p.ad_group,
       p.creative_name, p.project_id, p.image_id,
       min(p.report_date) OVER w, max(p.period_end) OVER w
  FROM rolloy.performance_data p
WINDOW w AS (PARTITION BY p.platform, p.ad_key)
 ORDER BY p.platform, p.ad_key, p.report_date DESC;
INSERT INTO rolloy_internal.ad_days (ad, report_date, period_end, source_lines, impressions, clicks, reach, spend,
                                     conversions, conversion_value, import_batch_id, created_at, updated_at, currency)
SELECT a.id, p.report_date, p.period_end, p.source_lines, p.impressions, p.clicks, p.reach,
       (p.spend * 1000000)::bigint, (p.conversions * 1000000)::bigint, (p.conversion_value * 1000000)::bigint,
       p.import_batch_id, p.created_at, p.updated_at,
       (ascii(substr(p.currency, 1, 1)) - 65) * 676 + (ascii(substr(p.currency, 2, 1)) - 65) * 26
       + ascii(substr(p.currency, 3, 1)) - 65
  FROM rolloy.performance_data p
  JOIN rolloy.ads a ON a.platform = p.platform AND a.ad_key = p.ad_key
 ORDER BY a.id, p.report_date;
-- (rolloy.unmatched_performance was dropped in "Ad platforms are data" above.)
DROP TABLE rolloy.performance_data;

-- True when the querying role reads every performance row: a rolloy admin, or a role that
-- bypasses row-level security (a superuser, the owner: SECURITY DEFINER functions and pg_cron
-- jobs, as with 0.1.0's policies). Runs as the querying role (not SECURITY DEFINER).
CREATE FUNCTION rolloy_internal._reads_all_performance() RETURNS boolean
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
    SELECT coalesce((SELECT r.rolsuper OR r.rolbypassrls OR r.oid = c.relowner
                       FROM pg_catalog.pg_roles r, pg_catalog.pg_class c
                      WHERE r.rolname = CURRENT_USER AND c.oid = 'rolloy.ads'::pg_catalog.regclass), false)
           OR rolloy.is_admin()
$$;
COMMENT ON FUNCTION rolloy_internal._reads_all_performance() IS
    'True when the querying role sees every performance row (rolloy admin, superuser, owner): rolloy.performance_data.';

-- The flat view: 0.1.0's performance_data columns. It reads the tables with its owner's rights
-- and filters as 0.1.0's policy did (security_barrier: no function of the caller sees a row
-- before the filter has run): members see the days of ads matched to their own projects.
CREATE VIEW rolloy.performance_data WITH (security_barrier = true) AS
SELECT a.platform, a.ad_key, f.report_date, f.period_end, a.ad_id, a.ad_name, a.campaign, a.ad_group, a.creative_name,
       a.project_id, a.image_id, f.impressions, f.reach, f.clicks, (f.spend * 0.000001)::numeric(20, 6) AS spend,
       CASE WHEN f.currency IS NOT NULL
            THEN pg_catalog.chr(65 + f.currency / 676) || pg_catalog.chr(65 + f.currency / 26 % 26)
                 || pg_catalog.chr(65 + f.currency % 26) END AS currency,
       (f.conversions * 0.000001)::numeric(20, 6) AS conversions,
       (f.conversion_value * 0.000001)::numeric(20, 6) AS conversion_value, f.source_lines, f.import_batch_id,
       f.created_at, f.updated_at
  FROM rolloy_internal.ad_days f
  JOIN rolloy.ads a ON a.id = f.ad
 WHERE (SELECT rolloy_internal._reads_all_performance())
    OR (a.project_id IS NOT NULL AND rolloy_internal._owns_project(a.project_id));
COMMENT ON VIEW rolloy.performance_data IS
    'Daily ad performance per platform and ad (rolloy.ads joined with its days); one row per (platform, ad, day), '
    're-imports update it. Members read the rows matched to their own projects; admins read and write all '
    '(rolloy.import_performance, rolloy.delete_performance_data, or INSERT/UPDATE here).';
COMMENT ON COLUMN rolloy.performance_data.platform IS 'Ad platform.';
COMMENT ON COLUMN rolloy.performance_data.ad_key IS
    'Natural key of the ad: the platform ad id when the export has one, else the canonical creative name, else the ad name. '
    'At most 1000 bytes, as ad_id, ad_name, campaign, ad_group and creative_name.';
COMMENT ON COLUMN rolloy.performance_data.ad_id IS 'Ad id at the platform; at most 1000 bytes.';
COMMENT ON COLUMN rolloy.performance_data.ad_name IS 'Ad name as last exported; at most 1000 bytes.';
COMMENT ON COLUMN rolloy.performance_data.campaign IS 'Campaign name; at most 1000 bytes.';
COMMENT ON COLUMN rolloy.performance_data.ad_group IS 'Ad set / ad group name; at most 1000 bytes.';
COMMENT ON COLUMN rolloy.performance_data.report_date IS 'Day reported (first day when the row covers a range).';
COMMENT ON COLUMN rolloy.performance_data.period_end IS 'Last day the row covers (= report_date for daily rows).';
COMMENT ON COLUMN rolloy.performance_data.creative_name IS
    'Canonical creative name the ad name spells (image name with _Vnn, else project name); NULL when it is not a creative name. '
    'At most 1000 bytes.';
COMMENT ON COLUMN rolloy.performance_data.project_id IS 'Creative project the ad name matched; NULL = unmatched.';
COMMENT ON COLUMN rolloy.performance_data.image_id IS 'Generated image (variant) the ad name matched; NULL when it names only the project.';
COMMENT ON COLUMN rolloy.performance_data.impressions IS 'Impressions (an empty or "--" cell is stored as 0, as are clicks, spend and conversions).';
COMMENT ON COLUMN rolloy.performance_data.reach IS 'Reach, when the export has it (summed over breakdown lines: an upper bound then).';
COMMENT ON COLUMN rolloy.performance_data.clicks IS 'Clicks (link clicks on Meta, destination clicks on TikTok).';
COMMENT ON COLUMN rolloy.performance_data.spend IS 'Amount spent, in currency.';
COMMENT ON COLUMN rolloy.performance_data.currency IS 'ISO 4217 currency of spend and conversion_value; NULL when the export does not say.';
COMMENT ON COLUMN rolloy.performance_data.conversions IS 'Conversions (purchases).';
COMMENT ON COLUMN rolloy.performance_data.conversion_value IS 'Conversion value (purchase revenue), in currency; ROAS x spend when the export has only ROAS.';
COMMENT ON COLUMN rolloy.performance_data.source_lines IS 'Lines of the export summed into this row (more than 1 for breakdowns).';
COMMENT ON COLUMN rolloy.performance_data.import_batch_id IS 'Import that last wrote the row.';
COMMENT ON COLUMN rolloy.performance_data.created_at IS 'When the row was first written.';
COMMENT ON COLUMN rolloy.performance_data.updated_at IS 'When the row was last written.';
-- Columns not given in an INSERT through the view get 0.1.0's table defaults.
ALTER VIEW rolloy.performance_data ALTER COLUMN impressions SET DEFAULT 0;
ALTER VIEW rolloy.performance_data ALTER COLUMN clicks SET DEFAULT 0;
ALTER VIEW rolloy.performance_data ALTER COLUMN spend SET DEFAULT 0;
ALTER VIEW rolloy.performance_data ALTER COLUMN conversions SET DEFAULT 0;
ALTER VIEW rolloy.performance_data ALTER COLUMN conversion_value SET DEFAULT 0;
ALTER VIEW rolloy.performance_data ALTER COLUMN source_lines SET DEFAULT 1;
ALTER VIEW rolloy.performance_data ALTER COLUMN created_at SET DEFAULT now();
ALTER VIEW rolloy.performance_data ALTER COLUMN updated_at SET DEFAULT now();

-- INSERT, UPDATE and DELETE on rolloy.performance_data. (platform, ad_key) names the ad; its
-- other columns (ids, names, match) are the ad's, one value per ad: the last write sets them.
-- Admins and superusers only, as 0.1.0's policies: a member's INSERT is refused, a member's
-- UPDATE changes nothing (members have no DELETE privilege).
CREATE FUNCTION rolloy_internal._write_performance_data() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    ad_no integer;
    currency_no smallint;
BEGIN
    IF NOT (rolloy.is_admin() OR coalesce((SELECT r.rolsuper FROM pg_catalog.pg_roles r
                                            WHERE r.rolname = rolloy_internal._outer_role()), false)) THEN
        IF TG_OP = 'INSERT' THEN
            RAISE EXCEPTION 'new row violates row-level security policy for view "performance_data"'
                USING ERRCODE = 'insufficient_privilege', HINT = rolloy_internal._importer_hint();
        END IF;
        RETURN NULL;
    END IF;
    IF TG_OP = 'DELETE' THEN
        DELETE FROM rolloy_internal.ad_days d USING rolloy.ads a
         WHERE a.platform = OLD.platform AND a.ad_key = OLD.ad_key AND d.ad = a.id AND d.report_date = OLD.report_date;
        RETURN OLD;
    END IF;
    IF NEW.currency IS NOT NULL THEN
        IF NOT rolloy_internal._is_currency_code(NEW.currency) THEN
            RAISE EXCEPTION 'currency "%" is not an ISO 4217 code', NEW.currency
                USING ERRCODE = 'check_violation', DETAIL = 'A currency is three capital letters A-Z, like USD.';
        END IF;
        currency_no := (pg_catalog.ascii(substr(NEW.currency, 1, 1)) - 65) * 676
                       + (pg_catalog.ascii(substr(NEW.currency, 2, 1)) - 65) * 26 + pg_catalog.ascii(substr(NEW.currency, 3, 1)) - 65;
    END IF;
    IF NEW.import_batch_id IS NOT NULL
       AND NOT EXISTS (SELECT 1 FROM rolloy.import_batches b WHERE b.id = NEW.import_batch_id FOR KEY SHARE) THEN
        RAISE EXCEPTION 'performance_data references import batch % which does not exist', NEW.import_batch_id
            USING ERRCODE = 'foreign_key_violation';
    END IF;
    INSERT INTO rolloy.ads AS a (platform, ad_key, ad_id, ad_name, campaign, ad_group, creative_name, project_id, image_id,
                                 first_seen, last_seen)
    VALUES (NEW.platform, NEW.ad_key, NEW.ad_id, NEW.ad_name, NEW.campaign, NEW.ad_group, NEW.creative_name, NEW.project_id,
            NEW.image_id, NEW.report_date, NEW.period_end)
    ON CONFLICT ON CONSTRAINT ads_natural_key DO UPDATE
       SET ad_id = EXCLUDED.ad_id, ad_name = EXCLUDED.ad_name, campaign = EXCLUDED.campaign, ad_group = EXCLUDED.ad_group,
           creative_name = EXCLUDED.creative_name, project_id = EXCLUDED.project_id, image_id = EXCLUDED.image_id,
           first_seen = least(a.first_seen, EXCLUDED.first_seen), last_seen = greatest(a.last_seen, EXCLUDED.last_seen)
    RETURNING a.id INTO ad_no;
    -- The days the insights' rollup must read again (62_insight_rollup.sql); deletes are logged by a trigger.
    INSERT INTO rolloy_internal.insight_changed_days (ad, report_date)
    SELECT o.id, OLD.report_date FROM rolloy.ads o WHERE TG_OP = 'UPDATE' AND o.platform = OLD.platform AND o.ad_key = OLD.ad_key
    UNION ALL
    SELECT ad_no, NEW.report_date;
    IF TG_OP = 'INSERT' THEN
        INSERT INTO rolloy_internal.ad_days (ad, report_date, period_end, source_lines, impressions, clicks, reach, spend,
                                             conversions, conversion_value, import_batch_id, created_at, updated_at, currency)
        VALUES (ad_no, NEW.report_date, NEW.period_end, NEW.source_lines, NEW.impressions, NEW.clicks, NEW.reach,
                (NEW.spend * 1000000)::bigint, (NEW.conversions * 1000000)::bigint,
                (NEW.conversion_value * 1000000)::bigint, NEW.import_batch_id, NEW.created_at, NEW.updated_at, currency_no);
    ELSE
        UPDATE rolloy_internal.ad_days d
           SET ad = ad_no, report_date = NEW.report_date, period_end = NEW.period_end, source_lines = NEW.source_lines,
               impressions = NEW.impressions, clicks = NEW.clicks, reach = NEW.reach,
               spend = (NEW.spend * 1000000)::bigint, conversions = (NEW.conversions * 1000000)::bigint,
               conversion_value = (NEW.conversion_value * 1000000)::bigint, import_batch_id = NEW.import_batch_id,
               created_at = NEW.created_at,
               updated_at = CASE WHEN NEW.updated_at IS DISTINCT FROM OLD.updated_at THEN NEW.updated_at ELSE now() END,
               currency = currency_no
          FROM rolloy.ads o
         WHERE o.platform = OLD.platform AND o.ad_key = OLD.ad_key AND d.ad = o.id AND d.report_date = OLD.report_date;
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER write_performance_data INSTEAD OF INSERT OR UPDATE OR DELETE ON rolloy.performance_data
    FOR EACH ROW EXECUTE FUNCTION rolloy_internal._write_performance_data();

-- An ad's image belongs to its project (the foreign keys check that both exist and lock them FOR
-- KEY SHARE until commit, so they cannot be deleted under a running import). One check per
-- statement.
CREATE OR REPLACE FUNCTION rolloy_internal._check_performance_references() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    missing text;
BEGIN
    SELECT 'image ' || n.image_id || ' of project ' || n.project_id INTO missing
      FROM new_rows n
     WHERE n.image_id IS NOT NULL
       AND NOT EXISTS (SELECT 1 FROM rolloy.generated_images g WHERE g.id = n.image_id AND g.project_id = n.project_id)
     LIMIT 1;
    IF missing IS NOT NULL THEN
        RAISE EXCEPTION 'performance_data references % which does not exist', missing
            USING ERRCODE = 'foreign_key_violation';
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER check_references_insert AFTER INSERT ON rolloy.ads
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT
    EXECUTE FUNCTION rolloy_internal._check_performance_references();
CREATE TRIGGER check_references_update AFTER UPDATE ON rolloy.ads
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT
    EXECUTE FUNCTION rolloy_internal._check_performance_references();

-- ON DELETE SET NULL of the day rows' import batch (a deleted batch leaves them without
-- provenance); a deleted ad takes its days along. (Ads' projects and images: their foreign keys.)
CREATE OR REPLACE FUNCTION rolloy_internal._unlink_deleted_references() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    IF TG_TABLE_NAME = 'ads' THEN
        DELETE FROM rolloy_internal.ad_days d WHERE d.ad IN (SELECT o.id FROM old_rows o);
    ELSE
        UPDATE rolloy_internal.ad_days d SET import_batch_id = NULL
         WHERE d.import_batch_id IN (SELECT o.id FROM old_rows o);
    END IF;
    RETURN NULL;
END
$$;
DROP TRIGGER unlink_performance ON rolloy.creative_projects;
DROP TRIGGER unlink_performance ON rolloy.generated_images;
CREATE TRIGGER unlink_performance AFTER DELETE ON rolloy.ads
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION rolloy_internal._unlink_deleted_references();

-- Who sees what: members the ads of their own creatives; admins everything, including unmatched
-- ads. Writes: the import and the view's trigger (both run as the owner).
ALTER TABLE rolloy.ads ENABLE ROW LEVEL SECURITY;
CREATE POLICY ads_select ON rolloy.ads FOR SELECT
    USING ((SELECT rolloy.is_admin()) OR (project_id IS NOT NULL AND rolloy_internal._owns_project(project_id)));
GRANT SELECT ON rolloy.ads TO rolloy_member;
-- Column privileges only (no table-level write privilege); admins delete rows with
-- rolloy.delete_performance_data().
GRANT SELECT ON rolloy.performance_data TO rolloy_member;
GRANT INSERT (platform, ad_key, report_date, period_end, ad_id, ad_name, campaign, ad_group, creative_name, project_id,
              image_id, impressions, reach, clicks, spend, currency, conversions, conversion_value, source_lines,
              import_batch_id),
      UPDATE (platform, ad_key, report_date, period_end, ad_id, ad_name, campaign, ad_group, creative_name, project_id,
              image_id, impressions, reach, clicks, spend, currency, conversions, conversion_value, source_lines,
              import_batch_id)
    ON rolloy.performance_data TO rolloy_member;

CREATE FUNCTION rolloy.delete_performance_data(platform rolloy.ad_platform, ad_key text, report_date date DEFAULT NULL)
RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    n bigint;
BEGIN
    PERFORM rolloy_internal.require_admin();
    DELETE FROM rolloy_internal.ad_days d USING rolloy.ads a
     WHERE a.platform = delete_performance_data.platform AND a.ad_key = delete_performance_data.ad_key AND d.ad = a.id
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
CREATE OR REPLACE FUNCTION rolloy_internal._link_waiting_performance() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    IF TG_TABLE_NAME = 'creative_projects' THEN
        -- The project's own name, or one of its image names (name_Vnn sorts between name_V and
        -- name_W; creative_name compares bytewise): both served by ads_unmatched_idx.
        UPDATE rolloy.ads a SET project_id = NEW.id
         WHERE a.project_id IS NULL
           AND (a.creative_name = NEW.generated_name
                OR (a.creative_name >= NEW.generated_name || '_V' AND a.creative_name < NEW.generated_name || '_W'
                    AND (rolloy.parse_creative_name(a.creative_name)).project_name = NEW.generated_name));
    ELSE
        UPDATE rolloy.ads a SET project_id = NEW.project_id, image_id = NEW.id
         WHERE a.project_id IS NULL AND a.creative_name = NEW.ad_name;
        -- Ads that found the project at import time and waited for this image.
        UPDATE rolloy.ads a SET image_id = NEW.id
         WHERE a.project_id = NEW.project_id AND a.image_id IS NULL AND a.creative_name = NEW.ad_name;
    END IF;
    RETURN NULL;
END
$$;
CREATE OR REPLACE FUNCTION rolloy.rematch_performance() RETURNS bigint
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    to_images bigint;
    to_projects bigint;
BEGIN
    PERFORM rolloy_internal._require_admin_or_superuser('re-match ad performance', rolloy_internal._importer_hint());
    -- Read the names of unmatched ads again: the parser may know spellings it did not at import.
    UPDATE rolloy.ads a
       SET creative_name = (SELECT coalesce(x.image_name, x.project_name) FROM rolloy.parse_creative_name(a.ad_name) x)
     WHERE a.project_id IS NULL
       AND a.creative_name IS DISTINCT FROM
           (SELECT coalesce(x.image_name, x.project_name) FROM rolloy.parse_creative_name(a.ad_name) x);

    -- Counted in performance rows (days), as in 0.1.0: the ads linked, weighed by their days.
    WITH linked AS (
        UPDATE rolloy.ads a SET project_id = g.project_id, image_id = g.id
          FROM rolloy.generated_images g
         WHERE a.image_id IS NULL AND a.creative_name IS NOT NULL AND a.creative_name = g.ad_name
        RETURNING a.id)
    SELECT count(*) INTO to_images FROM rolloy_internal.ad_days d WHERE d.ad IN (SELECT l.id FROM linked l);

    WITH linked AS (
        UPDATE rolloy.ads a SET project_id = p.id
          FROM rolloy.creative_projects p
         WHERE a.project_id IS NULL AND a.image_id IS NULL AND a.creative_name IS NOT NULL
           AND p.generated_name = (rolloy.parse_creative_name(a.creative_name)).project_name
        RETURNING a.id)
    SELECT count(*) INTO to_projects FROM rolloy_internal.ad_days d WHERE d.ad IN (SELECT l.id FROM linked l);
    RETURN to_images + to_projects;
END
$$;
COMMENT ON FUNCTION rolloy.rematch_performance() IS
    'Links ads to the projects and images their ad names name, for ads not (fully) linked yet; returns how many '
    'performance rows (ad days) it linked. New projects and images link their rows automatically: this is for names '
    'read differently since, or links removed by hand. Admins only.';

CREATE VIEW rolloy.unmatched_performance WITH (security_invoker = true) AS
SELECT d.platform, d.ad_name, d.creative_name, d.creative_name IS NOT NULL AS is_creative_name, d.currency,
       count(*) AS row_count, sum(d.impressions) AS impressions, sum(d.clicks) AS clicks, sum(d.spend) AS spend,
       min(d.report_date) AS first_date, max(d.period_end) AS last_date, max(d.import_batch_id) AS last_import_batch_id
  FROM rolloy.performance_data d
 WHERE d.project_id IS NULL
 GROUP BY d.platform, d.ad_name, d.creative_name, d.currency;
COMMENT ON VIEW rolloy.unmatched_performance IS
    'Imported ads whose name matches no project: one line per platform, ad name and currency, for review. '
    'Admins see them; members see none (the rows belong to no one''s project).';
COMMENT ON COLUMN rolloy.unmatched_performance.platform IS 'Ad platform.';
COMMENT ON COLUMN rolloy.unmatched_performance.ad_name IS 'Ad name as exported.';
COMMENT ON COLUMN rolloy.unmatched_performance.creative_name IS
    'The creative name it spells (rows link themselves when a project or image of this name is created); NULL if none.';
COMMENT ON COLUMN rolloy.unmatched_performance.is_creative_name IS
    'True when the ad name parses as a creative name (YYYYMMDD_A1_A2_B_C_D...): only its project is missing.';
COMMENT ON COLUMN rolloy.unmatched_performance.currency IS 'Currency of spend.';
COMMENT ON COLUMN rolloy.unmatched_performance.row_count IS 'performance_data rows (ad days) of this ad.';
COMMENT ON COLUMN rolloy.unmatched_performance.impressions IS 'Impressions over those rows.';
COMMENT ON COLUMN rolloy.unmatched_performance.clicks IS 'Clicks over those rows.';
COMMENT ON COLUMN rolloy.unmatched_performance.spend IS 'Spend over those rows, in currency.';
COMMENT ON COLUMN rolloy.unmatched_performance.first_date IS 'First day reported.';
COMMENT ON COLUMN rolloy.unmatched_performance.last_date IS 'Last day reported.';
COMMENT ON COLUMN rolloy.unmatched_performance.last_import_batch_id IS 'Latest import that wrote one of the rows.';

GRANT SELECT ON rolloy.unmatched_performance TO rolloy_member;
REVOKE ALL ON FUNCTION rolloy_internal._reads_all_performance(), rolloy_internal._write_performance_data() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION rolloy_internal._reads_all_performance() TO rolloy_member;

-- == Derived insights hold no foreign keys (issue 11, locks) ==
-- Each insight row's foreign keys to users and creative_projects made every refresh take KEY
-- SHARE on the rows it names: a member holding his own users row or project FOR UPDATE (or an
-- uncommitted delete of it) stalled refresh_insights() for everyone. Rows of a deleted user are
-- unreachable, the views below keep only existing creatives, and the next refresh rewrites all.
ALTER TABLE rolloy.insights DROP CONSTRAINT insights_scope_user_id_fkey,
                            DROP CONSTRAINT insights_project_id_fkey;
DROP INDEX rolloy.insights_project_idx;  -- served only the cascade
CREATE OR REPLACE VIEW rolloy.insight_leaderboard WITH (security_invoker = true) AS
SELECT t.rank, t.scope_user_id, t.project_id, t.creative_name, t.tier, t.impressions, t.clicks, t.ctr,
       t.ctr_lower_bound, t.currency, t.spend, t.conversion_value, t.roas, t.category_code, t.scene_code,
       t.action_code, t.driver_code, t.format_code, t.refreshed_at
  FROM (SELECT i.scope_user_id, i.project_id, i.dimension_value AS creative_name, i.label AS tier, i.rank,
               i.impressions, i.clicks, i.clicks::numeric / nullif(i.impressions, 0) AS ctr,
               (i.details ->> 'ctr_lower_bound')::numeric AS ctr_lower_bound, i.currency, i.spend,
               i.conversion_value, i.conversion_value / nullif(i.spend, 0) AS roas,
               i.details ->> 'category' AS category_code, i.details ->> 'scene' AS scene_code,
               i.details ->> 'action' AS action_code, i.details ->> 'driver' AS driver_code,
               i.details ->> 'format' AS format_code, i.refreshed_at
          FROM rolloy.insights i
         WHERE i.kind = 'leaderboard'
           AND (i.scope_user_id = (SELECT rolloy_internal._insight_scope())
                OR (i.scope_user_id IS NULL AND (SELECT rolloy_internal._insight_scope()) IS NULL))
           AND EXISTS (SELECT FROM rolloy.creative_projects p WHERE p.id = i.project_id)) t;
CREATE OR REPLACE VIEW rolloy.insight_fatigue WITH (security_invoker = true) AS
SELECT i.scope_user_id, i.project_id, i.dimension_value AS creative_name, i.label AS status,
       (i.details ->> 'baseline_ctr')::numeric AS baseline_ctr, i.value AS recent_ctr, i.lift AS ctr_change,
       i.confidence_score, (i.details ->> 'window_days')::integer AS window_days,
       (i.details ->> 'baseline_from')::date AS baseline_from, (i.details ->> 'baseline_to')::date AS baseline_to,
       (i.details ->> 'recent_from')::date AS recent_from, (i.details ->> 'recent_to')::date AS recent_to,
       (i.details ->> 'days_with_data')::integer AS days_with_data, i.impressions, i.clicks, i.refreshed_at
  FROM rolloy.insights i
 WHERE i.kind = 'fatigue'
   AND (i.scope_user_id = (SELECT rolloy_internal._insight_scope())
        OR (i.scope_user_id IS NULL AND (SELECT rolloy_internal._insight_scope()) IS NULL))
   AND EXISTS (SELECT FROM rolloy.creative_projects p WHERE p.id = i.project_id);

-- == The calibrated effect test in refresh_insights() (issue "Insights that keep up", 3) ==
-- Effects and fatigue use the C++ core's test: degrees of freedom from each side's effective
-- number of units, findings on few creatives marked, untested ones say why.
-- The effect test of two ratio-of-sums metrics R = Σk/Σn (CTR: clicks/impressions; ROAS:
-- value/spend) whose units (creatives; days for fatigue) are the independent observations: an
-- aggregate over the units of both sides, computed by the C++ core (src/core/insights/
-- ratio_test.hpp): jackknife variances, Welch's t, and degrees of freedom counted from each
-- side's effective number of units, so that a side where one creative carries most of the
-- impressions does not pass for many. docs/insights.md ("The test") has the formulas and the
-- calibration: under no real difference, at most 5 % of verdicts reach confidence 0.95.
CREATE TYPE rolloy_internal.ratio_test_result AS (
    status              text,              -- tested | too_few_units (a side < 2) | no_spread
    group_units         integer,
    rest_units          integer,
    group_ratio         double precision,
    rest_ratio          double precision,
    std_error           double precision,  -- NULL unless tested
    t_statistic         double precision,
    degrees_of_freedom  double precision,
    p_value             double precision,  -- two-sided
    confidence          double precision,  -- 1 - p_value
    few_units           boolean            -- a side has fewer than 10 units: say so with the finding
);
CREATE FUNCTION rolloy_internal._ratio_test_accum(internal, in_group boolean, numerator double precision,
                                                  denominator double precision) RETURNS internal
LANGUAGE C IMMUTABLE AS 'MODULE_PATHNAME', 'rolloy_ratio_test_accum';
CREATE FUNCTION rolloy_internal._ratio_test_final(internal) RETURNS rolloy_internal.ratio_test_result
LANGUAGE C IMMUTABLE AS 'MODULE_PATHNAME', 'rolloy_ratio_test_final';
CREATE AGGREGATE rolloy_internal.ratio_test(in_group boolean, numerator double precision, denominator double precision) (
    SFUNC = rolloy_internal._ratio_test_accum, STYPE = internal, FINALFUNC = rolloy_internal._ratio_test_final
);
COMMENT ON AGGREGATE rolloy_internal.ratio_test(boolean, double precision, double precision) IS
    'Calibrated Welch test of the group''s ratio of sums against the rest''s, one row per unit (in_group, k, n); '
    'rows with a NULL or n <= 0 are not units. See docs/insights.md.';

-- refresh_insights() itself is replaced once, by its final text, in a later section (it drops
-- _welch_test from its body; nothing runs it in between).

DROP FUNCTION rolloy_internal._welch_test(numeric, numeric, numeric, numeric, numeric, numeric);

CREATE OR REPLACE VIEW rolloy.insight_effects WITH (security_invoker = true) AS
SELECT i.scope_user_id, i.dimension, i.dimension_value, i.metric, i.value,
       (i.details ->> 'rest_value')::numeric AS rest_value, i.lift, i.confidence_score, i.label AS verdict,
       i.sample_creatives AS creatives, (i.details ->> 'rest_creatives')::integer AS rest_creatives,
       (i.details ->> 'p_value')::numeric AS p_value, (i.details ->> 't_statistic')::numeric AS t_statistic,
       (i.details ->> 'degrees_of_freedom')::numeric AS degrees_of_freedom,
       (i.details ->> 'std_error')::numeric AS std_error,
       i.impressions, i.clicks, i.currency, i.spend, i.conversion_value, i.refreshed_at,
       (i.details ->> 'few_creatives')::boolean AS few_creatives, i.details ->> 'untested_because' AS untested_because
  FROM rolloy.insights i
 WHERE i.kind = 'effect'
   AND (i.scope_user_id = (SELECT rolloy_internal._insight_scope())
        OR (i.scope_user_id IS NULL AND (SELECT rolloy_internal._insight_scope()) IS NULL));
COMMENT ON VIEW rolloy.insight_effects IS
    'Effect of each scene category, scene, action, driver and format on CTR and ROAS: the value over '
    'the creatives that have it against the rest, lift and confidence_score (Welch test with creatives '
    'as the unit, degrees of freedom from their effective number; docs/insights.md). few_creatives: a side '
    'has fewer than 10, so read the verdict as a lead. Admins: over all data; members: over their own creatives.';
COMMENT ON COLUMN rolloy.insight_effects.confidence_score IS '1 - two-sided p-value of the Welch test, creatives as the unit; NULL = not tested (see untested_because).';
COMMENT ON COLUMN rolloy.insight_effects.degrees_of_freedom IS 'Welch-Satterthwaite degrees of freedom, each side counting its effective number of creatives (fewer when a few carry most of the impressions or spend).';
COMMENT ON COLUMN rolloy.insight_effects.few_creatives IS 'True when a side has fewer than 10 creatives: the verdict rests on few units, read it as a lead.';
COMMENT ON COLUMN rolloy.insight_effects.untested_because IS 'Why confidence_score is NULL: too_few_creatives (a side below effect_min_creatives) or no_spread (every creative of a side has the same ratio, e.g. no conversion at all).';

-- == Insights after every import, and a record of every refresh (61_insight_refreshes.sql) ==
--
-- An import that wrote rows leaves a request in rolloy_internal.insight_refresh_requests and
-- launches a one-shot background worker (src/pg/insights/refresh_worker.cpp). The worker waits
-- for the import's transaction to end and refreshes: the import itself never waits for the
-- insights. Every refresh, whoever runs it (the worker, pg_cron's nightly job, an admin), takes
-- all pending requests, so imports that arrive together are refreshed once. rolloy.insight_status
-- says when insights were last computed, from which imports and how long it took.

ALTER TABLE rolloy.insight_settings ADD COLUMN refresh_after_import boolean NOT NULL DEFAULT true;
COMMENT ON COLUMN rolloy.insight_settings.refresh_after_import IS
    'Refresh the insights in the background after every import that wrote rows (default true); the nightly '
    'schedule is separate (schedule_insights).';
GRANT INSERT (refresh_after_import), UPDATE (refresh_after_import) ON rolloy.insight_settings TO rolloy_member;

-- Imports whose rows the insights do not include yet. No foreign key: deleting a batch must not
-- wait for (or be waited on by) a refresh.
CREATE TABLE rolloy_internal.insight_refresh_requests (
    import_batch_id bigint PRIMARY KEY,
    requested_at    timestamptz NOT NULL DEFAULT pg_catalog.now()
);
COMMENT ON TABLE rolloy_internal.insight_refresh_requests IS
    'Imports not yet included in the insights; the next refresh of any kind takes them all.';
-- Kept by pg_dump, like the insights: a restored database still knows what is not refreshed yet.
SELECT pg_catalog.pg_extension_config_dump('rolloy_internal.insight_refresh_requests', '');

CREATE TABLE rolloy.insight_refreshes (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    trigger          text NOT NULL CHECK (trigger IN ('import', 'schedule', 'manual')),
    started_at       timestamptz NOT NULL,
    finished_at      timestamptz NOT NULL,
    duration_ms      numeric NOT NULL CHECK (duration_ms >= 0),
    import_batch_ids bigint[] NOT NULL DEFAULT '{}',
    rows_written     bigint CHECK (rows_written >= 0),
    error            text CONSTRAINT insight_refreshes_error_length CHECK (length(error) <= 1000)
);
CREATE INDEX insight_refreshes_finished_idx ON rolloy.insight_refreshes (finished_at DESC);
SELECT pg_catalog.pg_extension_config_dump('rolloy.insight_refreshes', '');
SELECT pg_catalog.pg_extension_config_dump(pg_catalog.pg_get_serial_sequence('rolloy.insight_refreshes', 'id'), '');
COMMENT ON TABLE rolloy.insight_refreshes IS
    'One row per refresh of the insights (the last 1000): when, why, how long, and which imports it took in. '
    'Read by everyone with a rolloy identity; written by refresh_insights() only.';
COMMENT ON COLUMN rolloy.insight_refreshes.trigger IS
    'import (the background refresh after an import), schedule (pg_cron) or manual (refresh_insights() called).';
COMMENT ON COLUMN rolloy.insight_refreshes.started_at IS 'When the refresh started.';
COMMENT ON COLUMN rolloy.insight_refreshes.finished_at IS 'When it finished (or failed).';
COMMENT ON COLUMN rolloy.insight_refreshes.duration_ms IS 'Milliseconds it took.';
COMMENT ON COLUMN rolloy.insight_refreshes.import_batch_ids IS
    'Imports (rolloy.import_batches.id) whose rows it was the first refresh to include.';
COMMENT ON COLUMN rolloy.insight_refreshes.rows_written IS 'Insight rows written; NULL when it failed.';
COMMENT ON COLUMN rolloy.insight_refreshes.error IS
    'Why a background refresh failed (its imports stay pending); NULL when it succeeded.';
ALTER TABLE rolloy.insight_refreshes ENABLE ROW LEVEL SECURITY;
CREATE POLICY insight_refreshes_read ON rolloy.insight_refreshes FOR SELECT
    USING ((SELECT rolloy.current_user_id()) IS NOT NULL);
GRANT SELECT ON rolloy.insight_refreshes TO rolloy_member;

-- Called by refresh_insights() inside its transaction, after its lock: takes the pending
-- requests and records the refresh (keeping the last 1000).
CREATE FUNCTION rolloy_internal._record_refresh(started timestamptz, rows_written bigint) RETURNS void
LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    taken bigint[];
BEGIN
    WITH done AS (DELETE FROM rolloy_internal.insight_refresh_requests r RETURNING r.import_batch_id)
    SELECT coalesce(array_agg(d.import_batch_id ORDER BY d.import_batch_id), '{}') INTO taken FROM done d;
    INSERT INTO rolloy.insight_refreshes (trigger, started_at, finished_at, duration_ms, import_batch_ids, rows_written)
    VALUES ((SELECT CASE WHEN a.backend_type = 'rolloy insight refresh' THEN 'import'
                         -- pg_cron runs jobs in its own workers or over libpq as 'pg_cron'
                         WHEN 'pg_cron' IN (a.backend_type, a.application_name) THEN 'schedule'
                         ELSE 'manual' END
               FROM pg_catalog.pg_stat_activity a WHERE a.pid = pg_catalog.pg_backend_pid()),
            started, pg_catalog.clock_timestamp(),
            round(extract(epoch FROM pg_catalog.clock_timestamp() - started) * 1000, 1), taken, rows_written);
    DELETE FROM rolloy.insight_refreshes f
     WHERE f.id <= (SELECT max(g.id) - 1000 FROM rolloy.insight_refreshes g);
END
$$;

-- The worker's statement: refresh unless another refresh already took every pending import.
CREATE FUNCTION rolloy_internal._refresh_after_import() RETURNS boolean
LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    -- A session holding the insights (or a long refresh) must not keep a worker slot forever;
    -- a database or role setting for lock_timeout wins.
    IF pg_catalog.current_setting('lock_timeout') = '0' THEN
        PERFORM pg_catalog.set_config('lock_timeout', '60s', true);
    END IF;
    -- The refresh lock first (refresh_insights() takes it again): then "nothing pending" means
    -- a refresh that committed meanwhile took this import in.
    LOCK TABLE rolloy.insights IN SHARE ROW EXCLUSIVE MODE;
    IF NOT EXISTS (SELECT FROM rolloy_internal.insight_refresh_requests) THEN
        RETURN false;
    END IF;
    PERFORM FROM rolloy.refresh_insights();
    RETURN true;
END
$$;

CREATE FUNCTION rolloy_internal._note_failed_refresh(message text) RETURNS void
LANGUAGE sql VOLATILE SET search_path = pg_catalog, pg_temp AS $$
    INSERT INTO rolloy.insight_refreshes (trigger, started_at, finished_at, duration_ms, import_batch_ids, error)
    SELECT 'import', pg_catalog.now(), pg_catalog.now(), 0,
           coalesce((SELECT array_agg(r.import_batch_id ORDER BY r.import_batch_id)
                       FROM rolloy_internal.insight_refresh_requests r), '{}'),
           left(message, 1000)
$$;

CREATE FUNCTION rolloy_internal._launch_insight_refresh() RETURNS boolean
LANGUAGE C VOLATILE STRICT AS 'MODULE_PATHNAME', 'rolloy_launch_insight_refresh';

-- SECURITY DEFINER: the importing admin holds no rights on rolloy_internal.
CREATE FUNCTION rolloy_internal._request_insight_refresh() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    IF NEW.rows_inserted + NEW.rows_updated + NEW.rows_merged = 0 THEN
        RETURN NULL;
    END IF;
    -- Always: the next refresh, of any kind, reads the days of this import into the rollup.
    INSERT INTO rolloy_internal.insight_refresh_requests (import_batch_id) VALUES (NEW.id)
        ON CONFLICT (import_batch_id) DO NOTHING;
    IF NOT coalesce((SELECT s.refresh_after_import FROM rolloy.insight_settings s), true) THEN
        RETURN NULL;
    END IF;
    IF NOT rolloy_internal._launch_insight_refresh() THEN
        RAISE NOTICE 'the insights will include this import at the next refresh'
            USING DETAIL = 'No background worker slot was free to refresh them now.',
                  HINT = 'Raise max_worker_processes, or run SELECT rolloy.refresh_insights().';
    END IF;
    RETURN NULL;
END
$$;
-- When the import finishes (it inserts its batch first and sets finished_at at the end). Not on
-- INSERT: pg_restore inserts finished batches, which need no refresh.
CREATE TRIGGER request_insight_refresh AFTER UPDATE OF finished_at ON rolloy.import_batches
    FOR EACH ROW WHEN (OLD.finished_at IS NULL AND NEW.finished_at IS NOT NULL)
    EXECUTE FUNCTION rolloy_internal._request_insight_refresh();

CREATE VIEW rolloy.insight_status WITH (security_invoker = true) AS
SELECT last.finished_at AS last_refreshed_at, last.trigger AS last_trigger, last.duration_ms AS last_duration_ms,
       last.import_batch_ids AS last_import_batch_ids, last.rows_written AS last_rows_written,
       failed.finished_at AS last_failed_at, failed.error AS last_error,
       (SELECT count(*) FROM rolloy.import_batches b
         WHERE b.finished_at > coalesce(last.started_at, '-infinity')
           AND b.rows_inserted + b.rows_updated + b.rows_merged > 0) AS imports_since,
       (SELECT s.refresh_after_import FROM rolloy.insight_settings s) AS refresh_after_import
  FROM (SELECT 1) one
  LEFT JOIN LATERAL (SELECT f.* FROM rolloy.insight_refreshes f WHERE f.error IS NULL
                      ORDER BY f.finished_at DESC LIMIT 1) last ON true
  LEFT JOIN LATERAL (SELECT f.* FROM rolloy.insight_refreshes f WHERE f.error IS NOT NULL
                      ORDER BY f.finished_at DESC LIMIT 1) failed ON true
 WHERE (SELECT rolloy.current_user_id()) IS NOT NULL OR pg_catalog.current_setting('is_superuser')::boolean;  -- no identity: no row
COMMENT ON VIEW rolloy.insight_status IS
    'When the insights were last computed, why, how long it took and from which imports; the last failed '
    'background refresh; how many imports (that the caller may see) finished since. One row.';
COMMENT ON COLUMN rolloy.insight_status.last_refreshed_at IS 'When the last successful refresh finished; NULL: never.';
COMMENT ON COLUMN rolloy.insight_status.last_trigger IS 'import, schedule or manual.';
COMMENT ON COLUMN rolloy.insight_status.last_duration_ms IS 'How long it took, in milliseconds.';
COMMENT ON COLUMN rolloy.insight_status.last_import_batch_ids IS 'Imports it was the first to include.';
COMMENT ON COLUMN rolloy.insight_status.last_rows_written IS 'Insight rows it wrote.';
COMMENT ON COLUMN rolloy.insight_status.last_failed_at IS 'When the last background refresh failed; NULL: none did.';
COMMENT ON COLUMN rolloy.insight_status.last_error IS 'Why it failed.';
COMMENT ON COLUMN rolloy.insight_status.imports_since IS
    'Imports with rows that finished after the last refresh started (members count their own): not in the insights yet.';
COMMENT ON COLUMN rolloy.insight_status.refresh_after_import IS 'insight_settings.refresh_after_import.';
GRANT SELECT ON rolloy.insight_status TO rolloy_member;

-- == Tiers of images (issue "Insights that keep up", 1) ==
-- Every generated image with data gets its tier among the scope's images, next to the creatives'.
-- The tier of a ranked unit (creative or image): top X % when its rank is within the first X % of
-- the scope's eligible units. One definition for both kinds of tiers.
CREATE FUNCTION rolloy_internal._tier(eligible boolean, tier_rank bigint, ranked bigint) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN NOT eligible THEN 'insufficient_data'
                WHEN tier_rank * 10 <= ranked THEN 'top_10'
                WHEN tier_rank * 5 <= ranked THEN 'top_20'
                WHEN tier_rank * 2 <= ranked THEN 'top_50'
                ELSE 'below_50' END
$$;
COMMENT ON FUNCTION rolloy_internal._tier(boolean, bigint, bigint) IS
    'Tier label from a rank among the ranked units: top_10, top_20, top_50, below_50, or insufficient_data.';
ALTER TABLE rolloy.insights ADD COLUMN image_id uuid;  -- tiers of images; no foreign key, as project_id
COMMENT ON COLUMN rolloy.insights.image_id IS 'Generated image of per-image tiers (dimension image).';
CREATE OR REPLACE VIEW rolloy.insight_tiers WITH (security_invoker = true) AS
SELECT i.scope_user_id, i.project_id, i.dimension_value AS creative_name, i.label AS tier, i.rank,
       (i.details ->> 'eligible_creatives')::integer AS eligible_creatives,
       i.impressions, i.clicks, i.clicks::numeric / nullif(i.impressions, 0) AS ctr,
       (i.details ->> 'ctr_lower_bound')::numeric AS ctr_lower_bound,
       (i.details ->> 'ctr_upper_bound')::numeric AS ctr_upper_bound,
       i.conversions, i.currency, i.spend, i.conversion_value, i.conversion_value / nullif(i.spend, 0) AS roas,
       i.details ->> 'category' AS category_code, i.details ->> 'scene' AS scene_code,
       i.details ->> 'action' AS action_code, i.details ->> 'driver' AS driver_code,
       i.details ->> 'format' AS format_code, i.refreshed_at
  FROM rolloy.insights i
 WHERE i.kind = 'tier' AND i.dimension = 'creative'
   AND (i.scope_user_id = (SELECT rolloy_internal._insight_scope())
        OR (i.scope_user_id IS NULL AND (SELECT rolloy_internal._insight_scope()) IS NULL))
   AND EXISTS (SELECT FROM rolloy.creative_projects p WHERE p.id = i.project_id);  -- deleted since the refresh

CREATE VIEW rolloy.insight_image_tiers WITH (security_invoker = true) AS
SELECT i.scope_user_id, i.image_id, i.project_id, i.dimension_value AS ad_name, i.label AS tier, i.rank,
       (i.details ->> 'eligible_images')::integer AS eligible_images,
       i.impressions, i.clicks, i.clicks::numeric / nullif(i.impressions, 0) AS ctr,
       (i.details ->> 'ctr_lower_bound')::numeric AS ctr_lower_bound,
       (i.details ->> 'ctr_upper_bound')::numeric AS ctr_upper_bound,
       i.conversions, i.currency, i.spend, i.conversion_value, i.conversion_value / nullif(i.spend, 0) AS roas,
       i.refreshed_at
  FROM rolloy.insights i
 WHERE i.kind = 'tier' AND i.dimension = 'image'
   AND (i.scope_user_id = (SELECT rolloy_internal._insight_scope())
        OR (i.scope_user_id IS NULL AND (SELECT rolloy_internal._insight_scope()) IS NULL))
   AND EXISTS (SELECT FROM rolloy.generated_images g WHERE g.id = i.image_id);  -- deleted since the refresh
COMMENT ON VIEW rolloy.insight_image_tiers IS
    'Performance tier of every generated image (variant) with performance data, ranked like the creatives by the '
    'Wilson lower bound of CTR among the scope''s images past the min_impressions gate (admins: all images; '
    'members: their own). The image leaderboard: WHERE rank <= leaderboard_size ORDER BY rank.';
COMMENT ON COLUMN rolloy.insight_image_tiers.scope_user_id IS 'Scope: NULL = all data (admins), else the member whose images these are.';
COMMENT ON COLUMN rolloy.insight_image_tiers.image_id IS 'Generated image id.';
COMMENT ON COLUMN rolloy.insight_image_tiers.project_id IS 'Its creative (project).';
COMMENT ON COLUMN rolloy.insight_image_tiers.ad_name IS 'Ad name of the image (the creative''s name and _Vnn).';
COMMENT ON COLUMN rolloy.insight_image_tiers.tier IS 'top_10, top_20, top_50, below_50 among the scope''s images, or insufficient_data (below the min_impressions gate).';
COMMENT ON COLUMN rolloy.insight_image_tiers.rank IS 'Rank by the Wilson lower bound of CTR among eligible images (1 = best; ties share a rank).';
COMMENT ON COLUMN rolloy.insight_image_tiers.eligible_images IS 'Images past the gate in the scope; the tier is rank / eligible_images.';
COMMENT ON COLUMN rolloy.insight_image_tiers.impressions IS 'Impressions (all currencies).';
COMMENT ON COLUMN rolloy.insight_image_tiers.clicks IS 'Clicks (all currencies).';
COMMENT ON COLUMN rolloy.insight_image_tiers.ctr IS 'Click-through rate: clicks / impressions.';
COMMENT ON COLUMN rolloy.insight_image_tiers.ctr_lower_bound IS 'Wilson lower bound of CTR (the ranking score).';
COMMENT ON COLUMN rolloy.insight_image_tiers.ctr_upper_bound IS 'Wilson upper bound of CTR.';
COMMENT ON COLUMN rolloy.insight_image_tiers.conversions IS 'Conversions (all currencies).';
COMMENT ON COLUMN rolloy.insight_image_tiers.currency IS 'Reporting currency of the scope: spend, value and ROAS are in it.';
COMMENT ON COLUMN rolloy.insight_image_tiers.spend IS 'Spend in currency (rows in other currencies are not added).';
COMMENT ON COLUMN rolloy.insight_image_tiers.conversion_value IS 'Conversion value in currency.';
COMMENT ON COLUMN rolloy.insight_image_tiers.roas IS 'Return on ad spend: conversion_value / spend.';
COMMENT ON COLUMN rolloy.insight_image_tiers.refreshed_at IS 'When rolloy.refresh_insights() computed the figures.';
GRANT SELECT ON rolloy.insight_image_tiers TO rolloy_member;

-- == The paid-attempt ledger (issue 15, section 1) ==
-- api_usage_logs becomes the ledger: one row per attempt, opened before its request leaves and
-- completed afterwards; recovery closes what a stopped worker left open as "unknown". The 0.1.0
-- rows were written once their call had finished: they are completed attempts, their request
-- left latency_ms before occurred_at.
ALTER TABLE rolloy.api_usage_logs
    ADD COLUMN state text NOT NULL DEFAULT 'completed'
        CONSTRAINT api_usage_logs_state_check CHECK (state IN ('staged', 'in_flight', 'completed', 'unknown')),
    ADD COLUMN sent_at timestamptz,
    ADD COLUMN finished_at timestamptz,
    ADD COLUMN resumed boolean NOT NULL DEFAULT false;
UPDATE rolloy.api_usage_logs l
   SET finished_at = l.occurred_at,
       sent_at = CASE WHEN l.provider NOT IN ('template', 'preview')
                       AND (l.http_status IS NOT NULL OR coalesce(l.latency_ms, 0) > 0)
                      THEN l.occurred_at - make_interval(secs => coalesce(l.latency_ms, 0) / 1000.0) END;
-- The worker's recovery looks for attempts still open; they are few at any time.
CREATE INDEX api_usage_logs_open_idx ON rolloy.api_usage_logs (id) WHERE state IN ('staged', 'in_flight');
COMMENT ON TABLE rolloy.api_usage_logs IS
    'The ledger of provider calls: one row per attempt, written before its request leaves (write-ahead) and '
    'completed afterwards, with its cost; written only by rolloy. Members read their own, admins all.';
COMMENT ON COLUMN rolloy.api_usage_logs.occurred_at IS
    'When the attempt was opened (its money is spent in this month); for rows from 0.1.0, when the call finished.';
COMMENT ON COLUMN rolloy.api_usage_logs.error IS 'Provider message and HTTP status of a failed call (secrets redacted).';
COMMENT ON COLUMN rolloy.api_usage_logs.state IS
    'staged (claimed, request not sent), in_flight (request sent, no answer recorded yet), completed, or unknown '
    '(the caller stopped while the request was in flight: it may be billed, charged at the list price).';
COMMENT ON COLUMN rolloy.api_usage_logs.sent_at IS 'When the request left the machine; NULL when none was sent.';
COMMENT ON COLUMN rolloy.api_usage_logs.finished_at IS
    'When the answer (or the unknown outcome) of an attempt opened ahead was recorded; NULL for rows written whole '
    'once the call was over (previews, prompts: occurred_at).';
COMMENT ON COLUMN rolloy.api_usage_logs.resumed IS
    'The attempt continued an earlier attempt''s provider request (fal queue) instead of sending a new one.';

-- Completed images no longer carry the error of an earlier attempt: the ledger keeps it.
UPDATE rolloy.generated_images g SET last_error = NULL WHERE g.status = 'completed' AND g.last_error IS NOT NULL;

COMMENT ON FUNCTION rolloy.usage_this_month(uuid) IS
    'A user''s images made this month (UTC: successful calls in the ledger) and queued, the quota, USD spent '
    '(every attempt, including those of unknown outcome), USD committed by queued images, and the budget. Own figures, or anyone''s for admins (and superusers without a user).';

-- == The dashboard served by the database (issue 14) ==
-- The text of src/sql/70_dashboard_base.sql ... 79_dashboard.sql, then their grants from
-- 99_internal_privileges.sql (new functions start executable by PUBLIC: revoked as there).

-- Dashboard, part 1: the media types, the one HTML escaper, formatting and the page frame.
--
-- The dashboard is HTML rendered by the database (docs/dashboard.md). Every page function runs
-- as the caller (SECURITY INVOKER): row-level security and the insight views decide what it
-- shows. The helpers here live in rolloy_internal and are reached by OID from SQL-standard
-- bodies (BEGIN ATOMIC), so a member needs EXECUTE on them (99_internal_privileges.sql) but no
-- USAGE on the schema. Rule for every page: user text (titles, notes, names, prompts, errors)
-- reaches the HTML only through rolloy_internal._html(); HTML fragments passed between helpers
-- are built here from escaped parts and constants.

-- PostgREST 12 media-type handlers: a function returning a domain named like a media type
-- answers with that type (docs/postgrest.md). "*/*" answers any Accept, which is what a
-- browser's <img> sends (image/avif,image/webp,...,*/*): the functions returning it set the real
-- Content-Type through response.headers.
CREATE DOMAIN rolloy."text/html" AS text;
COMMENT ON DOMAIN rolloy."text/html" IS
    'HTML text; PostgREST serves functions returning it as text/html to requests that accept text/html.';
CREATE DOMAIN rolloy."*/*" AS bytea;
COMMENT ON DOMAIN rolloy."*/*" IS
    'Bytes of any type; PostgREST lets functions returning it answer every Accept (browsers'' <img>), '
    'and each such function sets the Content-Type it serves with response.headers.';

-- The one escaper: & < > " ' become entities, so the result is safe in element text and in quoted
-- attribute values. NULL becomes '' (an absent value renders as nothing, never as "NULL").
CREATE FUNCTION rolloy_internal._html(value text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN replace(replace(replace(replace(replace(coalesce(value, ''), '&', '&amp;'), '<', '&lt;'), '>', '&gt;'),
                       '"', '&quot;'), '''', '&#39;');
COMMENT ON FUNCTION rolloy_internal._html(text) IS
    'HTML-escapes text for element content and quoted attributes (& < > " '' as entities); NULL gives ''''.';

-- Errors of the pages: SQL-standard bodies cannot RAISE, they call this.
CREATE FUNCTION rolloy_internal._dash_raise(sqlstate text, message text, hint text) RETURNS text
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    RAISE EXCEPTION USING ERRCODE = sqlstate, MESSAGE = message, HINT = hint;
END
$$;
COMMENT ON FUNCTION rolloy_internal._dash_raise(text, text, text) IS
    'Raises the error of a dashboard page (SQL-standard bodies cannot RAISE themselves).';

-- Numbers as a reader wants them: thousands separated, percentages with two decimals, money
-- with its currency code (never a bare amount: currencies are never mixed).
CREATE FUNCTION rolloy_internal._dash_num(value numeric, decimals integer DEFAULT 0) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN CASE WHEN value IS NULL THEN '–'
            WHEN decimals <= 0 THEN to_char(round(value), 'FM999,999,999,999,990')
            ELSE to_char(round(value, decimals), 'FM999,999,999,999,990.' || repeat('0', decimals)) END;
COMMENT ON FUNCTION rolloy_internal._dash_num(numeric, integer) IS
    'A number for the dashboard: thousands separated, rounded to decimals; – for NULL.';

CREATE FUNCTION rolloy_internal._dash_pct(fraction numeric) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN CASE WHEN fraction IS NULL THEN '–' ELSE rolloy_internal._dash_num(100 * fraction, 2) || ' %' END;
COMMENT ON FUNCTION rolloy_internal._dash_pct(numeric) IS 'A fraction as a percentage with two decimals (0.0123 -> 1.23 %).';

-- A section that has nothing to show says so and what to do next. next_step is HTML written in
-- this file (it may hold <code>); never pass user text as it.
CREATE FUNCTION rolloy_internal._dash_empty(what text, next_step text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN '<p class="empty"><strong>' || rolloy_internal._html(what) || '</strong> ' || next_step || '</p>';
COMMENT ON FUNCTION rolloy_internal._dash_empty(text, text) IS
    'Empty-state paragraph: what is missing (escaped) and the next step (HTML from the page code).';

-- The page frame: navigation, who is looking (their scope), the styles and the one small script
-- (sortable tables). The Content-Security-Policy allows that script by its hash and no other:
-- an escaping mistake could not run script even if one slipped through.
CREATE FUNCTION rolloy_internal._dash_frame(title text, page text, body text) RETURNS text
LANGUAGE sql STABLE
BEGIN ATOMIC
WITH script AS (
    SELECT $js$document.querySelectorAll('table.sortable th').forEach(function (th) {
  th.tabIndex = 0; th.title = 'Sort by this column';
  var sort = function () {
    var table = th.closest('table'), body = table.tBodies[0], i = th.cellIndex;
    var asc = th.getAttribute('aria-sort') !== 'ascending';
    table.querySelectorAll('th[aria-sort]').forEach(function (h) { h.removeAttribute('aria-sort'); });
    th.setAttribute('aria-sort', asc ? 'ascending' : 'descending');
    var key = function (tr) { var c = tr.cells[i]; var v = c.getAttribute('data-sort') || c.textContent.trim();
      var n = parseFloat(v.replace(/,/g, '')); return isNaN(n) ? v.toLowerCase() : n; };
    Array.prototype.slice.call(body.rows).sort(function (a, b) {
      var x = key(a), y = key(b); return (x < y ? -1 : x > y ? 1 : 0) * (asc ? 1 : -1);
    }).forEach(function (tr) { body.appendChild(tr); });
  };
  th.addEventListener('click', sort);
  th.addEventListener('keydown', function (e) { if (e.key === 'Enter') { sort(); } });
});$js$::text AS js
), who AS (
    SELECT u.display_name, rolloy.is_admin() AS admin FROM rolloy.users u WHERE u.id = rolloy.current_user_id()
)
SELECT '<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src ''none''; img-src ''self'' data:; style-src ''unsafe-inline''; script-src ''sha256-'
       || encode(sha256(convert_to(script.js, 'UTF8')), 'base64') || '''">
<link rel="icon" href="data:,">
<title>rolloy · ' || rolloy_internal._html(_dash_frame.title) || '</title>
<style>
:root{--ink:#1f2933;--muted:#52606d;--line:#d9e2ec;--accent:#2563eb;--warn:#b45309;--bad:#b91c1c;--good:#047857}
*{box-sizing:border-box}body{margin:0;font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--ink);background:#f8fafc}
header{background:#fff;border-bottom:1px solid var(--line);padding:.6rem 1.2rem;display:flex;flex-wrap:wrap;gap:1rem;align-items:baseline}
header nav a{margin-right:1rem;color:var(--accent);text-decoration:none;font-weight:600}header nav a[aria-current]{color:var(--ink);border-bottom:2px solid var(--accent)}
.who{color:var(--muted);margin:0}main{max-width:1180px;margin:0 auto;padding:1rem 1.2rem 3rem}
section{background:#fff;border:1px solid var(--line);border-radius:8px;padding:1rem 1.2rem;margin:1rem 0}
h1{font-size:1.5rem;margin:.4rem 0}h2{font-size:1.15rem;margin:0 0 .6rem}h3{font-size:1rem;margin:1rem 0 .4rem}
table{border-collapse:collapse;width:100%;font-variant-numeric:tabular-nums}caption{text-align:left;color:var(--muted);padding:.2rem 0}
th,td{border-bottom:1px solid var(--line);padding:.3rem .5rem;text-align:left;vertical-align:middle}td.n,th.n{text-align:right}
th{background:#f1f5f9;font-weight:600}table.sortable th{cursor:pointer}
.empty{color:var(--muted);background:#f8fafc;border:1px dashed var(--line);padding:.8rem;border-radius:6px}
.small{color:var(--warn)}.note{color:var(--muted);font-size:.9rem}.bad{color:var(--bad)}.good{color:var(--good)}
.tier{display:inline-block;padding:0 .4rem;border-radius:4px;background:#e0e7ff;font-size:.85rem}
.thumb{width:72px;height:72px;object-fit:cover;border-radius:4px;display:block}
.gallery{display:grid;grid-template-columns:repeat(auto-fill,minmax(230px,1fr));gap:1rem}
.card{border:1px solid var(--line);border-radius:8px;padding:.6rem;overflow-wrap:anywhere}table.kv{width:auto;min-width:50%}.card img{width:100%;height:auto;border-radius:4px;display:block}
.picker a{margin-right:.6rem}.picker a[aria-current]{font-weight:700;color:var(--ink)}
td.heat{text-align:right;min-width:4.5rem}svg{max-width:100%;height:auto;font:11px system-ui,sans-serif}
pre{white-space:pre-wrap;background:#f1f5f9;padding:.6rem;border-radius:6px}
details{margin:.4rem 0}summary{cursor:pointer;color:var(--accent)}
.meter{background:#e5e7eb;border-radius:4px;height:12px;width:240px;display:inline-block;vertical-align:middle}
.meter span{display:block;height:12px;border-radius:4px;background:var(--accent)}
</style></head>
<body><header><nav aria-label="Dashboard pages">'
       || (SELECT string_agg(format('<a href="dashboard?page=%s"%s>%s</a>', p.name,
                                    CASE WHEN p.name = _dash_frame.page THEN ' aria-current="page"' ELSE '' END, p.label),
                             '' ORDER BY p.ord)
             FROM (VALUES (1, 'overview', 'Overview'), (2, 'generation', 'Generation')) p(ord, name, label))
       || '</nav><p class="who">'
       || coalesce((SELECT rolloy_internal._html(w.display_name)
                           || CASE WHEN w.admin THEN ' · admin: all creatives' ELSE ' · your creatives' END FROM who w),
                   rolloy_internal._html(session_user::text) || ' · no rolloy user: what row-level security shows this role')
       || '</p></header>
<main>' || _dash_frame.body || '</main>
<footer class="note" style="text-align:center">Rendered by rolloy at ' || to_char(now(), 'YYYY-MM-DD HH24:MI TZ') || '</footer>
<script>' || script.js || '</script>
</body></html>'
  FROM script;
END;
COMMENT ON FUNCTION rolloy_internal._dash_frame(text, text, text) IS
    'A dashboard page around body (HTML): navigation, who is looking, styles, the sortable-table script '
    '(allowed by its hash in the Content-Security-Policy).';

-- Dashboard, part 2: inline SVG charts. Honest by construction: value axes start at zero and
-- say their unit, a chart never mixes currencies (callers draw one per currency), points and
-- bars from small samples are drawn hollow and marked †, and every chart carries a text
-- alternative (role="img" with <title> and <desc>) and its numbers as a table.
--
-- Points and bars arrive as a jsonb array of objects: label (text), v (the value), optional lo
-- and hi (an uncertainty band), small (true: below the sample gate), note (text for the table).

-- A line chart with an optional band, for fractions (CTR): the axis is in percent.
CREATE FUNCTION rolloy_internal._dash_line_chart(chart_id text, title text, y_label text, points jsonb) RETURNS text
LANGUAGE sql IMMUTABLE
BEGIN ATOMIC
WITH p AS (
    SELECT e.n, e.x ->> 'label' AS label, (e.x ->> 'v')::numeric AS v, (e.x ->> 'lo')::numeric AS lo,
           (e.x ->> 'hi')::numeric AS hi, coalesce((e.x ->> 'small')::boolean, false) AS small, e.x ->> 'note' AS note,
           count(*) OVER () AS total
      FROM jsonb_array_elements(_dash_line_chart.points) WITH ORDINALITY e(x, n)
), scale AS (
    -- Top of the axis: 10 % above the highest value or band, so nothing touches the frame.
    SELECT greatest(max(greatest(p.v, coalesce(p.hi, p.v))) * 1.1, 0.0001) AS top, max(p.total) AS total FROM p
), xy AS (
    SELECT p.*, round(56 + CASE WHEN p.total = 1 THEN 284 ELSE (p.n - 1) * 568.0 / (p.total - 1) END, 1) AS x,
           round(200 - p.v / s.top * 184, 1) AS y, round(200 - coalesce(p.hi, p.v) / s.top * 184, 1) AS yhi,
           round(200 - coalesce(p.lo, p.v) / s.top * 184, 1) AS ylo,
           -- at most ~8 labels on the axis: the first, the last and evenly between
           (p.n = 1 OR p.n = p.total OR (p.n - 1) % greatest(1, ceil(p.total / 8.0)::integer) = 0) AS labelled
      FROM p, scale s
)
SELECT '<figure><svg viewBox="0 0 640 240" role="img" aria-labelledby="' || _dash_line_chart.chart_id || '-t '
       || _dash_line_chart.chart_id || '-d" id="' || _dash_line_chart.chart_id || '">'
       || '<title id="' || _dash_line_chart.chart_id || '-t">' || rolloy_internal._html(_dash_line_chart.title) || '</title>'
       || '<desc id="' || _dash_line_chart.chart_id || '-d">'
       || rolloy_internal._html(format('%s points from %s to %s; lowest %s, highest %s, last %s. Shaded: 95 %% interval.',
                                       (SELECT max(total) FROM p), (SELECT label FROM p ORDER BY n LIMIT 1),
                                       (SELECT label FROM p ORDER BY n DESC LIMIT 1),
                                       rolloy_internal._dash_pct((SELECT min(v) FROM p)),
                                       rolloy_internal._dash_pct((SELECT max(v) FROM p)),
                                       rolloy_internal._dash_pct((SELECT v FROM p ORDER BY n DESC LIMIT 1))))
       || '</desc>'
       -- grid and y ticks at 0, 1/4 ... of the axis
       || (SELECT string_agg(format('<line x1="56" x2="624" y1="%s" y2="%s" stroke="#d9e2ec"/>'
                                    '<text x="50" y="%s" text-anchor="end">%s</text>',
                                    round(200 - k * 46.0, 1), round(200 - k * 46.0, 1), round(204 - k * 46.0, 1),
                                    rolloy_internal._dash_num(100 * s.top * k / 4, 2)), '' ORDER BY k)
             FROM generate_series(0, 4) k, scale s)
       || '<text transform="rotate(-90)" x="-108" y="12" text-anchor="middle">' || rolloy_internal._html(_dash_line_chart.y_label)
       || '</text>'
       || coalesce('<polygon fill="#2563eb" fill-opacity="0.15" stroke="none" points="'
                   || (SELECT string_agg(x || ',' || yhi, ' ' ORDER BY n) || ' ' || string_agg(x || ',' || ylo, ' ' ORDER BY n DESC)
                         FROM xy WHERE hi IS NOT NULL) || '"/>', '')
       || '<polyline fill="none" stroke="#2563eb" stroke-width="2" points="'
       || (SELECT string_agg(x || ',' || y, ' ' ORDER BY n) FROM xy) || '"/>'
       || (SELECT string_agg(format('<circle cx="%s" cy="%s" r="3.5" fill="%s" stroke="#2563eb" stroke-width="1.5">'
                                    '<title>%s: %s%s</title></circle>',
                                    x, y, CASE WHEN small THEN '#fff' ELSE '#2563eb' END, rolloy_internal._html(label),
                                    rolloy_internal._dash_pct(v), CASE WHEN small THEN ' (small sample)' ELSE '' END),
                             '' ORDER BY n) FROM xy)
       -- the first and last labels align with the ends of the axis, so they stay inside the chart
       || (SELECT string_agg(format('<text x="%s" y="218" text-anchor="%s">%s</text>', x,
                                    CASE WHEN n = 1 AND total > 1 THEN 'start' WHEN n = total AND total > 1 THEN 'end' ELSE 'middle' END,
                                    rolloy_internal._html(label)),
                             '' ORDER BY n) FROM xy WHERE labelled)
       || '<line x1="56" x2="624" y1="200" y2="200" stroke="#52606d"/><line x1="56" x2="56" y1="16" y2="200" stroke="#52606d"/>'
       || '</svg><figcaption class="note">Filled dots: enough impressions; hollow dots and † in the table: small sample. '
       || 'The axis starts at zero.</figcaption></figure>'
       || '<details><summary>The numbers</summary><table><caption>' || rolloy_internal._html(_dash_line_chart.title)
       || '</caption><thead><tr><th scope="col">Period</th><th scope="col" class="n">' || rolloy_internal._html(_dash_line_chart.y_label)
       || '</th><th scope="col" class="n">95 % interval</th><th scope="col">Note</th></tr></thead><tbody>'
       || (SELECT string_agg(format('<tr><td>%s</td><td class="n">%s%s</td><td class="n">%s – %s</td><td>%s</td></tr>',
                                    rolloy_internal._html(label), rolloy_internal._dash_pct(v),
                                    CASE WHEN small THEN ' <span class="small">†</span>' ELSE '' END,
                                    rolloy_internal._dash_pct(lo), rolloy_internal._dash_pct(hi), rolloy_internal._html(note)),
                             '' ORDER BY n) FROM p)
       || '</tbody></table></details>';
END;
COMMENT ON FUNCTION rolloy_internal._dash_line_chart(text, text, text, jsonb) IS
    'SVG line chart of fractions in percent (zero-based axis) with an optional uncertainty band, a text '
    'alternative and its numbers as a table; points: [{label, v, lo, hi, small, note}].';

-- Horizontal bars, zero-based, with the unit in the axis label (amounts of one currency).
CREATE FUNCTION rolloy_internal._dash_bar_chart(chart_id text, title text, x_label text, bars jsonb) RETURNS text
LANGUAGE sql IMMUTABLE
BEGIN ATOMIC
WITH b AS (
    SELECT e.n, e.x ->> 'label' AS label, (e.x ->> 'v')::numeric AS v, coalesce((e.x ->> 'small')::boolean, false) AS small
      FROM jsonb_array_elements(_dash_bar_chart.bars) WITH ORDINALITY e(x, n)
), scale AS (SELECT greatest(max(b.v), 0.0001) AS top, count(*) AS total FROM b)
SELECT '<figure><svg viewBox="0 0 640 ' || (s.total * 24 + 52) || '" role="img" aria-labelledby="' || _dash_bar_chart.chart_id
       || '-t ' || _dash_bar_chart.chart_id || '-d" id="' || _dash_bar_chart.chart_id || '">'
       || '<title id="' || _dash_bar_chart.chart_id || '-t">' || rolloy_internal._html(_dash_bar_chart.title) || '</title>'
       || '<desc id="' || _dash_bar_chart.chart_id || '-d">'
       || rolloy_internal._html((SELECT string_agg(b.label || ': ' || rolloy_internal._dash_num(b.v, 2)
                                                   || CASE WHEN b.small THEN ' (small sample)' ELSE '' END, '; ' ORDER BY b.n)
                                   FROM b)) || '</desc>'
       || (SELECT string_agg(format('<text x="136" y="%s" text-anchor="end">%s%s</text>'
                                    '<rect x="140" y="%s" width="%s" height="16" fill="%s" stroke="#2563eb"/>'
                                    '<text x="%s" y="%s">%s</text>',
                                    b.n * 24 + 2, rolloy_internal._html(left(b.label, 22)), CASE WHEN b.small THEN ' †' ELSE '' END,
                                    b.n * 24 - 10, round(b.v / s.top * 420, 1), CASE WHEN b.small THEN '#fff' ELSE '#2563eb' END,
                                    round(144 + b.v / s.top * 420, 1), b.n * 24 + 2, rolloy_internal._dash_num(b.v, 2)),
                             '' ORDER BY b.n) FROM b)
       || format('<line x1="140" x2="140" y1="8" y2="%s" stroke="#52606d"/><line x1="140" x2="560" y1="%s" y2="%s" stroke="#52606d"/>'
                 '<text x="140" y="%s" text-anchor="middle">0</text><text x="560" y="%s" text-anchor="middle">%s</text>'
                 '<text x="350" y="%s" text-anchor="middle">%s</text>',
                 s.total * 24 + 14, s.total * 24 + 14, s.total * 24 + 14, s.total * 24 + 28, s.total * 24 + 28,
                 rolloy_internal._dash_num(s.top, 2), s.total * 24 + 44, rolloy_internal._html(_dash_bar_chart.x_label))
       || '</svg><figcaption class="note">Bars start at zero; hollow bars and † mark small samples.</figcaption></figure>'
  FROM scale s;
END;
COMMENT ON FUNCTION rolloy_internal._dash_bar_chart(text, text, text, jsonb) IS
    'SVG horizontal bar chart, zero-based, unit in the axis label, with a text alternative; bars: [{label, v, small}].';

-- A meter (value against a limit) for quota and budget; over the limit shows full and red.
CREATE FUNCTION rolloy_internal._dash_meter(label text, used numeric, limit_value numeric, unit text, decimals integer)
RETURNS text
LANGUAGE sql IMMUTABLE
RETURN '<p><span role="img" aria-label="' || rolloy_internal._html(format('%s: %s of %s %s', label,
                                               rolloy_internal._dash_num(used, decimals),
                                               rolloy_internal._dash_num(limit_value, decimals), unit))
       || '" class="meter"><span style="width:'
       || CASE WHEN coalesce(limit_value, 0) <= 0 THEN 100 ELSE least(100, round(100 * used / limit_value)) END
       || '%' || CASE WHEN used > coalesce(limit_value, 0) THEN ';background:#b91c1c' ELSE '' END || '"></span></span> '
       || rolloy_internal._html(label) || ': <strong>' || rolloy_internal._dash_num(used, decimals) || '</strong> of '
       || rolloy_internal._dash_num(limit_value, decimals) || ' ' || rolloy_internal._html(unit) || '</p>';
COMMENT ON FUNCTION rolloy_internal._dash_meter(text, numeric, numeric, text, integer) IS
    'A labelled meter of used against a limit (quota, budget), with a text alternative.';

-- Dashboard, part 3: images and downloads the pages link to.
--
-- A browser's <img> asks with Accept: image/avif,image/webp,...,image/*,*/*. PostgREST matches
-- only exact types and */*, so image() and thumbnail() (domain "image/jpeg") would answer it
-- with JSON. These handlers return the "*/*" domain, which answers every Accept, and set the
-- real Content-Type themselves (PostgREST's "providing images for <img>" recipe). image(),
-- thumbnail() and project_zip() stay as they are for clients that ask for the type explicitly.
-- They run as the caller and call those API functions, so RLS decides what is served; a
-- missing image and one of another user's projects get the same 404.

-- A page embeds up to 20 thumbnails, each a request. image_store's read policy looks the
-- reference up in generated_images (EXISTS ... WHERE g.storage_ref = image_store.storage_ref):
-- without this index that is a scan of every image, under its own row-level security, per
-- thumbnail (1.2 s each at 2,000 images; 0.1 s with it).
CREATE INDEX generated_images_storage_ref_idx ON rolloy.generated_images (storage_ref);

CREATE FUNCTION rolloy.image_file(image_id uuid, thumbnail boolean DEFAULT false) RETURNS rolloy."*/*"
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    bytes bytea := CASE WHEN image_file.thumbnail THEN rolloy.thumbnail(image_file.image_id)
                        ELSE rolloy.image(image_file.image_id) END;
BEGIN
    IF bytes IS NULL THEN
        RAISE EXCEPTION 'image % not found', image_file.image_id USING ERRCODE = 'PT404',
            HINT = 'Completed images of your own projects (admins: all) are served.';
    END IF;
    -- private: the bytes depend on who asks; a day is safe, an image never changes once completed.
    PERFORM pg_catalog.set_config('response.headers',
        pg_catalog.json_build_array(pg_catalog.json_build_object('Content-Type', 'image/jpeg'),
                                    pg_catalog.json_build_object('Cache-Control', 'private, max-age=86400'))::text, true);
    RETURN bytes;
END
$$;
COMMENT ON FUNCTION rolloy.image_file(uuid, boolean) IS
    'The JPEG of a completed image (thumbnail => the 300x300 thumbnail) for browsers: PostgREST serves it to any '
    'Accept, as <img> sends, with Content-Type image/jpeg. Own projects; admins all. SQLSTATE PT404 (HTTP 404) when '
    'missing or not yours. GET /rpc/image_file?image_id=…&thumbnail=true';

CREATE FUNCTION rolloy.project_zip_file(project_id uuid) RETURNS rolloy."*/*"
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    name text;
BEGIN
    SELECT p.generated_name INTO name FROM rolloy.creative_projects p WHERE p.id = project_zip_file.project_id;
    IF name IS NULL THEN
        RAISE EXCEPTION 'project % not found', project_zip_file.project_id USING ERRCODE = 'PT404',
            HINT = 'Your own projects (admins: all) can be downloaded.';
    END IF;
    -- The generated name is [0-9A-Z_] only (naming rules): safe in the header as it is.
    PERFORM pg_catalog.set_config('response.headers',
        pg_catalog.json_build_array(pg_catalog.json_build_object('Content-Type', 'application/zip'),
                                    pg_catalog.json_build_object('Content-Disposition',
                                                                 'attachment; filename="' || name || '.zip"'))::text, true);
    RETURN rolloy.project_zip(project_zip_file.project_id);
END
$$;
COMMENT ON FUNCTION rolloy.project_zip_file(uuid) IS
    'project_zip() for a browser link: served to any Accept as application/zip, saved as <project name>.zip. '
    'Owner of the project or an admin; SQLSTATE PT404 (HTTP 404) otherwise. GET /rpc/project_zip_file?project_id=…';

-- <img> of an image's thumbnail: a link to image_file (relative, so it works under any
-- PostgREST prefix), or inlined as a data: URI for a page saved to a file from psql.
CREATE FUNCTION rolloy_internal._dash_img(image_id uuid, inline boolean, alt text, css_class text DEFAULT 'thumb')
RETURNS text
LANGUAGE sql STABLE
RETURN '<img class="' || css_class || '" width="300" height="300" alt="' || rolloy_internal._html(alt) || '" src="'
       || CASE WHEN inline THEN 'data:image/jpeg;base64,' || translate(encode(rolloy.thumbnail(image_id), 'base64'), E'\n', '')
               ELSE 'image_file?image_id=' || image_id || '&amp;thumbnail=true' END
       || '">';
COMMENT ON FUNCTION rolloy_internal._dash_img(uuid, boolean, text, text) IS
    '<img> of an image''s thumbnail: linked to image_file (PostgREST) or inlined as a data: URI.';

-- Dashboard, part 4: the sections of the overview page, one function each, read from the
-- insight views (so from the caller's scope: admins all data, members their own creatives).
-- Impressions and clicks add up across currencies; amounts never do (one chart per currency).

-- CTR by week or month, all creatives together, with the Wilson 95 % interval as the band.
CREATE FUNCTION rolloy_internal._dash_trend(grain text) RETURNS text
LANGUAGE sql STABLE
BEGIN ATOMIC
WITH gate AS (SELECT coalesce((SELECT s.min_impressions FROM rolloy.insight_settings s), 1000) AS min_impressions),
periods AS (
    SELECT t.period_start, max(t.period_end) AS period_end, max(t.data_through) AS data_through,
           sum(t.impressions) AS impressions, sum(t.clicks) AS clicks
      FROM rolloy.insight_trends t
     WHERE t.dimension = 'all' AND t.grain = _dash_trend.grain
     GROUP BY t.period_start
)
SELECT CASE WHEN count(*) = 0
            THEN rolloy_internal._dash_empty('No ' || _dash_trend.grain || 'ly figures yet.',
                     'An admin imports an ad export with <code>rolloy.import_performance(…)</code> and runs '
                     '<code>SELECT rolloy.refresh_insights()</code>.')
            ELSE rolloy_internal._dash_line_chart(
                     'trend-' || _dash_trend.grain,
                     'CTR by ' || _dash_trend.grain || ' (all creatives, %)', 'CTR (%)',
                     jsonb_agg(jsonb_build_object(
                         'label', CASE _dash_trend.grain WHEN 'week' THEN to_char(p.period_start, 'YYYY-MM-DD')
                                                         ELSE to_char(p.period_start, 'YYYY-MM') END,
                         'v', p.clicks::numeric / nullif(p.impressions, 0),
                         'lo', rolloy_internal.wilson_lower_bound(p.clicks, p.impressions, 1.96),
                         'hi', rolloy_internal.wilson_upper_bound(p.clicks, p.impressions, 1.96),
                         'small', p.impressions < g.min_impressions,
                         'note', concat_ws('; ', rolloy_internal._dash_num(p.impressions) || ' impressions',
                                           CASE WHEN p.data_through < p.period_end
                                                THEN 'partial: data through ' || p.data_through END,
                                           CASE WHEN p.impressions < g.min_impressions THEN 'small sample' END))
                         ORDER BY p.period_start) FILTER (WHERE p.impressions > 0))
       END
  FROM periods p, gate g;
END;
COMMENT ON FUNCTION rolloy_internal._dash_trend(text) IS 'Overview: CTR trend by week or month with its 95 % band.';

-- Any two ABCD dimensions as a table coloured by CTR; links pick the dimensions.
CREATE FUNCTION rolloy_internal._dash_heatmap(dim_x text, dim_y text) RETURNS text
LANGUAGE sql STABLE
BEGIN ATOMIC
WITH gate AS (SELECT coalesce((SELECT s.min_impressions FROM rolloy.insight_settings s), 1000) AS min_impressions),
dims AS (SELECT * FROM (VALUES (1, 'category'), (2, 'scene'), (3, 'action'), (4, 'driver'), (5, 'format')) d(ord, name)),
cells AS (
    SELECT h.value_x, h.value_y, sum(h.impressions) AS impressions, sum(h.clicks) AS clicks,
           sum(h.clicks)::numeric / nullif(sum(h.impressions), 0) AS ctr
      FROM rolloy.insight_heatmap h
     WHERE h.dimension_x = _dash_heatmap.dim_x AND h.dimension_y = _dash_heatmap.dim_y
     GROUP BY h.value_x, h.value_y
), xs AS (SELECT DISTINCT c.value_x FROM cells c), ys AS (SELECT DISTINCT c.value_y FROM cells c),
top AS (SELECT max(c.ctr) AS ctr FROM cells c)
-- The picker: a line of links per axis; the dimension the other axis shows is not a choice.
SELECT '<p class="picker">'
       || (SELECT string_agg(axis.label || ': '
                             || (SELECT string_agg(CASE WHEN d.name = axis.other THEN '<span class="note">' || d.name || '</span>'
                                                        ELSE format('<a href="dashboard?page=overview&amp;heatmap_x=%s&amp;heatmap_y=%s#heatmap"%s>%s</a>',
                                                                    CASE WHEN axis.is_x THEN d.name ELSE _dash_heatmap.dim_x END,
                                                                    CASE WHEN axis.is_x THEN _dash_heatmap.dim_y ELSE d.name END,
                                                                    CASE WHEN d.name = axis.chosen THEN ' aria-current="true"' ELSE '' END,
                                                                    d.name) END, ' ' ORDER BY d.ord) FROM dims d),
                             '<br>' ORDER BY axis.ord)
             FROM (VALUES (1, 'Columns', true, _dash_heatmap.dim_x, _dash_heatmap.dim_y),
                          (2, 'Rows', false, _dash_heatmap.dim_y, _dash_heatmap.dim_x)) axis(ord, label, is_x, chosen, other))
       || '</p>'
       || CASE WHEN NOT EXISTS (SELECT 1 FROM cells)
               THEN rolloy_internal._dash_empty('No ' || _dash_heatmap.dim_x || ' × ' || _dash_heatmap.dim_y || ' figures yet.',
                        'They appear once creatives with performance data exist and <code>rolloy.refresh_insights()</code> has run.')
               ELSE '<table id="heatmap-table"><caption>CTR of every ' || _dash_heatmap.dim_y || ' (rows) × '
                    || _dash_heatmap.dim_x || ' (columns); darker = higher CTR, from 0 % (white) to '
                    || rolloy_internal._dash_pct((SELECT t.ctr FROM top t)) || '. † fewer than '
                    || rolloy_internal._dash_num((SELECT g.min_impressions FROM gate g)) || ' impressions.</caption><thead><tr><th scope="col">'
                    || _dash_heatmap.dim_y || ' \ ' || _dash_heatmap.dim_x || '</th>'
                    || (SELECT string_agg('<th scope="col" class="n">' || rolloy_internal._html(x.value_x) || '</th>', '' ORDER BY x.value_x)
                          FROM xs x)
                    || '</tr></thead><tbody>'
                    || (SELECT string_agg(r.html, '' ORDER BY r.value_y)
                          FROM (SELECT y.value_y, '<tr><th scope="row">' || rolloy_internal._html(y.value_y) || '</th>'
                                       || string_agg(CASE WHEN c.impressions IS NULL THEN '<td class="heat note">–</td>'
                                                          ELSE format('<td class="heat" data-x="%s" data-y="%s" data-impressions="%s" '
                                                                      'data-clicks="%s" style="background:rgba(37,99,235,%s);color:%s">%s%s</td>',
                                                                      rolloy_internal._html(x.value_x), rolloy_internal._html(y.value_y),
                                                                      c.impressions, c.clicks,
                                                                      round(coalesce(c.ctr / nullif((SELECT t.ctr FROM top t), 0), 0), 3),
                                                                      CASE WHEN c.ctr / nullif((SELECT t.ctr FROM top t), 0) > 0.55
                                                                           THEN '#fff' ELSE '#1f2933' END,
                                                                      rolloy_internal._dash_pct(c.ctr),
                                                                      CASE WHEN c.impressions < (SELECT g.min_impressions FROM gate g)
                                                                           THEN ' †' ELSE '' END) END,
                                                     '' ORDER BY x.value_x) || '</tr>' AS html
                                  FROM ys y CROSS JOIN xs x
                                  LEFT JOIN cells c ON c.value_x = x.value_x AND c.value_y = y.value_y
                                 GROUP BY y.value_y) r)
                    || '</tbody></table>' END;
END;
COMMENT ON FUNCTION rolloy_internal._dash_heatmap(text, text) IS 'Overview: CTR heatmap of two ABCD dimensions with the picker.';

-- The leaderboard in the view's order, with each creative's first thumbnail.
CREATE FUNCTION rolloy_internal._dash_leaderboard(inline boolean) RETURNS text
LANGUAGE sql STABLE
BEGIN ATOMIC
SELECT CASE WHEN count(*) = 0
            THEN rolloy_internal._dash_empty('No ranked creatives yet.',
                     'Creatives are ranked once their ads have performance data and an admin has run '
                     '<code>SELECT rolloy.refresh_insights()</code>.')
            ELSE '<table class="sortable" id="leaderboard"><caption>Ranked by the lower bound of the 95 % interval of CTR '
                 '(confidence: a small sample cannot rank high by luck). Click a heading to sort.</caption><thead><tr>'
                 '<th scope="col" class="n">Rank</th><th scope="col">Image</th><th scope="col">Creative</th>'
                 '<th scope="col">Tier</th><th scope="col" class="n">Impressions</th><th scope="col" class="n">Clicks</th>'
                 '<th scope="col" class="n">CTR</th><th scope="col" class="n">CTR at least (95 %)</th>'
                 '<th scope="col" class="n">Spend</th><th scope="col" class="n">ROAS</th></tr></thead><tbody>'
                 || string_agg(format('<tr data-project-id="%s"><td class="n">%s</td><td>%s</td>'
                                      '<td><a href="dashboard?page=project&amp;project_id=%s">%s</a></td>'
                                      '<td><span class="tier">%s</span></td><td class="n">%s</td><td class="n">%s</td>'
                                      '<td class="n">%s</td><td class="n">%s</td><td class="n" data-sort="%s">%s</td>'
                                      '<td class="n">%s</td></tr>',
                                      l.project_id, l.rank,
                                      coalesce(rolloy_internal._dash_img(img.id, _dash_leaderboard.inline,
                                                                         'Thumbnail of ' || l.creative_name),
                                               '<span class="note">no image</span>'),
                                      l.project_id, rolloy_internal._html(l.creative_name),
                                      rolloy_internal._html(replace(l.tier, '_', ' ')), rolloy_internal._dash_num(l.impressions),
                                      rolloy_internal._dash_num(l.clicks), rolloy_internal._dash_pct(l.ctr),
                                      rolloy_internal._dash_pct(l.ctr_lower_bound), l.spend,
                                      rolloy_internal._dash_num(l.spend, 2) || ' ' || rolloy_internal._html(l.currency),
                                      rolloy_internal._dash_num(l.roas, 2)),
                               '' ORDER BY l.rank, l.creative_name)
                 || '</tbody></table>' END
  FROM rolloy.insight_leaderboard l
  LEFT JOIN LATERAL (SELECT g.id FROM rolloy.generated_images g
                      WHERE g.project_id = l.project_id AND g.status = 'completed'
                      ORDER BY g.variant_no LIMIT 1) img ON true;
END;
COMMENT ON FUNCTION rolloy_internal._dash_leaderboard(boolean) IS 'Overview: the leaderboard with thumbnails, tiers and confidence.';

-- Cost efficiency per currency: spend by one dimension as bars, all figures in a table.
CREATE FUNCTION rolloy_internal._dash_cost(dim text) RETURNS text
LANGUAGE sql STABLE
BEGIN ATOMIC
WITH gate AS (SELECT coalesce((SELECT s.min_impressions FROM rolloy.insight_settings s), 1000) AS min_impressions),
rows AS (
    SELECT c.* FROM rolloy.insight_cost_efficiency c WHERE c.dimension IN ('all', _dash_cost.dim)
), per_currency AS (
    SELECT r.currency,
           rolloy_internal._dash_bar_chart(
               'cost-' || lower(r.currency), 'Spend by ' || _dash_cost.dim || ' (' || r.currency || ')',
               'Spend (' || r.currency || ')',
               jsonb_agg(jsonb_build_object('label', r.dimension_value, 'v', r.spend,
                                            'small', r.impressions < (SELECT g.min_impressions FROM gate g))
                         ORDER BY r.spend DESC, r.dimension_value) FILTER (WHERE r.dimension <> 'all'))
           || '<table class="sortable"><caption>Cost efficiency by ' || _dash_cost.dim || ', ' || r.currency
           || ' only (amounts of other currencies are in their own table)</caption><thead><tr><th scope="col">'
           || _dash_cost.dim || '</th><th scope="col" class="n">Creatives</th><th scope="col" class="n">Spend ('
           || r.currency || ')</th><th scope="col" class="n">CPC</th><th scope="col" class="n">CPM</th>'
           '<th scope="col" class="n">CPA</th><th scope="col" class="n">ROAS</th></tr></thead><tbody>'
           || string_agg(format('<tr%s><td>%s</td><td class="n">%s</td><td class="n">%s</td><td class="n">%s</td>'
                                '<td class="n">%s</td><td class="n">%s</td><td class="n">%s</td></tr>',
                                CASE WHEN r.dimension = 'all' THEN ' style="font-weight:600"' ELSE '' END,
                                CASE WHEN r.dimension = 'all' THEN 'All' ELSE rolloy_internal._html(r.dimension_value) END,
                                r.creatives, rolloy_internal._dash_num(r.spend, 2), rolloy_internal._dash_num(r.cpc, 2),
                                rolloy_internal._dash_num(r.cpm, 2), rolloy_internal._dash_num(r.cpa, 2),
                                rolloy_internal._dash_num(r.roas, 2)),
                         '' ORDER BY r.dimension <> 'all', r.spend DESC, r.dimension_value)
           || '</tbody></table>' AS html
      FROM rows r
     GROUP BY r.currency
)
SELECT coalesce(string_agg('<h3>' || rolloy_internal._html(p.currency) || '</h3>' || p.html, '' ORDER BY p.currency),
                rolloy_internal._dash_empty('No spend recorded yet.',
                    'Spend comes with imported ad exports; run <code>SELECT rolloy.refresh_insights()</code> after an import.'))
  FROM per_currency p;
END;
COMMENT ON FUNCTION rolloy_internal._dash_cost(text) IS 'Overview: spend, CPC, CPM, CPA and ROAS by a dimension, one block per currency.';

-- Fatigued creatives and the strongest findings, in words.
CREATE FUNCTION rolloy_internal._dash_fatigue() RETURNS text
LANGUAGE sql STABLE
BEGIN ATOMIC
SELECT CASE WHEN count(*) FILTER (WHERE f.status = 'fatigued') = 0
            THEN rolloy_internal._dash_empty('No fatigue alerts.',
                     format('%s creatives assessed, none has lost CTR with confidence. Creatives need twice the '
                            'fatigue window of daily data to be assessed.', count(*) FILTER (WHERE f.status <> 'insufficient_data')))
            ELSE '<table class="sortable" id="fatigue"><caption>CTR of the last days with data against the first days</caption>'
                 '<thead><tr><th scope="col">Creative</th><th scope="col" class="n">CTR before</th><th scope="col" class="n">CTR now</th>'
                 '<th scope="col" class="n">Change</th><th scope="col" class="n">Confidence</th><th scope="col">Windows</th></tr></thead><tbody>'
                 || string_agg(format('<tr><td><a href="dashboard?page=project&amp;project_id=%s">%s</a></td><td class="n">%s</td>'
                                      '<td class="n">%s</td><td class="n bad">%s</td><td class="n">%s</td><td>%s – %s vs %s – %s</td></tr>',
                                      f.project_id, rolloy_internal._html(f.creative_name), rolloy_internal._dash_pct(f.baseline_ctr),
                                      rolloy_internal._dash_pct(f.recent_ctr), rolloy_internal._dash_pct(f.ctr_change),
                                      rolloy_internal._dash_num(f.confidence_score, 2), f.baseline_from, f.baseline_to,
                                      f.recent_from, f.recent_to), '' ORDER BY f.ctr_change, f.creative_name)
                      FILTER (WHERE f.status = 'fatigued')
                 || '</tbody></table>' END
  FROM rolloy.insight_fatigue f;
END;
COMMENT ON FUNCTION rolloy_internal._dash_fatigue() IS 'Overview: creatives whose CTR fell with confidence.';

CREATE FUNCTION rolloy_internal._dash_findings() RETURNS text
LANGUAGE sql STABLE
BEGIN ATOMIC
SELECT CASE WHEN count(*) = 0
            THEN rolloy_internal._dash_empty('No confident findings yet.',
                     'A finding needs enough creatives on both sides and a confidence of at least insight_settings.effect_confidence; '
                     'more creatives with performance data (and a refresh) bring them.')
            ELSE '<ul id="findings">'
                 || string_agg('<li>' || rolloy_internal._html(format('%s %s %s the rest on %s by %s%%, confidence %s, %s creatives%s',
                                   initcap(e.dimension), e.dimension_value,
                                   CASE WHEN e.verdict = 'better' THEN 'beats' ELSE 'trails' END, upper(e.metric),
                                   rolloy_internal._dash_num(abs(100 * e.lift)), rolloy_internal._dash_num(e.confidence_score, 2),
                                   e.creatives, CASE WHEN e.metric = 'roas' THEN ' (' || e.currency || ')' ELSE '' END))
                               || '</li>', '' ORDER BY e.confidence_score DESC, abs(e.lift) DESC, e.dimension, e.dimension_value)
                 || '</ul>' END
  FROM (SELECT * FROM rolloy.insight_effects x WHERE x.verdict IN ('better', 'worse')
         ORDER BY x.confidence_score DESC, abs(x.lift) DESC, x.dimension, x.dimension_value LIMIT 6) e;
END;
COMMENT ON FUNCTION rolloy_internal._dash_findings() IS 'Overview: the strongest effects of ABCD values, in plain words.';

-- Dashboard, part 5: the overview page (dashboard(page => 'overview')).

CREATE FUNCTION rolloy_internal._dash_overview(heatmap_x text, heatmap_y text, inline boolean) RETURNS text
LANGUAGE sql STABLE
BEGIN ATOMIC
SELECT CASE
    WHEN _dash_overview.heatmap_x IS NULL OR _dash_overview.heatmap_y IS NULL
         OR _dash_overview.heatmap_x NOT IN ('category', 'scene', 'action', 'driver', 'format')
         OR _dash_overview.heatmap_y NOT IN ('category', 'scene', 'action', 'driver', 'format')
         OR _dash_overview.heatmap_x = _dash_overview.heatmap_y
    THEN rolloy_internal._dash_raise('22023', 'heatmap_x and heatmap_y must be two different dimensions',
                                     'Dimensions: category, scene, action, driver, format.')
    ELSE rolloy_internal._dash_frame('Overview', 'overview',
        '<h1>Creative performance</h1>'
        || coalesce((SELECT '<p class="note">Insights refreshed ' || to_char(max(t.refreshed_at), 'YYYY-MM-DD HH24:MI TZ')
                            || ' over ' || count(*) || ' creatives with performance data.</p>'
                       FROM rolloy.insight_tiers t HAVING count(*) > 0),
                    rolloy_internal._dash_empty('No insights yet.',
                        'Create projects and generate images, run the ads under their ad names, then an admin imports the '
                        'platform export (<code>SELECT * FROM rolloy.import_performance(csv)</code>) and runs '
                        '<code>SELECT rolloy.refresh_insights()</code>; this page fills in after the refresh.'))
        || '<section id="findings-section" aria-labelledby="h-findings"><h2 id="h-findings">Strongest findings</h2>'
        || rolloy_internal._dash_findings() || '</section>'
        || '<section id="trends" aria-labelledby="h-trends"><h2 id="h-trends">CTR trend</h2><h3>By week</h3>'
        || rolloy_internal._dash_trend('week') || '<h3>By month</h3>' || rolloy_internal._dash_trend('month') || '</section>'
        || '<section id="heatmap" aria-labelledby="h-heatmap"><h2 id="h-heatmap">ABCD heatmap</h2>'
        || rolloy_internal._dash_heatmap(_dash_overview.heatmap_x, _dash_overview.heatmap_y) || '</section>'
        || '<section id="leaderboard-section" aria-labelledby="h-leaderboard"><h2 id="h-leaderboard">Leaderboard</h2>'
        || rolloy_internal._dash_leaderboard(_dash_overview.inline) || '</section>'
        || '<section id="cost" aria-labelledby="h-cost"><h2 id="h-cost">Cost efficiency by ' || _dash_overview.heatmap_x
        || '</h2>' || rolloy_internal._dash_cost(_dash_overview.heatmap_x) || '</section>'
        || '<section id="fatigue-section" aria-labelledby="h-fatigue"><h2 id="h-fatigue">Fatigue alerts</h2>'
        || rolloy_internal._dash_fatigue() || '</section>')
    END;
END;
COMMENT ON FUNCTION rolloy_internal._dash_overview(text, text, boolean) IS
    'The overview page: findings, CTR trends, heatmap, leaderboard, cost efficiency, fatigue.';

-- Dashboard, part 6: one project's page (dashboard(page => 'project', project_id => …)): its
-- ABCD, prompt and notes, its tier, each variant with thumbnail, status and ad figures, and the
-- ZIP download. A project that does not exist and one the caller may not see (RLS) answer with
-- the same error.

-- Ad figures per image of a project, one row per currency (impressions and clicks are shown in
-- the row of each currency the image's ads ran in; amounts never mix).
CREATE FUNCTION rolloy_internal._dash_variants(project_id uuid, inline boolean) RETURNS text
LANGUAGE sql STABLE
BEGIN ATOMIC
WITH figures AS (
    SELECT d.image_id, string_agg(format('%s impressions, %s clicks, CTR %s, spend %s %s',
                                         rolloy_internal._dash_num(d.impressions), rolloy_internal._dash_num(d.clicks),
                                         rolloy_internal._dash_pct(d.clicks::numeric / nullif(d.impressions, 0)),
                                         rolloy_internal._dash_num(d.spend, 2), coalesce(d.currency, '(no currency)')),
                                  '; ' ORDER BY d.currency) AS line
      FROM (SELECT p.image_id, p.currency, sum(p.impressions) AS impressions, sum(p.clicks) AS clicks, sum(p.spend) AS spend
              FROM rolloy.performance_data p
             WHERE p.project_id = _dash_variants.project_id AND p.image_id IS NOT NULL
             GROUP BY p.image_id, p.currency) d
     GROUP BY d.image_id
)
SELECT CASE WHEN count(*) = 0
            THEN rolloy_internal._dash_empty('No images yet.',
                     format('Write a prompt with <code>SELECT rolloy.generate_prompt(%L)</code>, then queue images with '
                            '<code>SELECT * FROM rolloy.batch_generate(%L)</code>; the worker fills this gallery.',
                            _dash_variants.project_id, _dash_variants.project_id))
            ELSE '<div class="gallery" id="variants">'
                 || string_agg(format('<div class="card" data-image-id="%s">%s<p><strong>%s</strong><br>Status: %s%s</p>'
                                      '<p class="image-tier">%s</p><p class="note">%s</p>%s</div>',
                                      g.id,
                                      CASE WHEN g.status = 'completed'
                                           THEN '<a href="image_file?image_id=' || g.id || '">'
                                                || rolloy_internal._dash_img(g.id, _dash_variants.inline, 'Thumbnail of ' || g.ad_name, '')
                                                || '</a>'
                                           ELSE '<p class="note">No picture: ' || g.status || '</p>' END,
                                      rolloy_internal._html(g.ad_name), g.status,
                                      CASE WHEN g.status = 'completed' THEN ' · ' || g.width || '×' || g.height ELSE '' END,
                                      coalesce(format('Tier: <span class="tier">%s</span>, rank %s of %s images, CTR %s',
                                                      replace(t.tier, '_', ' '), coalesce(t.rank::text, '–'),
                                                      coalesce(t.eligible_images::text, '–'), rolloy_internal._dash_pct(t.ctr)),
                                               'Tier: not ranked yet (no performance data in the last refresh)'),
                                      coalesce(rolloy_internal._html(f.line), 'No ad figures for this image yet.'),
                                      CASE WHEN g.status = 'failed'
                                           THEN '<p class="bad">' || rolloy_internal._html(left(g.last_error, 300)) || '</p>' ELSE '' END),
                               '' ORDER BY g.variant_no)
                 || '</div>' END
  FROM rolloy.generated_images g
  LEFT JOIN figures f ON f.image_id = g.id
  LEFT JOIN rolloy.insight_image_tiers t ON t.image_id = g.id
 WHERE g.project_id = _dash_variants.project_id AND g.status <> 'cancelled';
END;
COMMENT ON FUNCTION rolloy_internal._dash_variants(uuid, boolean) IS 'Project page: the gallery of variants with status, tier and ad figures.';

CREATE FUNCTION rolloy_internal._dash_project(project_id uuid, inline boolean) RETURNS text
LANGUAGE sql STABLE
BEGIN ATOMIC
SELECT coalesce(
    (SELECT rolloy_internal._dash_frame(o.generated_name, 'project',
        '<h1>' || rolloy_internal._html(o.generated_name) || '</h1>'
        || '<p id="project-title">' || rolloy_internal._html(nullif(o.title, '')) || '</p>'
        || '<section aria-labelledby="h-about"><h2 id="h-about">Creative</h2><table class="kv"><tbody>'
        || format('<tr><th scope="row">A · scene</th><td>%s / %s</td></tr><tr><th scope="row">B · action</th><td>%s (walker %s)</td></tr>'
                  '<tr><th scope="row">C · driver</th><td>%s</td></tr><tr><th scope="row">D · format</th><td>%s (%s)</td></tr>'
                  '<tr><th scope="row">Owner</th><td>%s</td></tr><tr><th scope="row">Images</th><td>%s completed, %s failed of %s</td></tr>'
                  '<tr><th scope="row">Tier</th><td>%s</td></tr>',
                  rolloy_internal._html(o.category), rolloy_internal._html(o.scene), rolloy_internal._html(o.action),
                  o.product_state, rolloy_internal._html(o.driver), rolloy_internal._html(o.format),
                  rolloy_internal._html(o.aspect_ratio), rolloy_internal._html(o.owner_name), o.completed_images,
                  o.failed_images, o.total_images,
                  coalesce((SELECT format('<span class="tier">%s</span> rank %s of %s, CTR %s (at least %s with 95 %% confidence), '
                                          '%s impressions',
                                          rolloy_internal._html(replace(t.tier, '_', ' ')), coalesce(t.rank::text, '–'),
                                          coalesce(t.eligible_creatives::text, '–'), rolloy_internal._dash_pct(t.ctr),
                                          rolloy_internal._dash_pct(t.ctr_lower_bound), rolloy_internal._dash_num(t.impressions))
                              FROM rolloy.insight_tiers t WHERE t.project_id = o.id),
                           'not ranked yet: no performance data in the last refresh'))
        || '</tbody></table>'
        || '<h3>Notes</h3>' || CASE WHEN p.notes = '' THEN '<p class="note">No notes.</p>'
                                    ELSE '<p id="project-notes">' || rolloy_internal._html(p.notes) || '</p>' END
        || '<h3>Prompt</h3>' || CASE WHEN p.prompt IS NULL
                                     THEN rolloy_internal._dash_empty('No prompt yet.',
                                              format('Write one with <code>SELECT rolloy.generate_prompt(%L)</code>.', o.id))
                                     ELSE '<pre id="project-prompt">' || rolloy_internal._html(p.prompt) || '</pre>' END
        || '</section><section aria-labelledby="h-variants"><h2 id="h-variants">Variants</h2>'
        || CASE WHEN o.completed_images > 0
                THEN '<p><a id="zip" href="project_zip_file?project_id=' || o.id || '" download>Download the '
                     || o.completed_images || ' completed image' || CASE WHEN o.completed_images > 1 THEN 's' ELSE '' END
                     || ' as ZIP</a></p>' ELSE '' END
        || rolloy_internal._dash_variants(o.id, _dash_project.inline) || '</section>')
       FROM rolloy.project_overview o JOIN rolloy.creative_projects p ON p.id = o.id
      WHERE o.id = _dash_project.project_id),
    rolloy_internal._dash_raise('42704', format('project %s not found', _dash_project.project_id),
                                'Your own projects (admins: all) have a page.'));
END;
COMMENT ON FUNCTION rolloy_internal._dash_project(uuid, boolean) IS
    'The project page; the same error for a project that does not exist and one the caller may not see.';

-- Dashboard, part 7: the generation page (dashboard(page => 'generation')): the queue, the
-- worker's health, failures with their messages, and this month's images and spend against
-- quota and budget. Members see their own images and usage; admins everyone's (RLS).

CREATE FUNCTION rolloy_internal._dash_generation() RETURNS text
LANGUAGE sql STABLE
BEGIN ATOMIC
SELECT rolloy_internal._dash_frame('Generation', 'generation',
    '<h1>Image generation</h1>'
    || '<section aria-labelledby="h-usage"><h2 id="h-usage">This month (UTC)</h2>'
    || coalesce((SELECT string_agg('<h3>' || rolloy_internal._html(u.display_name) || '</h3>'
                                   || rolloy_internal._dash_meter('Images', x.images_used + x.images_queued, x.image_quota,
                                                                  format('images (%s done, %s queued)', x.images_used, x.images_queued), 0)
                                   || rolloy_internal._dash_meter('Spend', x.spent_usd + x.queued_usd, x.budget_usd,
                                                                  format('USD (%s spent, %s committed by the queue)',
                                                                         rolloy_internal._dash_num(x.spent_usd, 2),
                                                                         rolloy_internal._dash_num(x.queued_usd, 2)), 2),
                                   '' ORDER BY u.display_name, u.id)
                   FROM rolloy.users u CROSS JOIN LATERAL rolloy.usage_this_month(u.id) x),
                rolloy_internal._dash_empty('No rolloy user for this session.',
                    'An admin maps your login with <code>rolloy.users.pg_role</code>.'))
    || '</section><section aria-labelledby="h-queue"><h2 id="h-queue">Queue</h2>'
    || (SELECT format('<table id="queue" class="kv"><tbody><tr><th scope="row">Pending</th><td class="n">%s</td></tr>'
                      '<tr><th scope="row">Due now</th><td class="n">%s</td></tr><tr><th scope="row">Processing</th><td class="n">%s</td></tr>'
                      '<tr><th scope="row">Expired leases</th><td class="n">%s</td></tr>'
                      '<tr><th scope="row">Oldest pending</th><td class="n">%s</td></tr>'
                      '<tr><th scope="row">Completed in the last hour</th><td class="n">%s</td></tr>'
                      '<tr><th scope="row">Failed in the last hour</th><td class="n">%s</td></tr></tbody></table>',
                      q.pending, q.pending_due, q.processing, q.expired_leases,
                      coalesce(q.oldest_pending_seconds || ' s', '–'), q.completed_last_hour, q.failed_last_hour)
              || CASE WHEN q.pending + q.processing = 0
                      THEN rolloy_internal._dash_empty('Nothing queued.',
                               'Queue images of a project with <code>SELECT * FROM rolloy.batch_generate(project_id)</code>.')
                      ELSE '' END
          FROM rolloy.queue_metrics q)
    || coalesce((SELECT '<h3>In progress</h3><table class="sortable"><thead><tr><th scope="col">Project</th>'
                        '<th scope="col" class="n">Pending</th><th scope="col" class="n">Processing</th>'
                        '<th scope="col" class="n">Completed</th><th scope="col" class="n">Failed</th>'
                        '<th scope="col" class="n">Done</th></tr></thead><tbody>'
                        || string_agg(format('<tr><td><a href="dashboard?page=project&amp;project_id=%s">%s</a></td><td class="n">%s</td>'
                                             '<td class="n">%s</td><td class="n">%s</td><td class="n">%s</td><td class="n">%s %%</td></tr>',
                                             g.project_id, rolloy_internal._html(g.generated_name), g.pending, g.processing,
                                             g.completed, g.failed, g.percent_done), '' ORDER BY g.generated_name)
                        || '</tbody></table>'
                   FROM rolloy.generation_progress g WHERE g.pending + g.processing > 0
                 HAVING count(*) > 0), '')
    || '</section><section aria-labelledby="h-worker"><h2 id="h-worker">Worker</h2>'
    || (SELECT format('<table id="worker" class="kv"><tbody><tr><th scope="row">Running</th><td class="%s">%s</td></tr>'
                      '<tr><th scope="row">Database</th><td>%s</td></tr><tr><th scope="row">Started</th><td>%s</td></tr>'
                      '<tr><th scope="row">Last loop</th><td>%s</td></tr><tr><th scope="row">Calls in flight</th><td class="n">%s</td></tr>'
                      '<tr><th scope="row">Since start</th><td>%s completed, %s failed, %s retried</td></tr>'
                      '<tr><th scope="row">Last error</th><td>%s</td></tr></tbody></table>',
                      CASE WHEN w.running THEN 'good' ELSE 'bad' END,
                      CASE WHEN w.running THEN 'yes' ELSE 'no: add rolloy to shared_preload_libraries and restart Postgres' END,
                      rolloy_internal._html(w.database), coalesce(to_char(w.started_at, 'YYYY-MM-DD HH24:MI:SS TZ'), '–'),
                      coalesce(to_char(w.last_loop_at, 'YYYY-MM-DD HH24:MI:SS TZ'), '–'), coalesce(w.in_flight, 0),
                      coalesce(w.completed, 0), coalesce(w.failed, 0), coalesce(w.retried, 0),
                      coalesce(nullif(rolloy_internal._html(left(w.last_error, 300)), ''), '–'))
          FROM rolloy.worker_status() w)
    || '</section><section aria-labelledby="h-failures"><h2 id="h-failures">Failures</h2>'
    || coalesce((SELECT '<table class="sortable" id="failures"><caption>The 50 latest failed images and the provider''s message'
                        '</caption><thead><tr><th scope="col">Image</th><th scope="col">Provider</th>'
                        '<th scope="col" class="n">Attempts</th><th scope="col" class="n">HTTP</th><th scope="col">Message</th>'
                        '<th scope="col">When</th></tr></thead><tbody>'
                        || string_agg(format('<tr><td><a href="dashboard?page=project&amp;project_id=%s">%s</a></td><td>%s</td>'
                                             '<td class="n">%s</td><td class="n">%s</td><td>%s</td><td>%s</td></tr>',
                                             f.project_id, rolloy_internal._html(f.ad_name), rolloy_internal._html(f.provider),
                                             f.attempts, coalesce(f.last_http_status::text, '–'),
                                             rolloy_internal._html(left(f.last_error, 300)),
                                             to_char(f.updated_at, 'YYYY-MM-DD HH24:MI')), '' ORDER BY f.updated_at DESC, f.ad_name)
                        || '</tbody></table> <p class="note">Retry a project''s failures with '
                           '<code>SELECT rolloy.retry_failed(project_id)</code>.</p>'
                   FROM (SELECT g.* FROM rolloy.generated_images g WHERE g.status = 'failed'
                          ORDER BY g.updated_at DESC, g.ad_name LIMIT 50) f
                 HAVING count(*) > 0),
                rolloy_internal._dash_empty('No failed images.', 'Failures of the provider show here with its message.'))
    || '</section>');
END;
COMMENT ON FUNCTION rolloy_internal._dash_generation() IS
    'The generation page: usage against quota and budget, the queue, the worker, failures.';

-- Dashboard, part 8: the entry point. PostgREST: GET /rpc/dashboard?page=… with a browser (its
-- Accept names text/html); psql: \o page.html, then SELECT rolloy.dashboard(inline_images => true).

CREATE FUNCTION rolloy.dashboard(page text DEFAULT 'overview', project_id uuid DEFAULT NULL,
                                 heatmap_x text DEFAULT 'scene', heatmap_y text DEFAULT 'driver',
                                 inline_images boolean DEFAULT false)
RETURNS rolloy."text/html"
LANGUAGE sql STABLE
BEGIN ATOMIC
SELECT (CASE
            -- No identity, no page (a superuser's psql session without a user sees what RLS shows it).
            WHEN rolloy.current_user_id() IS NULL
                 AND NOT coalesce((SELECT r.rolsuper FROM pg_catalog.pg_roles r WHERE r.rolname = CURRENT_USER), false)
            THEN rolloy_internal._dash_raise('42501', format('no rolloy user for role "%s"', CURRENT_USER),
                                             'An admin maps a login with rolloy.users.pg_role, or call through PostgREST '
                                             'with a JWT whose sub is a rolloy.users.id.')
            ELSE CASE dashboard.page
            WHEN 'overview' THEN rolloy_internal._dash_overview(dashboard.heatmap_x, dashboard.heatmap_y,
                                                                coalesce(dashboard.inline_images, false))
            WHEN 'project' THEN
                CASE WHEN dashboard.project_id IS NULL
                     THEN rolloy_internal._dash_raise('22023', 'the project page needs project_id',
                                                      'GET /rpc/dashboard?page=project&project_id=<uuid>')
                     ELSE rolloy_internal._dash_project(dashboard.project_id, coalesce(dashboard.inline_images, false)) END
            WHEN 'generation' THEN rolloy_internal._dash_generation()
            ELSE rolloy_internal._dash_raise('22023', format('unknown dashboard page "%s"', left(dashboard.page, 40)),
                                             'Pages: overview, project (with project_id), generation.')
            END
        END)::rolloy."text/html";
END;
COMMENT ON FUNCTION rolloy.dashboard(text, uuid, text, text, boolean) IS
    'The performance dashboard as one self-contained HTML page, rendered under the caller''s row-level security '
    '(members: their creatives; admins: all; no page without a rolloy identity, 42501). page: overview (heatmap_x, heatmap_y pick the heatmap), project '
    '(project_id), generation. inline_images embeds thumbnails as data: URIs for a page saved from psql. PostgREST '
    'serves it as text/html to requests that accept text/html (browsers); others get JSON. See docs/dashboard.md.';

DO $revoke$
DECLARE
    f regprocedure;
BEGIN
    FOR f IN SELECT p.oid FROM pg_catalog.pg_proc p
              WHERE p.pronamespace = 'rolloy_internal'::regnamespace AND (p.proname = '_html' OR p.proname LIKE '\_dash\_%')
    LOOP
        EXECUTE format('REVOKE ALL ON FUNCTION %s FROM PUBLIC', f);
    END LOOP;
END
$revoke$;
-- The dashboard renders as the caller (RLS decides what it shows): its page functions call these
-- from SQL-standard bodies.
GRANT EXECUTE ON FUNCTION rolloy_internal._html(text), rolloy_internal._dash_raise(text, text, text),
                          rolloy_internal._dash_num(numeric, integer), rolloy_internal._dash_pct(numeric),
                          rolloy_internal._dash_empty(text, text), rolloy_internal._dash_frame(text, text, text),
                          rolloy_internal._dash_line_chart(text, text, text, jsonb),
                          rolloy_internal._dash_bar_chart(text, text, text, jsonb),
                          rolloy_internal._dash_meter(text, numeric, numeric, text, integer),
                          rolloy_internal._dash_img(uuid, boolean, text, text), rolloy_internal._dash_trend(text),
                          rolloy_internal._dash_heatmap(text, text), rolloy_internal._dash_leaderboard(boolean),
                          rolloy_internal._dash_cost(text), rolloy_internal._dash_fatigue(), rolloy_internal._dash_findings(),
                          rolloy_internal._dash_overview(text, text, boolean), rolloy_internal._dash_variants(uuid, boolean),
                          rolloy_internal._dash_project(uuid, boolean), rolloy_internal._dash_generation(),
                          rolloy_internal.wilson_lower_bound(numeric, numeric, numeric),
                          rolloy_internal.wilson_upper_bound(numeric, numeric, numeric)
    TO rolloy_member;

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
    -- Rows of the db store no image or reference photo refers to. The delete triggers remove the
    -- bytes of deleted rows and a record writes its bytes and its row in one transaction, so none
    -- should exist; this catches what those paths miss (a row deleted with its triggers disabled,
    -- a restore of part of the data), with the s3 sweep's grace.
    DELETE FROM rolloy.image_store s
     WHERE s.created_at < now() - make_interval(
               secs => rolloy_internal._setting('storage_orphan_grace_seconds', '86400')::double precision)
       AND NOT EXISTS (SELECT 1 FROM rolloy.generated_images g WHERE g.storage_ref = s.storage_ref)
       AND NOT EXISTS (SELECT 1 FROM rolloy.reference_images r WHERE r.storage_ref = s.storage_ref);
    GET DIAGNOSTICS n = ROW_COUNT;
    what := 'orphaned stored images deleted'; rows_affected := n; RETURN NEXT;
END
$$;
COMMENT ON FUNCTION rolloy.cleanup(interval, interval) IS
    'Retention: deletes usage logs older than keep_usage_logs (default 400 days, enough for yearly '
    'accounting), trims the error text of finished images older than keep_job_details and deletes objects of '
    'the s3 image store and rows of the db store (rolloy.image_store) no row refers to (older than '
    'rolloy.storage_orphan_grace_seconds, default 1 day). '
    'Admins or a superuser (pg_cron). Schedule: SELECT cron.schedule(''rolloy-cleanup'', ''30 3 * * *'', '
    '''SELECT rolloy.cleanup()'').';

REVOKE ALL ON FUNCTION rolloy_internal._presigned_url(text, bigint), rolloy_internal._copy_stored_image(text, text, text, text, text),
                       rolloy_internal._sweep_storage(bigint) FROM PUBLIC, rolloy_member;
GRANT EXECUTE ON FUNCTION rolloy_internal._presigned_url(text, bigint) TO rolloy_member;

-- == Generated images' read policy as a semi-join (issue 14, dashboard speed) ==
-- _owns_project() pins its search_path, so Postgres never inlines it and ran it once per row.
ALTER POLICY generated_images_select ON rolloy.generated_images
    USING (EXISTS (SELECT 1 FROM rolloy.creative_projects p WHERE p.id = generated_images.project_id));

-- == Imports at COPY speed (issue 12 §2): no JIT for the import's chunk statements ==
-- Each chunk statement (10,000 rows) costs more than jit_above_cost: LLVM compiled it once per
-- chunk, ~8 % of an import. New day rows are written COPY's way (src/pg/import/bulk_day_insert.cpp).
ALTER FUNCTION rolloy.import_performance(text, text, text, text) SET jit = off;
ALTER FUNCTION rolloy.import_performance(bytea, text, text, text) SET jit = off;

-- == Insights that keep up: the rollup, a function and a file per kind, no per-member copies (issue "Insights that keep up", 2 and 4) ==
-- refresh_insights() reads a rollup kept up to date from what changed (62_insight_rollup.sql), runs one
-- function per kind (63_insight_kind_*.sql) and stores one computation over all data; members read the
-- rows of their own creatives (RLS) and compute their own aggregates when they read (_my_insights). The
-- rows 0.1.0 stored per member go; the rollup is built by the first refresh (built = false).
DELETE FROM rolloy.insights WHERE scope_user_id IS NOT NULL;

COMMENT ON TABLE rolloy.insights IS
    'Findings computed by rolloy.refresh_insights(), once, over all data. Admins read every row, members the rows '
    'of their own creatives. Read through the insight_* views.';
COMMENT ON COLUMN rolloy.insights.scope_user_id IS 'NULL: computed over all data (every stored row; a member''s own rows are computed when read).';

ALTER POLICY insights_select ON rolloy.insights
    USING ((SELECT rolloy.is_admin()) OR EXISTS (SELECT 1 FROM rolloy.creative_projects p WHERE p.id = insights.project_id));

-- The rollup the insights read, kept up to date from what changed since the last refresh, so
-- that a refresh does not read every fact again (the first step of refresh_insights()).
--
-- insight_pieces: every ad's sums per piece and currency. A piece is the days of one ISO week
-- (from Monday) within one calendar month: a week that straddles two months gives two pieces, so
-- weeks and months both add up from pieces. insight_ad_totals: every ad's sums per currency.
-- Both are keyed by ad, not by creative: matching an ad to another creative (a rename,
-- rematch_performance, a deleted project) changes nothing here; the kinds join rolloy.ads when
-- they read.
--
-- What changed: the imports a refresh takes in (insight_refresh_requests; every row a batch
-- wrote lies between its date_from and date_to, so the pieces of every ad that overlap that
-- range are recomputed, each through ad_days' primary key), and the days written through
-- rolloy.performance_data or deleted (logged in insight_changed_days by triggers). A piece is
-- recomputed from its days, never adjusted by a difference: recomputed twice, or from an import
-- that committed after its request was taken, it is still right, whatever imports run at the
-- same time. The totals move by the difference between a recomputed piece and the old one.
-- Rows written into rolloy_internal.ad_days by hand are not seen: after such a write, run
-- UPDATE rolloy_internal.insight_rollup_state SET built = false (the next refresh rebuilds all).

CREATE FUNCTION rolloy_internal._week_start(day date) RETURNS date
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT day - ((day - DATE '2000-01-03') % 7 + 7) % 7  -- 2000-01-03 was a Monday
$$;
COMMENT ON FUNCTION rolloy_internal._week_start(date) IS 'Monday of the ISO week of the day.';

CREATE FUNCTION rolloy_internal._currency_code(currency smallint) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN currency >= 0 THEN pg_catalog.chr(65 + currency / 676) || pg_catalog.chr(65 + currency / 26 % 26)
                                        || pg_catalog.chr(65 + currency % 26) END
$$;
COMMENT ON FUNCTION rolloy_internal._currency_code(smallint) IS
    'ISO code of a currency stored as a number (rolloy_internal.ad_days.currency); NULL for -1 (none given).';

CREATE TABLE rolloy_internal.insight_pieces (
    ad               integer NOT NULL,
    week_start       date NOT NULL,
    month_start      date NOT NULL,
    currency         smallint NOT NULL,  -- as ad_days.currency; -1 when the export gave none
    days             integer NOT NULL,
    impressions      bigint NOT NULL,
    clicks           bigint NOT NULL,
    conversions      bigint NOT NULL,    -- millionths, as ad_days
    spend            bigint NOT NULL,
    conversion_value bigint NOT NULL,
    last_day         date NOT NULL
);
-- One index, for the pieces an import changed and the pieces of the periods trends rewrite (a
-- range per ad); each index costs a full rebuild about a second per million facts.
CREATE INDEX insight_pieces_ad_idx ON rolloy_internal.insight_pieces (ad, week_start);
COMMENT ON TABLE rolloy_internal.insight_pieces IS
    'Rollup of ad_days per ad, week-within-month and currency, kept by refresh_insights(); not dumped (rebuilt).';

CREATE TABLE rolloy_internal.insight_ad_totals (
    ad               integer NOT NULL,
    currency         smallint NOT NULL,
    days             integer NOT NULL,
    impressions      bigint NOT NULL,
    clicks           bigint NOT NULL,
    conversions      bigint NOT NULL,
    spend            bigint NOT NULL,
    conversion_value bigint NOT NULL,
    PRIMARY KEY (ad, currency)
);
COMMENT ON TABLE rolloy_internal.insight_ad_totals IS 'Sums of insight_pieces per ad and currency.';

-- Not dumped: a restored database starts with built = false and the first refresh rebuilds.
CREATE TABLE rolloy_internal.insight_rollup_state (
    singleton    boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    built        boolean NOT NULL DEFAULT false,
    creatives    text,          -- fingerprint of the ads' creatives and their ABCD when trends were last written
    refreshed_at timestamptz    -- the last refresh (the figures members compute at read time are as of then)
);
INSERT INTO rolloy_internal.insight_rollup_state DEFAULT VALUES;
COMMENT ON TABLE rolloy_internal.insight_rollup_state IS
    'Whether the insight rollup is built (false: the next refresh rebuilds it from ad_days).';

CREATE TABLE rolloy_internal.insight_changed_days (
    ad          integer NOT NULL,
    report_date date NOT NULL
);
COMMENT ON TABLE rolloy_internal.insight_changed_days IS
    'Days of ads written through rolloy.performance_data or deleted since the last refresh (imports: their batch).';

-- Deletes (delete_performance_data, the flat view, a deleted ad) are rare: one row per day.
CREATE FUNCTION rolloy_internal._log_deleted_days() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    INSERT INTO rolloy_internal.insight_changed_days (ad, report_date) SELECT o.ad, o.report_date FROM old_rows o;
    RETURN NULL;
END
$$;
CREATE TRIGGER log_deleted_days AFTER DELETE ON rolloy_internal.ad_days
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION rolloy_internal._log_deleted_days();

-- Helpers of the rollup and the trends: months in date arithmetic, sums in bigint.
CREATE FUNCTION rolloy_internal._month_start(day date) RETURNS date
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT day - (pg_catalog.date_part('day', day)::integer - 1)
$$;
COMMENT ON FUNCTION rolloy_internal._month_start(date) IS 'First day of the month of the day.';

-- The first day of the piece (below) that holds the day: the later of its week's Monday and its
-- month's first day. In C: a rebuild groups every fact by it (src/pg/insights/piece_start.cpp).
CREATE FUNCTION rolloy_internal._piece_start(day date) RETURNS date
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE AS 'MODULE_PATHNAME', 'rolloy_piece_start';
COMMENT ON FUNCTION rolloy_internal._piece_start(date) IS
    'First day of the insight rollup piece (ISO week within a month) that holds the day.';

CREATE AGGREGATE rolloy_internal.bigint_sum(bigint) (
    SFUNC = pg_catalog.int8pl,
    STYPE = bigint,
    COMBINEFUNC = pg_catalog.int8pl,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE rolloy_internal.bigint_sum(bigint) IS
    'Sum of bigints as a bigint (an error on overflow), for the insight rollup.';

-- What a refresh hands every kind: when, the periods whose pieces changed and the ads whose
-- sums changed (NULL: all of them, the rollup was rebuilt), and whether anything else the kinds
-- read changed since the last refresh (regrouped): then every kind computes all again.
CREATE TYPE rolloy_internal.insight_run AS (stamp timestamptz, weeks date[], months date[], ads integer[], regrouped boolean);

-- The rollup step: brings pieces and totals up to date with the imports taken (their ids) and
-- the logged days, and returns the pieces' periods it recomputed (NULL: rebuilt, all of them).
CREATE FUNCTION rolloy_internal._insight_rollup(taken bigint[], OUT weeks date[], OUT months date[], OUT changed_ads integer[])
LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    rebuild boolean := NOT coalesce((SELECT s.built FROM rolloy_internal.insight_rollup_state s), false)
                       -- a batch deleted since it asked: its range is unknown
                       OR EXISTS (SELECT FROM unnest(taken) t(id) LEFT JOIN rolloy.import_batches b ON b.id = t.id
                                   WHERE b.date_from IS NULL OR b.date_to IS NULL);
    hash_join text;
    merge_join text;
    hash_agg text;
BEGIN
    IF rebuild THEN
        DELETE FROM rolloy_internal.insight_changed_days;
        -- TRUNCATE, not DELETE: a deleted piece stays in the heap and its index until a vacuum, so
        -- after a DELETE every read of the pieces (the trends of this refresh, the next refresh
        -- after an import) stepped over as many dead pieces as live ones. A rebuild is rare (the
        -- first refresh, after a restore, after a batch went): a member reading trends meanwhile
        -- waits for it to commit.
        TRUNCATE rolloy_internal.insight_pieces, rolloy_internal.insight_ad_totals;
        -- One hash aggregate over the facts, by each piece's first day (its week and month follow
        -- from it, per piece: a sixth fewer instructions than grouping by both); the pieces written
        -- in the index's order (appended to its last leaf, not scattered over all of them: a third
        -- of the rebuild's time).
        INSERT INTO rolloy_internal.insight_pieces
        SELECT x.ad, rolloy_internal._week_start(x.piece), rolloy_internal._month_start(x.piece), x.currency, x.days,
               x.impressions, x.clicks, x.conversions, x.spend, x.conversion_value, x.last_day
          FROM (SELECT d.ad, rolloy_internal._piece_start(d.report_date) AS piece, coalesce(d.currency, -1) AS currency,
                       count(*) AS days, rolloy_internal.bigint_sum(d.impressions) AS impressions,
                       rolloy_internal.bigint_sum(d.clicks) AS clicks, rolloy_internal.bigint_sum(d.conversions) AS conversions,
                       rolloy_internal.bigint_sum(d.spend) AS spend,
                       rolloy_internal.bigint_sum(d.conversion_value) AS conversion_value, max(d.report_date) AS last_day
                  FROM rolloy_internal.ad_days d
                 GROUP BY 1, 2, 3) x
         ORDER BY x.ad, x.piece;
        INSERT INTO rolloy_internal.insight_ad_totals
        SELECT p.ad, p.currency, sum(p.days), rolloy_internal.bigint_sum(p.impressions),
               rolloy_internal.bigint_sum(p.clicks), rolloy_internal.bigint_sum(p.conversions),
               rolloy_internal.bigint_sum(p.spend), rolloy_internal.bigint_sum(p.conversion_value)
          FROM rolloy_internal.insight_pieces p GROUP BY p.ad, p.currency;
        -- The pieces' statistics only where plans read them (filters, joins, grouping): the sums'
        -- columns doubled the time of the ANALYZE, which is part of every rebuild.
        ANALYZE rolloy_internal.insight_pieces (ad, week_start, month_start, currency);
        ANALYZE rolloy_internal.insight_ad_totals;
        UPDATE rolloy_internal.insight_rollup_state SET built = true;
        RETURN;
    END IF;

    -- Few pieces of many: each through an index (the ads' pieces, the days of each piece), never a
    -- scan of every fact; the planner, which cannot count the pieces a range touches, is told so.
    -- No hash aggregates either: each is sized to the guess of the planner (half a million pieces), and
    -- clearing those tables cost more than the whole statement. One statement (no temporary
    -- tables: their catalog rows cost more than the pieces).
    hash_join := pg_catalog.current_setting('enable_hashjoin');
    merge_join := pg_catalog.current_setting('enable_mergejoin');
    hash_agg := pg_catalog.current_setting('enable_hashagg');
    PERFORM pg_catalog.set_config('enable_hashjoin', 'off', true), pg_catalog.set_config('enable_mergejoin', 'off', true),
            pg_catalog.set_config('enable_hashagg', 'off', true);
    -- (ad NULL: every ad) x the pieces of each changed range
    WITH logged AS (DELETE FROM rolloy_internal.insight_changed_days c RETURNING c.ad, c.report_date),
    changed AS (
        SELECT l.ad, l.report_date AS first_day, l.report_date AS last_day FROM logged l
        UNION ALL
        SELECT NULL, b.date_from, b.date_to FROM rolloy.import_batches b WHERE b.id = ANY (taken)
    ), piece AS (
        SELECT DISTINCT c.ad, rolloy_internal._week_start(d::date) AS week_start,
               rolloy_internal._month_start(d::date) AS month_start
          FROM changed c, generate_series(c.first_day::timestamp, c.last_day::timestamp, interval '1 day') d
    ), touched AS (
        SELECT DISTINCT coalesce(p.ad, a.id) AS ad, p.week_start, p.month_start
          FROM piece p LEFT JOIN rolloy.ads a ON p.ad IS NULL
    ), gone AS (
        DELETE FROM rolloy_internal.insight_pieces p USING touched t
         WHERE p.ad = t.ad AND p.week_start = t.week_start AND p.month_start = t.month_start
        RETURNING p.*
    ), added AS (
        INSERT INTO rolloy_internal.insight_pieces
        SELECT t.ad, t.week_start, t.month_start, x.*
          FROM touched t
         CROSS JOIN LATERAL (
               SELECT coalesce(d.currency, -1), count(*), rolloy_internal.bigint_sum(d.impressions),
                      rolloy_internal.bigint_sum(d.clicks), rolloy_internal.bigint_sum(d.conversions),
                      rolloy_internal.bigint_sum(d.spend), rolloy_internal.bigint_sum(d.conversion_value),
                      max(d.report_date)
                 FROM rolloy_internal.ad_days d
                WHERE d.ad = t.ad AND d.report_date >= greatest(t.week_start, t.month_start)
                  AND d.report_date <= least(t.week_start + 6, (t.month_start + interval '1 month - 1 day')::date)
                GROUP BY coalesce(d.currency, -1)) x
        RETURNING *
    ), delta AS (  -- the totals move by the new pieces less the old
        SELECT g.ad, g.currency, -g.days AS days, -g.impressions AS impressions, -g.clicks AS clicks,
               -g.conversions AS conversions, -g.spend AS spend, -g.conversion_value AS conversion_value
          FROM gone g
        UNION ALL
        SELECT a.ad, a.currency, a.days, a.impressions, a.clicks, a.conversions, a.spend, a.conversion_value FROM added a
    ), moved AS (
        INSERT INTO rolloy_internal.insight_ad_totals AS o
        SELECT d.ad, d.currency, sum(d.days), rolloy_internal.bigint_sum(d.impressions), rolloy_internal.bigint_sum(d.clicks),
               rolloy_internal.bigint_sum(d.conversions), rolloy_internal.bigint_sum(d.spend),
               rolloy_internal.bigint_sum(d.conversion_value)
          FROM delta d GROUP BY d.ad, d.currency
        ON CONFLICT (ad, currency) DO UPDATE
           SET days = o.days + EXCLUDED.days, impressions = o.impressions + EXCLUDED.impressions,
               clicks = o.clicks + EXCLUDED.clicks, conversions = o.conversions + EXCLUDED.conversions,
               spend = o.spend + EXCLUDED.spend, conversion_value = o.conversion_value + EXCLUDED.conversion_value
        RETURNING o.ad
    )
    SELECT coalesce(array_agg(DISTINCT t.week_start), '{}'), coalesce(array_agg(DISTINCT t.month_start), '{}'),
           (SELECT coalesce(array_agg(DISTINCT m.ad), '{}') FROM moved m)
      INTO weeks, months, changed_ads FROM touched t;
    PERFORM pg_catalog.set_config('enable_hashjoin', hash_join, true), pg_catalog.set_config('enable_mergejoin', merge_join, true),
            pg_catalog.set_config('enable_hashagg', hash_agg, true);
    IF cardinality(changed_ads) > 0 THEN  -- an ad's currency whose last day went goes
        DELETE FROM rolloy_internal.insight_ad_totals o WHERE o.days = 0;
    END IF;
END
$$;

-- Creatives with data (in ads matched to them) and their sums per currency, over all creatives
-- (owner NULL) or one user's: what tiers, cost efficiency and heatmaps start from, for the
-- refresh and for a member's figures at read time alike. Money in currency units.
-- No SET clause, so that the planner inlines it into the query that calls it (a function with
-- one would plan and run its query apart at every call, four times a refresh): it is called only
-- from functions that pin search_path, and names nothing without its schema.
CREATE FUNCTION rolloy_internal._creative_totals(owner uuid)
RETURNS TABLE (project_id uuid, creative_name text, category text, scene text, action text, driver text, format text,
               currency text, impressions bigint, clicks bigint, conversions numeric, spend numeric,
               conversion_value numeric)
LANGUAGE sql STABLE AS $$
    SELECT p.id, p.generated_name, s.category_code, s.category_code || '_' || s.scene_code, ac.code, dr.code, f.code,
           rolloy_internal._currency_code(t.currency), sum(t.impressions)::bigint, sum(t.clicks)::bigint,
           sum(t.conversions) * 0.000001, sum(t.spend) * 0.000001, sum(t.conversion_value) * 0.000001
      FROM rolloy_internal.insight_ad_totals t
      JOIN rolloy.ads a ON a.id = t.ad
      JOIN rolloy.creative_projects p ON p.id = a.project_id
      JOIN rolloy.scenes s ON s.id = p.scene_id
      JOIN rolloy.actions ac ON ac.id = p.action_id
      JOIN rolloy.drivers dr ON dr.id = p.driver_id
      JOIN rolloy.formats f ON f.id = p.format_id
     WHERE owner IS NULL OR p.created_by = owner
     GROUP BY p.id, s.category_code, s.scene_code, ac.code, dr.code, f.code, t.currency
$$;

-- The currency with the most impressions over all creatives (ties: alphabetical): the one
-- creative-level money (tiers, leaderboard, effects) is reported in.
CREATE FUNCTION rolloy_internal._reporting_currency() RETURNS text
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
    SELECT rolloy_internal._currency_code(t.currency)
      FROM rolloy_internal.insight_ad_totals t JOIN rolloy.ads a ON a.id = t.ad AND a.project_id IS NOT NULL
     GROUP BY t.currency
     ORDER BY sum(t.impressions) DESC, rolloy_internal._currency_code(t.currency)
     LIMIT 1
$$;

-- Stores the rows of a kind's row function (source: its call, written by the kind itself), e.g.
-- _store_insights('rolloy_internal._cost_rows(NULL, now())'); returns how many.
CREATE FUNCTION rolloy_internal._store_insights(source text) RETURNS bigint
LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    written bigint;
BEGIN
    EXECUTE 'INSERT INTO rolloy.insights (refreshed_at, scope_user_id, kind, dimension, dimension_value, metric, value, lift, confidence_score, sample_creatives, details, project_id, dimension2, dimension_value2, grain, period_start, label, rank, currency, impressions, clicks, conversions, spend, conversion_value, image_id)
             SELECT r.refreshed_at, r.scope_user_id, r.kind, r.dimension, r.dimension_value, r.metric, r.value, r.lift, r.confidence_score, r.sample_creatives, r.details, r.project_id, r.dimension2, r.dimension_value2, r.grain, r.period_start, r.label, r.rank, r.currency, r.impressions, r.clicks, r.conversions, r.spend, r.conversion_value, r.image_id FROM ' || source || ' r';
    GET DIAGNOSTICS written = ROW_COUNT;
    RETURN written;
END
$$;

-- Kind "cost": spend, CPC, CPM, CPA and ROAS overall (dimension all) and per ABCD value, one row
-- per currency. A member's: the same computation over their own creatives, at read time.
CREATE FUNCTION rolloy_internal._cost_rows(owner uuid, stamp timestamptz) RETURNS SETOF rolloy.insights
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
    WITH totals AS (
        SELECT c.currency,
               CASE WHEN GROUPING(c.category) = 0 THEN 'category' WHEN GROUPING(c.scene) = 0 THEN 'scene'
                    WHEN GROUPING(c.action) = 0 THEN 'action' WHEN GROUPING(c.driver) = 0 THEN 'driver'
                    WHEN GROUPING(c.format) = 0 THEN 'format' ELSE 'all' END AS dimension,
               coalesce(c.category, c.scene, c.action, c.driver, c.format, 'all') AS dimension_value,
               sum(c.impressions)::bigint AS impressions, sum(c.clicks)::bigint AS clicks, sum(c.conversions) AS conversions,
               sum(c.spend) AS spend, sum(c.conversion_value) AS conversion_value, count(*) AS creatives
          FROM rolloy_internal._creative_totals(owner) c
         GROUP BY GROUPING SETS ((c.currency), (c.currency, c.category), (c.currency, c.scene), (c.currency, c.action),
                                (c.currency, c.driver), (c.currency, c.format))
    )
    -- the columns of rolloy.insights, in order
    SELECT NULL::bigint, stamp, owner, 'cost', t.dimension, t.dimension_value, 'roas',
           t.conversion_value / nullif(t.spend, 0), NULL::numeric, NULL::numeric, t.creatives::integer, '{}'::jsonb,
           NULL::uuid, NULL::text, NULL::text, NULL::text, NULL::date, NULL::text, NULL::integer, t.currency,
           t.impressions, t.clicks, t.conversions, t.spend, t.conversion_value, NULL::uuid
      FROM totals t
$$;

CREATE FUNCTION rolloy_internal._insight_cost(run rolloy_internal.insight_run) RETURNS bigint
LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    DELETE FROM rolloy.insights i WHERE i.kind = 'cost';
    RETURN rolloy_internal._store_insights(format('rolloy_internal._cost_rows(NULL, %L)', run.stamp));
END
$$;

-- Kind "effect": each ABCD value against the rest (the complement, never an average that contains
-- the group), on CTR and ROAS, creatives as the units of the calibrated Welch test (ratio_test).
-- The units are the eligible creatives' tier rows (their sums; ROAS: those with spend in the
-- reporting currency). Stored over the whole brand; a member's effects are the same
-- computation over their own creatives, at read time (_my_insights): never a stored copy.
CREATE FUNCTION rolloy_internal._effect_rows(owner uuid, stamp timestamptz) RETURNS SETOF rolloy.insights
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
    WITH cfg AS (SELECT s.* FROM rolloy.insight_settings s),
    unit AS (  -- counts added as bigints (they fit one; numeric additions cost more)
        SELECT i.currency, v.dimension, v.dimension_value, i.impressions AS n, i.clicks AS k,
               nullif(i.spend, 0) AS s, CASE WHEN i.spend > 0 THEN i.conversion_value END AS cv
          FROM rolloy.insights i
         CROSS JOIN LATERAL (VALUES ('category', i.details ->> 'category'), ('scene', i.details ->> 'scene'),
                                    ('action', i.details ->> 'action'), ('driver', i.details ->> 'driver'),
                                    ('format', i.details ->> 'format')) v(dimension, dimension_value)
         WHERE i.kind = 'tier' AND i.dimension = 'creative' AND i.label <> 'insufficient_data'
           AND (owner IS NULL OR i.project_id IN (SELECT p.id FROM rolloy.creative_projects p WHERE p.created_by = owner))
    ), grp AS (
        SELECT DISTINCT u.currency, u.dimension, u.dimension_value FROM unit u
    ), side AS (  -- each value's sums; the rest's are its dimension's totals less these (exact:
                  -- bigints and numerics; the values are NOT NULL codes), so the join below, a
                  -- row per group and unit of its dimension, feeds only the tests
        SELECT u.dimension, u.dimension_value, rolloy_internal.bigint_sum(u.n) AS n, rolloy_internal.bigint_sum(u.k) AS k,
               sum(u.s) AS s, sum(u.cv) AS cv
          FROM unit u GROUP BY u.dimension, u.dimension_value
    ), whole AS (
        SELECT x.dimension, rolloy_internal.bigint_sum(x.n) AS n, rolloy_internal.bigint_sum(x.k) AS k, sum(x.s) AS s,
               sum(x.cv) AS cv
          FROM side x GROUP BY x.dimension
    ), tests AS (
        SELECT g.currency, g.dimension, g.dimension_value,
               rolloy_internal.ratio_test(u.dimension_value = g.dimension_value, u.k::float8, u.n::float8) AS ctr,
               rolloy_internal.ratio_test(u.dimension_value = g.dimension_value, u.cv::float8, u.s::float8) AS roas
          FROM grp g JOIN unit u ON u.dimension = g.dimension
         GROUP BY g.currency, g.dimension, g.dimension_value
    ), tested AS (  -- a rest without units gives 0 where the sums gave NULL: both only ever divide, through nullif
        SELECT t.currency, t.dimension, t.dimension_value, x.n::numeric AS impressions, x.k::numeric AS clicks,
               coalesce(x.s, 0) AS spend, coalesce(x.cv, 0) AS conversion_value,
               (w.n - x.n)::numeric AS rest_impressions, (w.k - x.k)::numeric AS rest_clicks,
               w.s - coalesce(x.s, 0) AS rest_spend, coalesce(w.cv, 0) - coalesce(x.cv, 0) AS rest_conversion_value,
               t.ctr, t.roas
          FROM tests t
          JOIN side x ON x.dimension = t.dimension AND x.dimension_value = t.dimension_value
          JOIN whole w ON w.dimension = t.dimension
    ), compared AS (
        SELECT t.dimension, t.dimension_value, x.metric, x.currency, x.impressions, x.clicks, x.spend, x.conversion_value,
               (x.r).*, x.group_value, x.rest_value  -- figures: ratios of the exact sums; the test works in doubles
          FROM tested t
         CROSS JOIN LATERAL (VALUES
               ('ctr', NULL::text, t.ctr, t.impressions, t.clicks, NULL::numeric, NULL::numeric,
                t.clicks / nullif(t.impressions, 0), t.rest_clicks / nullif(t.rest_impressions, 0)),
               ('roas', t.currency, t.roas, NULL, NULL, t.spend, t.conversion_value,
                t.conversion_value / nullif(t.spend, 0), t.rest_conversion_value / nullif(t.rest_spend, 0)))
               x(metric, currency, r, impressions, clicks, spend, conversion_value, group_value, rest_value)
    ), judged AS (
        SELECT c.*, cfg.effect_confidence,
               CASE WHEN c.status = 'tested' AND c.group_units >= cfg.effect_min_creatives
                         AND c.rest_units >= cfg.effect_min_creatives
                    THEN round(c.confidence::numeric, 6) END AS confidence_score
          FROM compared c, cfg
         WHERE c.group_value IS NOT NULL
    )
    -- the columns of rolloy.insights, in order
    SELECT NULL::bigint, stamp, owner, 'effect', j.dimension, j.dimension_value, j.metric, j.group_value,
           j.group_value / nullif(j.rest_value, 0) - 1, j.confidence_score, j.group_units,
           jsonb_build_object('rest_value', j.rest_value, 'rest_creatives', j.rest_units,
                              'std_error', CASE WHEN j.confidence_score IS NOT NULL THEN j.std_error END,
                              't_statistic', CASE WHEN j.confidence_score IS NOT NULL THEN round(j.t_statistic::numeric, 6) END,
                              'degrees_of_freedom',
                              CASE WHEN j.confidence_score IS NOT NULL THEN round(j.degrees_of_freedom::numeric, 6) END,
                              'p_value', 1 - j.confidence_score, 'few_creatives', j.few_units,
                              'untested_because', CASE WHEN j.confidence_score IS NOT NULL THEN NULL
                                                       WHEN j.status = 'no_spread' THEN 'no_spread'
                                                       ELSE 'too_few_creatives' END),
           NULL::uuid, NULL::text, NULL::text, NULL::text, NULL::date,
           CASE WHEN j.confidence_score IS NULL THEN 'insufficient_data'
                WHEN j.confidence_score >= j.effect_confidence AND j.group_value > j.rest_value THEN 'better'
                WHEN j.confidence_score >= j.effect_confidence AND j.group_value < j.rest_value THEN 'worse'
                ELSE 'inconclusive' END,
           NULL::integer, j.currency, j.impressions::bigint, j.clicks::bigint, NULL::numeric, j.spend, j.conversion_value,
           NULL::uuid
      FROM judged j
$$;

CREATE FUNCTION rolloy_internal._insight_effects(run rolloy_internal.insight_run) RETURNS bigint
LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    DELETE FROM rolloy.insights i WHERE i.kind = 'effect';
    RETURN rolloy_internal._store_insights(format('rolloy_internal._effect_rows(NULL, %L)', run.stamp));
END
$$;

-- Kind "fatigue": a creative's CTR over its last W days with data against its first W days
-- (W = fatigue_window_days), days as the units of the test; only daily rows count (a range cannot
-- say which day was which). A creative's row depends on its own ads' days only: after an import,
-- only the creatives whose ads' sums changed are computed again (all when run.regrouped). Its first
-- 2W days come from insight_fatigue_early_days (created with _fatigue_early_days in a section
-- below; nothing runs this function before), its recent window from ad_days' primary key.
-- Members read their own creatives' rows (RLS).
CREATE FUNCTION rolloy_internal._insight_fatigue(run rolloy_internal.insight_run) RETURNS bigint
LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    cfg rolloy.insight_settings := (SELECT s FROM rolloy.insight_settings s);
    w integer := cfg.fatigue_window_days;
    changed uuid[];  -- NULL: all creatives
    written bigint;
BEGIN
    -- (A window kept for another W: recompute all, whatever told the run.)
    IF run.regrouped OR EXISTS (SELECT FROM rolloy_internal.insight_fatigue_early_days k WHERE k.window_days <> w) THEN
        DELETE FROM rolloy.insights i WHERE i.kind = 'fatigue';
    ELSE
        changed := ARRAY(SELECT DISTINCT a.project_id FROM rolloy.ads a WHERE a.id = ANY (run.ads) AND a.project_id IS NOT NULL);
        DELETE FROM rolloy.insights i WHERE i.kind = 'fatigue' AND i.project_id = ANY (changed);
    END IF;
    PERFORM rolloy_internal._fatigue_early_days(run, w, changed);
    INSERT INTO rolloy.insights (refreshed_at, kind, dimension, dimension_value, project_id, metric, value, lift,
                                 confidence_score, label, impressions, clicks, sample_creatives, details)
    WITH creative AS (  -- the creatives with data (as _creative_totals: their ABCD columns are NOT NULL references)
        SELECT a.project_id, p.generated_name AS creative_name, sum(t.impressions)::bigint AS impressions,
               sum(t.clicks)::bigint AS clicks
          FROM rolloy_internal.insight_ad_totals t
          JOIN rolloy.ads a ON a.id = t.ad
          JOIN rolloy.creative_projects p ON p.id = a.project_id
         WHERE changed IS NULL OR a.project_id = ANY (changed)
         GROUP BY a.project_id, p.generated_name
    ), first_days AS (  -- the first 2W days with data of the creative, numbered, with their sums
        SELECT k.project_id, k.day, k.impressions AS n, k.clicks AS k, k.day_no
          FROM rolloy_internal.insight_fatigue_early_days k
         WHERE changed IS NULL OR k.project_id = ANY (changed)
    ), found AS (
        SELECT fd.project_id, max(fd.day_no) AS days_with_data FROM first_days fd GROUP BY fd.project_id
    ), eligible AS (
        SELECT c.project_id FROM creative c JOIN found f ON f.project_id = c.project_id
         WHERE f.days_with_data = 2 * w AND c.impressions >= cfg.fatigue_min_impressions
    ), days AS (  -- the days of the two windows and their sums: the rows of an ad on the last W
                  -- days of its creative are among its last W rows. Sums of a day in bigint: the
                  -- test reads them as doubles, which a numeric reaches only through text.
        SELECT fd.project_id, 'baseline' AS window_name, fd.day, fd.n, fd.k
          FROM first_days fd WHERE fd.day_no <= w AND fd.project_id IN (SELECT e.project_id FROM eligible e)
        UNION ALL
        SELECT y.project_id, 'recent', y.day, y.n, y.k
          FROM (SELECT x.project_id, x.day, x.n, x.k, row_number() OVER (PARTITION BY x.project_id ORDER BY x.day DESC) AS day_no
                  FROM (SELECT a.project_id, l.day, rolloy_internal.bigint_sum(l.n) AS n, rolloy_internal.bigint_sum(l.k) AS k
                          FROM rolloy.ads a CROSS JOIN LATERAL (
                               SELECT d.report_date AS day, d.impressions AS n, d.clicks AS k FROM rolloy_internal.ad_days d
                                WHERE d.ad = a.id AND d.period_end <= d.report_date AND d.impressions > 0
                                ORDER BY d.report_date DESC LIMIT w) l
                         WHERE a.project_id IN (SELECT e.project_id FROM eligible e)
                         GROUP BY a.project_id, l.day) x) y
         WHERE y.day_no <= w
    ), tested AS (  -- the recent window's days against the baseline's
        SELECT d.project_id,
               sum(d.k) FILTER (WHERE d.window_name = 'baseline')
                   / nullif(sum(d.n) FILTER (WHERE d.window_name = 'baseline'), 0) AS baseline_ctr,
               sum(d.k) FILTER (WHERE d.window_name = 'recent')
                   / nullif(sum(d.n) FILTER (WHERE d.window_name = 'recent'), 0) AS recent_ctr,
               rolloy_internal.ratio_test(d.window_name = 'recent', d.k::float8, d.n::float8) AS t,
               min(d.day) FILTER (WHERE d.window_name = 'baseline') AS baseline_from,
               max(d.day) FILTER (WHERE d.window_name = 'baseline') AS baseline_to,
               min(d.day) FILTER (WHERE d.window_name = 'recent') AS recent_from,
               max(d.day) FILTER (WHERE d.window_name = 'recent') AS recent_to
          FROM days d GROUP BY d.project_id
    ), assessed AS (
        SELECT x.*, CASE WHEN (x.t).status = 'tested' THEN round((x.t).confidence::numeric, 6) END AS confidence
          FROM tested x
    )
    SELECT run.stamp, 'fatigue', 'creative', c.creative_name, c.project_id, 'ctr', a.recent_ctr,
           a.recent_ctr / nullif(a.baseline_ctr, 0) - 1, a.confidence,
           -- Untested (a window whose days all have the same CTR, typically no click at all): the
           -- unit-based test cannot tell chance from a change there, so no verdict either way.
           CASE WHEN a.project_id IS NULL OR a.confidence IS NULL THEN 'insufficient_data'
                WHEN a.recent_ctr <= (1 - cfg.fatigue_drop) * a.baseline_ctr
                     AND a.confidence >= cfg.fatigue_confidence THEN 'fatigued'
                ELSE 'stable' END,
           c.impressions, c.clicks, 1,
           jsonb_build_object('baseline_ctr', a.baseline_ctr, 'window_days', w, 'baseline_from', a.baseline_from,
                              'baseline_to', a.baseline_to, 'recent_from', a.recent_from, 'recent_to', a.recent_to,
                              'days_with_data', f.days_with_data)
      FROM creative c
      LEFT JOIN found f ON f.project_id = c.project_id
      LEFT JOIN assessed a ON a.project_id = c.project_id;
    GET DIAGNOSTICS written = ROW_COUNT;
    RETURN written;
END
$$;

-- Kind "heatmap": every pair of ABCD dimensions, one row per cell and currency (stored once, in
-- ABCD order; the view offers both ways). A member's: the same over their own creatives, at read time.
CREATE FUNCTION rolloy_internal._heatmap_rows(owner uuid, stamp timestamptz) RETURNS SETOF rolloy.insights
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
    -- Ten grouping sets over the creatives, not ten rows made of each creative (a LATERAL VALUES
    -- builds its expressions again for every creative: a quarter of the kind's instructions).
    WITH sets AS (
        SELECT GROUPING(c.category, c.scene, c.action, c.driver, c.format) AS g, c.category, c.scene, c.action, c.driver,
               c.format, c.currency, sum(c.impressions)::bigint AS impressions, sum(c.clicks)::bigint AS clicks,
               sum(c.conversions) AS conversions, sum(c.spend) AS spend, sum(c.conversion_value) AS conversion_value,
               count(*) AS creatives
          FROM rolloy_internal._creative_totals(owner) c
         GROUP BY GROUPING SETS ((c.category, c.scene, c.currency), (c.category, c.action, c.currency),
                                (c.category, c.driver, c.currency), (c.category, c.format, c.currency),
                                (c.scene, c.action, c.currency), (c.scene, c.driver, c.currency),
                                (c.scene, c.format, c.currency), (c.action, c.driver, c.currency),
                                (c.action, c.format, c.currency), (c.driver, c.format, c.currency))
    ), cells AS (  -- the pair a set is, from the dimensions it leaves out (GROUPING's bits, category first)
        SELECT p.d1, CASE p.d1 WHEN 'category' THEN x.category WHEN 'scene' THEN x.scene WHEN 'action' THEN x.action
                               ELSE x.driver END AS v1,
               p.d2, CASE p.d2 WHEN 'scene' THEN x.scene WHEN 'action' THEN x.action WHEN 'driver' THEN x.driver
                               ELSE x.format END AS v2,
               x.currency, x.impressions, x.clicks, x.conversions, x.spend, x.conversion_value, x.creatives
          FROM sets x
          JOIN (VALUES (7, 'category', 'scene'), (11, 'category', 'action'), (13, 'category', 'driver'),
                       (14, 'category', 'format'), (19, 'scene', 'action'), (21, 'scene', 'driver'), (22, 'scene', 'format'),
                       (25, 'action', 'driver'), (26, 'action', 'format'), (28, 'driver', 'format')) p(g, d1, d2)
            ON p.g = x.g
    )
    -- the columns of rolloy.insights, in order
    SELECT NULL::bigint, stamp, owner, 'heatmap', h.d1, h.v1, 'ctr', h.clicks::numeric / nullif(h.impressions, 0),
           NULL::numeric, NULL::numeric, h.creatives::integer, '{}'::jsonb, NULL::uuid, h.d2, h.v2, NULL::text,
           NULL::date, NULL::text, NULL::integer, h.currency, h.impressions, h.clicks, h.conversions, h.spend,
           h.conversion_value, NULL::uuid
      FROM cells h
$$;

CREATE FUNCTION rolloy_internal._insight_heatmap(run rolloy_internal.insight_run) RETURNS bigint
LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    DELETE FROM rolloy.insights i WHERE i.kind = 'heatmap';
    RETURN rolloy_internal._store_insights(format('rolloy_internal._heatmap_rows(NULL, %L)', run.stamp));
END
$$;

-- Kind "tier", of images (dimension image): the variants that run as ads (…_V01), ranked among all
-- images with data exactly as creatives are (Wilson lower bound of CTR, the same gate), over the
-- ads matched to an image. Members read their own images' rows (RLS).
CREATE FUNCTION rolloy_internal._insight_image_tiers(run rolloy_internal.insight_run) RETURNS bigint
LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    cfg rolloy.insight_settings := (SELECT s FROM rolloy.insight_settings s);
    reporting text := rolloy_internal._reporting_currency();
    written bigint;
BEGIN
    DELETE FROM rolloy.insights i WHERE i.kind = 'tier' AND i.dimension = 'image';
    INSERT INTO rolloy.insights (refreshed_at, kind, dimension, dimension_value, project_id, image_id, metric, value, label,
                                 rank, currency, impressions, clicks, conversions, spend, conversion_value,
                                 sample_creatives, details)
    WITH unit AS (
        SELECT a.image_id, a.project_id, sum(t.impressions)::bigint AS impressions, sum(t.clicks)::bigint AS clicks,
               sum(t.conversions) * 0.000001 AS conversions,
               coalesce(sum(t.spend) FILTER (WHERE rolloy_internal._currency_code(t.currency) = reporting), 0) * 0.000001 AS spend,
               coalesce(sum(t.conversion_value) FILTER (WHERE rolloy_internal._currency_code(t.currency) = reporting), 0)
                   * 0.000001 AS conversion_value
          FROM rolloy_internal.insight_ad_totals t
          JOIN rolloy.ads a ON a.id = t.ad AND a.image_id IS NOT NULL
         GROUP BY a.image_id, a.project_id
    ), scored AS (
        SELECT u.*, g.ad_name, u.impressions >= cfg.min_impressions AS eligible,
               rolloy_internal.wilson_lower_bound(u.clicks, u.impressions, cfg.wilson_z) AS lower_bound
          FROM unit u JOIN rolloy.generated_images g ON g.id = u.image_id
    ), ranked AS (
        SELECT s.*, CASE WHEN s.eligible THEN rank() OVER (PARTITION BY s.eligible ORDER BY s.lower_bound DESC) END AS tier_rank,
               count(*) FILTER (WHERE s.eligible) OVER () AS eligible_images
          FROM scored s
    )
    SELECT run.stamp, 'tier', 'image', r.ad_name, r.project_id, r.image_id, 'ctr', r.clicks::numeric / nullif(r.impressions, 0),
           rolloy_internal._tier(r.eligible, r.tier_rank, r.eligible_images), r.tier_rank, reporting, r.impressions,
           r.clicks, r.conversions, r.spend, r.conversion_value, 1,
           jsonb_build_object('ctr_lower_bound', r.lower_bound, 'ctr_upper_bound',
                              rolloy_internal.wilson_upper_bound(r.clicks, r.impressions, cfg.wilson_z),
                              'eligible_images', r.eligible_images)
      FROM ranked r;
    GET DIAGNOSTICS written = ROW_COUNT;
    RETURN written;
END
$$;

-- Kind "leaderboard": the brand's best creatives by tier rank, leaderboard_size of them (ties at
-- the last rank included). A member sees where their own creatives stand on it (RLS); their own
-- ranking is insight_tiers ordered by rank.
CREATE FUNCTION rolloy_internal._insight_leaderboard(run rolloy_internal.insight_run) RETURNS bigint
LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    written bigint;
BEGIN
    DELETE FROM rolloy.insights i WHERE i.kind = 'leaderboard';
    INSERT INTO rolloy.insights (refreshed_at, kind, dimension, dimension_value, project_id, metric, value, label, rank,
                                 currency, impressions, clicks, conversions, spend, conversion_value, sample_creatives,
                                 details)
    SELECT run.stamp, 'leaderboard', i.dimension, i.dimension_value, i.project_id, i.metric, i.value, i.label, i.rank,
           i.currency, i.impressions, i.clicks, i.conversions, i.spend, i.conversion_value, i.sample_creatives, i.details
      FROM rolloy.insights i
     WHERE i.kind = 'tier' AND i.dimension = 'creative'
       AND i.rank <= (SELECT s.leaderboard_size FROM rolloy.insight_settings s);
    GET DIAGNOSTICS written = ROW_COUNT;
    RETURN written;
END
$$;

-- Kind "tier", of creatives: every creative with data ranked by the Wilson lower bound of its CTR
-- among the creatives past the min_impressions gate (ties share a rank); top X % when its rank
-- is within the first X % of them. Computed over the whole brand: a member reads the rows of
-- their own creatives (RLS), so a tier means the same to everyone who sees it.
CREATE FUNCTION rolloy_internal._insight_tiers(run rolloy_internal.insight_run) RETURNS bigint
LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    cfg rolloy.insight_settings := (SELECT s FROM rolloy.insight_settings s);
    reporting text := rolloy_internal._reporting_currency();
    written bigint;
BEGIN
    DELETE FROM rolloy.insights i WHERE i.kind = 'tier' AND i.dimension = 'creative';
    INSERT INTO rolloy.insights (refreshed_at, kind, dimension, dimension_value, project_id, metric, value, label, rank,
                                 currency, impressions, clicks, conversions, spend, conversion_value, sample_creatives,
                                 details)
    WITH unit AS (  -- counts over all currencies (CTR), money in the reporting currency
        SELECT t.project_id, t.creative_name, t.category, t.scene, t.action, t.driver, t.format,
               sum(t.impressions)::bigint AS impressions, sum(t.clicks)::bigint AS clicks, sum(t.conversions) AS conversions,
               coalesce(sum(t.spend) FILTER (WHERE t.currency = reporting), 0) AS spend,
               coalesce(sum(t.conversion_value) FILTER (WHERE t.currency = reporting), 0) AS conversion_value
          FROM rolloy_internal._creative_totals(NULL) t
         GROUP BY t.project_id, t.creative_name, t.category, t.scene, t.action, t.driver, t.format
    ), scored AS (
        SELECT u.*, u.impressions >= cfg.min_impressions AS eligible,
               rolloy_internal.wilson_lower_bound(u.clicks, u.impressions, cfg.wilson_z) AS lower_bound
          FROM unit u
    ), ranked AS (
        SELECT s.*, CASE WHEN s.eligible THEN rank() OVER (PARTITION BY s.eligible ORDER BY s.lower_bound DESC) END AS tier_rank,
               count(*) FILTER (WHERE s.eligible) OVER () AS eligible_creatives
          FROM scored s
    )
    SELECT run.stamp, 'tier', 'creative', r.creative_name, r.project_id, 'ctr', r.clicks::numeric / nullif(r.impressions, 0),
           rolloy_internal._tier(r.eligible, r.tier_rank, r.eligible_creatives), r.tier_rank, reporting, r.impressions,
           r.clicks, r.conversions, r.spend, r.conversion_value, 1,
           jsonb_build_object('ctr_lower_bound', r.lower_bound, 'ctr_upper_bound',
                              rolloy_internal.wilson_upper_bound(r.clicks, r.impressions, cfg.wilson_z),
                              'eligible_creatives', r.eligible_creatives, 'category', r.category, 'scene', r.scene,
                              'action', r.action, 'driver', r.driver, 'format', r.format)
      FROM ranked r;
    GET DIAGNOSTICS written = ROW_COUNT;
    RETURN written;
END
$$;

-- Kind "trend": per ISO week and per month, overall (dimension all) and per ABCD value, one row
-- per currency (every figure of a row comes from rows in that currency). From the rollup's
-- pieces; a refresh rewrites only the periods whose pieces changed, unless the creatives the ads
-- belong to, or their ABCD, changed (then all). A member's trends: the same computation over
-- their own creatives, at read time (_my_insights).

-- The sums, in C++ (src/pg/insights/trend_sums_function.cpp): one pass over the pieces, where the
-- same query in SQL grouped every piece by creative and period and then hashed those rows six
-- times (15-20 s at 10 million facts). owner NULL: all creatives; weeks NULL: all periods, else
-- only these weeks and months (months NULL: none). Bigint sums: conversions, spend and value in
-- millionths.
CREATE FUNCTION rolloy_internal._trend_sums(owner uuid, weeks date[], months date[])
RETURNS TABLE (is_week boolean, period_start date, currency smallint, dimension text, category text, scene integer,
               action integer, driver integer, format integer, impressions bigint, clicks bigint, conversions bigint,
               spend bigint, conversion_value bigint, creatives bigint, last_day date)
LANGUAGE C STABLE SET search_path = pg_catalog, pg_temp AS 'MODULE_PATHNAME', 'rolloy_trend_sums';
COMMENT ON FUNCTION rolloy_internal._trend_sums(uuid, date[], date[]) IS
    'Sums of the trend insights per period, currency and ABCD value, from the insight rollup (owner NULL: all creatives).';

CREATE FUNCTION rolloy_internal._trend_rows(owner uuid, stamp timestamptz, weeks date[], months date[])
RETURNS SETOF rolloy.insights
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
    -- the columns of rolloy.insights, in order
    SELECT NULL::bigint, stamp, owner, 'trend', t.dimension,
           coalesce(t.category, s.category_code || '_' || s.scene_code, ac.code, dr.code, f.code, 'all'), 'ctr',
           t.clicks::numeric / nullif(t.impressions, 0), NULL::numeric, NULL::numeric, t.creatives::integer,
           jsonb_build_object('data_through', t.last_day), NULL::uuid, NULL::text, NULL::text,
           CASE WHEN t.is_week THEN 'week' ELSE 'month' END, t.period_start, NULL::text, NULL::integer,
           rolloy_internal._currency_code(t.currency), t.impressions, t.clicks, t.conversions * 0.000001,
           t.spend * 0.000001, t.conversion_value * 0.000001, NULL::uuid
      FROM rolloy_internal._trend_sums(owner, weeks, months) t
      LEFT JOIN rolloy.scenes s ON s.id = t.scene
      LEFT JOIN rolloy.actions ac ON ac.id = t.action
      LEFT JOIN rolloy.drivers dr ON dr.id = t.driver
      LEFT JOIN rolloy.formats f ON f.id = t.format
$$;

CREATE FUNCTION rolloy_internal._insight_trends(run rolloy_internal.insight_run) RETURNS bigint
LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    weeks date[] := run.weeks;
    months date[] := run.months;
    written bigint;
BEGIN
    IF weeks IS NULL OR run.regrouped THEN  -- every period may have changed
        weeks := NULL;
        months := NULL;
        DELETE FROM rolloy.insights i WHERE i.kind = 'trend';
    ELSIF cardinality(weeks) = 0 THEN
        RETURN 0;  -- nothing changed
    ELSE
        -- (kind, period_start) through the index, then the grain: 0.2 ms against 7 for a scan of all insights
        DELETE FROM rolloy.insights i
         WHERE i.kind = 'trend' AND i.period_start = ANY (weeks || months)
           AND i.period_start = ANY (CASE i.grain WHEN 'week' THEN weeks ELSE months END);
    END IF;
    written := rolloy_internal._store_insights(format('rolloy_internal._trend_rows(NULL, %L, %L, %L)', run.stamp, weeks, months));
    RETURN written;
END
$$;

-- refresh_insights(): the rollup step, then every kind of insight, in one transaction.
-- Every stored insight is computed once, over the whole brand (scope_user_id NULL): the rows of
-- per-creative kinds (tiers, leaderboard, fatigue) reach members through RLS (their own
-- creatives); members' effects, trends, cost and heatmaps are the same row functions run over
-- their own creatives when they read (_my_insights), so storage grows with creatives x kinds,
-- never with users. docs/insights.md says what each figure means for whom.

CREATE OR REPLACE FUNCTION rolloy.refresh_insights()
RETURNS TABLE (kind text, scopes integer, rows_written bigint)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
-- A batch: hash aggregates in memory, no JIT compilation (it costs more than it saves here), and
-- no parallel workers (starting them costs more than the few pieces a refresh after an import
-- reads; a rebuild writes, and writes are not parallel). Custom plans only: the refresher that
-- stays runs the kinds' statements again and again, and after five runs PostgreSQL switched them
-- to generic plans, where a run's arrays (the changed ads, creatives, periods) are parameters:
-- "x = ANY (changed)" then compared every row with every element instead of hashing the array
-- (uuid_eq was the refresher's top function; 250-370 ms of CPU a refresh after a day against
-- 170-270 with custom plans, at 1M facts).
SET work_mem = '256MB' SET jit = off SET max_parallel_workers_per_gather = 0 SET plan_cache_mode = force_custom_plan AS $$
#variable_conflict use_column
DECLARE
    -- The kinds, in order (the leaderboard and effects read the tiers): rolloy_internal._insight_<kind>(run)
    -- in 63_insight_kind_<kind>.sql each. A new kind is its file and a line here.
    kinds CONSTANT text[] := ARRAY['tiers',
                                   'image_tiers',
                                   'leaderboard',
                                   'effects',
                                   'trends',
                                   'cost',
                                   'heatmap',
                                   'fatigue'];
    kind_name text;
    run rolloy_internal.insight_run;
    taken bigint[];
    inputs text;
    started timestamptz := pg_catalog.clock_timestamp();
    out_kinds text[];
    out_scopes integer[];
    out_rows bigint[];
BEGIN
    PERFORM rolloy_internal._require_admin_or_superuser();
    -- One refresh at a time; readers keep seeing the previous results until this commits.
    LOCK TABLE rolloy.insights IN SHARE ROW EXCLUSIVE MODE;
    IF NOT EXISTS (SELECT FROM rolloy.insight_settings) THEN
        INSERT INTO rolloy.insight_settings DEFAULT VALUES;
    END IF;
    -- The pending imports first: one that commits after this statement stays pending for the
    -- next refresh, even if its rows are seen here already.
    WITH done AS (DELETE FROM rolloy_internal.insight_refresh_requests r RETURNING r.import_batch_id)
    SELECT coalesce(array_agg(d.import_batch_id ORDER BY d.import_batch_id), '{}') INTO taken FROM done d;

    SELECT pg_catalog.now(), x.weeks, x.months, x.changed_ads INTO run FROM rolloy_internal._insight_rollup(taken) x;
    -- What the kinds read besides the sums: which creative each ad counts for, the creatives'
    -- names and ABCD, the ads' images, the settings the kinds use (not when they were changed, nor
    -- refresh_after_import: switching that must not make the next refresh compute everything).
    -- When it changed, every kind computes all.
    inputs := md5((SELECT string_agg(format('%s/%s/%s/%s/%s/%s/%s/%s', a.id, c.id, c.generated_name, c.scene_id,
                                            c.action_id, c.driver_id, c.format_id, a.image_id), ',' ORDER BY a.id)
                     FROM rolloy.ads a LEFT JOIN rolloy.creative_projects c ON c.id = a.project_id)
                  || (SELECT (pg_catalog.to_jsonb(s) - 'updated_at' - 'refresh_after_import')::text
                        FROM rolloy.insight_settings s));
    run.regrouped := run.ads IS NULL OR inputs IS DISTINCT FROM (SELECT s.creatives FROM rolloy_internal.insight_rollup_state s);
    IF run.regrouped THEN
        UPDATE rolloy_internal.insight_rollup_state SET creatives = inputs;
    END IF;
    -- Nothing changed (no sums, no inputs): every stored figure stands as it is.
    IF run.regrouped OR cardinality(run.ads) > 0 THEN
        FOREACH kind_name IN ARRAY kinds LOOP
            EXECUTE format('SELECT rolloy_internal.%I($1)', '_insight_' || kind_name) USING run;
        END LOOP;
    END IF;
    UPDATE rolloy_internal.insight_rollup_state SET refreshed_at = run.stamp;
    -- Rows and scopes (NULL counts as one) per kind, from one grouping of the stored rows; their
    -- sum is what the refresh log records.
    SELECT array_agg(x.kind ORDER BY x.kind), array_agg(x.scopes ORDER BY x.kind), array_agg(x.n ORDER BY x.kind)
      INTO out_kinds, out_scopes, out_rows
      FROM (SELECT k.kind, count(p.kind)::integer AS scopes, coalesce(sum(p.n), 0)::bigint AS n
              FROM (VALUES ('tier'), ('leaderboard'), ('effect'), ('trend'), ('cost'), ('heatmap'), ('fatigue')) k(kind)
              LEFT JOIN (SELECT i.kind, count(*) AS n FROM rolloy.insights i GROUP BY i.kind, i.scope_user_id) p
                ON p.kind = k.kind
             GROUP BY k.kind) x;
    PERFORM rolloy_internal._record_refresh(started, (SELECT sum(r)::bigint FROM unnest(out_rows) r), taken);

    RETURN QUERY SELECT * FROM unnest(out_kinds, out_scopes, out_rows);
END
$$;
COMMENT ON FUNCTION rolloy.refresh_insights() IS
    'Brings the insights up to date with the imports and changes since the last refresh (tiers, leaderboard, '
    'effects, trends, cost, heatmaps, fatigue over all data), replacing the previous results atomically; returns '
    'rows per kind. Admins, or a superuser (pg_cron). See docs/insights.md.';

-- A member's effects, trends, cost efficiency and heatmaps: the kinds' row functions over the
-- caller's own creatives, as of the last refresh. Nothing for admins, superusers and sessions
-- without a rolloy identity (admins read the stored rows). SECURITY DEFINER: the rollup is
-- internal; the owner is the caller, never an argument.
CREATE FUNCTION rolloy_internal._my_insights(kind text) RETURNS SETOF rolloy.insights
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    me uuid := rolloy_internal._insight_scope();
    stamp timestamptz := (SELECT s.refreshed_at FROM rolloy_internal.insight_rollup_state s);
BEGIN
    IF me IS NULL OR stamp IS NULL THEN
        RETURN;
    END IF;
    CASE kind
        WHEN 'effect' THEN RETURN QUERY SELECT * FROM rolloy_internal._effect_rows(me, stamp);
        WHEN 'trend' THEN RETURN QUERY SELECT * FROM rolloy_internal._trend_rows(me, stamp, NULL, NULL);
        WHEN 'cost' THEN RETURN QUERY SELECT * FROM rolloy_internal._cost_rows(me, stamp);
        WHEN 'heatmap' THEN RETURN QUERY SELECT * FROM rolloy_internal._heatmap_rows(me, stamp);
    END CASE;
END
$$;
COMMENT ON FUNCTION rolloy_internal._my_insights(text) IS
    'The caller''s own effects, trends, cost or heatmap rows (kind effect, trend, cost, heatmap), computed at read time '
    'from the rollup of the last refresh; no rows for admins (they read the stored rows).';

DROP FUNCTION rolloy_internal._record_refresh(timestamptz, bigint);
CREATE FUNCTION rolloy_internal._record_refresh(started timestamptz, rows_written bigint, taken bigint[]) RETURNS void
LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    INSERT INTO rolloy.insight_refreshes (trigger, started_at, finished_at, duration_ms, import_batch_ids, rows_written)
    VALUES ((SELECT CASE WHEN a.backend_type = 'rolloy insight refresh' THEN 'import'
                         -- pg_cron runs jobs in its own workers or over libpq as 'pg_cron'
                         WHEN 'pg_cron' IN (a.backend_type, a.application_name) THEN 'schedule'
                         ELSE 'manual' END
               FROM pg_catalog.pg_stat_activity a WHERE a.pid = pg_catalog.pg_backend_pid()),
            started, pg_catalog.clock_timestamp(),
            round(extract(epoch FROM pg_catalog.clock_timestamp() - started) * 1000, 1), taken, rows_written);
    DELETE FROM rolloy.insight_refreshes f
     WHERE f.id <= (SELECT max(g.id) - 1000 FROM rolloy.insight_refreshes g);
END
$$;

-- The insight views (docs/api.md): BI tools and the dashboard read them. Each shows the caller's
-- view of the one computation over all data: admins read every stored row; members read the
-- stored rows of their own creatives (tiers, leaderboard, fatigue: RLS of rolloy.insights) and
-- their own effects, trends, cost and heatmaps, computed when they read (_my_insights). Ratios
-- are computed here from the sums.

CREATE OR REPLACE VIEW rolloy.insight_tiers WITH (security_invoker = true) AS
SELECT i.scope_user_id, i.project_id, i.dimension_value AS creative_name, i.label AS tier, i.rank,
       (i.details ->> 'eligible_creatives')::integer AS eligible_creatives,
       i.impressions, i.clicks, i.clicks::numeric / nullif(i.impressions, 0) AS ctr,
       (i.details ->> 'ctr_lower_bound')::numeric AS ctr_lower_bound,
       (i.details ->> 'ctr_upper_bound')::numeric AS ctr_upper_bound,
       i.conversions, i.currency, i.spend, i.conversion_value, i.conversion_value / nullif(i.spend, 0) AS roas,
       i.details ->> 'category' AS category_code, i.details ->> 'scene' AS scene_code,
       i.details ->> 'action' AS action_code, i.details ->> 'driver' AS driver_code,
       i.details ->> 'format' AS format_code, i.refreshed_at
  FROM rolloy.insights i
 WHERE i.kind = 'tier' AND i.dimension = 'creative'
   AND EXISTS (SELECT FROM rolloy.creative_projects p WHERE p.id = i.project_id);  -- deleted since the refresh
COMMENT ON VIEW rolloy.insight_tiers IS
    'Performance tier of every creative with performance data, ranked by the Wilson lower bound of CTR '
    'among creatives past the min_impressions gate (admins: all creatives; members: their own).';

CREATE OR REPLACE VIEW rolloy.insight_image_tiers WITH (security_invoker = true) AS
SELECT i.scope_user_id, i.image_id, i.project_id, i.dimension_value AS ad_name, i.label AS tier, i.rank,
       (i.details ->> 'eligible_images')::integer AS eligible_images,
       i.impressions, i.clicks, i.clicks::numeric / nullif(i.impressions, 0) AS ctr,
       (i.details ->> 'ctr_lower_bound')::numeric AS ctr_lower_bound,
       (i.details ->> 'ctr_upper_bound')::numeric AS ctr_upper_bound,
       i.conversions, i.currency, i.spend, i.conversion_value, i.conversion_value / nullif(i.spend, 0) AS roas,
       i.refreshed_at
  FROM rolloy.insights i
 WHERE i.kind = 'tier' AND i.dimension = 'image'
   AND EXISTS (SELECT FROM rolloy.generated_images g WHERE g.id = i.image_id);  -- deleted since the refresh
COMMENT ON VIEW rolloy.insight_image_tiers IS
    'Performance tier of every generated image (variant) with performance data, ranked like the creatives by the '
    'Wilson lower bound of CTR among the scope''s images past the min_impressions gate (admins: all images; '
    'members: their own). The image leaderboard: WHERE rank <= leaderboard_size ORDER BY rank.';

CREATE OR REPLACE VIEW rolloy.insight_leaderboard WITH (security_invoker = true) AS
SELECT t.rank, t.scope_user_id, t.project_id, t.creative_name, t.tier, t.impressions, t.clicks, t.ctr,
       t.ctr_lower_bound, t.currency, t.spend, t.conversion_value, t.roas, t.category_code, t.scene_code,
       t.action_code, t.driver_code, t.format_code, t.refreshed_at
  FROM (SELECT i.scope_user_id, i.project_id, i.dimension_value AS creative_name, i.label AS tier, i.rank,
               i.impressions, i.clicks, i.clicks::numeric / nullif(i.impressions, 0) AS ctr,
               (i.details ->> 'ctr_lower_bound')::numeric AS ctr_lower_bound, i.currency, i.spend,
               i.conversion_value, i.conversion_value / nullif(i.spend, 0) AS roas,
               i.details ->> 'category' AS category_code, i.details ->> 'scene' AS scene_code,
               i.details ->> 'action' AS action_code, i.details ->> 'driver' AS driver_code,
               i.details ->> 'format' AS format_code, i.refreshed_at
          FROM rolloy.insights i
         WHERE i.kind = 'leaderboard'
           AND EXISTS (SELECT FROM rolloy.creative_projects p WHERE p.id = i.project_id)) t;
COMMENT ON VIEW rolloy.insight_leaderboard IS
    'The top creatives (insight_settings.leaderboard_size, default 20; ties at the last rank included) '
    'by the Wilson lower bound of CTR (admins: all creatives; members: their own).';

CREATE OR REPLACE VIEW rolloy.insight_effects WITH (security_invoker = true) AS
SELECT i.scope_user_id, i.dimension, i.dimension_value, i.metric, i.value,
       (i.details ->> 'rest_value')::numeric AS rest_value, i.lift, i.confidence_score, i.label AS verdict,
       i.sample_creatives AS creatives, (i.details ->> 'rest_creatives')::integer AS rest_creatives,
       (i.details ->> 'p_value')::numeric AS p_value, (i.details ->> 't_statistic')::numeric AS t_statistic,
       (i.details ->> 'degrees_of_freedom')::numeric AS degrees_of_freedom,
       (i.details ->> 'std_error')::numeric AS std_error,
       i.impressions, i.clicks, i.currency, i.spend, i.conversion_value, i.refreshed_at,
       (i.details ->> 'few_creatives')::boolean AS few_creatives, i.details ->> 'untested_because' AS untested_because
  FROM (SELECT x.* FROM rolloy.insights x WHERE x.kind = 'effect' AND (SELECT rolloy_internal._insight_scope()) IS NULL
        UNION ALL
        SELECT m.* FROM rolloy_internal._my_insights('effect') m) i;
COMMENT ON VIEW rolloy.insight_effects IS
    'Effect of each scene category, scene, action, driver and format on CTR and ROAS: the value over '
    'the creatives that have it against the rest, lift and confidence_score (Welch test with creatives '
    'as the unit, degrees of freedom from their effective number; docs/insights.md). few_creatives: a side '
    'has fewer than 10, so read the verdict as a lead. Admins: over all data; members: over their own creatives.';

CREATE OR REPLACE VIEW rolloy.insight_trends WITH (security_invoker = true) AS
SELECT i.scope_user_id, i.grain, i.period_start,
       (i.period_start + CASE i.grain WHEN 'week' THEN interval '6 days' ELSE interval '1 month - 1 day' END)::date AS period_end,
       (i.details ->> 'data_through')::date AS data_through,
       i.dimension, i.dimension_value, i.currency, i.sample_creatives AS creatives,
       i.impressions, i.clicks, i.conversions, i.spend, i.conversion_value,
       i.clicks::numeric / nullif(i.impressions, 0) AS ctr, i.spend / nullif(i.clicks, 0) AS cpc,
       i.spend * 1000 / nullif(i.impressions, 0) AS cpm, i.spend / nullif(i.conversions, 0) AS cpa,
       i.conversion_value / nullif(i.spend, 0) AS roas, i.refreshed_at
  FROM (SELECT x.* FROM rolloy.insights x WHERE x.kind = 'trend' AND (SELECT rolloy_internal._insight_scope()) IS NULL
        UNION ALL
        SELECT m.* FROM rolloy_internal._my_insights('trend') m) i;
COMMENT ON VIEW rolloy.insight_trends IS
    'Weekly and monthly figures, overall (dimension all) and per ABCD value, one row per currency '
    '(admins: all data; members: their own creatives).';

CREATE OR REPLACE VIEW rolloy.insight_cost_efficiency WITH (security_invoker = true) AS
SELECT i.scope_user_id, i.dimension, i.dimension_value, i.currency, i.sample_creatives AS creatives,
       i.impressions, i.clicks, i.conversions, i.spend, i.conversion_value,
       i.clicks::numeric / nullif(i.impressions, 0) AS ctr, i.spend / nullif(i.clicks, 0) AS cpc,
       i.spend * 1000 / nullif(i.impressions, 0) AS cpm, i.spend / nullif(i.conversions, 0) AS cpa,
       i.conversion_value / nullif(i.spend, 0) AS roas, i.refreshed_at
  FROM (SELECT x.* FROM rolloy.insights x WHERE x.kind = 'cost' AND (SELECT rolloy_internal._insight_scope()) IS NULL
        UNION ALL
        SELECT m.* FROM rolloy_internal._my_insights('cost') m) i;
COMMENT ON VIEW rolloy.insight_cost_efficiency IS
    'Spend, CPC, CPM, CPA and ROAS overall (dimension all) and per ABCD value, one row per currency '
    '(admins: all data; members: their own creatives).';

CREATE OR REPLACE VIEW rolloy.insight_heatmap WITH (security_invoker = true) AS
SELECT h.scope_user_id, h.dimension_x, h.value_x, h.dimension_y, h.value_y, h.currency, h.creatives,
       h.impressions, h.clicks, h.conversions, h.spend, h.conversion_value,
       h.clicks::numeric / nullif(h.impressions, 0) AS ctr, h.spend / nullif(h.clicks, 0) AS cpc,
       h.spend / nullif(h.conversions, 0) AS cpa, h.conversion_value / nullif(h.spend, 0) AS roas, h.refreshed_at
  FROM (SELECT i.scope_user_id, xy.dimension_x, xy.value_x, xy.dimension_y, xy.value_y, i.currency,
               i.sample_creatives AS creatives, i.impressions, i.clicks, i.conversions, i.spend,
               i.conversion_value, i.refreshed_at
          FROM (SELECT x.* FROM rolloy.insights x
                 WHERE x.kind = 'heatmap' AND (SELECT rolloy_internal._insight_scope()) IS NULL
                UNION ALL
                SELECT m.* FROM rolloy_internal._my_insights('heatmap') m) i
         CROSS JOIN LATERAL (VALUES (i.dimension, i.dimension_value, i.dimension2, i.dimension_value2),
                                    (i.dimension2, i.dimension_value2, i.dimension, i.dimension_value))
               xy(dimension_x, value_x, dimension_y, value_y)) h;
COMMENT ON VIEW rolloy.insight_heatmap IS
    'Any two ABCD dimensions against each other (filter dimension_x and dimension_y, e.g. scene x '
    'driver): CTR, CPC, CPA and ROAS per cell, one row per currency (admins: all data; members: their own creatives).';

CREATE OR REPLACE VIEW rolloy.insight_fatigue WITH (security_invoker = true) AS
SELECT i.scope_user_id, i.project_id, i.dimension_value AS creative_name, i.label AS status,
       (i.details ->> 'baseline_ctr')::numeric AS baseline_ctr, i.value AS recent_ctr, i.lift AS ctr_change,
       i.confidence_score, (i.details ->> 'window_days')::integer AS window_days,
       (i.details ->> 'baseline_from')::date AS baseline_from, (i.details ->> 'baseline_to')::date AS baseline_to,
       (i.details ->> 'recent_from')::date AS recent_from, (i.details ->> 'recent_to')::date AS recent_to,
       (i.details ->> 'days_with_data')::integer AS days_with_data, i.impressions, i.clicks, i.refreshed_at
  FROM rolloy.insights i
 WHERE i.kind = 'fatigue'
   AND EXISTS (SELECT FROM rolloy.creative_projects p WHERE p.id = i.project_id);  -- deleted since the refresh
COMMENT ON VIEW rolloy.insight_fatigue IS
    'Creative fatigue: CTR of the last window_days days with data against the first window_days; '
    'fatigued when it fell by at least insight_settings.fatigue_drop with enough confidence (admins: all '
    'creatives; members: their own).';

DO $comments$
DECLARE
    c record;
BEGIN
    FOR c IN SELECT * FROM (VALUES
        ('insight_tiers', 'scope_user_id', 'Always NULL: computed over all data (members read the rows of their own creatives).'),
        ('insight_tiers', 'project_id', 'Creative (project) id.'),
        ('insight_tiers', 'creative_name', 'Ad name of the creative.'),
        ('insight_tiers', 'tier', 'top_10, top_20, top_50, below_50, or insufficient_data (below the min_impressions gate).'),
        ('insight_tiers', 'rank', 'Rank by the Wilson lower bound of CTR among eligible creatives (1 = best; ties share a rank).'),
        ('insight_tiers', 'eligible_creatives', 'Creatives past the gate in the scope; the tier is rank / eligible_creatives.'),
        ('insight_tiers', 'impressions', 'Impressions (all currencies).'),
        ('insight_tiers', 'clicks', 'Clicks (all currencies).'),
        ('insight_tiers', 'ctr', 'Click-through rate: clicks / impressions.'),
        ('insight_tiers', 'ctr_lower_bound', 'Wilson lower bound of CTR (the ranking score).'),
        ('insight_tiers', 'ctr_upper_bound', 'Wilson upper bound of CTR.'),
        ('insight_tiers', 'conversions', 'Conversions (all currencies).'),
        ('insight_tiers', 'currency', 'Reporting currency of the scope (most impressions): spend, value and ROAS are in it.'),
        ('insight_tiers', 'spend', 'Spend in currency (rows in other currencies are not added).'),
        ('insight_tiers', 'conversion_value', 'Conversion value in currency.'),
        ('insight_tiers', 'roas', 'Return on ad spend: conversion_value / spend.'),
        ('insight_tiers', 'category_code', 'A1: scene category code.'),
        ('insight_tiers', 'scene_code', 'A2: scene, as A1_A2 (e.g. OUT_PARK).'),
        ('insight_tiers', 'action_code', 'B: action code.'),
        ('insight_tiers', 'driver_code', 'C: emotional driver code.'),
        ('insight_tiers', 'format_code', 'D: format code.'),
        ('insight_tiers', 'refreshed_at', 'When rolloy.refresh_insights() computed the figures.'),
        ('insight_image_tiers', 'scope_user_id', 'Always NULL: computed over all data (members read the rows of their own images).'),
        ('insight_image_tiers', 'image_id', 'Generated image id.'),
        ('insight_image_tiers', 'project_id', 'Its creative (project).'),
        ('insight_image_tiers', 'ad_name', 'Ad name of the image (the creative''s name and _Vnn).'),
        ('insight_image_tiers', 'tier', 'top_10, top_20, top_50, below_50 among the scope''s images, or insufficient_data (below the min_impressions gate).'),
        ('insight_image_tiers', 'rank', 'Rank by the Wilson lower bound of CTR among eligible images (1 = best; ties share a rank).'),
        ('insight_image_tiers', 'eligible_images', 'Images past the gate in the scope; the tier is rank / eligible_images.'),
        ('insight_image_tiers', 'impressions', 'Impressions (all currencies).'),
        ('insight_image_tiers', 'clicks', 'Clicks (all currencies).'),
        ('insight_image_tiers', 'ctr', 'Click-through rate: clicks / impressions.'),
        ('insight_image_tiers', 'ctr_lower_bound', 'Wilson lower bound of CTR (the ranking score).'),
        ('insight_image_tiers', 'ctr_upper_bound', 'Wilson upper bound of CTR.'),
        ('insight_image_tiers', 'conversions', 'Conversions (all currencies).'),
        ('insight_image_tiers', 'currency', 'Reporting currency of the scope: spend, value and ROAS are in it.'),
        ('insight_image_tiers', 'spend', 'Spend in currency (rows in other currencies are not added).'),
        ('insight_image_tiers', 'conversion_value', 'Conversion value in currency.'),
        ('insight_image_tiers', 'roas', 'Return on ad spend: conversion_value / spend.'),
        ('insight_image_tiers', 'refreshed_at', 'When rolloy.refresh_insights() computed the figures.'),

        ('insight_leaderboard', 'rank', 'Rank by the Wilson lower bound of CTR (1 = best; ties share a rank).'),
        ('insight_leaderboard', 'scope_user_id', 'Always NULL: computed over all data (members read the rows of their own creatives).'),
        ('insight_leaderboard', 'project_id', 'Creative (project) id.'),
        ('insight_leaderboard', 'creative_name', 'Ad name of the creative.'),
        ('insight_leaderboard', 'tier', 'Tier of the creative (top_10, top_20, top_50, below_50).'),
        ('insight_leaderboard', 'impressions', 'Impressions (all currencies).'),
        ('insight_leaderboard', 'clicks', 'Clicks (all currencies).'),
        ('insight_leaderboard', 'ctr', 'Click-through rate: clicks / impressions.'),
        ('insight_leaderboard', 'ctr_lower_bound', 'Wilson lower bound of CTR (the ranking score).'),
        ('insight_leaderboard', 'currency', 'Reporting currency of the scope: spend, value and ROAS are in it.'),
        ('insight_leaderboard', 'spend', 'Spend in currency.'),
        ('insight_leaderboard', 'conversion_value', 'Conversion value in currency.'),
        ('insight_leaderboard', 'roas', 'Return on ad spend: conversion_value / spend.'),
        ('insight_leaderboard', 'category_code', 'A1: scene category code.'),
        ('insight_leaderboard', 'scene_code', 'A2: scene, as A1_A2 (e.g. OUT_PARK).'),
        ('insight_leaderboard', 'action_code', 'B: action code.'),
        ('insight_leaderboard', 'driver_code', 'C: emotional driver code.'),
        ('insight_leaderboard', 'format_code', 'D: format code.'),
        ('insight_leaderboard', 'refreshed_at', 'When rolloy.refresh_insights() computed the figures.'),

        ('insight_effects', 'scope_user_id', 'NULL: over all data (admins); a member''s id: over that member''s own creatives, computed when read.'),
        ('insight_effects', 'dimension', 'category, scene, action, driver or format.'),
        ('insight_effects', 'dimension_value', 'Code within the dimension (scene as A1_A2).'),
        ('insight_effects', 'metric', 'ctr or roas.'),
        ('insight_effects', 'value', 'The metric over the eligible creatives with this value (ratio of sums).'),
        ('insight_effects', 'rest_value', 'The metric over the other eligible creatives of the scope (ratio of sums).'),
        ('insight_effects', 'lift', 'value / rest_value - 1 (0.25 = 25 % better than the rest).'),
        ('insight_effects', 'confidence_score', '1 - two-sided p-value of the Welch test, creatives as the unit; NULL = not tested (see untested_because).'),
        ('insight_effects', 'verdict', 'better or worse (confidence_score >= effect_confidence), inconclusive, or insufficient_data.'),
        ('insight_effects', 'creatives', 'Eligible creatives with this value (for roas: those with spend in currency).'),
        ('insight_effects', 'rest_creatives', 'Eligible creatives in the rest.'),
        ('insight_effects', 'p_value', 'Two-sided p-value of the test.'),
        ('insight_effects', 't_statistic', 'Welch t statistic of value - rest_value.'),
        ('insight_effects', 'degrees_of_freedom', 'Welch-Satterthwaite degrees of freedom, each side counting its effective number of creatives (fewer when a few carry most of the impressions or spend).'),
        ('insight_effects', 'std_error', 'Standard error of value - rest_value (creative-level variance).'),
        ('insight_effects', 'impressions', 'ctr rows: impressions of the group.'),
        ('insight_effects', 'clicks', 'ctr rows: clicks of the group.'),
        ('insight_effects', 'currency', 'roas rows: reporting currency of the scope.'),
        ('insight_effects', 'spend', 'roas rows: spend of the group in currency.'),
        ('insight_effects', 'conversion_value', 'roas rows: conversion value of the group in currency.'),
        ('insight_effects', 'refreshed_at', 'When rolloy.refresh_insights() computed the figures.'),
        ('insight_effects', 'few_creatives', 'True when a side has fewer than 10 creatives: the verdict rests on few units, read it as a lead.'),
        ('insight_effects', 'untested_because', 'Why confidence_score is NULL: too_few_creatives (a side below effect_min_creatives) or no_spread (every creative of a side has the same ratio, e.g. no conversion at all).'),

        ('insight_trends', 'scope_user_id', 'NULL: over all data (admins); a member''s id: over that member''s own creatives, computed when read.'),
        ('insight_trends', 'grain', 'week (ISO weeks, from Monday) or month.'),
        ('insight_trends', 'period_start', 'First day of the period.'),
        ('insight_trends', 'period_end', 'Last day of the period.'),
        ('insight_trends', 'data_through', 'Last day with data in the period (before period_end: the period is partial).'),
        ('insight_trends', 'dimension', 'all (totals), category, scene, action, driver or format.'),
        ('insight_trends', 'dimension_value', 'Code within the dimension (scene as A1_A2); all for totals.'),
        ('insight_trends', 'currency', 'Currency of the rows summed: every figure of the row comes from them.'),
        ('insight_trends', 'creatives', 'Creatives with data in the period.'),
        ('insight_trends', 'impressions', 'Impressions.'),
        ('insight_trends', 'clicks', 'Clicks.'),
        ('insight_trends', 'conversions', 'Conversions.'),
        ('insight_trends', 'spend', 'Spend in currency.'),
        ('insight_trends', 'conversion_value', 'Conversion value in currency.'),
        ('insight_trends', 'ctr', 'clicks / impressions.'),
        ('insight_trends', 'cpc', 'Cost per click: spend / clicks.'),
        ('insight_trends', 'cpm', 'Cost per thousand impressions: spend * 1000 / impressions.'),
        ('insight_trends', 'cpa', 'Cost per conversion: spend / conversions.'),
        ('insight_trends', 'roas', 'Return on ad spend: conversion_value / spend.'),
        ('insight_trends', 'refreshed_at', 'When rolloy.refresh_insights() computed the figures.'),

        ('insight_cost_efficiency', 'scope_user_id', 'NULL: over all data (admins); a member''s id: over that member''s own creatives, computed when read.'),
        ('insight_cost_efficiency', 'dimension', 'all (totals), category, scene, action, driver or format.'),
        ('insight_cost_efficiency', 'dimension_value', 'Code within the dimension (scene as A1_A2); all for totals.'),
        ('insight_cost_efficiency', 'currency', 'Currency of the rows summed: every figure of the row comes from them.'),
        ('insight_cost_efficiency', 'creatives', 'Creatives with data in this currency.'),
        ('insight_cost_efficiency', 'impressions', 'Impressions.'),
        ('insight_cost_efficiency', 'clicks', 'Clicks.'),
        ('insight_cost_efficiency', 'conversions', 'Conversions.'),
        ('insight_cost_efficiency', 'spend', 'Spend in currency.'),
        ('insight_cost_efficiency', 'conversion_value', 'Conversion value in currency.'),
        ('insight_cost_efficiency', 'ctr', 'clicks / impressions.'),
        ('insight_cost_efficiency', 'cpc', 'Cost per click: spend / clicks.'),
        ('insight_cost_efficiency', 'cpm', 'Cost per thousand impressions: spend * 1000 / impressions.'),
        ('insight_cost_efficiency', 'cpa', 'Cost per conversion: spend / conversions.'),
        ('insight_cost_efficiency', 'roas', 'Return on ad spend: conversion_value / spend.'),
        ('insight_cost_efficiency', 'refreshed_at', 'When rolloy.refresh_insights() computed the figures.'),

        ('insight_heatmap', 'scope_user_id', 'NULL: over all data (admins); a member''s id: over that member''s own creatives, computed when read.'),
        ('insight_heatmap', 'dimension_x', 'First dimension: category, scene, action, driver or format.'),
        ('insight_heatmap', 'value_x', 'Code within dimension_x.'),
        ('insight_heatmap', 'dimension_y', 'Second dimension (different from dimension_x).'),
        ('insight_heatmap', 'value_y', 'Code within dimension_y.'),
        ('insight_heatmap', 'currency', 'Currency of the rows summed: every figure of the row comes from them.'),
        ('insight_heatmap', 'creatives', 'Creatives in the cell.'),
        ('insight_heatmap', 'impressions', 'Impressions.'),
        ('insight_heatmap', 'clicks', 'Clicks.'),
        ('insight_heatmap', 'conversions', 'Conversions.'),
        ('insight_heatmap', 'spend', 'Spend in currency.'),
        ('insight_heatmap', 'conversion_value', 'Conversion value in currency.'),
        ('insight_heatmap', 'ctr', 'clicks / impressions.'),
        ('insight_heatmap', 'cpc', 'Cost per click: spend / clicks.'),
        ('insight_heatmap', 'cpa', 'Cost per conversion: spend / conversions.'),
        ('insight_heatmap', 'roas', 'Return on ad spend: conversion_value / spend.'),
        ('insight_heatmap', 'refreshed_at', 'When rolloy.refresh_insights() computed the figures.'),

        ('insight_fatigue', 'scope_user_id', 'Always NULL: computed over all data (members read the rows of their own creatives).'),
        ('insight_fatigue', 'project_id', 'Creative (project) id.'),
        ('insight_fatigue', 'creative_name', 'Ad name of the creative.'),
        ('insight_fatigue', 'status', 'fatigued, stable, or insufficient_data (too few days or impressions).'),
        ('insight_fatigue', 'baseline_ctr', 'CTR over the creative''s first window_days days with data.'),
        ('insight_fatigue', 'recent_ctr', 'CTR over its last window_days days with data.'),
        ('insight_fatigue', 'ctr_change', 'recent_ctr / baseline_ctr - 1 (-0.3 = fell by 30 %).'),
        ('insight_fatigue', 'confidence_score', '1 - two-sided p-value of the Welch test of the change, days as the unit.'),
        ('insight_fatigue', 'window_days', 'Days in each window (insight_settings.fatigue_window_days).'),
        ('insight_fatigue', 'baseline_from', 'First day of the baseline window (the creative''s first day with daily data).'),
        ('insight_fatigue', 'baseline_to', 'Last day of the baseline window.'),
        ('insight_fatigue', 'recent_from', 'First day of the recent window.'),
        ('insight_fatigue', 'recent_to', 'Last day of the recent window (the creative''s last day with daily data).'),
        ('insight_fatigue', 'days_with_data', 'Days with daily data, counted up to 2 x window_days (enough to assess).'),
        ('insight_fatigue', 'impressions', 'Impressions of the creative (all rows).'),
        ('insight_fatigue', 'clicks', 'Clicks of the creative (all rows).'),
        ('insight_fatigue', 'refreshed_at', 'When rolloy.refresh_insights() computed the figures.')) AS v(rel, col, txt)
    LOOP
        EXECUTE format('COMMENT ON COLUMN rolloy.%I.%I IS %L', c.rel, c.col, c.txt);
    END LOOP;
END
$comments$;

GRANT SELECT ON rolloy.insight_tiers, rolloy.insight_leaderboard, rolloy.insight_effects, rolloy.insight_trends,
                rolloy.insight_cost_efficiency, rolloy.insight_heatmap, rolloy.insight_fatigue, rolloy.insight_image_tiers
    TO rolloy_member;

-- == One provider registry (issue 15 §2) ==
-- The remote providers are listed once, in the library (src/core/providers/registry.cpp); SQL
-- reads them through rolloy.providers(). set_provider_key, provider_keys and batch_generate name
-- no provider any more: replaced with the text of src/sql/42_providers.sql and 44_queue.sql.
CREATE FUNCTION rolloy_internal._provider_registry() RETURNS text
LANGUAGE C STABLE AS 'MODULE_PATHNAME', 'rolloy_provider_registry';
COMMENT ON FUNCTION rolloy_internal._provider_registry() IS
    'The library''s provider registry with the settings in force, as a JSON array (read through rolloy.providers()).';

CREATE FUNCTION rolloy.providers()
RETURNS TABLE (provider text, kind text, model text, model_setting text, base_url_setting text,
               concurrency_setting text, price_units text[])
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
    SELECT r.provider, r.kind, r.model, r.model_setting, r.base_url_setting, r.concurrency_setting,
           ARRAY(SELECT jsonb_array_elements_text(x.e -> 'price_units'))
      FROM jsonb_array_elements(rolloy_internal._provider_registry()::jsonb) WITH ORDINALITY AS x(e, n),
           jsonb_to_record(x.e) AS r(provider text, kind text, model text, model_setting text,
                                     base_url_setting text, concurrency_setting text)
     ORDER BY x.n
$$;
COMMENT ON FUNCTION rolloy.providers() IS
    'The remote providers rolloy can call, one row per kind (text: prompts, image: images): the model in force '
    '(the GUC model_setting), the GUCs of its base URL and concurrency, and the units provider_prices prices '
    'its calls in. preview and template are local and not listed. Any member.';

-- "gemini, fal": the providers (of a kind) in registry order, for messages.
CREATE FUNCTION rolloy_internal._provider_names(kind text DEFAULT NULL) RETURNS text
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
    SELECT string_agg(d.provider, ', ' ORDER BY d.first)
      FROM (SELECT x.e ->> 'provider' AS provider, min(x.n) AS first
              FROM jsonb_array_elements(rolloy_internal._provider_registry()::jsonb) WITH ORDINALITY AS x(e, n)
             WHERE _provider_names.kind IS NULL OR x.e ->> 'kind' = _provider_names.kind
             GROUP BY 1) d
$$;
COMMENT ON FUNCTION rolloy_internal._provider_names(text) IS
    'The names of the registry''s providers (of a kind, or all) in registry order, comma-separated: for messages.';

CREATE OR REPLACE FUNCTION rolloy.set_provider_key(provider text, api_key text) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    me uuid := rolloy_internal.require_admin();
BEGIN
    IF NOT EXISTS (SELECT 1 FROM rolloy.providers() p WHERE p.provider = set_provider_key.provider) THEN
        RAISE EXCEPTION 'unknown provider "%" (providers: %)', left(set_provider_key.provider, 40),
                        rolloy_internal._provider_names()
            USING ERRCODE = 'invalid_parameter_value', HINT = 'rolloy.providers() lists the providers keys are set for.';
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
COMMENT ON FUNCTION rolloy.set_provider_key(text, text) IS
    'Stores the API key of a provider of rolloy.providers() (gemini, fal, ...). Admins only; the key is never shown again.';

CREATE OR REPLACE FUNCTION rolloy.provider_keys() RETURNS TABLE (provider text, key_set boolean, key_hint text, updated_at timestamptz)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
    SELECT p.provider, s.provider IS NOT NULL,
           CASE WHEN s.api_key IS NULL THEN NULL ELSE '…' || right(s.api_key, 4) END, s.updated_at
      FROM (SELECT DISTINCT r.provider FROM rolloy.providers() r) p
      LEFT JOIN rolloy.provider_secrets s ON s.provider = p.provider
     WHERE rolloy.is_admin()
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
    -- The remote image providers and their models in force come from the registry.
    IF v_provider = 'preview' THEN
        v_model := coalesce(options ->> 'model', 'preview-v1');
    ELSE
        SELECT coalesce(options ->> 'model', r.model) INTO v_model
          FROM rolloy.providers() r WHERE r.provider = v_provider AND r.kind = 'image';
        IF NOT FOUND THEN
            RAISE EXCEPTION 'unknown image provider "%" (providers: preview, %)', left(v_provider, 40),
                            rolloy_internal._provider_names('image')
                USING ERRCODE = 'invalid_parameter_value',
                      HINT = 'preview renders offline; rolloy.providers() lists the others.';
        END IF;
    END IF;
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
COMMENT ON FUNCTION rolloy.batch_generate(uuid, jsonb) IS
    'Queues one image per usable reference photo x variants for a project (owner or admin), after checking '
    'the monthly quota, budget (spent + queued) and rate limit. Options: provider (preview, or an image provider '
    'of rolloy.providers()), model, '
    'variants (1-20), reference_image_ids, strength, steps, guidance, seed, max_attempts. Returns the queued rows.';

-- == Remote ids on the books as soon as known (issue 15 §2) ==
-- The worker books an attempt's provider-side request (remote_id) the moment the provider
-- answers with it; recovery resumes by it. Existing rows have none.
ALTER TABLE rolloy.api_usage_logs
    ADD COLUMN remote_id text CONSTRAINT api_usage_logs_remote_id_length CHECK (length(remote_id) <= 4000);
COMMENT ON COLUMN rolloy.api_usage_logs.remote_id IS
    'The provider-side request of the attempt (fal: its queue ticket, request id included), booked as soon as the '
    'provider answered with it: after a crash the next attempt resumes it instead of sending (and paying) again.';

-- == Replicate through the provider registry (issue 15 §3) ==
-- The library registers the provider (rolloy.providers()); its list prices are seeded here as in
-- 40_costs.sql. A price an admin already entered for the same model, unit and date is kept.
INSERT INTO rolloy.provider_prices (provider, model, unit, price_usd, valid_from, is_seed, notes) VALUES
    ('replicate', 'black-forest-labs/flux-dev', 'image', 0.025, '2025-01-29', true, 'Replicate flux-dev per output image (official model, billed per image)'),
    ('replicate', 'black-forest-labs/flux-kontext-pro', 'image', 0.04, '2025-05-29', true, 'Replicate flux-kontext-pro per output image')
ON CONFLICT ON CONSTRAINT provider_prices_unique DO NOTHING;

-- == The damaged-id check in the other order (issue 12): what a re-saved export left of an ad's id ==
-- Ads created from a re-saved export (ids in scientific notation) keep what is left of the id, so
-- that a later export with ids takes the ad only with an id that fits (52_ad_performance.sql).
-- Ads imported before have nothing recorded: their damaged ids were not kept.
ALTER TABLE rolloy.ads ADD COLUMN damaged_ad_id text,
    ADD CONSTRAINT ads_damaged_ad_id_length CHECK (octet_length(damaged_ad_id) <= 1000);
COMMENT ON COLUMN rolloy.ads.damaged_ad_id IS
    'Ad id as a spreadsheet left it (like 1.20210E+17) while the ad has no id: an export with ids takes this ad only '
    'with an id that fits it. NULL once the ad has an id.';

-- == generate_prompt through the registry (issue 15 §2) ==
-- generate_prompt() chooses among the registry's text providers (the library): only its comment
-- and the prompt_provider column's change.
COMMENT ON COLUMN rolloy.creative_projects.prompt_provider IS 'Who wrote the prompt: template or a text provider of rolloy.providers().';
COMMENT ON FUNCTION rolloy.generate_prompt(uuid, text) IS
    'Writes the image prompt of a project (owner or admin) from its scene, action, driver and format: '
    'provider template (offline, deterministic), a text provider of rolloy.providers() (kind text, e.g. gemini), '
    'or auto (the first text provider with a key, else template). Saves prompt, model, tokens and cost on the '
    'project, logs the call, returns the prompt. Honours statement_timeout and cancel while waiting for the provider.';

-- == Import from a file on the database server (issue 12): import_performance_file ==
-- For the engineers who run the database, like COPY FROM a file (55_import.sql): superusers and
-- roles with pg_read_server_files only, checked in C for the session's role.
CREATE FUNCTION rolloy.import_performance_file(
    path text, platform text DEFAULT 'auto', on_error text DEFAULT 'reject_file', source_name text DEFAULT '')
RETURNS rolloy.import_batches
LANGUAGE C VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp SET work_mem = '64MB' SET jit = off
AS 'MODULE_PATHNAME', 'rolloy_import_performance_file';
COMMENT ON FUNCTION rolloy.import_performance_file(text, text, text, text) IS
    'Same as import_performance(body bytea, ...) for a file on the database server (absolute path, up to 1 GB; '
    'UTF-8 with or without BOM, or UTF-16). source_name defaults to the file''s name. Admins (or a superuser '
    'session without a rolloy user) whose role is a superuser or has the privileges of pg_read_server_files, as '
    'for COPY FROM a file. Returns the import_batches row.';
REVOKE ALL ON FUNCTION rolloy.import_performance_file(text, text, text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION rolloy.import_performance_file(text, text, text, text) TO rolloy_member;

-- == The s3 store writes one object per image: thumbnails in rolloy.image_store (issue 15 §4) ==
-- An image of the s3 store keeps its file in the bucket and its thumbnail in a row of image_store
-- under its s3: reference (content NULL), written with the image's row. 0.1.0 had no s3 store:
-- every existing row is a db row with its file, which both checks accept.
ALTER TABLE rolloy.image_store ALTER COLUMN content DROP NOT NULL,
    DROP CONSTRAINT image_store_storage_ref_check,
    ADD CONSTRAINT image_store_storage_ref_check CHECK (storage_ref ~ '^(db|s3):(generated|reference)/'),
    -- The file is here exactly for the db store; the s3 store's file is the object.
    ADD CONSTRAINT image_store_content_db_only CHECK ((content IS NOT NULL) = (storage_ref LIKE 'db:%'));
COMMENT ON TABLE rolloy.image_store IS
    'Bytes of reference and generated images with their 300x300 thumbnails (for images of the s3 store the '
    'thumbnail only: the file is the object in the bucket); readable where the image is '
    '(reference photos: all members with a rolloy identity; generated images: their project''s owner and admins); '
    'written only by rolloy.';
COMMENT ON COLUMN rolloy.image_store.storage_ref IS
    'db:generated/<project>/<image> or db:reference/<id>; s3:generated/<project>/<image>/<sha256> for an image of '
    'the s3 store.';
COMMENT ON COLUMN rolloy.image_store.content IS 'The image file; NULL for an image of the s3 store (the file is its object).';
COMMENT ON COLUMN rolloy.image_store.content_type IS 'MIME type of the file.';
COMMENT ON COLUMN rolloy.image_store.sha256 IS 'SHA-256 of the file (hex).';
COMMENT ON COLUMN rolloy.image_store.size_bytes IS 'Size of the file in bytes.';
COMMENT ON FUNCTION rolloy.cleanup(interval, interval) IS
    'Retention: deletes usage logs older than keep_usage_logs (default 400 days, enough for yearly '
    'accounting), trims the error text of finished images older than keep_job_details and deletes objects of '
    'the s3 image store and rows of rolloy.image_store (files of the db store, thumbnails of the s3 store) no row '
    'refers to (older than rolloy.storage_orphan_grace_seconds, default 1 day). '
    'Admins or a superuser (pg_cron). Schedule: SELECT cron.schedule(''rolloy-cleanup'', ''30 3 * * *'', '
    '''SELECT rolloy.cleanup()'').';

-- == Insights found by kind (issue 13): the index a refresh's deletes and the views use ==
-- Every stored insight has scope_user_id NULL since 0.2.0, so (scope_user_id, kind) found nothing
-- by kind; each kind's DELETE scanned the whole table.
DROP INDEX rolloy.insights_scope_kind_idx;
CREATE INDEX insights_kind_period_idx ON rolloy.insights (kind, period_start);

-- == Fatigue keeps each creative's first 2W days (issue "Insights that keep up", 2: the refresh after an import) ==
-- The table and its function; _insight_fatigue, _effect_rows, _heatmap_rows and refresh_insights()
-- above carry the text of src/sql/ (replaced only there). The new table starts empty: the first
-- refresh computes every creative's first days (a creative without kept days is computed,
-- whatever the run).
-- The creative's first 2W days with data (its eligibility, its baseline window) do not move when
-- a later day arrives, and an import adds a later day to every running ad: they are kept in
-- insight_fatigue_early_days and read again from ad_days (each ad's first 2W daily days through
-- its primary key, never a sort of all rows) only when they can have moved: a change on a day at
-- or before the last kept day (or any change while fewer than 2W days are kept); every creative
-- when run.regrouped (its ads, the settings: fatigue_window_days) or the rollup was rebuilt.
-- The recent window (each ad's last W daily days) is read every time.
CREATE TABLE rolloy_internal.insight_fatigue_early_days (
    project_id  uuid NOT NULL,
    day         date NOT NULL,
    day_no      integer NOT NULL,  -- 1 for the creative's first day with data, up to 2W
    window_days integer NOT NULL,  -- the W they were kept for
    impressions bigint NOT NULL,   -- the creative's sums of the day over its ads' daily rows with impressions
    clicks      bigint NOT NULL,
    PRIMARY KEY (project_id, day)
);
COMMENT ON TABLE rolloy_internal.insight_fatigue_early_days IS
    'Each creative''s first 2 x fatigue_window_days days with daily data and their sums, kept by the fatigue kind of '
    'refresh_insights(); not dumped (recomputed).';

-- Brings insight_fatigue_early_days up to date for the creatives given (NULL: every creative,
-- from scratch) whose kept days the run may have moved; the others' days stand.
CREATE FUNCTION rolloy_internal._fatigue_early_days(run rolloy_internal.insight_run, w integer, creatives uuid[])
RETURNS void
LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    -- No changed day lies before this one: a day's piece starts at or after its week's Monday
    -- and its month's first day.
    since date := coalesce(greatest((SELECT min(x) FROM unnest(run.weeks) x), (SELECT min(x) FROM unnest(run.months) x)),
                           '-infinity');
    stale uuid[];
BEGIN
    IF creatives IS NULL THEN
        TRUNCATE rolloy_internal.insight_fatigue_early_days;
    ELSE
        -- Stale unless its 2W-th day is kept and before every changed day.
        stale := ARRAY(SELECT c.id FROM unnest(creatives) c(id)
                        WHERE NOT EXISTS (SELECT FROM rolloy_internal.insight_fatigue_early_days k
                                           WHERE k.project_id = c.id AND k.day_no = 2 * w AND k.day < since));
        IF cardinality(stale) = 0 THEN
            RETURN;
        END IF;
        DELETE FROM rolloy_internal.insight_fatigue_early_days k WHERE k.project_id = ANY (stale);
    END IF;
    -- A creative's first 2W days are among its ads' first 2W each.
    INSERT INTO rolloy_internal.insight_fatigue_early_days (project_id, day, day_no, window_days, impressions, clicks)
    SELECT x.project_id, x.day, x.day_no, w, x.n, x.k
      FROM (SELECT a.project_id, f.day, sum(f.n)::bigint AS n, sum(f.k)::bigint AS k,
                   row_number() OVER (PARTITION BY a.project_id ORDER BY f.day) AS day_no
              FROM rolloy.ads a CROSS JOIN LATERAL (
                   SELECT d.report_date AS day, d.impressions AS n, d.clicks AS k FROM rolloy_internal.ad_days d
                    WHERE d.ad = a.id AND d.period_end <= d.report_date AND d.impressions > 0
                    ORDER BY d.report_date LIMIT 2 * w) f
             WHERE a.project_id IS NOT NULL AND (stale IS NULL OR a.project_id = ANY (stale))
             GROUP BY a.project_id, f.day) x
     WHERE x.day_no <= 2 * w;
END
$$;

-- == Keep this section last: privileges of rolloy_internal (99_internal_privileges.sql) ==
-- Functions created by any section above start executable by PUBLIC, as in a fresh install
-- before 99_internal_privileges.sql runs; this is that file's text, which sets them all at once.
REVOKE ALL ON ALL FUNCTIONS IN SCHEMA rolloy_internal FROM PUBLIC, rolloy_member;
GRANT EXECUTE ON FUNCTION rolloy_internal._owns_project(uuid), rolloy_internal._insight_scope(),
                          rolloy_internal._my_insights(text),
                          rolloy_internal._reads_all_performance(),
                          rolloy_internal._is_currency_code(text), rolloy_internal._stored_image(text, boolean),
                          rolloy_internal._ad_platform_definition_ok(jsonb, text[], text[]),
                          rolloy_internal._presigned_url(text, bigint)
    TO rolloy_member;
-- The dashboard renders as the caller (RLS decides what it shows): its page functions call these
-- from SQL-standard bodies.
GRANT EXECUTE ON FUNCTION rolloy_internal._html(text), rolloy_internal._dash_raise(text, text, text),
                          rolloy_internal._dash_num(numeric, integer), rolloy_internal._dash_pct(numeric),
                          rolloy_internal._dash_empty(text, text), rolloy_internal._dash_frame(text, text, text),
                          rolloy_internal._dash_line_chart(text, text, text, jsonb),
                          rolloy_internal._dash_bar_chart(text, text, text, jsonb),
                          rolloy_internal._dash_meter(text, numeric, numeric, text, integer),
                          rolloy_internal._dash_img(uuid, boolean, text, text), rolloy_internal._dash_trend(text),
                          rolloy_internal._dash_heatmap(text, text), rolloy_internal._dash_leaderboard(boolean),
                          rolloy_internal._dash_cost(text), rolloy_internal._dash_fatigue(), rolloy_internal._dash_findings(),
                          rolloy_internal._dash_overview(text, text, boolean), rolloy_internal._dash_variants(uuid, boolean),
                          rolloy_internal._dash_project(uuid, boolean), rolloy_internal._dash_generation(),
                          rolloy_internal.wilson_lower_bound(numeric, numeric, numeric),
                          rolloy_internal.wilson_upper_bound(numeric, numeric, numeric)
    TO rolloy_member;
