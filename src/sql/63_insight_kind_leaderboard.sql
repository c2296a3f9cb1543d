-- Kind "leaderboard": the brand's best creatives by tier rank, leaderboard_size of them (ties at
-- the last rank included). A member sees where their own creatives stand on it (RLS); their own
-- ranking is insight_tiers ordered by rank.
CREATE FUNCTION rolloy_internal._insight_leaderboard(run rolloy_internal.insight_run) RETURNS bigint
LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    written bigint;
BEGIN
    DELETE FROM rolloy.insights i WHERE i.kind = 'leaderboard';
    INSERT INTO rolloy.insights (refreshed_at, kind, dimension, dimension_value, project_id, metric, value, label, rank,
                                 currency, impressions, clicks, conversions, spend, conversion_value, sample_creatives,
                                 details)
    SELECT run.stamp, 'leaderboard', i.dimension, i.dimension_value, i.project_id, i.metric, i.value, i.label, i.rank,
           i.currency, i.impressions, i.clicks, i.conversions, i.spend, i.conversion_value, i.sample_creatives, i.details
      FROM rolloy.insights i
     WHERE i.kind = 'tier' AND i.dimension = 'creative'
       AND i.rank <= (SELECT s.leaderboard_size FROM rolloy.insight_settings s);
    GET DIAGNOSTICS written = ROW_COUNT;
    RETURN written;
END
$$;
