-- Insights: performance tiers, effects of each ABCD value on CTR and ROAS with a confidence
-- score, trends, leaderboard, cost efficiency, heatmaps and creative fatigue.
--
-- rolloy.refresh_insights() recomputes everything into rolloy.insights in one transaction: once
-- over all data (scope_user_id NULL, for admins) and once per user over their own creatives.
-- performance_data is aggregated straight to creative level (per week, month and currency; per
-- day for fatigue); every scope is derived from those aggregates, never by rescanning
-- performance_data per user. The BI views read the insights rows of the caller's scope.
-- Methods and formulas: docs/insights.md.
--
-- Rules kept throughout: CTR, CPC, CPM, CPA and ROAS are ratios of sums, never averages of
-- ratios; amounts of different currencies are never added together.

-- ---------------------------------------------------------------------------------------------
-- Columns of rolloy.insights (50_performance.sql) that the findings need.
ALTER TABLE rolloy.insights
    ADD COLUMN project_id        uuid,  -- no foreign key: see scope_user_id in 50_performance.sql
    ADD COLUMN dimension2        text,
    ADD COLUMN dimension_value2  text,
    ADD COLUMN grain             text CHECK (grain IN ('week', 'month')),
    ADD COLUMN period_start      date,
    ADD COLUMN label             text,
    ADD COLUMN rank              integer CHECK (rank >= 1),
    ADD COLUMN currency          text CHECK (currency ~ '^[A-Z]{3}$'),
    ADD COLUMN impressions       bigint CHECK (impressions >= 0),
    ADD COLUMN clicks            bigint CHECK (clicks >= 0),
    ADD COLUMN conversions       numeric CHECK (conversions >= 0),
    ADD COLUMN spend             numeric CHECK (spend >= 0),
    ADD COLUMN conversion_value  numeric CHECK (conversion_value >= 0),
    ADD COLUMN image_id          uuid,  -- tiers of images; no foreign key, as project_id
    ADD CONSTRAINT insights_kind_known
        CHECK (kind IN ('tier', 'leaderboard', 'effect', 'trend', 'cost', 'heatmap', 'fatigue'));
COMMENT ON COLUMN rolloy.insights.kind IS
    'Kind of finding: tier, leaderboard, effect, trend, cost, heatmap or fatigue.';
COMMENT ON COLUMN rolloy.insights.dimension IS
    'ABCD dimension: category, scene, action, driver, format; all (totals); creative (per-creative kinds).';
COMMENT ON COLUMN rolloy.insights.dimension_value IS
    'Code within the dimension (scene: A1_A2, e.g. OUT_PARK); the creative''s name for per-creative kinds.';
COMMENT ON COLUMN rolloy.insights.project_id IS 'Creative (project) of per-creative kinds: tier, leaderboard, fatigue.';
COMMENT ON COLUMN rolloy.insights.image_id IS 'Generated image of per-image tiers (dimension image).';
COMMENT ON COLUMN rolloy.insights.dimension2 IS 'Heatmap: the second dimension.';
COMMENT ON COLUMN rolloy.insights.dimension_value2 IS 'Heatmap: the code within the second dimension.';
COMMENT ON COLUMN rolloy.insights.grain IS 'Trend: week (ISO, from Monday) or month.';
COMMENT ON COLUMN rolloy.insights.period_start IS 'Trend: first day of the week or month.';
COMMENT ON COLUMN rolloy.insights.label IS
    'Verdict: the tier (top_10, top_20, top_50, below_50, insufficient_data), the effect '
    '(better, worse, inconclusive, insufficient_data) or the fatigue state (fatigued, stable, insufficient_data).';
COMMENT ON COLUMN rolloy.insights.rank IS 'Tier and leaderboard: rank by the Wilson lower bound of CTR (1 = best; ties share a rank).';
COMMENT ON COLUMN rolloy.insights.currency IS 'Currency of spend and conversion_value in this row (never mixed).';
COMMENT ON COLUMN rolloy.insights.impressions IS 'Impressions summed over the rows the finding covers.';
COMMENT ON COLUMN rolloy.insights.clicks IS 'Clicks summed over the rows the finding covers.';
COMMENT ON COLUMN rolloy.insights.conversions IS 'Conversions summed over the rows the finding covers.';
COMMENT ON COLUMN rolloy.insights.spend IS 'Spend summed, in currency.';
COMMENT ON COLUMN rolloy.insights.conversion_value IS 'Conversion value summed, in currency.';

-- ---------------------------------------------------------------------------------------------
-- Settings: one row, readable by every member, changed by admins.
CREATE TABLE rolloy.insight_settings (
    singleton                boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    min_impressions          bigint NOT NULL DEFAULT 1000 CHECK (min_impressions >= 1),
    wilson_z                 numeric NOT NULL DEFAULT 1.96 CHECK (wilson_z > 0 AND wilson_z <= 5),
    effect_min_creatives     integer NOT NULL DEFAULT 3 CHECK (effect_min_creatives >= 2),
    effect_confidence        numeric NOT NULL DEFAULT 0.95 CHECK (effect_confidence > 0 AND effect_confidence < 1),
    leaderboard_size         integer NOT NULL DEFAULT 20 CHECK (leaderboard_size BETWEEN 1 AND 1000),
    fatigue_window_days      integer NOT NULL DEFAULT 5 CHECK (fatigue_window_days BETWEEN 2 AND 90),
    fatigue_min_impressions  bigint NOT NULL DEFAULT 10000 CHECK (fatigue_min_impressions >= 1),
    fatigue_drop             numeric NOT NULL DEFAULT 0.20 CHECK (fatigue_drop > 0 AND fatigue_drop < 1),
    fatigue_confidence       numeric NOT NULL DEFAULT 0.95 CHECK (fatigue_confidence > 0 AND fatigue_confidence < 1),
    updated_at               timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE rolloy.insight_settings IS
    'Gates and thresholds of rolloy.refresh_insights(); one row (an INSERT replaces it, columns not '
    'given take their defaults; no row = defaults). Read by all members with a rolloy identity, changed by '
    'admins (INSERT or UPDATE; INSERT DEFAULT VALUES resets).';
COMMENT ON COLUMN rolloy.insight_settings.singleton IS 'Always true: the table holds one row.';
COMMENT ON COLUMN rolloy.insight_settings.min_impressions IS
    'Gate: creatives with fewer impressions get tier insufficient_data and are left out of effects.';
COMMENT ON COLUMN rolloy.insight_settings.wilson_z IS 'z of the Wilson interval used to rank creatives (1.96 = 95 %).';
COMMENT ON COLUMN rolloy.insight_settings.effect_min_creatives IS
    'Effects are tested only when both the group and the rest have at least this many eligible creatives.';
COMMENT ON COLUMN rolloy.insight_settings.effect_confidence IS
    'confidence_score from which an effect is labelled better or worse (else inconclusive).';
COMMENT ON COLUMN rolloy.insight_settings.leaderboard_size IS 'Creatives on the leaderboard (ties at the last rank included).';
COMMENT ON COLUMN rolloy.insight_settings.fatigue_window_days IS
    'Fatigue: days with data in the baseline (first days) and in the recent window (last days); '
    'a creative needs twice as many days to be assessed.';
COMMENT ON COLUMN rolloy.insight_settings.fatigue_min_impressions IS 'Fatigue: impressions a creative needs to be assessed.';
COMMENT ON COLUMN rolloy.insight_settings.fatigue_drop IS 'Fatigue: relative fall of CTR (0.20 = 20 %) from which a creative can be fatigued.';
COMMENT ON COLUMN rolloy.insight_settings.fatigue_confidence IS 'Fatigue: confidence_score the fall needs to count.';
COMMENT ON COLUMN rolloy.insight_settings.updated_at IS 'When the settings were last changed.';
INSERT INTO rolloy.insight_settings DEFAULT VALUES;
CREATE TRIGGER touch_updated_at BEFORE UPDATE ON rolloy.insight_settings
    FOR EACH ROW EXECUTE FUNCTION rolloy_internal._touch_updated_at();
-- The row is dumped (admins' changes survive pg_dump); the install script recreates a default
-- row first, so an INSERT replaces the row instead of failing on the primary key. That keeps
-- pg_restore working and makes INSERT a way to reset and set in one go.
-- SECURITY DEFINER: admins hold no DELETE privilege on the table (a table-level write privilege
-- would let any member LOCK it), and the row they replace is deleted by the trigger.
CREATE FUNCTION rolloy_internal._replace_insight_settings() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    DELETE FROM rolloy.insight_settings;
    RETURN NEW;
END
$$;
CREATE TRIGGER replace_row BEFORE INSERT ON rolloy.insight_settings
    FOR EACH ROW EXECUTE FUNCTION rolloy_internal._replace_insight_settings();
SELECT pg_catalog.pg_extension_config_dump('rolloy.insight_settings', '');

ALTER TABLE rolloy.insight_settings ENABLE ROW LEVEL SECURITY;
CREATE POLICY insight_settings_read ON rolloy.insight_settings FOR SELECT USING ((SELECT rolloy.current_user_id()) IS NOT NULL);
CREATE POLICY insight_settings_insert ON rolloy.insight_settings FOR INSERT WITH CHECK ((SELECT rolloy.is_admin()));
CREATE POLICY insight_settings_update ON rolloy.insight_settings FOR UPDATE
    USING ((SELECT rolloy.is_admin())) WITH CHECK ((SELECT rolloy.is_admin()));
-- Column privileges only: a table-level write privilege would let any member LOCK the table.
GRANT SELECT ON rolloy.insight_settings TO rolloy_member;
GRANT INSERT (min_impressions, wilson_z, effect_min_creatives, effect_confidence, leaderboard_size, fatigue_window_days,
              fatigue_min_impressions, fatigue_drop, fatigue_confidence),
      UPDATE (min_impressions, wilson_z, effect_min_creatives, effect_confidence, leaderboard_size, fatigue_window_days,
              fatigue_min_impressions, fatigue_drop, fatigue_confidence)
    ON rolloy.insight_settings TO rolloy_member;

-- ---------------------------------------------------------------------------------------------
-- Statistics. Postgres 15 has neither erf nor a t distribution: Student's t comes from
-- Boost.Math and the Wilson bounds from the C++ core (src/core/insights/statistics.hpp), where
-- they are unit-tested against closed forms, numeric integration and published tables.

CREATE FUNCTION rolloy_internal.student_t_cdf(t double precision, df double precision) RETURNS double precision
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE AS 'MODULE_PATHNAME', 'rolloy_student_t_cdf';
COMMENT ON FUNCTION rolloy_internal.student_t_cdf(double precision, double precision) IS
    'P(T <= t) for Student''s t distribution with df degrees of freedom (df may be fractional, as '
    'Welch''s is; infinity gives the normal law); Boost.Math, accurate to about 1e-15.';

CREATE FUNCTION rolloy_internal.wilson_lower_bound(successes numeric, trials numeric, z numeric DEFAULT 1.96)
RETURNS numeric
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE AS 'MODULE_PATHNAME', 'rolloy_wilson_lower_bound';
COMMENT ON FUNCTION rolloy_internal.wilson_lower_bound(numeric, numeric, numeric) IS
    'Lower bound of the Wilson score interval of a proportion (e.g. clicks of impressions); z 1.96 = 95 %. '
    'NULL when trials is 0. Ranks small samples fairly: 1/10 does not beat 300/10000.';

CREATE FUNCTION rolloy_internal.wilson_upper_bound(successes numeric, trials numeric, z numeric DEFAULT 1.96)
RETURNS numeric
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE AS 'MODULE_PATHNAME', 'rolloy_wilson_upper_bound';
COMMENT ON FUNCTION rolloy_internal.wilson_upper_bound(numeric, numeric, numeric) IS
    'Upper bound of the Wilson score interval of a proportion; z 1.96 = 95 %. NULL when trials is 0.';

-- The effect test of two ratio-of-sums metrics R = Σk/Σn (CTR: clicks/impressions; ROAS:
-- value/spend) whose units (creatives; days for fatigue) are the independent observations: an
-- aggregate over the units of both sides, computed by the C++ core (src/core/insights/
-- ratio_test.hpp): jackknife variances, Welch's t, and degrees of freedom counted from each
-- side's effective number of units, so that a side where one creative carries most of the
-- impressions does not pass for many. docs/insights.md ("The test") has the formulas and the
-- calibration: under no real difference, at most 5 % of verdicts reach confidence 0.95.
CREATE TYPE rolloy_internal.ratio_test_result AS (
    status              text,              -- tested | too_few_units (a side < 2) | no_spread
    group_units         integer,
    rest_units          integer,
    group_ratio         double precision,
    rest_ratio          double precision,
    std_error           double precision,  -- NULL unless tested
    t_statistic         double precision,
    degrees_of_freedom  double precision,
    p_value             double precision,  -- two-sided
    confidence          double precision,  -- 1 - p_value
    few_units           boolean            -- a side has fewer than 10 units: say so with the finding
);
CREATE FUNCTION rolloy_internal._ratio_test_accum(internal, in_group boolean, numerator double precision,
                                                  denominator double precision) RETURNS internal
LANGUAGE C IMMUTABLE AS 'MODULE_PATHNAME', 'rolloy_ratio_test_accum';
CREATE FUNCTION rolloy_internal._ratio_test_final(internal) RETURNS rolloy_internal.ratio_test_result
LANGUAGE C IMMUTABLE AS 'MODULE_PATHNAME', 'rolloy_ratio_test_final';
CREATE AGGREGATE rolloy_internal.ratio_test(in_group boolean, numerator double precision, denominator double precision) (
    SFUNC = rolloy_internal._ratio_test_accum, STYPE = internal, FINALFUNC = rolloy_internal._ratio_test_final
);
COMMENT ON AGGREGATE rolloy_internal.ratio_test(boolean, double precision, double precision) IS
    'Calibrated Welch test of the group''s ratio of sums against the rest''s, one row per unit (in_group, k, n); '
    'rows with a NULL or n <= 0 are not units. See docs/insights.md.';

-- The tier of a ranked unit (creative or image): top X % when its rank is within the first X % of
-- the scope's eligible units. One definition for both kinds of tiers.
CREATE FUNCTION rolloy_internal._tier(eligible boolean, tier_rank bigint, ranked bigint) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN NOT eligible THEN 'insufficient_data'
                WHEN tier_rank * 10 <= ranked THEN 'top_10'
                WHEN tier_rank * 5 <= ranked THEN 'top_20'
                WHEN tier_rank * 2 <= ranked THEN 'top_50'
                ELSE 'below_50' END
$$;
COMMENT ON FUNCTION rolloy_internal._tier(boolean, bigint, bigint) IS
    'Tier label from a rank among the ranked units: top_10, top_20, top_50, below_50, or insufficient_data.';

-- ---------------------------------------------------------------------------------------------
-- Who may refresh and schedule: rolloy admins; a session that maps to no rolloy user only when
-- its role is a superuser (psql maintenance, pg_cron jobs scheduled by schedule_insights).

-- The scope the views show: all data for admins (and superusers), own creatives for members.
-- Runs as the querying role (the views are security_invoker), which gets EXECUTE.
CREATE FUNCTION rolloy_internal._insight_scope() RETURNS uuid
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
    SELECT CASE WHEN rolloy.is_admin() THEN NULL ELSE rolloy.current_user_id() END
$$;

-- ---------------------------------------------------------------------------------------------
CREATE FUNCTION rolloy.refresh_insights()
RETURNS TABLE (kind text, scopes integer, rows_written bigint)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
-- A nightly batch: hash aggregates in memory, and no JIT compilation (it costs more than it saves here).
SET work_mem = '256MB' SET jit = off AS $$
#variable_conflict use_column
DECLARE
    cfg rolloy.insight_settings;
    stamp timestamptz := pg_catalog.now();
    started timestamptz := pg_catalog.clock_timestamp();
BEGIN
    PERFORM rolloy_internal._require_admin_or_superuser();
    -- One refresh at a time; readers keep seeing the previous results until this commits.
    LOCK TABLE rolloy.insights IN SHARE ROW EXCLUSIVE MODE;
    SELECT * INTO cfg FROM rolloy.insight_settings;
    IF NOT FOUND THEN
        INSERT INTO rolloy.insight_settings DEFAULT VALUES RETURNING * INTO cfg;
    END IF;

    -- Left over from an earlier call in the same transaction (they are dropped at commit).
    IF to_regclass('pg_temp.rolloy_ins_period') IS NOT NULL THEN
        DROP TABLE IF EXISTS pg_temp.rolloy_ins_period, pg_temp.rolloy_ins_creative, pg_temp.rolloy_ins_scope,
                             pg_temp.rolloy_ins_cc, pg_temp.rolloy_ins_sc;
    END IF;

    -- The one full pass over performance_data: creative x week x month x currency pieces (a week
    -- that straddles two months gives two pieces), so that weeks and months both add up from
    -- them. Rows that cover a range count in the period of their first day.
    CREATE TEMP TABLE rolloy_ins_period ON COMMIT DROP AS
    WITH piece AS MATERIALIZED (
        SELECT pd.project_id, pd.report_date - (extract(isodow FROM pd.report_date)::integer - 1) AS week_start,
               date_trunc('month', pd.report_date::timestamp)::date AS month_start, pd.currency,
               sum(pd.impressions) AS impressions, sum(pd.clicks) AS clicks, sum(pd.conversions) AS conversions,
               sum(pd.spend) AS spend, sum(pd.conversion_value) AS conversion_value, max(pd.report_date) AS last_day
          FROM rolloy.performance_data pd
         WHERE pd.project_id IS NOT NULL
         GROUP BY pd.project_id, pd.report_date - (extract(isodow FROM pd.report_date)::integer - 1),
                  date_trunc('month', pd.report_date::timestamp)::date, pd.currency
    )
    SELECT pc.project_id, 'week' AS grain, pc.week_start AS period_start, pc.currency,
           sum(pc.impressions)::bigint AS impressions, sum(pc.clicks)::bigint AS clicks, sum(pc.conversions) AS conversions,
           sum(pc.spend) AS spend, sum(pc.conversion_value) AS conversion_value, max(pc.last_day) AS last_day
      FROM piece pc GROUP BY pc.project_id, pc.week_start, pc.currency
    UNION ALL
    SELECT pc.project_id, 'month', pc.month_start, pc.currency, sum(pc.impressions)::bigint, sum(pc.clicks)::bigint,
           sum(pc.conversions), sum(pc.spend), sum(pc.conversion_value), max(pc.last_day)
      FROM piece pc GROUP BY pc.project_id, pc.month_start, pc.currency;
    ANALYZE pg_temp.rolloy_ins_period;

    -- Creative x currency totals (from the weeks, which partition the days).
    CREATE TEMP TABLE rolloy_ins_cc ON COMMIT DROP AS
    SELECT pr.project_id, pr.currency, sum(pr.impressions)::bigint AS impressions, sum(pr.clicks)::bigint AS clicks,
           sum(pr.conversions) AS conversions, sum(pr.spend) AS spend, sum(pr.conversion_value) AS conversion_value
      FROM pg_temp.rolloy_ins_period pr
     WHERE pr.grain = 'week'
     GROUP BY pr.project_id, pr.currency;
    ANALYZE pg_temp.rolloy_ins_cc;

    -- Creatives with data and their ABCD codes (scene as A1_A2: scene codes repeat across categories).
    CREATE TEMP TABLE rolloy_ins_creative ON COMMIT DROP AS
    SELECT p.id AS project_id, p.created_by AS owner_id, u.is_active AS owner_active, p.generated_name AS creative_name,
           s.category_code AS category, s.category_code || '_' || s.scene_code AS scene,
           a.code AS action, d.code AS driver, f.code AS format
      FROM rolloy.creative_projects p
      JOIN rolloy.users u ON u.id = p.created_by
      JOIN rolloy.scenes s ON s.id = p.scene_id
      JOIN rolloy.actions a ON a.id = p.action_id
      JOIN rolloy.drivers d ON d.id = p.driver_id
      JOIN rolloy.formats f ON f.id = p.format_id
     WHERE p.id IN (SELECT cc.project_id FROM pg_temp.rolloy_ins_cc cc);
    ANALYZE pg_temp.rolloy_ins_creative;

    -- Scopes: 0 = all data; then one per active owner. A creative belongs to two scopes.
    CREATE TEMP TABLE rolloy_ins_scope ON COMMIT DROP AS
    SELECT 0 AS scope_no, NULL::uuid AS scope_user_id, c.project_id FROM pg_temp.rolloy_ins_creative c
    UNION ALL
    SELECT dense_rank() OVER (ORDER BY c.owner_id)::integer, c.owner_id, c.project_id
      FROM pg_temp.rolloy_ins_creative c WHERE c.owner_active;
    ANALYZE pg_temp.rolloy_ins_scope;

    -- Per scope and creative: counts over all currencies (CTR), money in the scope's reporting
    -- currency (the one with most impressions in the scope; ties: alphabetical).
    CREATE TEMP TABLE rolloy_ins_sc ON COMMIT DROP AS
    WITH reporting AS (
        SELECT DISTINCT ON (s.scope_no) s.scope_no, cc.currency
          FROM pg_temp.rolloy_ins_scope s JOIN pg_temp.rolloy_ins_cc cc ON cc.project_id = s.project_id
         GROUP BY s.scope_no, cc.currency
         ORDER BY s.scope_no, sum(cc.impressions) DESC, cc.currency
    ), totals AS (
        SELECT cc.project_id, sum(cc.impressions)::bigint AS impressions, sum(cc.clicks)::bigint AS clicks,
               sum(cc.conversions) AS conversions
          FROM pg_temp.rolloy_ins_cc cc GROUP BY cc.project_id
    )
    SELECT s.scope_no, s.scope_user_id, c.*, t.impressions, t.clicks, t.conversions, r.currency,
           coalesce(m.spend, 0) AS spend, coalesce(m.conversion_value, 0) AS conversion_value,
           t.impressions >= cfg.min_impressions AS eligible
      FROM pg_temp.rolloy_ins_scope s
      JOIN pg_temp.rolloy_ins_creative c ON c.project_id = s.project_id
      JOIN totals t ON t.project_id = s.project_id
      JOIN reporting r ON r.scope_no = s.scope_no
      LEFT JOIN pg_temp.rolloy_ins_cc m ON m.project_id = s.project_id AND m.currency = r.currency;
    ANALYZE pg_temp.rolloy_ins_sc;

    DELETE FROM rolloy.insights;

    -- Tiers: rank eligible creatives by the Wilson lower bound of CTR; a creative is in the top
    -- X % when its rank is within the first X % of the eligible creatives of the scope.
    INSERT INTO rolloy.insights (refreshed_at, scope_user_id, kind, dimension, dimension_value, project_id,
                                 metric, value, label, rank, currency, impressions, clicks, conversions,
                                 spend, conversion_value, sample_creatives, details)
    SELECT stamp, r.scope_user_id, 'tier', 'creative', r.creative_name, r.project_id, 'ctr',
           r.clicks::numeric / nullif(r.impressions, 0),
           rolloy_internal._tier(r.eligible, r.tier_rank, r.eligible_creatives),
           r.tier_rank, r.currency, r.impressions, r.clicks, r.conversions, r.spend, r.conversion_value, 1,
           jsonb_build_object('ctr_lower_bound', r.lower_bound, 'ctr_upper_bound',
                              rolloy_internal.wilson_upper_bound(r.clicks, r.impressions, cfg.wilson_z),
                              'eligible_creatives', r.eligible_creatives,
                              'category', r.category, 'scene', r.scene, 'action', r.action,
                              'driver', r.driver, 'format', r.format)
      FROM (SELECT sc.*,
                   CASE WHEN sc.eligible THEN rank() OVER (PARTITION BY sc.scope_no, sc.eligible
                                                           ORDER BY sc.lower_bound DESC) END AS tier_rank,
                   count(*) FILTER (WHERE sc.eligible) OVER (PARTITION BY sc.scope_no) AS eligible_creatives
              FROM (SELECT x.*, rolloy_internal.wilson_lower_bound(x.clicks, x.impressions, cfg.wilson_z) AS lower_bound
                      FROM pg_temp.rolloy_ins_sc x) sc) r;

    -- Tiers of images, the variants that run as ads (…_V01): the same ranking among the scope's
    -- eligible images, over the rows matched to an image. A second pass, over those rows only.
    INSERT INTO rolloy.insights (refreshed_at, scope_user_id, kind, dimension, dimension_value, project_id, image_id,
                                 metric, value, label, rank, currency, impressions, clicks, conversions,
                                 spend, conversion_value, sample_creatives, details)
    WITH per_image AS (
        SELECT pd.image_id, pd.project_id, pd.currency, sum(pd.impressions) AS impressions, sum(pd.clicks) AS clicks,
               sum(pd.conversions) AS conversions, sum(pd.spend) AS spend, sum(pd.conversion_value) AS conversion_value
          FROM rolloy.performance_data pd
         WHERE pd.image_id IS NOT NULL
         GROUP BY pd.image_id, pd.project_id, pd.currency
    ), totals AS (
        SELECT pi.image_id, pi.project_id, sum(pi.impressions)::bigint AS impressions, sum(pi.clicks)::bigint AS clicks,
               sum(pi.conversions) AS conversions
          FROM per_image pi GROUP BY pi.image_id, pi.project_id
    ), reporting AS (  -- each scope's reporting currency, as for creatives
        SELECT DISTINCT sc.scope_no, sc.currency FROM pg_temp.rolloy_ins_sc sc
    ), scoped AS (
        SELECT s.scope_no, s.scope_user_id, t.image_id, t.project_id, g.ad_name, t.impressions, t.clicks,
               t.conversions, r.currency, coalesce(m.spend, 0) AS spend, coalesce(m.conversion_value, 0) AS conversion_value,
               t.impressions >= cfg.min_impressions AS eligible,
               rolloy_internal.wilson_lower_bound(t.clicks, t.impressions, cfg.wilson_z) AS lower_bound
          FROM totals t
          JOIN rolloy.generated_images g ON g.id = t.image_id
          JOIN pg_temp.rolloy_ins_scope s ON s.project_id = t.project_id
          JOIN reporting r ON r.scope_no = s.scope_no
          LEFT JOIN per_image m ON m.image_id = t.image_id AND m.currency = r.currency
    ), ranked AS (
        SELECT x.*,
               CASE WHEN x.eligible THEN rank() OVER (PARTITION BY x.scope_no, x.eligible ORDER BY x.lower_bound DESC) END
                   AS tier_rank,
               count(*) FILTER (WHERE x.eligible) OVER (PARTITION BY x.scope_no) AS eligible_images
          FROM scoped x
    )
    SELECT stamp, r.scope_user_id, 'tier', 'image', r.ad_name, r.project_id, r.image_id, 'ctr',
           r.clicks::numeric / nullif(r.impressions, 0),
           rolloy_internal._tier(r.eligible, r.tier_rank, r.eligible_images),
           r.tier_rank, r.currency, r.impressions, r.clicks, r.conversions, r.spend, r.conversion_value, 1,
           jsonb_build_object('ctr_lower_bound', r.lower_bound, 'ctr_upper_bound',
                              rolloy_internal.wilson_upper_bound(r.clicks, r.impressions, cfg.wilson_z),
                              'eligible_images', r.eligible_images)
      FROM ranked r;

    INSERT INTO rolloy.insights (refreshed_at, scope_user_id, kind, dimension, dimension_value, project_id,
                                 metric, value, label, rank, currency, impressions, clicks, conversions,
                                 spend, conversion_value, sample_creatives, details)
    SELECT stamp, i.scope_user_id, 'leaderboard', i.dimension, i.dimension_value, i.project_id, i.metric,
           i.value, i.label, i.rank, i.currency, i.impressions, i.clicks, i.conversions, i.spend,
           i.conversion_value, i.sample_creatives, i.details
      FROM rolloy.insights i
     WHERE i.kind = 'tier' AND i.dimension = 'creative' AND i.rank <= cfg.leaderboard_size;

    -- Effects: each dimension value against the rest of the scope's eligible creatives (the
    -- complement, not an average that contains the group), creatives as the units: the test
    -- sees every eligible creative of the dimension once per value, on the value's side or the
    -- rest's. ROAS units are the creatives with spend in the scope's reporting currency.
    INSERT INTO rolloy.insights (refreshed_at, scope_user_id, kind, dimension, dimension_value, metric,
                                 value, lift, confidence_score, label, currency, impressions, clicks,
                                 conversions, spend, conversion_value, sample_creatives, details)
    WITH unit AS (
        SELECT sc.scope_no, sc.scope_user_id, sc.currency, v.dimension, v.dimension_value,
               sc.impressions::numeric AS n, sc.clicks::numeric AS k,
               nullif(sc.spend, 0) AS s, CASE WHEN sc.spend > 0 THEN sc.conversion_value END AS cv
          FROM pg_temp.rolloy_ins_sc sc
         CROSS JOIN LATERAL (VALUES ('category', sc.category), ('scene', sc.scene), ('action', sc.action),
                                    ('driver', sc.driver), ('format', sc.format)) v(dimension, dimension_value)
         WHERE sc.eligible
    ), grp AS (
        SELECT DISTINCT u.scope_no, u.scope_user_id, u.currency, u.dimension, u.dimension_value FROM unit u
    ), tested AS (
        SELECT g.scope_user_id, g.currency, g.dimension, g.dimension_value,
               sum(u.n) FILTER (WHERE u.dimension_value = g.dimension_value) AS impressions,
               sum(u.k) FILTER (WHERE u.dimension_value = g.dimension_value) AS clicks,
               coalesce(sum(u.s) FILTER (WHERE u.dimension_value = g.dimension_value), 0) AS spend,
               coalesce(sum(u.cv) FILTER (WHERE u.dimension_value = g.dimension_value), 0) AS conversion_value,
               sum(u.n) FILTER (WHERE u.dimension_value <> g.dimension_value) AS rest_impressions,
               sum(u.k) FILTER (WHERE u.dimension_value <> g.dimension_value) AS rest_clicks,
               sum(u.s) FILTER (WHERE u.dimension_value <> g.dimension_value) AS rest_spend,
               coalesce(sum(u.cv) FILTER (WHERE u.dimension_value <> g.dimension_value), 0) AS rest_conversion_value,
               rolloy_internal.ratio_test(u.dimension_value = g.dimension_value, u.k::float8, u.n::float8) AS ctr,
               rolloy_internal.ratio_test(u.dimension_value = g.dimension_value, u.cv::float8, u.s::float8) AS roas
          FROM grp g
          JOIN unit u ON u.scope_no = g.scope_no AND u.dimension = g.dimension
         GROUP BY g.scope_no, g.scope_user_id, g.currency, g.dimension, g.dimension_value
    ), compared AS (
        SELECT t.scope_user_id, t.dimension, t.dimension_value, x.metric, x.currency, x.impressions, x.clicks,
               x.spend, x.conversion_value, (x.r).*,
               -- The figures shown are ratios of the exact numeric sums; the test works in doubles.
               x.group_value, x.rest_value
          FROM tested t
         CROSS JOIN LATERAL (VALUES
               ('ctr', NULL::text, t.ctr, t.impressions, t.clicks, NULL::numeric, NULL::numeric,
                t.clicks / nullif(t.impressions, 0), t.rest_clicks / nullif(t.rest_impressions, 0)),
               ('roas', t.currency, t.roas, NULL, NULL, t.spend, t.conversion_value,
                t.conversion_value / nullif(t.spend, 0), t.rest_conversion_value / nullif(t.rest_spend, 0)))
               x(metric, currency, r, impressions, clicks, spend, conversion_value, group_value, rest_value)
    ), judged AS (
        SELECT c.*,
               CASE WHEN c.status = 'tested' AND c.group_units >= cfg.effect_min_creatives
                         AND c.rest_units >= cfg.effect_min_creatives
                    THEN round(c.confidence::numeric, 6) END AS confidence_score
          FROM compared c
         WHERE c.group_value IS NOT NULL
    )
    SELECT stamp, j.scope_user_id, 'effect', j.dimension, j.dimension_value, j.metric, j.group_value,
           j.group_value / nullif(j.rest_value, 0) - 1, j.confidence_score,
           CASE WHEN j.confidence_score IS NULL THEN 'insufficient_data'
                WHEN j.confidence_score >= cfg.effect_confidence AND j.group_value > j.rest_value THEN 'better'
                WHEN j.confidence_score >= cfg.effect_confidence AND j.group_value < j.rest_value THEN 'worse'
                ELSE 'inconclusive' END,
           j.currency, j.impressions::bigint, j.clicks::bigint, NULL, j.spend, j.conversion_value, j.group_units,
           jsonb_build_object('rest_value', j.rest_value, 'rest_creatives', j.rest_units,
                              'std_error', CASE WHEN j.confidence_score IS NOT NULL THEN j.std_error END,
                              't_statistic', CASE WHEN j.confidence_score IS NOT NULL THEN round(j.t_statistic::numeric, 6) END,
                              'degrees_of_freedom',
                              CASE WHEN j.confidence_score IS NOT NULL THEN round(j.degrees_of_freedom::numeric, 6) END,
                              'p_value', 1 - j.confidence_score, 'few_creatives', j.few_units,
                              'untested_because', CASE WHEN j.confidence_score IS NOT NULL THEN NULL
                                                       WHEN j.status = 'no_spread' THEN 'no_spread'
                                                       ELSE 'too_few_creatives' END)
      FROM judged j;

    -- Trends: per week (ISO, from Monday) and month, overall and per dimension value, per currency
    -- (every figure of a row comes from rows in that currency, so its ratios are consistent).
    -- Summed per owner first; the all-data scope is the sum over owners (fewer rows to add up).
    INSERT INTO rolloy.insights (refreshed_at, scope_user_id, kind, dimension, dimension_value, grain, period_start,
                                 metric, value, currency, impressions, clicks, conversions, spend,
                                 conversion_value, sample_creatives, details)
    WITH per_owner AS MATERIALIZED (
        SELECT c.owner_id, bool_and(c.owner_active) AS owner_active, v.dimension, v.dimension_value, pr.grain,
               pr.period_start, pr.currency, sum(pr.impressions) AS impressions, sum(pr.clicks) AS clicks,
               sum(pr.conversions) AS conversions, sum(pr.spend) AS spend, sum(pr.conversion_value) AS conversion_value,
               count(*) AS creatives, max(pr.last_day) AS last_day
          FROM pg_temp.rolloy_ins_period pr
          JOIN pg_temp.rolloy_ins_creative c ON c.project_id = pr.project_id
         CROSS JOIN LATERAL (VALUES ('all', 'all'), ('category', c.category), ('scene', c.scene), ('action', c.action),
                                    ('driver', c.driver), ('format', c.format)) v(dimension, dimension_value)
         GROUP BY c.owner_id, v.dimension, v.dimension_value, pr.grain, pr.period_start, pr.currency
    ), scoped AS (
        SELECT o.owner_id AS scope_user_id, o.dimension, o.dimension_value, o.grain, o.period_start, o.currency,
               o.impressions, o.clicks, o.conversions, o.spend, o.conversion_value, o.creatives, o.last_day
          FROM per_owner o WHERE o.owner_active
        UNION ALL
        SELECT NULL, o.dimension, o.dimension_value, o.grain, o.period_start, o.currency, sum(o.impressions),
               sum(o.clicks), sum(o.conversions), sum(o.spend), sum(o.conversion_value), sum(o.creatives), max(o.last_day)
          FROM per_owner o
         GROUP BY o.dimension, o.dimension_value, o.grain, o.period_start, o.currency
    )
    SELECT stamp, x.scope_user_id, 'trend', x.dimension, x.dimension_value, x.grain, x.period_start, 'ctr',
           x.clicks::numeric / nullif(x.impressions, 0), x.currency, x.impressions, x.clicks, x.conversions, x.spend,
           x.conversion_value, x.creatives, jsonb_build_object('data_through', x.last_day)
      FROM scoped x;

    -- Cost efficiency: totals per dimension value and currency.
    INSERT INTO rolloy.insights (refreshed_at, scope_user_id, kind, dimension, dimension_value, metric, value,
                                 currency, impressions, clicks, conversions, spend, conversion_value, sample_creatives)
    SELECT stamp, s.scope_user_id, 'cost', v.dimension, v.dimension_value, 'roas',
           sum(cc.conversion_value) / nullif(sum(cc.spend), 0), cc.currency, sum(cc.impressions), sum(cc.clicks),
           sum(cc.conversions), sum(cc.spend), sum(cc.conversion_value), count(*)
      FROM pg_temp.rolloy_ins_cc cc
      JOIN pg_temp.rolloy_ins_scope s ON s.project_id = cc.project_id
      JOIN pg_temp.rolloy_ins_creative c ON c.project_id = cc.project_id
     CROSS JOIN LATERAL (VALUES ('all', 'all'), ('category', c.category), ('scene', c.scene), ('action', c.action),
                                ('driver', c.driver), ('format', c.format)) v(dimension, dimension_value)
     GROUP BY s.scope_no, s.scope_user_id, v.dimension, v.dimension_value, cc.currency;

    -- Heatmaps: every pair of dimensions (stored once, in ABCD order; the view offers both ways).
    INSERT INTO rolloy.insights (refreshed_at, scope_user_id, kind, dimension, dimension_value, dimension2,
                                 dimension_value2, metric, value, currency, impressions, clicks, conversions,
                                 spend, conversion_value, sample_creatives)
    SELECT stamp, s.scope_user_id, 'heatmap', v.d1, v.v1, v.d2, v.v2, 'ctr',
           sum(cc.clicks)::numeric / nullif(sum(cc.impressions), 0), cc.currency, sum(cc.impressions),
           sum(cc.clicks), sum(cc.conversions), sum(cc.spend), sum(cc.conversion_value), count(*)
      FROM pg_temp.rolloy_ins_cc cc
      JOIN pg_temp.rolloy_ins_scope s ON s.project_id = cc.project_id
      JOIN pg_temp.rolloy_ins_creative c ON c.project_id = cc.project_id
     CROSS JOIN LATERAL (VALUES
           ('category', c.category, 'scene', c.scene), ('category', c.category, 'action', c.action),
           ('category', c.category, 'driver', c.driver), ('category', c.category, 'format', c.format),
           ('scene', c.scene, 'action', c.action), ('scene', c.scene, 'driver', c.driver),
           ('scene', c.scene, 'format', c.format), ('action', c.action, 'driver', c.driver),
           ('action', c.action, 'format', c.format), ('driver', c.driver, 'format', c.format)) v(d1, v1, d2, v2)
     GROUP BY s.scope_no, s.scope_user_id, v.d1, v.v1, v.d2, v.v2, cc.currency;

    -- Fatigue: CTR of the creative's last W days with data against its first W days, days as
    -- the units of the test (jackknife over days, as for effects). Only daily rows count (a
    -- range cannot say which day was which). The days are found through the index on
    -- performance_data (project_id, report_date): the first 2W and the last W days with data of
    -- each creative, never a sort of all rows. 2W days are needed, so the windows never overlap.
    -- A daily row is written period_end <= report_date (equal, given the CHECK period_end >=
    -- report_date): the planner guesses 0.5 % of rows for "column = column" and would then
    -- sort every row of a creative instead of walking the index in date order.
    INSERT INTO rolloy.insights (refreshed_at, scope_user_id, kind, dimension, dimension_value, project_id,
                                 metric, value, lift, confidence_score, label, impressions, clicks, sample_creatives,
                                 details)
    WITH first_days AS (
        SELECT c.project_id, f.day, f.day_no
          FROM pg_temp.rolloy_ins_creative c
         CROSS JOIN LATERAL (
               SELECT d.day, row_number() OVER (ORDER BY d.day) AS day_no
                 FROM (SELECT DISTINCT pd.report_date AS day
                         FROM rolloy.performance_data pd
                        WHERE pd.project_id = c.project_id AND pd.period_end <= pd.report_date AND pd.impressions > 0
                        ORDER BY pd.report_date
                        LIMIT 2 * cfg.fatigue_window_days) d) f
    ), found AS (
        SELECT fd.project_id, max(fd.day_no) AS days_with_data FROM first_days fd GROUP BY fd.project_id
    ), totals AS (
        SELECT cc.project_id, sum(cc.impressions)::bigint AS impressions, sum(cc.clicks)::bigint AS clicks,
               min(f.days_with_data) AS days_with_data
          FROM pg_temp.rolloy_ins_cc cc LEFT JOIN found f ON f.project_id = cc.project_id
         GROUP BY cc.project_id
    ), eligible AS (
        SELECT t.project_id FROM totals t
         WHERE t.days_with_data = 2 * cfg.fatigue_window_days AND t.impressions >= cfg.fatigue_min_impressions
    ), window_days AS (
        SELECT fd.project_id, fd.day, 'baseline' AS window_name
          FROM first_days fd WHERE fd.day_no <= cfg.fatigue_window_days AND fd.project_id IN (SELECT e.project_id FROM eligible e)
        UNION ALL
        SELECT e.project_id, l.day, 'recent'
          FROM eligible e
         CROSS JOIN LATERAL (SELECT DISTINCT pd.report_date AS day
                               FROM rolloy.performance_data pd
                              WHERE pd.project_id = e.project_id AND pd.period_end <= pd.report_date AND pd.impressions > 0
                              ORDER BY pd.report_date DESC
                              LIMIT cfg.fatigue_window_days) l
    ), days AS (
        SELECT w.project_id, w.window_name, w.day, sum(pd.impressions)::numeric AS n, sum(pd.clicks)::numeric AS k
          FROM window_days w
          JOIN rolloy.performance_data pd ON pd.project_id = w.project_id AND pd.report_date = w.day
                                         AND pd.period_end <= pd.report_date
         GROUP BY w.project_id, w.window_name, w.day
    ), tested AS (  -- the recent window's days against the baseline's
        SELECT d.project_id,
               sum(d.k) FILTER (WHERE d.window_name = 'baseline')
                   / nullif(sum(d.n) FILTER (WHERE d.window_name = 'baseline'), 0) AS baseline_ctr,
               sum(d.k) FILTER (WHERE d.window_name = 'recent')
                   / nullif(sum(d.n) FILTER (WHERE d.window_name = 'recent'), 0) AS recent_ctr,
               rolloy_internal.ratio_test(d.window_name = 'recent', d.k::float8, d.n::float8) AS t,
               min(d.day) FILTER (WHERE d.window_name = 'baseline') AS baseline_from,
               max(d.day) FILTER (WHERE d.window_name = 'baseline') AS baseline_to,
               min(d.day) FILTER (WHERE d.window_name = 'recent') AS recent_from,
               max(d.day) FILTER (WHERE d.window_name = 'recent') AS recent_to
          FROM days d
         GROUP BY d.project_id
    ), assessed AS (
        SELECT x.project_id, x.baseline_ctr, x.recent_ctr,
               CASE WHEN (x.t).status = 'tested' THEN round((x.t).confidence::numeric, 6) END AS confidence,
               x.baseline_from, x.baseline_to, x.recent_from, x.recent_to
          FROM tested x
    )
    SELECT stamp, s.scope_user_id, 'fatigue', 'creative', c.creative_name, c.project_id, 'ctr',
           a.recent_ctr, a.recent_ctr / nullif(a.baseline_ctr, 0) - 1, a.confidence,
           -- Untested (a window whose days all have the same CTR, typically no click at all): the
           -- unit-based test cannot tell chance from a change there, so no verdict either way.
           CASE WHEN a.project_id IS NULL OR a.confidence IS NULL THEN 'insufficient_data'
                WHEN a.recent_ctr <= (1 - cfg.fatigue_drop) * a.baseline_ctr
                     AND a.confidence >= cfg.fatigue_confidence THEN 'fatigued'
                ELSE 'stable' END,
           t.impressions, t.clicks, 1,
           jsonb_build_object('baseline_ctr', a.baseline_ctr, 'window_days', cfg.fatigue_window_days,
                              'baseline_from', a.baseline_from, 'baseline_to', a.baseline_to,
                              'recent_from', a.recent_from, 'recent_to', a.recent_to,
                              'days_with_data', t.days_with_data)
      FROM pg_temp.rolloy_ins_creative c
      JOIN totals t ON t.project_id = c.project_id
      JOIN pg_temp.rolloy_ins_scope s ON s.project_id = c.project_id
      LEFT JOIN assessed a ON a.project_id = c.project_id;

    DROP TABLE pg_temp.rolloy_ins_period, pg_temp.rolloy_ins_creative, pg_temp.rolloy_ins_scope,
               pg_temp.rolloy_ins_cc, pg_temp.rolloy_ins_sc;
    -- Takes in every pending import and records the refresh (61_insight_refreshes.sql).
    PERFORM rolloy_internal._record_refresh(started, (SELECT count(*) FROM rolloy.insights));

    RETURN QUERY
    SELECT k.kind, count(DISTINCT i.scope_user_id)::integer + (count(*) FILTER (WHERE i.scope_user_id IS NULL) > 0)::integer,
           count(i.id)
      FROM (VALUES ('tier'), ('leaderboard'), ('effect'), ('trend'), ('cost'), ('heatmap'), ('fatigue')) k(kind)
      LEFT JOIN rolloy.insights i ON i.kind = k.kind
     GROUP BY k.kind
     ORDER BY k.kind;
END
$$;
COMMENT ON FUNCTION rolloy.refresh_insights() IS
    'Recomputes all insights (tiers, leaderboard, effects, trends, cost, heatmaps, fatigue) over all '
    'data and over each user''s creatives, replacing the previous results atomically; returns rows '
    'written per kind. Admins, or a superuser (pg_cron). See docs/insights.md.';

-- ---------------------------------------------------------------------------------------------
-- Scheduling with pg_cron (optional: rolloy never requires it; cron.* is reached dynamically).
CREATE FUNCTION rolloy_internal._require_pg_cron() RETURNS void
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_extension e WHERE e.extname = 'pg_cron') THEN
        RAISE EXCEPTION 'pg_cron is not installed in this database'
            USING ERRCODE = 'object_not_in_prerequisite_state',
                  HINT = format('In postgresql.conf set shared_preload_libraries = ''pg_cron'' (add it to the list) '
                                'and cron.database_name = %L, restart Postgres, then run CREATE EXTENSION pg_cron '
                                'in that database. Or, from the database where pg_cron runs: SELECT '
                                'cron.schedule_in_database(''rolloy-insights'', ''0 2 * * *'', '
                                '''SELECT rolloy.refresh_insights()'', %L);',
                                pg_catalog.current_database(), pg_catalog.current_database());
    END IF;
END
$$;

-- SECURITY DEFINER: the job belongs to (and runs as) the extension owner, so admins need no
-- rights on the cron schema and the job passes refresh_insights' superuser check.
CREATE FUNCTION rolloy.schedule_insights(cron text DEFAULT '0 2 * * *') RETURNS bigint
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    job bigint;
BEGIN
    PERFORM rolloy_internal._require_admin_or_superuser();
    PERFORM rolloy_internal._check_length('the schedule', cron, 100);
    PERFORM rolloy_internal._require_pg_cron();
    -- A named job is upserted by pg_cron: calling again changes the schedule, never adds a job.
    EXECUTE 'SELECT cron.schedule($1, $2, $3)' INTO job
        USING 'rolloy-insights', cron, 'SELECT rolloy.refresh_insights()';
    RETURN job;
END
$$;
COMMENT ON FUNCTION rolloy.schedule_insights(text) IS
    'Schedules SELECT rolloy.refresh_insights() with pg_cron as job rolloy-insights (default daily '
    'at 02:00 server time); calling again replaces the schedule. Returns the job id. Admins or a '
    'superuser; needs pg_cron in this database (the error says how to set it up).';

CREATE FUNCTION rolloy.unschedule_insights() RETURNS boolean
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    found boolean;
BEGIN
    PERFORM rolloy_internal._require_admin_or_superuser();
    PERFORM rolloy_internal._require_pg_cron();
    EXECUTE 'SELECT EXISTS (SELECT 1 FROM cron.job WHERE jobname = $1 AND username = current_user)'
        INTO found USING 'rolloy-insights';
    IF found THEN
        EXECUTE 'SELECT cron.unschedule($1::name)' USING 'rolloy-insights';
    END IF;
    RETURN found;
END
$$;
COMMENT ON FUNCTION rolloy.unschedule_insights() IS
    'Removes the pg_cron job rolloy-insights; true if there was one. Admins or a superuser.';

-- ---------------------------------------------------------------------------------------------
-- Views for BI tools. Each shows the insights of the caller's scope: all data for admins, the
-- caller's own creatives for members (rows of rolloy.insights under its RLS). Ratios are
-- computed here from the stored sums.

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
   AND (i.scope_user_id = (SELECT rolloy_internal._insight_scope())
        OR (i.scope_user_id IS NULL AND (SELECT rolloy_internal._insight_scope()) IS NULL))
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
   AND (i.scope_user_id = (SELECT rolloy_internal._insight_scope())
        OR (i.scope_user_id IS NULL AND (SELECT rolloy_internal._insight_scope()) IS NULL))
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
           AND (i.scope_user_id = (SELECT rolloy_internal._insight_scope())
                OR (i.scope_user_id IS NULL AND (SELECT rolloy_internal._insight_scope()) IS NULL))
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
  FROM rolloy.insights i
 WHERE i.kind = 'effect'
   AND (i.scope_user_id = (SELECT rolloy_internal._insight_scope())
        OR (i.scope_user_id IS NULL AND (SELECT rolloy_internal._insight_scope()) IS NULL));
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
  FROM rolloy.insights i
 WHERE i.kind = 'trend'
   AND (i.scope_user_id = (SELECT rolloy_internal._insight_scope())
        OR (i.scope_user_id IS NULL AND (SELECT rolloy_internal._insight_scope()) IS NULL));
COMMENT ON VIEW rolloy.insight_trends IS
    'Weekly and monthly figures, overall (dimension all) and per ABCD value, one row per currency '
    '(admins: all data; members: their own creatives).';

CREATE VIEW rolloy.insight_cost_efficiency WITH (security_invoker = true) AS
SELECT i.scope_user_id, i.dimension, i.dimension_value, i.currency, i.sample_creatives AS creatives,
       i.impressions, i.clicks, i.conversions, i.spend, i.conversion_value,
       i.clicks::numeric / nullif(i.impressions, 0) AS ctr, i.spend / nullif(i.clicks, 0) AS cpc,
       i.spend * 1000 / nullif(i.impressions, 0) AS cpm, i.spend / nullif(i.conversions, 0) AS cpa,
       i.conversion_value / nullif(i.spend, 0) AS roas, i.refreshed_at
  FROM rolloy.insights i
 WHERE i.kind = 'cost'
   AND (i.scope_user_id = (SELECT rolloy_internal._insight_scope())
        OR (i.scope_user_id IS NULL AND (SELECT rolloy_internal._insight_scope()) IS NULL));
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
          FROM rolloy.insights i
         CROSS JOIN LATERAL (VALUES (i.dimension, i.dimension_value, i.dimension2, i.dimension_value2),
                                    (i.dimension2, i.dimension_value2, i.dimension, i.dimension_value))
               xy(dimension_x, value_x, dimension_y, value_y)
         WHERE i.kind = 'heatmap'
           AND (i.scope_user_id = (SELECT rolloy_internal._insight_scope())
                OR (i.scope_user_id IS NULL AND (SELECT rolloy_internal._insight_scope()) IS NULL))) h;
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
   AND (i.scope_user_id = (SELECT rolloy_internal._insight_scope())
        OR (i.scope_user_id IS NULL AND (SELECT rolloy_internal._insight_scope()) IS NULL))
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
        ('insight_tiers', 'scope_user_id', 'Scope: NULL = all data (admins), else the member whose creatives these are.'),
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
        ('insight_image_tiers', 'scope_user_id', 'Scope: NULL = all data (admins), else the member whose images these are.'),
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
        ('insight_leaderboard', 'scope_user_id', 'Scope: NULL = all data (admins), else the member whose creatives these are.'),
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

        ('insight_effects', 'scope_user_id', 'Scope: NULL = all data (admins), else the member whose creatives these are.'),
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

        ('insight_trends', 'scope_user_id', 'Scope: NULL = all data (admins), else the member whose creatives these are.'),
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

        ('insight_cost_efficiency', 'scope_user_id', 'Scope: NULL = all data (admins), else the member whose creatives these are.'),
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

        ('insight_heatmap', 'scope_user_id', 'Scope: NULL = all data (admins), else the member whose creatives these are.'),
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

        ('insight_fatigue', 'scope_user_id', 'Scope: NULL = all data (admins), else the member whose creatives these are.'),
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
