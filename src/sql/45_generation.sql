-- Image generation: storage, provider keys, queueing with quota/budget/rate checks, progress,
-- and the interface of the background worker.

-- ---------------------------------------------------------------------------------------------
-- Storage: image bytes live in the database (backups, RLS and PostgREST cover them too), keyed
-- by a storage reference laid out by project and image: db:generated/<project>/<image>,
-- db:reference/<reference image>. JPEG/PNG do not compress further: store them uncompressed.
CREATE TABLE rolloy.image_store (
    storage_ref   text PRIMARY KEY CHECK (storage_ref ~ '^db:(generated|reference)/'),
    content       bytea NOT NULL,
    content_type  text NOT NULL CHECK (content_type IN ('image/jpeg', 'image/png', 'image/webp')),
    thumbnail     bytea NOT NULL,
    sha256        text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    size_bytes    bigint NOT NULL CHECK (size_bytes > 0),
    created_at    timestamptz NOT NULL DEFAULT now()
);
ALTER TABLE rolloy.image_store ALTER COLUMN content SET STORAGE EXTERNAL;
ALTER TABLE rolloy.image_store ALTER COLUMN thumbnail SET STORAGE EXTERNAL;
COMMENT ON TABLE rolloy.image_store IS
    'Bytes of reference and generated images with their 300x300 thumbnails; readable where the image is '
    '(reference photos: all members with a rolloy identity; generated images: their project''s owner and admins); '
    'written only by rolloy.';
COMMENT ON COLUMN rolloy.image_store.storage_ref IS 'db:generated/<project>/<image> or db:reference/<id>.';
COMMENT ON COLUMN rolloy.image_store.content IS 'The image file.';
COMMENT ON COLUMN rolloy.image_store.content_type IS 'MIME type of content.';
COMMENT ON COLUMN rolloy.image_store.thumbnail IS '300x300 JPEG thumbnail (cover crop, q70).';
COMMENT ON COLUMN rolloy.image_store.sha256 IS 'SHA-256 of content (hex).';
COMMENT ON COLUMN rolloy.image_store.size_bytes IS 'Size of content in bytes.';
SELECT pg_catalog.pg_extension_config_dump('rolloy.image_store', '');

ALTER TABLE rolloy.image_store ENABLE ROW LEVEL SECURITY;
CREATE POLICY image_store_read ON rolloy.image_store FOR SELECT USING (
    EXISTS (SELECT 1 FROM rolloy.generated_images g WHERE g.storage_ref = image_store.storage_ref)
    OR EXISTS (SELECT 1 FROM rolloy.reference_images r WHERE r.storage_ref = image_store.storage_ref));
GRANT SELECT ON rolloy.image_store TO rolloy_member;

-- PostgREST media types: functions returning these domains answer with raw bytes.
CREATE DOMAIN rolloy."image/jpeg" AS bytea;
COMMENT ON DOMAIN rolloy."image/jpeg" IS 'JPEG bytes; PostgREST serves functions returning it as image/jpeg.';
CREATE DOMAIN rolloy."application/zip" AS bytea;
COMMENT ON DOMAIN rolloy."application/zip" IS 'ZIP bytes; PostgREST serves functions returning it as application/zip.';

-- The bytes behind a storage reference, from the store that serves its scheme (see
-- src/pg/storage/image_store.hpp); only for references of rows the caller can see.
-- Runs as the caller (RLS decides what it serves); called from the SQL-standard bodies of image(),
-- thumbnail() and reference_image(), so members get EXECUTE but no USAGE on rolloy_internal.
CREATE FUNCTION rolloy_internal._stored_image(storage_ref text, thumbnail boolean) RETURNS bytea
LANGUAGE C STABLE AS 'MODULE_PATHNAME', 'rolloy_stored_image';
COMMENT ON FUNCTION rolloy_internal._stored_image(text, boolean) IS
    'Bytes (or thumbnail) behind a storage reference of an image or reference photo the caller may see.';

-- Deleting an image or a reference photo deletes its bytes from the store, in the same
-- transaction (a rolled-back delete keeps them).
CREATE FUNCTION rolloy_internal._remove_stored_image(storage_ref text) RETURNS boolean
LANGUAGE C STRICT AS 'MODULE_PATHNAME', 'rolloy_remove_stored_image';
COMMENT ON FUNCTION rolloy_internal._remove_stored_image(text) IS
    'Deletes the bytes behind a storage reference from its store (the delete triggers only).';

CREATE FUNCTION rolloy_internal._forget_stored_images() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    PERFORM rolloy_internal._remove_stored_image(g.storage_ref) FROM gone g WHERE g.storage_ref IS NOT NULL;
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION rolloy_internal._forget_stored_images() IS
    'Trigger: deletes the stored bytes of deleted images and reference photos.';
CREATE TRIGGER forget_stored_images AFTER DELETE ON rolloy.generated_images
    REFERENCING OLD TABLE AS gone FOR EACH STATEMENT EXECUTE FUNCTION rolloy_internal._forget_stored_images();
CREATE TRIGGER forget_stored_images AFTER DELETE ON rolloy.reference_images
    REFERENCING OLD TABLE AS gone FOR EACH STATEMENT EXECUTE FUNCTION rolloy_internal._forget_stored_images();

-- SQL-standard bodies (BEGIN ATOMIC): parsed at creation, so they reach _stored_image by OID and
-- the caller needs no USAGE on rolloy_internal. They run as the caller: RLS decides what is served.
CREATE FUNCTION rolloy.image(image_id uuid) RETURNS rolloy."image/jpeg"
LANGUAGE sql STABLE
BEGIN ATOMIC
    SELECT rolloy_internal._stored_image(g.storage_ref, false)::rolloy."image/jpeg" FROM rolloy.generated_images g
     WHERE g.id = image.image_id AND g.status = 'completed';
END;
COMMENT ON FUNCTION rolloy.image(uuid) IS
    'The generated JPEG of a completed image the caller may see (own projects; admins all); NULL otherwise. '
    'PostgREST: GET /rpc/image?image_id=… with Accept: image/jpeg.';

CREATE FUNCTION rolloy.thumbnail(image_id uuid) RETURNS rolloy."image/jpeg"
LANGUAGE sql STABLE
BEGIN ATOMIC
    SELECT rolloy_internal._stored_image(g.storage_ref, true)::rolloy."image/jpeg" FROM rolloy.generated_images g
     WHERE g.id = thumbnail.image_id AND g.status = 'completed';
END;
COMMENT ON FUNCTION rolloy.thumbnail(uuid) IS
    'The 300x300 JPEG thumbnail of a completed image the caller may see; NULL otherwise. '
    'PostgREST: GET /rpc/thumbnail?image_id=… with Accept: image/jpeg.';

CREATE FUNCTION rolloy.reference_image(reference_image_id uuid, thumbnail boolean DEFAULT false) RETURNS bytea
LANGUAGE sql STABLE
BEGIN ATOMIC
    SELECT rolloy_internal._stored_image(r.storage_ref, reference_image.thumbnail)
      FROM rolloy.reference_images r
     WHERE r.id = reference_image.reference_image_id;
END;
COMMENT ON FUNCTION rolloy.reference_image(uuid, boolean) IS
    'Bytes (or the 300x300 thumbnail) of a reference photo; every member with a rolloy identity may read the shared '
    'photo library (NULL for others and for unknown ids).';

CREATE FUNCTION rolloy.upload_reference_image(content bytea, file_name text, product_state rolloy.product_state,
                                              description text DEFAULT '')
RETURNS rolloy.reference_images
LANGUAGE C SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS 'MODULE_PATHNAME', 'rolloy_upload_reference_image';
COMMENT ON FUNCTION rolloy.upload_reference_image(bytea, text, rolloy.product_state, text) IS
    'Adds a reference photo and returns its reference_images row: the type is sniffed from the bytes (JPEG, '
    'PNG, WebP), size and dimensions are checked, a thumbnail is made, and a photo already uploaded (same '
    'SHA-256) is refused. Any member with a rolloy identity; the photo joins the library every member uses.';

-- Reference photos are written through functions only: rows come from upload_reference_image()
-- (MIME sniffing, size limits, dedupe), and a table-level DELETE privilege would let a member
-- LOCK the table in any mode. Not yours and does not exist answer the same.
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

CREATE FUNCTION rolloy.project_zip(project_id uuid) RETURNS rolloy."application/zip"
LANGUAGE C STABLE AS 'MODULE_PATHNAME', 'rolloy_project_zip';
COMMENT ON FUNCTION rolloy.project_zip(uuid) IS
    'All completed images of a project as one ZIP, files named <ad name>.jpg. Owner of the project or an '
    'admin (42704 otherwise). PostgREST: GET /rpc/project_zip?project_id=… with Accept: application/zip.';

-- ---------------------------------------------------------------------------------------------
-- Provider keys: readable by no ordinary role (no grants, RLS without policies), written only
-- through set_provider_key(), never returned. Not included in pg_dump: re-enter after a restore.
CREATE TABLE rolloy.provider_secrets (
    provider    text PRIMARY KEY CHECK (provider ~ '^[a-z][a-z0-9_]{1,31}$'),
    api_key     text NOT NULL CHECK (length(api_key) BETWEEN 8 AND 512),
    set_by      uuid,
    updated_at  timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE rolloy.provider_secrets IS 'API keys of the providers; no role but the extension owner can read it.';
COMMENT ON COLUMN rolloy.provider_secrets.provider IS 'Provider the key belongs to.';
COMMENT ON COLUMN rolloy.provider_secrets.api_key IS 'The key (never shown).';
COMMENT ON COLUMN rolloy.provider_secrets.set_by IS 'Admin who set it.';
COMMENT ON COLUMN rolloy.provider_secrets.updated_at IS 'When it was set.';
ALTER TABLE rolloy.provider_secrets ENABLE ROW LEVEL SECURITY;
REVOKE ALL ON rolloy.provider_secrets FROM PUBLIC;

CREATE FUNCTION rolloy.set_provider_key(provider text, api_key text) RETURNS void
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
REVOKE ALL ON FUNCTION rolloy.set_provider_key(text, text) FROM PUBLIC;
-- Members may call it (PostgREST admins arrive as members); it checks require_admin() itself.
GRANT EXECUTE ON FUNCTION rolloy.set_provider_key(text, text) TO rolloy_member;
COMMENT ON FUNCTION rolloy.set_provider_key(text, text) IS
    'Stores the API key of a provider (gemini, fal). Admins only; the key is never shown again.';

CREATE FUNCTION rolloy.remove_provider_key(provider text) RETURNS boolean
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    PERFORM rolloy_internal.require_admin();
    DELETE FROM rolloy.provider_secrets s WHERE s.provider = remove_provider_key.provider;
    RETURN FOUND;
END
$$;
REVOKE ALL ON FUNCTION rolloy.remove_provider_key(text) FROM PUBLIC;
-- Members may call it (PostgREST admins arrive as members); it checks require_admin() itself.
GRANT EXECUTE ON FUNCTION rolloy.remove_provider_key(text) TO rolloy_member;
COMMENT ON FUNCTION rolloy.remove_provider_key(text) IS
    'Removes the API key of a provider; true when there was one. Admins only.';

CREATE FUNCTION rolloy.provider_keys() RETURNS TABLE (provider text, key_set boolean, key_hint text, updated_at timestamptz)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
    SELECT p.provider, s.provider IS NOT NULL,
           CASE WHEN s.api_key IS NULL THEN NULL ELSE '…' || right(s.api_key, 4) END, s.updated_at
      FROM (VALUES ('gemini'), ('fal')) p(provider)
      LEFT JOIN rolloy.provider_secrets s ON s.provider = p.provider
     WHERE rolloy.is_admin()
$$;
COMMENT ON FUNCTION rolloy.provider_keys() IS 'Which providers have a key (last 4 characters only). Admins only; empty for others.';

-- ---------------------------------------------------------------------------------------------
-- Settings read by SQL and the worker. GUCs (defined by the library) with these defaults.
CREATE FUNCTION rolloy_internal._setting(name text, fallback text) RETURNS text
LANGUAGE sql STABLE AS $$
    SELECT coalesce(nullif(current_setting('rolloy.' || name, true), ''), fallback)
$$;

-- ---------------------------------------------------------------------------------------------
-- Cost estimates and limits.

-- Expected cost of one image of a provider/model (megapixel prices at ~1 MP).
CREATE FUNCTION rolloy.estimated_image_cost(provider text, model text) RETURNS numeric
LANGUAGE sql STABLE AS $$
    SELECT coalesce(rolloy.price_of(provider, model, 'image'), 0)
         + coalesce(rolloy.price_of(provider, model, 'megapixel'), 0) * 1.05
$$;
COMMENT ON FUNCTION rolloy.estimated_image_cost(text, text) IS
    'Cost in USD one image of a provider and model is expected to cost (per-image price, or per-megapixel '
    'price at 1.05 MP): what quotas and budgets reserve for a queued image. Any member.';

CREATE FUNCTION rolloy.usage_this_month(user_id uuid DEFAULT rolloy.current_user_id())
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
COMMENT ON FUNCTION rolloy.usage_this_month(uuid) IS
    'A user''s images made this month (UTC: successful calls in the ledger) and queued, the quota, USD spent '
    '(every attempt, including those of unknown outcome), USD committed by queued images, and the budget. Own figures, or anyone''s for admins (and superusers without a user).';

-- Refuses (with a clear error) queueing `n` more images of provider/model for `owner`.
-- Callers hold the owner's users row lock, so concurrent queueing cannot both pass.
-- The owner's monthly USD budget against what is spent, what is queued and new_cost.
CREATE FUNCTION rolloy_internal._check_budget(owner uuid, new_cost numeric) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    u record;
BEGIN
    SELECT * INTO u FROM rolloy.usage_this_month(owner);
    IF u.spent_usd + u.queued_usd + new_cost > u.budget_usd THEN
        RAISE EXCEPTION 'monthly budget exceeded: $% spent + $% queued + $% requested > budget $%',
                        round(u.spent_usd, 2), round(u.queued_usd, 2), round(new_cost, 4), u.budget_usd
            USING ERRCODE = 'configuration_limit_exceeded',
                  HINT = 'Use the free preview provider or template prompts, queue fewer images, or ask an admin to raise monthly_budget_usd.';
    END IF;
END
$$;

-- Quota, budget and rate limit for n more images of provider/model. `already_images` and
-- `already_usd` are what the same call requests besides (retry_failed checks several
-- provider/model groups: each is checked on top of the ones before it).
CREATE FUNCTION rolloy_internal._check_limits(owner uuid, n integer, provider text, model text,
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

-- Locks the project (and its owner's users row) for queueing and checks the caller may do it.
CREATE FUNCTION rolloy_internal._lock_own_project(project_id uuid, queueing boolean DEFAULT true)
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

-- ---------------------------------------------------------------------------------------------
-- Queueing.

CREATE FUNCTION rolloy.batch_generate(project_id uuid, options jsonb DEFAULT '{}')
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
COMMENT ON FUNCTION rolloy.batch_generate(uuid, jsonb) IS
    'Queues one image per usable reference photo x variants for a project (owner or admin), after checking '
    'the monthly quota, budget (spent + queued) and rate limit. Options: provider (preview|gemini|fal), model, '
    'variants (1-20), reference_image_ids, strength, steps, guidance, seed, max_attempts. Returns the queued rows.';

CREATE FUNCTION rolloy.cancel_generation(project_id uuid) RETURNS integer
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
COMMENT ON FUNCTION rolloy.cancel_generation(uuid) IS
    'Cancels the pending and in-flight images of a project (an in-flight result is discarded); returns '
    'how many. Owner of the project or an admin.';

CREATE FUNCTION rolloy.retry_failed(project_id uuid) RETURNS integer
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
COMMENT ON FUNCTION rolloy.retry_failed(uuid) IS
    'Puts a project''s failed images back in the queue (attempts reset), within quota and budget; returns '
    'how many. Owner of the project or an admin.';

CREATE FUNCTION rolloy.regenerate_image(image_id uuid, new_seed bigint DEFAULT NULL) RETURNS rolloy.generated_images
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
COMMENT ON FUNCTION rolloy.regenerate_image(uuid, bigint) IS
    'Queues a new variant like an existing image (same reference and parameters, new seed unless given) '
    'within quota, budget and rate limit, and returns its row. The old image keeps its name: it may already be live '
    'in ad platforms. Owner of the project or an admin.';

-- ---------------------------------------------------------------------------------------------
-- Counters, progress notifications and waking the worker.

-- Project counters are recomputed from the rows (not incremented), so they equal the rows
-- whatever happened: retries, crashes, restores.
CREATE FUNCTION rolloy_internal._after_image_change() RETURNS trigger
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
CREATE TRIGGER after_image_change AFTER INSERT OR UPDATE OF status OR DELETE ON rolloy.generated_images
    FOR EACH ROW EXECUTE FUNCTION rolloy_internal._after_image_change();

CREATE FUNCTION rolloy_internal._wake_worker_at_commit() RETURNS void
LANGUAGE C AS 'MODULE_PATHNAME', 'rolloy_wake_worker_at_commit';

CREATE FUNCTION rolloy_internal._withdraw_at_commit() RETURNS void
LANGUAGE C AS 'MODULE_PATHNAME', 'rolloy_withdraw_at_commit';

-- ---------------------------------------------------------------------------------------------
-- Monitoring.

CREATE VIEW rolloy.generation_progress WITH (security_invoker = true) AS
SELECT p.id AS project_id, p.generated_name,
       count(g.id) FILTER (WHERE g.status <> 'cancelled') AS total,
       count(g.id) FILTER (WHERE g.status = 'pending') AS pending,
       count(g.id) FILTER (WHERE g.status = 'processing') AS processing,
       count(g.id) FILTER (WHERE g.status = 'completed') AS completed,
       count(g.id) FILTER (WHERE g.status = 'failed') AS failed,
       count(g.id) FILTER (WHERE g.status = 'cancelled') AS cancelled,
       round(100.0 * count(g.id) FILTER (WHERE g.status IN ('completed', 'failed'))
             / nullif(count(g.id) FILTER (WHERE g.status <> 'cancelled'), 0), 1) AS percent_done,
       coalesce(sum(g.cost_usd), 0) AS cost_usd,
       max(g.updated_at) AS last_change
  FROM rolloy.creative_projects p
  LEFT JOIN rolloy.generated_images g ON g.project_id = p.id
 GROUP BY p.id, p.generated_name;
COMMENT ON VIEW rolloy.generation_progress IS
    'Image generation progress per project: members see their own projects, admins all.';

CREATE VIEW rolloy.queue_metrics WITH (security_invoker = true) AS
SELECT count(*) FILTER (WHERE g.status = 'pending') AS pending,
       count(*) FILTER (WHERE g.status = 'pending' AND g.next_attempt_at <= now()) AS pending_due,
       count(*) FILTER (WHERE g.status = 'processing') AS processing,
       count(*) FILTER (WHERE g.status = 'processing' AND g.lease_expires_at < now()) AS expired_leases,
       extract(epoch FROM now() - min(g.created_at) FILTER (WHERE g.status = 'pending'))::integer AS oldest_pending_seconds,
       count(*) FILTER (WHERE g.status = 'failed' AND g.updated_at > now() - interval '1 hour') AS failed_last_hour,
       count(*) FILTER (WHERE g.status = 'completed' AND g.completed_at > now() - interval '1 hour') AS completed_last_hour
  FROM rolloy.generated_images g;
COMMENT ON VIEW rolloy.queue_metrics IS
    'Queue health over the images the caller may see (admins: all): pending, due, processing, expired leases, '
    'age of the oldest pending image, failures and completions in the last hour.';

CREATE FUNCTION rolloy.worker_status(OUT running boolean, OUT pid integer, OUT database text, OUT started_at timestamptz,
                                     OUT last_loop_at timestamptz, OUT in_flight integer, OUT completed bigint,
                                     OUT failed bigint, OUT retried bigint, OUT last_error text)
LANGUAGE C STABLE AS 'MODULE_PATHNAME', 'rolloy_worker_status';
COMMENT ON FUNCTION rolloy.worker_status() IS
    'Health of the background worker: running, pid, database, start and last loop time, jobs in flight, '
    'and counts since start. running is false when rolloy is not in shared_preload_libraries. Any member.';

CREATE FUNCTION rolloy.restart_worker() RETURNS boolean
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
REVOKE ALL ON FUNCTION rolloy.restart_worker() FROM PUBLIC;
-- Members may call it (PostgREST admins arrive as members); it checks require_admin() itself.
GRANT EXECUTE ON FUNCTION rolloy.restart_worker() TO rolloy_member;
COMMENT ON FUNCTION rolloy.restart_worker() IS
    'Restarts the background worker; false when none runs. It releases its in-flight images on the way out '
    '(their attempt is given back) and the postmaster starts a new worker a few seconds later. Admins only.';

-- ---------------------------------------------------------------------------------------------
-- Retention: usage logs and finished job details do not grow without bound.
CREATE FUNCTION rolloy.cleanup(keep_usage_logs interval DEFAULT '400 days', keep_job_details interval DEFAULT '30 days')
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

GRANT SELECT ON rolloy.generation_progress, rolloy.queue_metrics TO rolloy_member;

-- ---------------------------------------------------------------------------------------------
-- Prompt writing.
CREATE FUNCTION rolloy.generate_prompt(project_id uuid, provider text DEFAULT 'auto') RETURNS text
LANGUAGE C SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS 'MODULE_PATHNAME', 'rolloy_generate_prompt';
COMMENT ON FUNCTION rolloy.generate_prompt(uuid, text) IS
    'Writes the image prompt of a project (owner or admin) from its scene, action, driver and format: '
    'provider template (offline, deterministic), gemini (generateContent), or auto (gemini when a key is '
    'set, else template). Saves prompt, model, tokens and cost on the project, logs the call, returns the prompt. '
    'Honours statement_timeout and cancel while waiting for Gemini.';

DO $comments$
DECLARE
    c record;
BEGIN
    FOR c IN SELECT * FROM (VALUES
        ('generation_progress', 'project_id', 'Project.'), ('generation_progress', 'generated_name', 'Project name.'),
        ('generation_progress', 'total', 'Images queued (cancelled excluded).'),
        ('generation_progress', 'pending', 'Waiting for the worker (incl. retries).'),
        ('generation_progress', 'processing', 'At a provider now.'), ('generation_progress', 'completed', 'Done.'),
        ('generation_progress', 'failed', 'Failed for good (see last_error).'),
        ('generation_progress', 'cancelled', 'Cancelled by the owner.'),
        ('generation_progress', 'percent_done', 'Completed or failed, in % of total.'),
        ('generation_progress', 'cost_usd', 'Provider cost so far.'),
        ('generation_progress', 'last_change', 'Last change of any image of the project.'),
        ('queue_metrics', 'pending', 'Images waiting.'), ('queue_metrics', 'pending_due', 'Waiting images whose retry time has come.'),
        ('queue_metrics', 'processing', 'Images at a provider now.'),
        ('queue_metrics', 'expired_leases', 'Processing images whose worker lease ran out (a stopped worker).'),
        ('queue_metrics', 'oldest_pending_seconds', 'Age of the oldest waiting image.'),
        ('queue_metrics', 'failed_last_hour', 'Images that failed for good in the last hour.'),
        ('queue_metrics', 'completed_last_hour', 'Images completed in the last hour.')) AS v(view, col, txt)
    LOOP
        EXECUTE format('COMMENT ON COLUMN rolloy.%I.%I IS %L', c.view, c.col, c.txt);
    END LOOP;
END
$comments$;
