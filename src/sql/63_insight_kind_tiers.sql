-- Kind "tier", of creatives: every creative with data ranked by the Wilson lower bound of its CTR
-- among the creatives past the min_impressions gate (ties share a rank); top X % when its rank
-- is within the first X % of them. Computed over the whole brand: a member reads the rows of
-- their own creatives (RLS), so a tier means the same to everyone who sees it.
CREATE FUNCTION rolloy_internal._insight_tiers(run rolloy_internal.insight_run) RETURNS bigint
LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    cfg rolloy.insight_settings := (SELECT s FROM rolloy.insight_settings s);
    reporting text := rolloy_internal._reporting_currency();
    written bigint;
BEGIN
    DELETE FROM rolloy.insights i WHERE i.kind = 'tier' AND i.dimension = 'creative';
    INSERT INTO rolloy.insights (refreshed_at, kind, dimension, dimension_value, project_id, metric, value, label, rank,
                                 currency, impressions, clicks, conversions, spend, conversion_value, sample_creatives,
                                 details)
    WITH unit AS (  -- counts over all currencies (CTR), money in the reporting currency
        SELECT t.project_id, t.creative_name, t.category, t.scene, t.action, t.driver, t.format,
               sum(t.impressions)::bigint AS impressions, sum(t.clicks)::bigint AS clicks, sum(t.conversions) AS conversions,
               coalesce(sum(t.spend) FILTER (WHERE t.currency = reporting), 0) AS spend,
               coalesce(sum(t.conversion_value) FILTER (WHERE t.currency = reporting), 0) AS conversion_value
          FROM rolloy_internal._creative_totals(NULL) t
         GROUP BY t.project_id, t.creative_name, t.category, t.scene, t.action, t.driver, t.format
    ), scored AS (
        SELECT u.*, u.impressions >= cfg.min_impressions AS eligible,
               rolloy_internal.wilson_lower_bound(u.clicks, u.impressions, cfg.wilson_z) AS lower_bound
          FROM unit u
    ), ranked AS (
        SELECT s.*, CASE WHEN s.eligible THEN rank() OVER (PARTITION BY s.eligible ORDER BY s.lower_bound DESC) END AS tier_rank,
               count(*) FILTER (WHERE s.eligible) OVER () AS eligible_creatives
          FROM scored s
    )
    SELECT run.stamp, 'tier', 'creative', r.creative_name, r.project_id, 'ctr', r.clicks::numeric / nullif(r.impressions, 0),
           rolloy_internal._tier(r.eligible, r.tier_rank, r.eligible_creatives), r.tier_rank, reporting, r.impressions,
           r.clicks, r.conversions, r.spend, r.conversion_value, 1,
           jsonb_build_object('ctr_lower_bound', r.lower_bound, 'ctr_upper_bound',
                              rolloy_internal.wilson_upper_bound(r.clicks, r.impressions, cfg.wilson_z),
                              'eligible_creatives', r.eligible_creatives, 'category', r.category, 'scene', r.scene,
                              'action', r.action, 'driver', r.driver, 'format', r.format)
      FROM ranked r;
    GET DIAGNOSTICS written = ROW_COUNT;
    RETURN written;
END
$$;
