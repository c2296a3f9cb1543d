-- Insights: performance tiers, effects of each ABCD value on CTR and ROAS with a confidence
-- score, trends, leaderboard, cost efficiency, heatmaps and creative fatigue.
--
-- The parts: this file (the columns of rolloy.insights, the settings, the statistics, the
-- schedule); 61 (refresh after every import); 62 (the rollup the kinds read); 63_insight_kind_*
-- (one function and one file per kind of insight); 64 (refresh_insights(), which runs the rollup
-- step and then every kind); 66 (the BI views). Methods and formulas: docs/insights.md.
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
-- Every refresh replaces a kind's rows (a kind's periods for trends) and every view reads one kind:
-- by kind, not by a scan of all insights, which churn makes several times their live size between
-- vacuums (2-3 ms a kind at 16,000 rows, against 0.2-1).
CREATE INDEX insights_kind_period_idx ON rolloy.insights (kind, period_start);

-- Every stored insight is computed over all data: admins read them all, members the rows of their
-- own creatives (tiers, leaderboard, fatigue; a semi-join under the caller's RLS of creative_projects).
-- Members' aggregate findings are computed when they read (64_insight_refresh.sql).
CREATE POLICY insights_select ON rolloy.insights FOR SELECT
    USING ((SELECT rolloy.is_admin()) OR EXISTS (SELECT 1 FROM rolloy.creative_projects p WHERE p.id = insights.project_id));

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

