-- Kind "tier", of images (dimension image): the variants that run as ads (…_V01), ranked among all
-- images with data exactly as creatives are (Wilson lower bound of CTR, the same gate), over the
-- ads matched to an image. Members read their own images' rows (RLS).
CREATE FUNCTION rolloy_internal._insight_image_tiers(run rolloy_internal.insight_run) RETURNS bigint
LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    cfg rolloy.insight_settings := (SELECT s FROM rolloy.insight_settings s);
    reporting text := rolloy_internal._reporting_currency();
    written bigint;
BEGIN
    DELETE FROM rolloy.insights i WHERE i.kind = 'tier' AND i.dimension = 'image';
    INSERT INTO rolloy.insights (refreshed_at, kind, dimension, dimension_value, project_id, image_id, metric, value, label,
                                 rank, currency, impressions, clicks, conversions, spend, conversion_value,
                                 sample_creatives, details)
    WITH unit AS (
        SELECT a.image_id, a.project_id, sum(t.impressions)::bigint AS impressions, sum(t.clicks)::bigint AS clicks,
               sum(t.conversions) * 0.000001 AS conversions,
               coalesce(sum(t.spend) FILTER (WHERE rolloy_internal._currency_code(t.currency) = reporting), 0) * 0.000001 AS spend,
               coalesce(sum(t.conversion_value) FILTER (WHERE rolloy_internal._currency_code(t.currency) = reporting), 0)
                   * 0.000001 AS conversion_value
          FROM rolloy_internal.insight_ad_totals t
          JOIN rolloy.ads a ON a.id = t.ad AND a.image_id IS NOT NULL
         GROUP BY a.image_id, a.project_id
    ), scored AS (
        SELECT u.*, g.ad_name, u.impressions >= cfg.min_impressions AS eligible,
               rolloy_internal.wilson_lower_bound(u.clicks, u.impressions, cfg.wilson_z) AS lower_bound
          FROM unit u JOIN rolloy.generated_images g ON g.id = u.image_id
    ), ranked AS (
        SELECT s.*, CASE WHEN s.eligible THEN rank() OVER (PARTITION BY s.eligible ORDER BY s.lower_bound DESC) END AS tier_rank,
               count(*) FILTER (WHERE s.eligible) OVER () AS eligible_images
          FROM scored s
    )
    SELECT run.stamp, 'tier', 'image', r.ad_name, r.project_id, r.image_id, 'ctr', r.clicks::numeric / nullif(r.impressions, 0),
           rolloy_internal._tier(r.eligible, r.tier_rank, r.eligible_images), r.tier_rank, reporting, r.impressions,
           r.clicks, r.conversions, r.spend, r.conversion_value, 1,
           jsonb_build_object('ctr_lower_bound', r.lower_bound, 'ctr_upper_bound',
                              rolloy_internal.wilson_upper_bound(r.clicks, r.impressions, cfg.wilson_z),
                              'eligible_images', r.eligible_images)
      FROM ranked r;
    GET DIAGNOSTICS written = ROW_COUNT;
    RETURN written;
END
$$;
