-- Kind "fatigue": a creative's CTR over its last W days with data against its first W days
-- (W = fatigue_window_days), days as the units of the test; only daily rows count (a range cannot
-- say which day was which). A creative's row depends on its own ads' days only: after an import,
-- only the creatives whose ads' sums changed are computed again (all when run.regrouped).
-- Members read their own creatives' rows (RLS).
--
-- The creative's first 2W days with data (its eligibility, its baseline window) do not move when
-- a later day arrives, and an import adds a later day to every running ad: they are kept in
-- insight_fatigue_early_days and read again from ad_days (each ad's first 2W daily days through
-- its primary key, never a sort of all rows) only when they can have moved: a change on a day at
-- or before the last kept day (or any change while fewer than 2W days are kept); every creative
-- when run.regrouped (its ads, the settings: fatigue_window_days) or the rollup was rebuilt.
-- The recent window (each ad's last W daily days) is read every time.
CREATE TABLE rolloy_internal.insight_fatigue_early_days (
    project_id  uuid NOT NULL,
    day         date NOT NULL,
    day_no      integer NOT NULL,  -- 1 for the creative's first day with data, up to 2W
    window_days integer NOT NULL,  -- the W they were kept for
    impressions bigint NOT NULL,   -- the creative's sums of the day over its ads' daily rows with impressions
    clicks      bigint NOT NULL,
    PRIMARY KEY (project_id, day)
);
COMMENT ON TABLE rolloy_internal.insight_fatigue_early_days IS
    'Each creative''s first 2 x fatigue_window_days days with daily data and their sums, kept by the fatigue kind of '
    'refresh_insights(); not dumped (recomputed).';

-- Brings insight_fatigue_early_days up to date for the creatives given (NULL: every creative,
-- from scratch) whose kept days the run may have moved; the others' days stand.
CREATE FUNCTION rolloy_internal._fatigue_early_days(run rolloy_internal.insight_run, w integer, creatives uuid[])
RETURNS void
LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    -- No changed day lies before this one: a day's piece starts at or after its week's Monday
    -- and its month's first day.
    since date := coalesce(greatest((SELECT min(x) FROM unnest(run.weeks) x), (SELECT min(x) FROM unnest(run.months) x)),
                           '-infinity');
    stale uuid[];
BEGIN
    IF creatives IS NULL THEN
        TRUNCATE rolloy_internal.insight_fatigue_early_days;
    ELSE
        -- Stale unless its 2W-th day is kept and before every changed day.
        stale := ARRAY(SELECT c.id FROM unnest(creatives) c(id)
                        WHERE NOT EXISTS (SELECT FROM rolloy_internal.insight_fatigue_early_days k
                                           WHERE k.project_id = c.id AND k.day_no = 2 * w AND k.day < since));
        IF cardinality(stale) = 0 THEN
            RETURN;
        END IF;
        DELETE FROM rolloy_internal.insight_fatigue_early_days k WHERE k.project_id = ANY (stale);
    END IF;
    -- A creative's first 2W days are among its ads' first 2W each.
    INSERT INTO rolloy_internal.insight_fatigue_early_days (project_id, day, day_no, window_days, impressions, clicks)
    SELECT x.project_id, x.day, x.day_no, w, x.n, x.k
      FROM (SELECT a.project_id, f.day, sum(f.n)::bigint AS n, sum(f.k)::bigint AS k,
                   row_number() OVER (PARTITION BY a.project_id ORDER BY f.day) AS day_no
              FROM rolloy.ads a CROSS JOIN LATERAL (
                   SELECT d.report_date AS day, d.impressions AS n, d.clicks AS k FROM rolloy_internal.ad_days d
                    WHERE d.ad = a.id AND d.period_end <= d.report_date AND d.impressions > 0
                    ORDER BY d.report_date LIMIT 2 * w) f
             WHERE a.project_id IS NOT NULL AND (stale IS NULL OR a.project_id = ANY (stale))
             GROUP BY a.project_id, f.day) x
     WHERE x.day_no <= 2 * w;
END
$$;

CREATE FUNCTION rolloy_internal._insight_fatigue(run rolloy_internal.insight_run) RETURNS bigint
LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    cfg rolloy.insight_settings := (SELECT s FROM rolloy.insight_settings s);
    w integer := cfg.fatigue_window_days;
    changed uuid[];  -- NULL: all creatives
    written bigint;
BEGIN
    -- (A window kept for another W: recompute all, whatever told the run.)
    IF run.regrouped OR EXISTS (SELECT FROM rolloy_internal.insight_fatigue_early_days k WHERE k.window_days <> w) THEN
        DELETE FROM rolloy.insights i WHERE i.kind = 'fatigue';
    ELSE
        changed := ARRAY(SELECT DISTINCT a.project_id FROM rolloy.ads a WHERE a.id = ANY (run.ads) AND a.project_id IS NOT NULL);
        DELETE FROM rolloy.insights i WHERE i.kind = 'fatigue' AND i.project_id = ANY (changed);
    END IF;
    PERFORM rolloy_internal._fatigue_early_days(run, w, changed);
    INSERT INTO rolloy.insights (refreshed_at, kind, dimension, dimension_value, project_id, metric, value, lift,
                                 confidence_score, label, impressions, clicks, sample_creatives, details)
    WITH creative AS (  -- the creatives with data (as _creative_totals: their ABCD columns are NOT NULL references)
        SELECT a.project_id, p.generated_name AS creative_name, sum(t.impressions)::bigint AS impressions,
               sum(t.clicks)::bigint AS clicks
          FROM rolloy_internal.insight_ad_totals t
          JOIN rolloy.ads a ON a.id = t.ad
          JOIN rolloy.creative_projects p ON p.id = a.project_id
         WHERE changed IS NULL OR a.project_id = ANY (changed)
         GROUP BY a.project_id, p.generated_name
    ), first_days AS (  -- the first 2W days with data of the creative, numbered, with their sums
        SELECT k.project_id, k.day, k.impressions AS n, k.clicks AS k, k.day_no
          FROM rolloy_internal.insight_fatigue_early_days k
         WHERE changed IS NULL OR k.project_id = ANY (changed)
    ), found AS (
        SELECT fd.project_id, max(fd.day_no) AS days_with_data FROM first_days fd GROUP BY fd.project_id
    ), eligible AS (
        SELECT c.project_id FROM creative c JOIN found f ON f.project_id = c.project_id
         WHERE f.days_with_data = 2 * w AND c.impressions >= cfg.fatigue_min_impressions
    ), days AS (  -- the days of the two windows and their sums: the rows of an ad on the last W
                  -- days of its creative are among its last W rows. Sums of a day in bigint: the
                  -- test reads them as doubles, which a numeric reaches only through text.
        SELECT fd.project_id, 'baseline' AS window_name, fd.day, fd.n, fd.k
          FROM first_days fd WHERE fd.day_no <= w AND fd.project_id IN (SELECT e.project_id FROM eligible e)
        UNION ALL
        SELECT y.project_id, 'recent', y.day, y.n, y.k
          FROM (SELECT x.project_id, x.day, x.n, x.k, row_number() OVER (PARTITION BY x.project_id ORDER BY x.day DESC) AS day_no
                  FROM (SELECT a.project_id, l.day, rolloy_internal.bigint_sum(l.n) AS n, rolloy_internal.bigint_sum(l.k) AS k
                          FROM rolloy.ads a CROSS JOIN LATERAL (
                               SELECT d.report_date AS day, d.impressions AS n, d.clicks AS k FROM rolloy_internal.ad_days d
                                WHERE d.ad = a.id AND d.period_end <= d.report_date AND d.impressions > 0
                                ORDER BY d.report_date DESC LIMIT w) l
                         WHERE a.project_id IN (SELECT e.project_id FROM eligible e)
                         GROUP BY a.project_id, l.day) x) y
         WHERE y.day_no <= w
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
          FROM days d GROUP BY d.project_id
    ), assessed AS (
        SELECT x.*, CASE WHEN (x.t).status = 'tested' THEN round((x.t).confidence::numeric, 6) END AS confidence
          FROM tested x
    )
    SELECT run.stamp, 'fatigue', 'creative', c.creative_name, c.project_id, 'ctr', a.recent_ctr,
           a.recent_ctr / nullif(a.baseline_ctr, 0) - 1, a.confidence,
           -- Untested (a window whose days all have the same CTR, typically no click at all): the
           -- unit-based test cannot tell chance from a change there, so no verdict either way.
           CASE WHEN a.project_id IS NULL OR a.confidence IS NULL THEN 'insufficient_data'
                WHEN a.recent_ctr <= (1 - cfg.fatigue_drop) * a.baseline_ctr
                     AND a.confidence >= cfg.fatigue_confidence THEN 'fatigued'
                ELSE 'stable' END,
           c.impressions, c.clicks, 1,
           jsonb_build_object('baseline_ctr', a.baseline_ctr, 'window_days', w, 'baseline_from', a.baseline_from,
                              'baseline_to', a.baseline_to, 'recent_from', a.recent_from, 'recent_to', a.recent_to,
                              'days_with_data', f.days_with_data)
      FROM creative c
      LEFT JOIN found f ON f.project_id = c.project_id
      LEFT JOIN assessed a ON a.project_id = c.project_id;
    GET DIAGNOSTICS written = ROW_COUNT;
    RETURN written;
END
$$;
