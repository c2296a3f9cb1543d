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
