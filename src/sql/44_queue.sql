-- Image generation, part 4: queueing images, cancelling and retrying them.

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
