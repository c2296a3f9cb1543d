-- Insights over a small data set whose figures are worked out by hand in the comments.
-- Everything runs in one transaction that is rolled back, and starts from no performance data:
-- earlier tests' rows are set aside for the duration (refresh_insights covers all data).
BEGIN;
SET LOCAL client_min_messages = warning;
DELETE FROM rolloy.insights;
DELETE FROM rolloy.performance_data;
SELECT count(*) > 0 AS dictionaries_loaded FROM rolloy.load_sample_dictionaries();

CREATE FUNCTION pg_temp.outcome(query text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE query;
    RETURN 'no error';
EXCEPTION WHEN others THEN
    RETURN SQLSTATE || ': ' || SQLERRM;
END
$$;
-- Ad names carry today's date (and a suffix if earlier tests used the same ABCD today):
-- outputs show the project titles C1..C7 instead.
CREATE FUNCTION pg_temp.title(project uuid) RETURNS text LANGUAGE sql AS $$
    SELECT p.title FROM rolloy.creative_projects p WHERE p.id = project
$$;

CREATE ROLE regress_ins_uma;
CREATE ROLE regress_ins_vic;
CREATE ROLE regress_ins_ada;
GRANT rolloy_member TO regress_ins_uma, regress_ins_vic;
GRANT rolloy_admin TO regress_ins_ada;
INSERT INTO rolloy.users (id, email, display_name, role, pg_role) VALUES
    ('00000000-0000-0000-0000-0000000006a1', 'uma@insights.example', 'Uma', 'member', 'regress_ins_uma'),
    ('00000000-0000-0000-0000-0000000006b1', 'vic@insights.example', 'Vic', 'member', 'regress_ins_vic'),
    ('00000000-0000-0000-0000-0000000006ad', 'ada@insights.example', 'Ada', 'admin', 'regress_ins_ada');

-- Seven creatives: C1-C3 are Uma's, C4-C7 Vic's.
INSERT INTO rolloy.creative_projects (id, scene_id, action_id, driver_id, format_id, created_by, title)
SELECT v.id::uuid, s.id, a.id, d.id, f.id, v.owner::uuid, v.title
  FROM (VALUES
      ('60000000-0000-0000-0000-0000000000c1', '00000000-0000-0000-0000-0000000006a1', 'C1', 'OUT', 'PARK', 'WALK', 'JOY', 'UGC'),
      ('60000000-0000-0000-0000-0000000000c2', '00000000-0000-0000-0000-0000000006a1', 'C2', 'OUT', 'BEACH', 'WALK', 'CALM', 'UGC'),
      ('60000000-0000-0000-0000-0000000000c3', '00000000-0000-0000-0000-0000000006a1', 'C3', 'URB', 'CAFE', 'MEET', 'CONN', 'LIFE'),
      ('60000000-0000-0000-0000-0000000000c4', '00000000-0000-0000-0000-0000000006b1', 'C4', 'OUT', 'PARK', 'REST', 'JOY', 'LIFE'),
      ('60000000-0000-0000-0000-0000000000c5', '00000000-0000-0000-0000-0000000006b1', 'C5', 'HOME', 'LIVING', 'REST', 'CALM', 'UGC'),
      ('60000000-0000-0000-0000-0000000000c6', '00000000-0000-0000-0000-0000000006b1', 'C6', 'URB', 'CAFE', 'WALK', 'JOY', 'LIFE'),
      ('60000000-0000-0000-0000-0000000000c7', '00000000-0000-0000-0000-0000000006b1', 'C7', 'OUT', 'TRAIL', 'WALK', 'FREE', 'UGC'))
       AS v(id, owner, title, cat, scene, act, drv, fmt)
  JOIN rolloy.scenes s ON s.category_code = v.cat AND s.scene_code = v.scene
  JOIN rolloy.actions a ON a.code = v.act
  JOIN rolloy.drivers d ON d.code = v.drv
  JOIN rolloy.formats f ON f.code = v.fmt;

-- Performance. Totals per creative (impressions n / clicks k, USD spend / value):
--   C1 2000/60 (3 %)  100/300      C4 2000/20 (1 %)  100/100
--   C2 1000/20 (2 %)   50/50       C5 1000/40 (4 %)   50/150
--   C3 1000/10 (1 %)   50/25       C6 1000/30 (3 %)   50/75 USD, of which 200/6 on TikTok in EUR (20/10 EUR)
--   C7  200/10 (5 %)   10/0  -- below the 1000-impression gate
-- C1 runs four days (for fatigue), the others on 2026-10-30 (Fri) and 2026-11-02 (Mon):
-- two ISO weeks (from 10-26 and 11-02) that are also two months. One unmatched row is ignored.
INSERT INTO rolloy.performance_data (platform, ad_key, ad_name, report_date, period_end, project_id,
                                     impressions, clicks, spend, currency, conversions, conversion_value)
SELECT v.platform::rolloy.ad_platform, v.title, v.title, v.day::date, v.day::date, p.id,
       v.n, v.k, v.spend, v.cur, v.conv, v.value
  FROM (VALUES
      ('meta', 'C1', '2026-10-29', 500, 24, 30, 'USD', 3, 90), ('meta', 'C1', '2026-10-30', 500, 16, 20, 'USD', 2, 60),
      ('meta', 'C1', '2026-11-02', 500, 12, 25, 'USD', 2, 75), ('meta', 'C1', '2026-11-03', 500, 8, 25, 'USD', 2, 75),
      ('meta', 'C2', '2026-10-30', 500, 10, 25, 'USD', 1, 25), ('meta', 'C2', '2026-11-02', 500, 10, 25, 'USD', 1, 25),
      ('meta', 'C3', '2026-10-30', 500, 5, 25, 'USD', 1, 12.5), ('meta', 'C3', '2026-11-02', 500, 5, 25, 'USD', 1, 12.5),
      ('meta', 'C4', '2026-10-30', 1000, 10, 50, 'USD', 2, 50), ('meta', 'C4', '2026-11-02', 1000, 10, 50, 'USD', 2, 50),
      ('meta', 'C5', '2026-10-30', 500, 20, 25, 'USD', 3, 75), ('meta', 'C5', '2026-11-02', 500, 20, 25, 'USD', 3, 75),
      ('meta', 'C6', '2026-10-30', 400, 12, 25, 'USD', 1, 37.5), ('meta', 'C6', '2026-11-02', 400, 12, 25, 'USD', 1, 37.5),
      ('tiktok', 'C6', '2026-11-02', 200, 6, 20, 'EUR', 1, 10),
      ('meta', 'C7', '2026-11-02', 200, 10, 10, 'USD', 0, 0))
       AS v(platform, title, day, n, k, spend, cur, conv, value)
  JOIN rolloy.creative_projects p ON p.title = v.title AND p.created_by::text LIKE '00000000-0000-0000-0000-0000000006%';
INSERT INTO rolloy.performance_data (platform, ad_key, ad_name, report_date, period_end, impressions, clicks)
VALUES ('meta', 'Spring promo', 'Spring promo', '2026-11-02', '2026-11-02', 100000, 5000);

-- Settings start from the defaults (an INSERT replaces the row). Fatigue needs 2 x window days;
-- with a 2-day window C1 (four days) can be assessed.
INSERT INTO rolloy.insight_settings DEFAULT VALUES;
UPDATE rolloy.insight_settings SET fatigue_window_days = 2, fatigue_min_impressions = 1000, fatigue_confidence = 0.8;
SELECT min_impressions, wilson_z, effect_min_creatives, effect_confidence, leaderboard_size,
       fatigue_window_days, fatigue_min_impressions, fatigue_drop, fatigue_confidence
  FROM rolloy.insight_settings;

-- Members may not refresh; admins and superusers may.
SET LOCAL ROLE regress_ins_uma;
SELECT pg_temp.outcome('SELECT rolloy.refresh_insights()');
SELECT pg_temp.outcome('UPDATE rolloy.insight_settings SET min_impressions = 1') AS member_update_is_filtered,
       (SELECT min_impressions FROM rolloy.insight_settings) AS unchanged;
RESET ROLE;

-- Rows per kind: one scope, all data (members' effects, trends, cost and heatmaps are computed when
-- they read, never stored per member). Tiers 7. Leaderboard = the 6 eligible creatives (fewer than
-- 20). Effects: per eligible dimension value, ctr and roas.
SELECT * FROM rolloy.refresh_insights();
-- Running it again gives the same rows (deterministic, replaces rather than adds).
CREATE TEMP TABLE first_run AS
SELECT scope_user_id, kind, dimension, dimension_value, dimension2, dimension_value2, grain, period_start, project_id,
       metric, value, lift, confidence_score, label, rank, currency, impressions, clicks, conversions, spend,
       conversion_value, sample_creatives, details
  FROM rolloy.insights;
SELECT count(*) AS kinds_again FROM rolloy.refresh_insights();
SELECT (SELECT count(*) FROM (SELECT * FROM first_run EXCEPT
                              SELECT scope_user_id, kind, dimension, dimension_value, dimension2, dimension_value2, grain,
                                     period_start, project_id, metric, value, lift, confidence_score, label, rank, currency,
                                     impressions, clicks, conversions, spend, conversion_value, sample_creatives, details
                                FROM rolloy.insights) d) AS rows_that_differ,
       (SELECT count(*) FROM rolloy.insights) = (SELECT count(*) FROM first_run) AS same_count;

-- Tiers over all data (superuser = the admin view). Wilson lower bound, z = 1.96, z² = 3.8416:
--   lb = (p + z²/2n - z·sqrt(p(1-p)/n + z²/4n²)) / (1 + z²/n)
--   C5 40/1000: (0.04 + 0.0019208 - 1.96·sqrt(0.0000384 + 0.0000009604)) / 1.0038416
--             = (0.0419208 - 1.96·0.00627379) / 1.0038416 = 0.0296242 / 1.0038416 = 0.029511
--   C1 60/2000: (0.03 + 0.0009604 - 1.96·sqrt(0.00001455 + 0.00000024010)) / 1.0019208
--             = (0.0309604 - 0.0075372) / 1.0019208 = 0.023378
--   C6 30/1000: (0.0319208 - 1.96·sqrt(0.0000291 + 0.0000009604)) / 1.0038416 = 0.021094
--   likewise C2 20/1000 → 0.012984, C4 20/2000 → 0.006483, C3 10/1000 → 0.005441.
-- Six eligible creatives (C7 has 200 < 1000 impressions): top_10 needs rank·10 <= 6 (none),
-- top_20 rank·5 <= 6 (rank 1: C5), top_50 rank·2 <= 6 (C1, C6), the rest below_50.
SELECT rank, pg_temp.title(project_id) AS creative, tier, eligible_creatives, impressions, clicks,
       round(ctr, 6) AS ctr, round(ctr_lower_bound, 6) AS ctr_lower_bound, currency, spend, round(roas, 4) AS roas
  FROM rolloy.insight_tiers ORDER BY rank NULLS LAST, creative;

-- Per-creative rows carry the creative's ad name.
SELECT bool_and(t.creative_name = p.generated_name) AS named_like_the_ads
  FROM rolloy.insight_tiers t JOIN rolloy.creative_projects p ON p.id = t.project_id;

-- A member sees her own creatives' tiers in the brand's ranking (the same rows the admin sees:
-- C1 rank 2 of 6 top_50, C2 rank 4 and C3 rank 6 below_50), and no stored row of anyone else's
-- creatives nor any stored aggregate.
SET LOCAL ROLE regress_ins_uma;
SELECT scope_user_id, rank, pg_temp.title(project_id) AS creative, tier, eligible_creatives
  FROM rolloy.insight_tiers ORDER BY rank;
SELECT count(*) AS rows_not_of_her_creatives FROM rolloy.insights i
 WHERE i.project_id IS NULL
    OR i.project_id NOT IN (SELECT p.id FROM rolloy.creative_projects p WHERE p.created_by = '00000000-0000-0000-0000-0000000006a1');
RESET ROLE;
SET LOCAL ROLE regress_ins_vic;
SELECT rank, pg_temp.title(project_id) AS creative, tier FROM rolloy.insight_tiers ORDER BY rank NULLS LAST;
RESET ROLE;

-- The admin sees the figures over all data in the views.
SET LOCAL ROLE regress_ins_ada;
SELECT rank, pg_temp.title(project_id) AS creative, round(ctr_lower_bound, 6) AS ctr_lower_bound
  FROM rolloy.insight_leaderboard ORDER BY rank;
RESET ROLE;

-- Effect of the format on CTR, creatives as the unit (eligible: C1-C6). Variance of a side's
-- ratio of sums R = K/N by the jackknife: leave each creative out, v = (m-1)/m · Σ(R₋ᵢ - mean)².
--   UGC  = C1 60/2000, C2 20/1000, C5 40/1000: R = 120/4000 = 0.03
--          R₋ᵢ = 60/2000, 100/3000, 80/3000 = 27/900, 30/900, 24/900; mean 27/900
--          deviations 0, 3, -3 (/900): v = 2/3 · 18/810000 = 12/810000
--   LIFE = C3 10/1000, C4 20/2000, C6 30/1000: R = 60/4000 = 0.015
--          R₋ᵢ = 50/3000, 40/2000, 30/3000 = 15/900, 18/900, 9/900; mean 14/900
--          deviations 1, 4, -5 (/900): v = 2/3 · 42/810000 = 28/810000
--   lift UGC = 0.03/0.015 - 1 = 1; t = 0.015 / sqrt(40/810000) = 13.5/sqrt(40) = 2.134537
--   df: classic Welch-Satterthwaite would be 40² / (12²/2 + 28²/2) = 3.448276, each side
--   counted as m - 1 = 2. The calibrated test counts each side's effective number of creatives
--   instead (C1 holds half of UGC's impressions, C4 half of LIFE's) and takes the smaller of that
--   formula with the variances seen and with the variances the sizes predict
--   (src/core/insights/ratio_test.hpp, unit-tested against brute-force eigenvalues): 2.535497.
--   confidence = 2·F_t(2.134537; 2.535497) - 1 = 0.861126: inconclusive at 0.95 (classic: 0.889).
--   LIFE mirrors UGC with lift 0.015/0.03 - 1 = -0.5. With 3 creatives a side: few_creatives.
-- Effect of the format on ROAS (USD, spend as the denominator):
--   UGC  = C1 300/100, C2 50/50, C5 150/50: R = 500/200 = 2.5
--          R₋ᵢ = 200/100, 450/150, 350/150 = 2, 3, 7/3; mean 22/9; deviations -4/9, 5/9, -1/9
--          v = 2/3 · 42/81 = 28/81
--   LIFE = C3 25/50, C4 100/100, C6 75/50 (its EUR row is not added): R = 200/200 = 1
--          R₋ᵢ = 175/150, 100/100, 125/150 = 7/6, 1, 5/6; mean 1; v = 2/3 · 2/36 = 3/81
--   lift = 2.5/1 - 1 = 1.5; t = 1.5 / sqrt(31/81) = 13.5/sqrt(31) = 2.424672
--   df: classic 31² / (28²/2 + 3²/2) = 2.423707; calibrated 1.782138; confidence = 0.848695
SELECT dimension_value, metric, round(value, 6) AS value, round(rest_value, 6) AS rest_value, round(lift, 6) AS lift,
       creatives, rest_creatives, round(t_statistic, 6) AS t, round(degrees_of_freedom, 6) AS df,
       confidence_score, verdict, currency
  FROM rolloy.insight_effects WHERE dimension = 'format' ORDER BY metric, dimension_value;
-- Groups with fewer than effect_min_creatives (3) eligible creatives, or a rest that small,
-- are not tested. Driver JOY (C1, C4, C6) vs the rest (C2, C3, C5) is tested:
--   JOY 110/5000 = 0.022, rest 70/3000 = 0.023333, lift = 0.022/0.023333 - 1 = -0.057143.
SELECT dimension, dimension_value, metric, round(value, 6) AS value, round(lift, 6) AS lift, creatives, rest_creatives,
       confidence_score, verdict
  FROM rolloy.insight_effects WHERE dimension IN ('driver', 'action') ORDER BY dimension, metric, dimension_value;
-- Why a row is untested, and that every finding here rests on fewer than 10 creatives a side.
SELECT dimension_value, metric, creatives, rest_creatives, few_creatives, untested_because
  FROM rolloy.insight_effects WHERE dimension = 'driver' ORDER BY metric, dimension_value;
-- A member's effects are computed over her own three creatives when she reads: no group has
-- three creatives and a rest of three.
SET LOCAL ROLE regress_ins_uma;
SELECT count(*) AS effects, count(*) FILTER (WHERE verdict = 'insufficient_data') AS untested
  FROM rolloy.insight_effects;
RESET ROLE;

-- Trends: the week from 10-26 holds C1's 10-29 and 10-30 and everyone's 10-30:
--   USD impressions 500+500+500+500+1000+500+400 = 3900, clicks 24+16+10+5+10+20+12 = 97,
--   spend 30+20+25+25+50+25+25 = 200, value 90+60+25+12.5+50+75+37.5 = 350 -> ROAS 1.75
-- The EUR row of C6 (11-02) is its own row, never added to USD amounts.
SELECT grain, period_start, period_end, data_through, currency, creatives, impressions, clicks, round(ctr, 6) AS ctr,
       spend, round(cpc, 4) AS cpc, round(cpm, 4) AS cpm, round(cpa, 4) AS cpa, round(roas, 4) AS roas
  FROM rolloy.insight_trends WHERE dimension = 'all' ORDER BY grain, period_start, currency;
SELECT period_start, dimension_value, creatives, impressions, clicks, round(ctr, 6) AS ctr
  FROM rolloy.insight_trends WHERE grain = 'week' AND dimension = 'format' AND currency = 'USD'
 ORDER BY period_start, dimension_value;

-- Cost efficiency per format and currency. LIFE in USD: spend 50+100+50 = 200, clicks
--   10+20+24 = 54 -> CPC 3.7037; impressions 1000+2000+800 = 3800 -> CPM 52.6316;
--   conversions 2+4+2 = 8 -> CPA 25; value 25+100+75 = 200 -> ROAS 1.
SELECT dimension, dimension_value, currency, creatives, impressions, clicks, spend, round(cpc, 4) AS cpc,
       round(cpm, 4) AS cpm, round(cpa, 4) AS cpa, round(roas, 4) AS roas
  FROM rolloy.insight_cost_efficiency WHERE dimension IN ('all', 'format') ORDER BY dimension, dimension_value, currency;

-- Heatmap: any two dimensions, either way round.
SELECT value_x, value_y, currency, creatives, impressions, clicks, round(ctr, 6) AS ctr, round(roas, 4) AS roas
  FROM rolloy.insight_heatmap WHERE dimension_x = 'format' AND dimension_y = 'driver' ORDER BY 1, 2, 3;
SELECT count(*) AS cells_scene_by_action, count(*) FILTER (WHERE dimension_x = 'action' AND dimension_y = 'scene') AS mirrored
  FROM rolloy.insight_heatmap WHERE 'scene' IN (dimension_x, dimension_y) AND 'action' IN (dimension_x, dimension_y);

-- Fatigue of C1 (window 2 days; days are the unit):
--   baseline 10-29, 10-30: 24/500, 16/500 -> 40/1000 = 0.04; leave a day out: 16/500, 24/500 = 0.032, 0.048
--            deviations -/+0.008 -> v = 1/2 · 0.000128 = 0.000064
--   recent   11-02, 11-03: 12/500, 8/500  -> 20/1000 = 0.02; leave a day out: 8/500, 12/500 = 0.016, 0.024
--            deviations -/+0.004 -> v = 1/2 · 0.000032 = 0.000016
--   change = 0.02/0.04 - 1 = -0.5; t = -0.02/sqrt(0.00008) = -2.236068; days of equal size count
--   fully (1 degree of freedom a side): df = min(0.00008² / (0.000064² + 0.000016²), 2) = 1.470588
--   confidence = 2·F_t(2.236068; 1.470588) - 1 (below) >= 0.8 and the fall >= 20 %: fatigued.
--   (Had a window's days all had the same CTR, its variance 0 would say nothing about chance:
--   untested, insufficient_data.)
-- The others have two days (< 2 x 2): insufficient_data.
SELECT pg_temp.title(project_id) AS creative, status, round(baseline_ctr, 6) AS baseline_ctr,
       round(recent_ctr, 6) AS recent_ctr, round(ctr_change, 6) AS ctr_change, confidence_score, days_with_data,
       baseline_from, baseline_to, recent_from, recent_to
  FROM rolloy.insight_fatigue ORDER BY creative;
SELECT round((2 * rolloy_internal.student_t_cdf(2.236068, 1.470588) - 1)::numeric, 6) AS c1_confidence_by_hand;
-- A stricter confidence leaves C1 stable.
UPDATE rolloy.insight_settings SET fatigue_confidence = 0.9;
SELECT count(*) > 0 AS refreshed FROM rolloy.refresh_insights();
SELECT pg_temp.title(project_id) AS creative, status, confidence_score FROM rolloy.insight_fatigue WHERE days_with_data >= 4;

-- The gate is a setting: with 200 impressions C7 (10/200) becomes eligible and first.
UPDATE rolloy.insight_settings SET min_impressions = 200;
SELECT count(*) > 0 AS refreshed FROM rolloy.refresh_insights();
SELECT rank, pg_temp.title(project_id) AS creative, tier, round(ctr_lower_bound, 6) AS ctr_lower_bound
  FROM rolloy.insight_tiers ORDER BY rank LIMIT 2;
-- An INSERT replaces the settings row: columns not given return to their defaults.
INSERT INTO rolloy.insight_settings (leaderboard_size) VALUES (2);
SELECT count(*) AS settings_rows, min(min_impressions) AS min_impressions, min(leaderboard_size) AS leaderboard_size
  FROM rolloy.insight_settings;
SELECT count(*) > 0 AS refreshed FROM rolloy.refresh_insights();
SELECT count(*) AS leaderboard_rows FROM rolloy.insight_leaderboard;

-- Tiers of images (the variants that run as ads): C1's ad runs as its image V01, a second ad
-- as its V02 (two more days), C2's and C5's ads as their V01. Totals (impressions / clicks):
--   C1_V01 2000/60, C1_V02 1000/20, C2_V01 1000/20, C5_V01 1000/40: all past the 1000 gate.
-- All data, by the Wilson lower bound: C5_V01, C1_V01, then C1_V02 and C2_V01 sharing rank 3 of
-- 4 -> top_50 (rank·2 <= 4), top_50, below_50, below_50. Uma sees her images' places in that
-- ranking (C1_V01 rank 2, C1_V02 and C2_V01 rank 3). The creatives' tiers keep their counts, and
-- the creative leaderboard lists creatives only.
INSERT INTO rolloy.generated_images (project_id)
SELECT p.id FROM rolloy.creative_projects p, generate_series(1, CASE p.title WHEN 'C1' THEN 2 ELSE 1 END)
 WHERE p.title IN ('C1', 'C2', 'C5') ORDER BY p.title;
UPDATE rolloy.performance_data d SET image_id = g.id
  FROM rolloy.creative_projects p JOIN rolloy.generated_images g ON g.project_id = p.id AND g.variant_no = 1
 WHERE d.project_id = p.id AND p.title IN ('C1', 'C2', 'C5');
INSERT INTO rolloy.performance_data (platform, ad_key, ad_name, report_date, period_end, project_id, image_id,
                                     impressions, clicks, spend, currency)
SELECT 'meta', 'C1 V02', g.ad_name, v.day, v.day, g.project_id, g.id, 500, 10, 25, 'USD'
  FROM rolloy.generated_images g JOIN rolloy.creative_projects p ON p.id = g.project_id,
       (VALUES (date '2026-11-04'), (date '2026-11-05')) v(day)
 WHERE p.title = 'C1' AND g.variant_no = 2;
SELECT count(*) > 0 AS refreshed FROM rolloy.refresh_insights();
SELECT pg_temp.title(project_id) || '_V' || right(ad_name, 2) AS image, rank, eligible_images, tier, impressions, clicks,
       round(ctr_lower_bound, 6) AS ctr_lower_bound
  FROM rolloy.insight_image_tiers ORDER BY rank, 1;
SET LOCAL ROLE regress_ins_uma;
SELECT pg_temp.title(project_id) || '_V' || right(ad_name, 2) AS image, rank, eligible_images, tier
  FROM rolloy.insight_image_tiers ORDER BY rank, 1;
RESET ROLE;
SELECT count(*) AS creative_tiers, count(*) FILTER (WHERE tier <> 'insufficient_data') AS ranked FROM rolloy.insight_tiers;
SELECT count(*) AS leaderboard_rows FROM rolloy.insight_leaderboard;

-- Scheduling needs pg_cron in this database; without it the error says how to set it up.
SELECT pg_temp.outcome($$SELECT rolloy.schedule_insights()$$);
SELECT pg_temp.outcome($$SELECT rolloy.unschedule_insights()$$);
SET LOCAL ROLE regress_ins_vic;
SELECT pg_temp.outcome($$SELECT rolloy.schedule_insights('0 3 * * *')$$);
RESET ROLE;

-- Statistics helpers against closed forms: Cauchy (df 1) F(1) = 3/4; df 2: F(t) = 1/2 + t/(2·sqrt(2+t²)).
SELECT round(rolloy_internal.student_t_cdf(1, 1)::numeric, 10) AS cauchy_at_1,
       round(rolloy_internal.student_t_cdf(2, 2)::numeric, 10) AS df2_at_2, round((0.5 + 2 / (2 * sqrt(6)))::numeric, 10) AS expected,
       round(rolloy_internal.student_t_cdf(-2.228138852, 10)::numeric, 6) AS df10_lower_2_5pct,
       round(rolloy_internal.wilson_lower_bound(2, 10), 6) AS wilson_2_of_10,
       round(rolloy_internal.wilson_lower_bound(200, 10000), 6) AS wilson_200_of_10000;
SELECT pg_temp.outcome('SELECT rolloy_internal.student_t_cdf(1, 0)');
ROLLBACK;
