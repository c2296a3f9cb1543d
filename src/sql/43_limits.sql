-- Image generation, part 3: what queued work is expected to cost, and the monthly quota,
-- budget and rate limit that every queueing function checks.

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
