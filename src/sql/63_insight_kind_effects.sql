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
