-- Kind "trend": per ISO week and per month, overall (dimension all) and per ABCD value, one row
-- per currency (every figure of a row comes from rows in that currency). From the rollup's
-- pieces; a refresh rewrites only the periods whose pieces changed, unless the creatives the ads
-- belong to, or their ABCD, changed (run.regrouped: then all). A member's trends: the same
-- computation over their own creatives, at read time (_my_insights).
CREATE FUNCTION rolloy_internal._trend_rows(owner uuid, stamp timestamptz, weeks date[], months date[])
RETURNS SETOF rolloy.insights
-- PL/pgSQL and EXECUTE: planned with the arguments' values, so that all periods (a rebuild) and a
-- few (after an import) each get their own plan.
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    -- the span of the pieces wanted (NULL: all), as bounds of the pieces' index on (ad, week_start)
    first_week date := (SELECT min(x) - 6 FROM unnest(weeks || months) x);
    last_week date := (SELECT max(x) + 31 FROM unnest(weeks || months) x);
    -- Creative x period x currency, in bigint. All periods (a rebuild): two aggregates over every
    -- piece, one per grain (expanding each piece into a week row and a month row cost a third
    -- more). A few periods (after an import): the pieces of those periods, read once through the
    -- index and expanded (two passes would read them twice, one of them by a scan of all pieces).
    period text := CASE WHEN weeks IS NULL THEN $all$
            SELECT true AS is_week, p.week_start AS period_start, a.project_id, p.currency,
                   rolloy_internal.bigint_sum(p.impressions) AS impressions, rolloy_internal.bigint_sum(p.clicks) AS clicks,
                   rolloy_internal.bigint_sum(p.conversions) AS conversions, rolloy_internal.bigint_sum(p.spend) AS spend,
                   rolloy_internal.bigint_sum(p.conversion_value) AS conversion_value, max(p.last_day) AS last_day
              FROM rolloy_internal.insight_pieces p
              JOIN rolloy.ads a ON a.id = p.ad
             WHERE a.project_id IN (SELECT c.id FROM creative c)
             GROUP BY p.week_start, a.project_id, p.currency
            UNION ALL
            SELECT false, p.month_start, a.project_id, p.currency,
                   rolloy_internal.bigint_sum(p.impressions), rolloy_internal.bigint_sum(p.clicks),
                   rolloy_internal.bigint_sum(p.conversions), rolloy_internal.bigint_sum(p.spend),
                   rolloy_internal.bigint_sum(p.conversion_value), max(p.last_day)
              FROM rolloy_internal.insight_pieces p
              JOIN rolloy.ads a ON a.id = p.ad
             WHERE a.project_id IN (SELECT c.id FROM creative c)
             GROUP BY p.month_start, a.project_id, p.currency
        $all$ ELSE $some$
            SELECT g.is_week, g.period_start, a.project_id, p.currency,
                   rolloy_internal.bigint_sum(p.impressions) AS impressions, rolloy_internal.bigint_sum(p.clicks) AS clicks,
                   rolloy_internal.bigint_sum(p.conversions) AS conversions, rolloy_internal.bigint_sum(p.spend) AS spend,
                   rolloy_internal.bigint_sum(p.conversion_value) AS conversion_value, max(p.last_day) AS last_day
              FROM rolloy_internal.insight_pieces p
              JOIN rolloy.ads a ON a.id = p.ad
             CROSS JOIN LATERAL (VALUES (true, p.week_start), (false, p.month_start)) g(is_week, period_start)
             WHERE a.project_id IN (SELECT c.id FROM creative c)
               AND p.week_start >= $5 AND p.week_start <= $6
               AND (p.week_start = ANY ($3) OR p.month_start = ANY ($4))
               AND g.period_start = ANY (CASE WHEN g.is_week THEN $3 ELSE $4 END)
             GROUP BY g.is_week, g.period_start, a.project_id, p.currency
        $some$ END;
BEGIN
    -- Grouped by ids and a boolean grain, named only in the few rows that come out: hashing texts
    -- cost a tenth of the computation.
    RETURN QUERY EXECUTE format($q$
        WITH creative AS (  -- the creatives counted, with their ABCD as ids (category: its code)
            SELECT c.id, s.category_code AS category, c.scene_id AS scene, c.action_id AS action, c.driver_id AS driver,
                   c.format_id AS format
              FROM rolloy.creative_projects c
              JOIN rolloy.scenes s ON s.id = c.scene_id
             WHERE $1 IS NULL OR c.created_by = $1
        ), period AS (%s
        ), totals AS (  -- one pass, one hash table per dimension
            SELECT r.is_week, r.period_start, r.currency,
                   CASE WHEN GROUPING(cr.category) = 0 THEN 'category' WHEN GROUPING(cr.scene) = 0 THEN 'scene'
                        WHEN GROUPING(cr.action) = 0 THEN 'action' WHEN GROUPING(cr.driver) = 0 THEN 'driver'
                        WHEN GROUPING(cr.format) = 0 THEN 'format' ELSE 'all' END AS dimension,
                   cr.category, cr.scene, cr.action, cr.driver, cr.format,
                   rolloy_internal.bigint_sum(r.impressions) AS impressions, rolloy_internal.bigint_sum(r.clicks) AS clicks,
                   rolloy_internal.bigint_sum(r.conversions) * 0.000001 AS conversions,
                   rolloy_internal.bigint_sum(r.spend) * 0.000001 AS spend,
                   rolloy_internal.bigint_sum(r.conversion_value) * 0.000001 AS conversion_value, count(*) AS creatives,
                   max(r.last_day) AS last_day
              FROM period r JOIN creative cr ON cr.id = r.project_id
             GROUP BY GROUPING SETS ((r.is_week, r.period_start, r.currency), (r.is_week, r.period_start, r.currency, cr.category),
                                    (r.is_week, r.period_start, r.currency, cr.scene), (r.is_week, r.period_start, r.currency, cr.action),
                                    (r.is_week, r.period_start, r.currency, cr.driver), (r.is_week, r.period_start, r.currency, cr.format))
        )
        -- the columns of rolloy.insights, in order
        SELECT NULL::bigint, $2, $1, 'trend', t.dimension,
               coalesce(t.category, s.category_code || '_' || s.scene_code, ac.code, dr.code, f.code, 'all'), 'ctr',
               t.clicks::numeric / nullif(t.impressions, 0), NULL::numeric, NULL::numeric, t.creatives::integer,
               jsonb_build_object('data_through', t.last_day), NULL::uuid, NULL::text, NULL::text,
               CASE WHEN t.is_week THEN 'week' ELSE 'month' END, t.period_start, NULL::text, NULL::integer,
               rolloy_internal._currency_code(t.currency), t.impressions, t.clicks, t.conversions, t.spend,
               t.conversion_value, NULL::uuid
          FROM totals t
          LEFT JOIN rolloy.scenes s ON s.id = t.scene
          LEFT JOIN rolloy.actions ac ON ac.id = t.action
          LEFT JOIN rolloy.drivers dr ON dr.id = t.driver
          LEFT JOIN rolloy.formats f ON f.id = t.format
    $q$, period) USING owner, stamp, weeks, months, first_week, last_week;
END
$$;

CREATE FUNCTION rolloy_internal._insight_trends(run rolloy_internal.insight_run) RETURNS bigint
LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    weeks date[] := run.weeks;
    months date[] := run.months;
    nest_loop text := pg_catalog.current_setting('enable_nestloop');
    sort text := pg_catalog.current_setting('enable_sort');
    written bigint;
BEGIN
    IF weeks IS NULL OR run.regrouped THEN  -- every period may have changed
        weeks := NULL;
        months := NULL;
        DELETE FROM rolloy.insights i WHERE i.kind = 'trend';
    ELSIF cardinality(weeks) = 0 THEN
        RETURN 0;  -- nothing changed
    ELSE
        DELETE FROM rolloy.insights i
         WHERE i.kind = 'trend' AND i.period_start = ANY (CASE i.grain WHEN 'week' THEN weeks ELSE months END);
    END IF;
    -- The periods an import wrote are newer than the statistics of the pieces, so the planner guesses
    -- one piece for them (there are thousands) and joined the creatives to it by nested loops: a
    -- quarter of a second. Hash joins cost a few milliseconds whatever the count.
    -- All periods: the planner overestimates the creative x period rows fourfold (7.6 million for
    -- 1.8 million at 10M facts) and groups them by sorting; its hash tables (the groups are a
    -- fifteenth of the rows) took 15-16 s there against 20 s.
    IF weeks IS NOT NULL THEN
        PERFORM pg_catalog.set_config('enable_nestloop', 'off', true);
    ELSE
        PERFORM pg_catalog.set_config('enable_sort', 'off', true);
    END IF;
    written := rolloy_internal._store_insights(format('rolloy_internal._trend_rows(NULL, %L, %L, %L)', run.stamp, weeks, months));
    PERFORM pg_catalog.set_config('enable_nestloop', nest_loop, true), pg_catalog.set_config('enable_sort', sort, true);
    RETURN written;
END
$$;
