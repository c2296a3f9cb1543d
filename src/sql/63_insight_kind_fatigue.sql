-- Kind "fatigue": a creative's CTR over its last W days with data against its first W days
-- (W = fatigue_window_days), days as the units of the test; only daily rows count (a range cannot
-- say which day was which). The days come from ad_days through its primary key: each ad's first
-- 2W and last W daily days with impressions (the creative's first 2W days are among its ads'
-- first 2W each), never a sort of all rows. A creative's row depends on its own ads' days only:
-- after an import, only the creatives whose ads' sums changed are computed again (all when
-- run.regrouped). Members read their own creatives' rows (RLS).
CREATE FUNCTION rolloy_internal._insight_fatigue(run rolloy_internal.insight_run) RETURNS bigint
LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    cfg rolloy.insight_settings := (SELECT s FROM rolloy.insight_settings s);
    w integer := cfg.fatigue_window_days;
    changed uuid[];  -- NULL: all creatives
    written bigint;
BEGIN
    IF run.regrouped THEN
        DELETE FROM rolloy.insights i WHERE i.kind = 'fatigue';
    ELSE
        changed := ARRAY(SELECT DISTINCT a.project_id FROM rolloy.ads a WHERE a.id = ANY (run.ads) AND a.project_id IS NOT NULL);
        DELETE FROM rolloy.insights i WHERE i.kind = 'fatigue' AND i.project_id = ANY (changed);
    END IF;
    INSERT INTO rolloy.insights (refreshed_at, kind, dimension, dimension_value, project_id, metric, value, lift,
                                 confidence_score, label, impressions, clicks, sample_creatives, details)
    WITH creative AS (
        SELECT t.project_id, t.creative_name, sum(t.impressions)::bigint AS impressions, sum(t.clicks)::bigint AS clicks
          FROM rolloy_internal._creative_totals(NULL) t
         WHERE changed IS NULL OR t.project_id = ANY (changed)
         GROUP BY t.project_id, t.creative_name
    ), ad AS (
        SELECT a.id, a.project_id FROM rolloy.ads a WHERE a.project_id IN (SELECT c.project_id FROM creative c)
    ), first_days AS (  -- the first 2W days with data of the creative, numbered, with their sums
        SELECT x.project_id, x.day, x.n, x.k, row_number() OVER (PARTITION BY x.project_id ORDER BY x.day) AS day_no
          FROM (SELECT ad.project_id, f.day, sum(f.n) AS n, sum(f.k) AS k
                  FROM ad CROSS JOIN LATERAL (
                       SELECT d.report_date AS day, d.impressions AS n, d.clicks AS k FROM rolloy_internal.ad_days d
                        WHERE d.ad = ad.id AND d.period_end <= d.report_date AND d.impressions > 0
                        ORDER BY d.report_date LIMIT 2 * w) f
                 GROUP BY ad.project_id, f.day) x
    ), found AS (
        SELECT fd.project_id, least(max(fd.day_no), 2 * w) AS days_with_data FROM first_days fd GROUP BY fd.project_id
    ), eligible AS (
        SELECT c.project_id FROM creative c JOIN found f ON f.project_id = c.project_id
         WHERE f.days_with_data = 2 * w AND c.impressions >= cfg.fatigue_min_impressions
    ), days AS (  -- the days of the two windows and their sums, from the rows read above: the rows
                  -- of an ad on the first (last) W days of its creative are among its first 2W (last W) rows,
                  -- so no day is read twice
        SELECT fd.project_id, 'baseline' AS window_name, fd.day, fd.n, fd.k
          FROM first_days fd WHERE fd.day_no <= w AND fd.project_id IN (SELECT e.project_id FROM eligible e)
        UNION ALL
        SELECT y.project_id, 'recent', y.day, y.n, y.k
          FROM (SELECT x.project_id, x.day, x.n, x.k, row_number() OVER (PARTITION BY x.project_id ORDER BY x.day DESC) AS day_no
                  FROM (SELECT ad.project_id, l.day, sum(l.n) AS n, sum(l.k) AS k
                          FROM ad CROSS JOIN LATERAL (
                               SELECT d.report_date AS day, d.impressions AS n, d.clicks AS k FROM rolloy_internal.ad_days d
                                WHERE d.ad = ad.id AND d.period_end <= d.report_date AND d.impressions > 0
                                ORDER BY d.report_date DESC LIMIT w) l
                         WHERE ad.project_id IN (SELECT e.project_id FROM eligible e)
                         GROUP BY ad.project_id, l.day) x) y
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
