-- Kind "trend": per ISO week and per month, overall (dimension all) and per ABCD value, one row
-- per currency (every figure of a row comes from rows in that currency). From the rollup's
-- pieces; a refresh rewrites only the periods whose pieces changed, unless the creatives the ads
-- belong to, or their ABCD, changed (run.regrouped: then all). A member's trends: the same
-- computation over their own creatives, at read time (_my_insights).

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
