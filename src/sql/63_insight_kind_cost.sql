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
