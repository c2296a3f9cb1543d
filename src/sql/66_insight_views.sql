-- The insight views (docs/api.md): BI tools and the dashboard read them. Each shows the caller's
-- view of the one computation over all data: admins read every stored row; members read the
-- stored rows of their own creatives (tiers, leaderboard, fatigue: RLS of rolloy.insights) and
-- their own effects, trends, cost and heatmaps, computed when they read (_my_insights). Ratios
-- are computed here from the sums.

CREATE VIEW rolloy.insight_tiers WITH (security_invoker = true) AS
SELECT i.scope_user_id, i.project_id, i.dimension_value AS creative_name, i.label AS tier, i.rank,
       (i.details ->> 'eligible_creatives')::integer AS eligible_creatives,
       i.impressions, i.clicks, i.clicks::numeric / nullif(i.impressions, 0) AS ctr,
       (i.details ->> 'ctr_lower_bound')::numeric AS ctr_lower_bound,
       (i.details ->> 'ctr_upper_bound')::numeric AS ctr_upper_bound,
       i.conversions, i.currency, i.spend, i.conversion_value, i.conversion_value / nullif(i.spend, 0) AS roas,
       i.details ->> 'category' AS category_code, i.details ->> 'scene' AS scene_code,
       i.details ->> 'action' AS action_code, i.details ->> 'driver' AS driver_code,
       i.details ->> 'format' AS format_code, i.refreshed_at
  FROM rolloy.insights i
 WHERE i.kind = 'tier' AND i.dimension = 'creative'
   AND EXISTS (SELECT FROM rolloy.creative_projects p WHERE p.id = i.project_id);  -- deleted since the refresh
COMMENT ON VIEW rolloy.insight_tiers IS
    'Performance tier of every creative with performance data, ranked by the Wilson lower bound of CTR '
    'among creatives past the min_impressions gate (admins: all creatives; members: their own).';

CREATE VIEW rolloy.insight_image_tiers WITH (security_invoker = true) AS
SELECT i.scope_user_id, i.image_id, i.project_id, i.dimension_value AS ad_name, i.label AS tier, i.rank,
       (i.details ->> 'eligible_images')::integer AS eligible_images,
       i.impressions, i.clicks, i.clicks::numeric / nullif(i.impressions, 0) AS ctr,
       (i.details ->> 'ctr_lower_bound')::numeric AS ctr_lower_bound,
       (i.details ->> 'ctr_upper_bound')::numeric AS ctr_upper_bound,
       i.conversions, i.currency, i.spend, i.conversion_value, i.conversion_value / nullif(i.spend, 0) AS roas,
       i.refreshed_at
  FROM rolloy.insights i
 WHERE i.kind = 'tier' AND i.dimension = 'image'
   AND EXISTS (SELECT FROM rolloy.generated_images g WHERE g.id = i.image_id);  -- deleted since the refresh
COMMENT ON VIEW rolloy.insight_image_tiers IS
    'Performance tier of every generated image (variant) with performance data, ranked like the creatives by the '
    'Wilson lower bound of CTR among the scope''s images past the min_impressions gate (admins: all images; '
    'members: their own). The image leaderboard: WHERE rank <= leaderboard_size ORDER BY rank.';

CREATE VIEW rolloy.insight_leaderboard WITH (security_invoker = true) AS
SELECT t.rank, t.scope_user_id, t.project_id, t.creative_name, t.tier, t.impressions, t.clicks, t.ctr,
       t.ctr_lower_bound, t.currency, t.spend, t.conversion_value, t.roas, t.category_code, t.scene_code,
       t.action_code, t.driver_code, t.format_code, t.refreshed_at
  FROM (SELECT i.scope_user_id, i.project_id, i.dimension_value AS creative_name, i.label AS tier, i.rank,
               i.impressions, i.clicks, i.clicks::numeric / nullif(i.impressions, 0) AS ctr,
               (i.details ->> 'ctr_lower_bound')::numeric AS ctr_lower_bound, i.currency, i.spend,
               i.conversion_value, i.conversion_value / nullif(i.spend, 0) AS roas,
               i.details ->> 'category' AS category_code, i.details ->> 'scene' AS scene_code,
               i.details ->> 'action' AS action_code, i.details ->> 'driver' AS driver_code,
               i.details ->> 'format' AS format_code, i.refreshed_at
          FROM rolloy.insights i
         WHERE i.kind = 'leaderboard'
           AND EXISTS (SELECT FROM rolloy.creative_projects p WHERE p.id = i.project_id)) t;
COMMENT ON VIEW rolloy.insight_leaderboard IS
    'The top creatives (insight_settings.leaderboard_size, default 20; ties at the last rank included) '
    'by the Wilson lower bound of CTR (admins: all creatives; members: their own).';

CREATE VIEW rolloy.insight_effects WITH (security_invoker = true) AS
SELECT i.scope_user_id, i.dimension, i.dimension_value, i.metric, i.value,
       (i.details ->> 'rest_value')::numeric AS rest_value, i.lift, i.confidence_score, i.label AS verdict,
       i.sample_creatives AS creatives, (i.details ->> 'rest_creatives')::integer AS rest_creatives,
       (i.details ->> 'p_value')::numeric AS p_value, (i.details ->> 't_statistic')::numeric AS t_statistic,
       (i.details ->> 'degrees_of_freedom')::numeric AS degrees_of_freedom,
       (i.details ->> 'std_error')::numeric AS std_error,
       i.impressions, i.clicks, i.currency, i.spend, i.conversion_value, i.refreshed_at,
       (i.details ->> 'few_creatives')::boolean AS few_creatives, i.details ->> 'untested_because' AS untested_because
  FROM (SELECT x.* FROM rolloy.insights x WHERE x.kind = 'effect' AND (SELECT rolloy_internal._insight_scope()) IS NULL
        UNION ALL
        SELECT m.* FROM rolloy_internal._my_insights('effect') m) i;
COMMENT ON VIEW rolloy.insight_effects IS
    'Effect of each scene category, scene, action, driver and format on CTR and ROAS: the value over '
    'the creatives that have it against the rest, lift and confidence_score (Welch test with creatives '
    'as the unit, degrees of freedom from their effective number; docs/insights.md). few_creatives: a side '
    'has fewer than 10, so read the verdict as a lead. Admins: over all data; members: over their own creatives.';

CREATE VIEW rolloy.insight_trends WITH (security_invoker = true) AS
SELECT i.scope_user_id, i.grain, i.period_start,
       (i.period_start + CASE i.grain WHEN 'week' THEN interval '6 days' ELSE interval '1 month - 1 day' END)::date AS period_end,
       (i.details ->> 'data_through')::date AS data_through,
       i.dimension, i.dimension_value, i.currency, i.sample_creatives AS creatives,
       i.impressions, i.clicks, i.conversions, i.spend, i.conversion_value,
       i.clicks::numeric / nullif(i.impressions, 0) AS ctr, i.spend / nullif(i.clicks, 0) AS cpc,
       i.spend * 1000 / nullif(i.impressions, 0) AS cpm, i.spend / nullif(i.conversions, 0) AS cpa,
       i.conversion_value / nullif(i.spend, 0) AS roas, i.refreshed_at
  FROM (SELECT x.* FROM rolloy.insights x WHERE x.kind = 'trend' AND (SELECT rolloy_internal._insight_scope()) IS NULL
        UNION ALL
        SELECT m.* FROM rolloy_internal._my_insights('trend') m) i;
COMMENT ON VIEW rolloy.insight_trends IS
    'Weekly and monthly figures, overall (dimension all) and per ABCD value, one row per currency '
    '(admins: all data; members: their own creatives).';

CREATE VIEW rolloy.insight_cost_efficiency WITH (security_invoker = true) AS
SELECT i.scope_user_id, i.dimension, i.dimension_value, i.currency, i.sample_creatives AS creatives,
       i.impressions, i.clicks, i.conversions, i.spend, i.conversion_value,
       i.clicks::numeric / nullif(i.impressions, 0) AS ctr, i.spend / nullif(i.clicks, 0) AS cpc,
       i.spend * 1000 / nullif(i.impressions, 0) AS cpm, i.spend / nullif(i.conversions, 0) AS cpa,
       i.conversion_value / nullif(i.spend, 0) AS roas, i.refreshed_at
  FROM (SELECT x.* FROM rolloy.insights x WHERE x.kind = 'cost' AND (SELECT rolloy_internal._insight_scope()) IS NULL
        UNION ALL
        SELECT m.* FROM rolloy_internal._my_insights('cost') m) i;
COMMENT ON VIEW rolloy.insight_cost_efficiency IS
    'Spend, CPC, CPM, CPA and ROAS overall (dimension all) and per ABCD value, one row per currency '
    '(admins: all data; members: their own creatives).';

CREATE VIEW rolloy.insight_heatmap WITH (security_invoker = true) AS
SELECT h.scope_user_id, h.dimension_x, h.value_x, h.dimension_y, h.value_y, h.currency, h.creatives,
       h.impressions, h.clicks, h.conversions, h.spend, h.conversion_value,
       h.clicks::numeric / nullif(h.impressions, 0) AS ctr, h.spend / nullif(h.clicks, 0) AS cpc,
       h.spend / nullif(h.conversions, 0) AS cpa, h.conversion_value / nullif(h.spend, 0) AS roas, h.refreshed_at
  FROM (SELECT i.scope_user_id, xy.dimension_x, xy.value_x, xy.dimension_y, xy.value_y, i.currency,
               i.sample_creatives AS creatives, i.impressions, i.clicks, i.conversions, i.spend,
               i.conversion_value, i.refreshed_at
          FROM (SELECT x.* FROM rolloy.insights x
                 WHERE x.kind = 'heatmap' AND (SELECT rolloy_internal._insight_scope()) IS NULL
                UNION ALL
                SELECT m.* FROM rolloy_internal._my_insights('heatmap') m) i
         CROSS JOIN LATERAL (VALUES (i.dimension, i.dimension_value, i.dimension2, i.dimension_value2),
                                    (i.dimension2, i.dimension_value2, i.dimension, i.dimension_value))
               xy(dimension_x, value_x, dimension_y, value_y)) h;
COMMENT ON VIEW rolloy.insight_heatmap IS
    'Any two ABCD dimensions against each other (filter dimension_x and dimension_y, e.g. scene x '
    'driver): CTR, CPC, CPA and ROAS per cell, one row per currency (admins: all data; members: their own creatives).';

CREATE VIEW rolloy.insight_fatigue WITH (security_invoker = true) AS
SELECT i.scope_user_id, i.project_id, i.dimension_value AS creative_name, i.label AS status,
       (i.details ->> 'baseline_ctr')::numeric AS baseline_ctr, i.value AS recent_ctr, i.lift AS ctr_change,
       i.confidence_score, (i.details ->> 'window_days')::integer AS window_days,
       (i.details ->> 'baseline_from')::date AS baseline_from, (i.details ->> 'baseline_to')::date AS baseline_to,
       (i.details ->> 'recent_from')::date AS recent_from, (i.details ->> 'recent_to')::date AS recent_to,
       (i.details ->> 'days_with_data')::integer AS days_with_data, i.impressions, i.clicks, i.refreshed_at
  FROM rolloy.insights i
 WHERE i.kind = 'fatigue'
   AND EXISTS (SELECT FROM rolloy.creative_projects p WHERE p.id = i.project_id);  -- deleted since the refresh
COMMENT ON VIEW rolloy.insight_fatigue IS
    'Creative fatigue: CTR of the last window_days days with data against the first window_days; '
    'fatigued when it fell by at least insight_settings.fatigue_drop with enough confidence (admins: all '
    'creatives; members: their own).';

DO $comments$
DECLARE
    c record;
BEGIN
    FOR c IN SELECT * FROM (VALUES
        ('insight_tiers', 'scope_user_id', 'Always NULL: computed over all data (members read the rows of their own creatives).'),
        ('insight_tiers', 'project_id', 'Creative (project) id.'),
        ('insight_tiers', 'creative_name', 'Ad name of the creative.'),
        ('insight_tiers', 'tier', 'top_10, top_20, top_50, below_50, or insufficient_data (below the min_impressions gate).'),
        ('insight_tiers', 'rank', 'Rank by the Wilson lower bound of CTR among eligible creatives (1 = best; ties share a rank).'),
        ('insight_tiers', 'eligible_creatives', 'Creatives past the gate in the scope; the tier is rank / eligible_creatives.'),
        ('insight_tiers', 'impressions', 'Impressions (all currencies).'),
        ('insight_tiers', 'clicks', 'Clicks (all currencies).'),
        ('insight_tiers', 'ctr', 'Click-through rate: clicks / impressions.'),
        ('insight_tiers', 'ctr_lower_bound', 'Wilson lower bound of CTR (the ranking score).'),
        ('insight_tiers', 'ctr_upper_bound', 'Wilson upper bound of CTR.'),
        ('insight_tiers', 'conversions', 'Conversions (all currencies).'),
        ('insight_tiers', 'currency', 'Reporting currency of the scope (most impressions): spend, value and ROAS are in it.'),
        ('insight_tiers', 'spend', 'Spend in currency (rows in other currencies are not added).'),
        ('insight_tiers', 'conversion_value', 'Conversion value in currency.'),
        ('insight_tiers', 'roas', 'Return on ad spend: conversion_value / spend.'),
        ('insight_tiers', 'category_code', 'A1: scene category code.'),
        ('insight_tiers', 'scene_code', 'A2: scene, as A1_A2 (e.g. OUT_PARK).'),
        ('insight_tiers', 'action_code', 'B: action code.'),
        ('insight_tiers', 'driver_code', 'C: emotional driver code.'),
        ('insight_tiers', 'format_code', 'D: format code.'),
        ('insight_tiers', 'refreshed_at', 'When rolloy.refresh_insights() computed the figures.'),
        ('insight_image_tiers', 'scope_user_id', 'Always NULL: computed over all data (members read the rows of their own images).'),
        ('insight_image_tiers', 'image_id', 'Generated image id.'),
        ('insight_image_tiers', 'project_id', 'Its creative (project).'),
        ('insight_image_tiers', 'ad_name', 'Ad name of the image (the creative''s name and _Vnn).'),
        ('insight_image_tiers', 'tier', 'top_10, top_20, top_50, below_50 among the scope''s images, or insufficient_data (below the min_impressions gate).'),
        ('insight_image_tiers', 'rank', 'Rank by the Wilson lower bound of CTR among eligible images (1 = best; ties share a rank).'),
        ('insight_image_tiers', 'eligible_images', 'Images past the gate in the scope; the tier is rank / eligible_images.'),
        ('insight_image_tiers', 'impressions', 'Impressions (all currencies).'),
        ('insight_image_tiers', 'clicks', 'Clicks (all currencies).'),
        ('insight_image_tiers', 'ctr', 'Click-through rate: clicks / impressions.'),
        ('insight_image_tiers', 'ctr_lower_bound', 'Wilson lower bound of CTR (the ranking score).'),
        ('insight_image_tiers', 'ctr_upper_bound', 'Wilson upper bound of CTR.'),
        ('insight_image_tiers', 'conversions', 'Conversions (all currencies).'),
        ('insight_image_tiers', 'currency', 'Reporting currency of the scope: spend, value and ROAS are in it.'),
        ('insight_image_tiers', 'spend', 'Spend in currency (rows in other currencies are not added).'),
        ('insight_image_tiers', 'conversion_value', 'Conversion value in currency.'),
        ('insight_image_tiers', 'roas', 'Return on ad spend: conversion_value / spend.'),
        ('insight_image_tiers', 'refreshed_at', 'When rolloy.refresh_insights() computed the figures.'),

        ('insight_leaderboard', 'rank', 'Rank by the Wilson lower bound of CTR (1 = best; ties share a rank).'),
        ('insight_leaderboard', 'scope_user_id', 'Always NULL: computed over all data (members read the rows of their own creatives).'),
        ('insight_leaderboard', 'project_id', 'Creative (project) id.'),
        ('insight_leaderboard', 'creative_name', 'Ad name of the creative.'),
        ('insight_leaderboard', 'tier', 'Tier of the creative (top_10, top_20, top_50, below_50).'),
        ('insight_leaderboard', 'impressions', 'Impressions (all currencies).'),
        ('insight_leaderboard', 'clicks', 'Clicks (all currencies).'),
        ('insight_leaderboard', 'ctr', 'Click-through rate: clicks / impressions.'),
        ('insight_leaderboard', 'ctr_lower_bound', 'Wilson lower bound of CTR (the ranking score).'),
        ('insight_leaderboard', 'currency', 'Reporting currency of the scope: spend, value and ROAS are in it.'),
        ('insight_leaderboard', 'spend', 'Spend in currency.'),
        ('insight_leaderboard', 'conversion_value', 'Conversion value in currency.'),
        ('insight_leaderboard', 'roas', 'Return on ad spend: conversion_value / spend.'),
        ('insight_leaderboard', 'category_code', 'A1: scene category code.'),
        ('insight_leaderboard', 'scene_code', 'A2: scene, as A1_A2 (e.g. OUT_PARK).'),
        ('insight_leaderboard', 'action_code', 'B: action code.'),
        ('insight_leaderboard', 'driver_code', 'C: emotional driver code.'),
        ('insight_leaderboard', 'format_code', 'D: format code.'),
        ('insight_leaderboard', 'refreshed_at', 'When rolloy.refresh_insights() computed the figures.'),

        ('insight_effects', 'scope_user_id', 'NULL: over all data (admins); a member''s id: over that member''s own creatives, computed when read.'),
        ('insight_effects', 'dimension', 'category, scene, action, driver or format.'),
        ('insight_effects', 'dimension_value', 'Code within the dimension (scene as A1_A2).'),
        ('insight_effects', 'metric', 'ctr or roas.'),
        ('insight_effects', 'value', 'The metric over the eligible creatives with this value (ratio of sums).'),
        ('insight_effects', 'rest_value', 'The metric over the other eligible creatives of the scope (ratio of sums).'),
        ('insight_effects', 'lift', 'value / rest_value - 1 (0.25 = 25 % better than the rest).'),
        ('insight_effects', 'confidence_score', '1 - two-sided p-value of the Welch test, creatives as the unit; NULL = not tested (see untested_because).'),
        ('insight_effects', 'verdict', 'better or worse (confidence_score >= effect_confidence), inconclusive, or insufficient_data.'),
        ('insight_effects', 'creatives', 'Eligible creatives with this value (for roas: those with spend in currency).'),
        ('insight_effects', 'rest_creatives', 'Eligible creatives in the rest.'),
        ('insight_effects', 'p_value', 'Two-sided p-value of the test.'),
        ('insight_effects', 't_statistic', 'Welch t statistic of value - rest_value.'),
        ('insight_effects', 'degrees_of_freedom', 'Welch-Satterthwaite degrees of freedom, each side counting its effective number of creatives (fewer when a few carry most of the impressions or spend).'),
        ('insight_effects', 'std_error', 'Standard error of value - rest_value (creative-level variance).'),
        ('insight_effects', 'impressions', 'ctr rows: impressions of the group.'),
        ('insight_effects', 'clicks', 'ctr rows: clicks of the group.'),
        ('insight_effects', 'currency', 'roas rows: reporting currency of the scope.'),
        ('insight_effects', 'spend', 'roas rows: spend of the group in currency.'),
        ('insight_effects', 'conversion_value', 'roas rows: conversion value of the group in currency.'),
        ('insight_effects', 'refreshed_at', 'When rolloy.refresh_insights() computed the figures.'),
        ('insight_effects', 'few_creatives', 'True when a side has fewer than 10 creatives: the verdict rests on few units, read it as a lead.'),
        ('insight_effects', 'untested_because', 'Why confidence_score is NULL: too_few_creatives (a side below effect_min_creatives) or no_spread (every creative of a side has the same ratio, e.g. no conversion at all).'),

        ('insight_trends', 'scope_user_id', 'NULL: over all data (admins); a member''s id: over that member''s own creatives, computed when read.'),
        ('insight_trends', 'grain', 'week (ISO weeks, from Monday) or month.'),
        ('insight_trends', 'period_start', 'First day of the period.'),
        ('insight_trends', 'period_end', 'Last day of the period.'),
        ('insight_trends', 'data_through', 'Last day with data in the period (before period_end: the period is partial).'),
        ('insight_trends', 'dimension', 'all (totals), category, scene, action, driver or format.'),
        ('insight_trends', 'dimension_value', 'Code within the dimension (scene as A1_A2); all for totals.'),
        ('insight_trends', 'currency', 'Currency of the rows summed: every figure of the row comes from them.'),
        ('insight_trends', 'creatives', 'Creatives with data in the period.'),
        ('insight_trends', 'impressions', 'Impressions.'),
        ('insight_trends', 'clicks', 'Clicks.'),
        ('insight_trends', 'conversions', 'Conversions.'),
        ('insight_trends', 'spend', 'Spend in currency.'),
        ('insight_trends', 'conversion_value', 'Conversion value in currency.'),
        ('insight_trends', 'ctr', 'clicks / impressions.'),
        ('insight_trends', 'cpc', 'Cost per click: spend / clicks.'),
        ('insight_trends', 'cpm', 'Cost per thousand impressions: spend * 1000 / impressions.'),
        ('insight_trends', 'cpa', 'Cost per conversion: spend / conversions.'),
        ('insight_trends', 'roas', 'Return on ad spend: conversion_value / spend.'),
        ('insight_trends', 'refreshed_at', 'When rolloy.refresh_insights() computed the figures.'),

        ('insight_cost_efficiency', 'scope_user_id', 'NULL: over all data (admins); a member''s id: over that member''s own creatives, computed when read.'),
        ('insight_cost_efficiency', 'dimension', 'all (totals), category, scene, action, driver or format.'),
        ('insight_cost_efficiency', 'dimension_value', 'Code within the dimension (scene as A1_A2); all for totals.'),
        ('insight_cost_efficiency', 'currency', 'Currency of the rows summed: every figure of the row comes from them.'),
        ('insight_cost_efficiency', 'creatives', 'Creatives with data in this currency.'),
        ('insight_cost_efficiency', 'impressions', 'Impressions.'),
        ('insight_cost_efficiency', 'clicks', 'Clicks.'),
        ('insight_cost_efficiency', 'conversions', 'Conversions.'),
        ('insight_cost_efficiency', 'spend', 'Spend in currency.'),
        ('insight_cost_efficiency', 'conversion_value', 'Conversion value in currency.'),
        ('insight_cost_efficiency', 'ctr', 'clicks / impressions.'),
        ('insight_cost_efficiency', 'cpc', 'Cost per click: spend / clicks.'),
        ('insight_cost_efficiency', 'cpm', 'Cost per thousand impressions: spend * 1000 / impressions.'),
        ('insight_cost_efficiency', 'cpa', 'Cost per conversion: spend / conversions.'),
        ('insight_cost_efficiency', 'roas', 'Return on ad spend: conversion_value / spend.'),
        ('insight_cost_efficiency', 'refreshed_at', 'When rolloy.refresh_insights() computed the figures.'),

        ('insight_heatmap', 'scope_user_id', 'NULL: over all data (admins); a member''s id: over that member''s own creatives, computed when read.'),
        ('insight_heatmap', 'dimension_x', 'First dimension: category, scene, action, driver or format.'),
        ('insight_heatmap', 'value_x', 'Code within dimension_x.'),
        ('insight_heatmap', 'dimension_y', 'Second dimension (different from dimension_x).'),
        ('insight_heatmap', 'value_y', 'Code within dimension_y.'),
        ('insight_heatmap', 'currency', 'Currency of the rows summed: every figure of the row comes from them.'),
        ('insight_heatmap', 'creatives', 'Creatives in the cell.'),
        ('insight_heatmap', 'impressions', 'Impressions.'),
        ('insight_heatmap', 'clicks', 'Clicks.'),
        ('insight_heatmap', 'conversions', 'Conversions.'),
        ('insight_heatmap', 'spend', 'Spend in currency.'),
        ('insight_heatmap', 'conversion_value', 'Conversion value in currency.'),
        ('insight_heatmap', 'ctr', 'clicks / impressions.'),
        ('insight_heatmap', 'cpc', 'Cost per click: spend / clicks.'),
        ('insight_heatmap', 'cpa', 'Cost per conversion: spend / conversions.'),
        ('insight_heatmap', 'roas', 'Return on ad spend: conversion_value / spend.'),
        ('insight_heatmap', 'refreshed_at', 'When rolloy.refresh_insights() computed the figures.'),

        ('insight_fatigue', 'scope_user_id', 'Always NULL: computed over all data (members read the rows of their own creatives).'),
        ('insight_fatigue', 'project_id', 'Creative (project) id.'),
        ('insight_fatigue', 'creative_name', 'Ad name of the creative.'),
        ('insight_fatigue', 'status', 'fatigued, stable, or insufficient_data (too few days or impressions).'),
        ('insight_fatigue', 'baseline_ctr', 'CTR over the creative''s first window_days days with data.'),
        ('insight_fatigue', 'recent_ctr', 'CTR over its last window_days days with data.'),
        ('insight_fatigue', 'ctr_change', 'recent_ctr / baseline_ctr - 1 (-0.3 = fell by 30 %).'),
        ('insight_fatigue', 'confidence_score', '1 - two-sided p-value of the Welch test of the change, days as the unit.'),
        ('insight_fatigue', 'window_days', 'Days in each window (insight_settings.fatigue_window_days).'),
        ('insight_fatigue', 'baseline_from', 'First day of the baseline window (the creative''s first day with daily data).'),
        ('insight_fatigue', 'baseline_to', 'Last day of the baseline window.'),
        ('insight_fatigue', 'recent_from', 'First day of the recent window.'),
        ('insight_fatigue', 'recent_to', 'Last day of the recent window (the creative''s last day with daily data).'),
        ('insight_fatigue', 'days_with_data', 'Days with daily data, counted up to 2 x window_days (enough to assess).'),
        ('insight_fatigue', 'impressions', 'Impressions of the creative (all rows).'),
        ('insight_fatigue', 'clicks', 'Clicks of the creative (all rows).'),
        ('insight_fatigue', 'refreshed_at', 'When rolloy.refresh_insights() computed the figures.')) AS v(rel, col, txt)
    LOOP
        EXECUTE format('COMMENT ON COLUMN rolloy.%I.%I IS %L', c.rel, c.col, c.txt);
    END LOOP;
END
$comments$;

GRANT SELECT ON rolloy.insight_tiers, rolloy.insight_leaderboard, rolloy.insight_effects, rolloy.insight_trends,
                rolloy.insight_cost_efficiency, rolloy.insight_heatmap, rolloy.insight_fatigue, rolloy.insight_image_tiers
    TO rolloy_member;
