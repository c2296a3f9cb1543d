-- refresh_insights(): the rollup step, then every kind of insight, in one transaction.
-- Every stored insight is computed once, over the whole brand (scope_user_id NULL): the rows of
-- per-creative kinds (tiers, leaderboard, fatigue) reach members through RLS (their own
-- creatives); members' effects, trends, cost and heatmaps are the same row functions run over
-- their own creatives when they read (_my_insights), so storage grows with creatives x kinds,
-- never with users. docs/insights.md says what each figure means for whom.

CREATE FUNCTION rolloy.refresh_insights()
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
