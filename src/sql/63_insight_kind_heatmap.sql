-- Kind "heatmap": every pair of ABCD dimensions, one row per cell and currency (stored once, in
-- ABCD order; the view offers both ways). A member's: the same over their own creatives, at read time.
CREATE FUNCTION rolloy_internal._heatmap_rows(owner uuid, stamp timestamptz) RETURNS SETOF rolloy.insights
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
    WITH cells AS (
        SELECT v.d1, v.v1, v.d2, v.v2, c.currency, sum(c.impressions)::bigint AS impressions,
               sum(c.clicks)::bigint AS clicks, sum(c.conversions) AS conversions, sum(c.spend) AS spend,
               sum(c.conversion_value) AS conversion_value, count(*) AS creatives
          FROM rolloy_internal._creative_totals(owner) c
         CROSS JOIN LATERAL (VALUES
               ('category', c.category, 'scene', c.scene), ('category', c.category, 'action', c.action),
               ('category', c.category, 'driver', c.driver), ('category', c.category, 'format', c.format),
               ('scene', c.scene, 'action', c.action), ('scene', c.scene, 'driver', c.driver),
               ('scene', c.scene, 'format', c.format), ('action', c.action, 'driver', c.driver),
               ('action', c.action, 'format', c.format), ('driver', c.driver, 'format', c.format)) v(d1, v1, d2, v2)
         GROUP BY v.d1, v.v1, v.d2, v.v2, c.currency
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
