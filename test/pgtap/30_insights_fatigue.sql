-- Fatigue after an import: each creative's first 2W days with data are kept
-- (rolloy_internal.insight_fatigue_early_days) and read again only when a change can move them.
-- Every change below is refreshed by the refresh that reads only what changed, then compared,
-- row by row, with a rebuild from every fact (fatigue rows and kept days): a back-filled earlier
-- day, a restated and a deleted day inside the baseline window, a later day for a creative with
-- fewer than 2W days, a changed window, an ad moved to another creative.
BEGIN;
\ir 00_fixture.inc
SET client_min_messages = warning;
SELECT plan(31);  -- fixed

UPDATE rolloy.insight_settings SET refresh_after_import = false;

-- 12 creatives, two ads each (Meta in USD, Google Ads in EUR), 30 days from 2026-09-01; the CTR
-- of every third creative falls to half (fatigue); gen-12 starts on day 23 (7 days, fewer than
-- 2W = 10). Pseudo-random numbers from md5 of a key.
CREATE FUNCTION pg_temp.rnd(key text) RETURNS numeric LANGUAGE sql IMMUTABLE AS $$
    SELECT (('x' || substr(md5('rolloy-fatigue:' || key), 1, 12))::bit(48)::bigint)::numeric / 281474976710656
$$;
INSERT INTO rolloy.creative_projects (scene_id, action_id, driver_id, format_id, created_by, title)
SELECT (SELECT id FROM rolloy.scenes ORDER BY id LIMIT 1), (SELECT id FROM rolloy.actions ORDER BY id LIMIT 1),
       (SELECT id FROM rolloy.drivers ORDER BY id OFFSET g % 3 LIMIT 1), (SELECT id FROM rolloy.formats ORDER BY id LIMIT 1),
       '00000000-0000-0000-0000-0000000000a1', 'gen-' || g
  FROM generate_series(1, 12) g;
INSERT INTO rolloy.performance_data (platform, ad_key, ad_name, report_date, period_end, project_id, impressions, clicks,
                                     spend, currency)
SELECT pl.platform::rolloy.ad_platform, p.generated_name, p.generated_name, date '2026-09-01' + d, date '2026-09-01' + d,
       p.id, x.imps, round(x.imps * 0.02 * CASE WHEN n % 3 = 0 THEN 1 - d / 60.0 ELSE 1 END
                           * (0.7 + 0.6 * pg_temp.rnd(n || '/' || d || pl.platform)))::bigint,
       round(x.imps * 0.01, 2), pl.currency
  FROM generate_series(1, 12) n
  JOIN rolloy.creative_projects p ON p.title = 'gen-' || n
 CROSS JOIN (VALUES ('meta', 'USD'), ('google_ads', 'EUR')) pl(platform, currency)
 CROSS JOIN generate_series(0, 29) d
 CROSS JOIN LATERAL (SELECT (500 + floor(1500 * pg_temp.rnd(n || '/' || d || pl.platform || 'imps')))::bigint AS imps) x
 WHERE n <> 12 OR d >= 23;

-- The fatigue rows and kept days as compared (every stored column but ids and stamps).
CREATE FUNCTION pg_temp.fatigue_rows() RETURNS TABLE (project_id uuid, value numeric, lift numeric, confidence_score numeric,
                                                     label text, impressions bigint, clicks bigint, details jsonb)
LANGUAGE sql AS $$
    SELECT project_id, value, lift, confidence_score, label, impressions, clicks, details FROM rolloy.insights WHERE kind = 'fatigue'
$$;
CREATE FUNCTION pg_temp.title(title text) RETURNS uuid LANGUAGE sql AS $$
    SELECT id FROM rolloy.creative_projects p WHERE p.title = $1
$$;
-- Before a change: the rows as they are, and their ids (to tell which were computed again).
CREATE FUNCTION pg_temp.snap() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    DROP TABLE IF EXISTS before_rows, before_ids;
    CREATE TEMP TABLE before_rows AS SELECT * FROM pg_temp.fatigue_rows();
    CREATE TEMP TABLE before_ids AS SELECT id FROM rolloy.insights WHERE kind = 'fatigue';
END
$$;
CREATE FUNCTION pg_temp.changed_rows() RETURNS integer LANGUAGE plpgsql AS $$
BEGIN
    RETURN (SELECT count(*) FROM (SELECT * FROM pg_temp.fatigue_rows() EXCEPT ALL SELECT * FROM before_rows) d);
END
$$;
-- Fatigue rows computed again by the last refresh (their ids are new).
CREATE FUNCTION pg_temp.recomputed() RETURNS integer LANGUAGE plpgsql AS $$
BEGIN
    RETURN (SELECT count(*) FROM rolloy.insights WHERE kind = 'fatigue' AND id NOT IN (SELECT id FROM before_ids));
END
$$;
-- Rows (fatigue and kept days) in which the incremental refresh differs from a rebuild from every
-- fact, which it runs (so the next change starts from a rebuilt state).
CREATE FUNCTION pg_temp.differs_from_rebuild() RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
    n integer;
BEGIN
    DROP TABLE IF EXISTS inc_rows, inc_kept;
    CREATE TEMP TABLE inc_rows AS SELECT * FROM pg_temp.fatigue_rows();
    CREATE TEMP TABLE inc_kept AS SELECT project_id, day, window_days, impressions, clicks FROM rolloy_internal.insight_fatigue_early_days;
    UPDATE rolloy_internal.insight_rollup_state SET built = false;
    PERFORM count(*) FROM rolloy.refresh_insights();
    SELECT count(*) INTO n FROM (
        (SELECT * FROM inc_rows EXCEPT ALL SELECT * FROM pg_temp.fatigue_rows())
        UNION ALL (SELECT * FROM pg_temp.fatigue_rows() EXCEPT ALL SELECT * FROM inc_rows)) d;
    RETURN n + (SELECT count(*) FROM (
        (SELECT * FROM inc_kept EXCEPT ALL SELECT project_id, day, window_days, impressions, clicks FROM rolloy_internal.insight_fatigue_early_days)
        UNION ALL (SELECT project_id, day, window_days, impressions, clicks FROM rolloy_internal.insight_fatigue_early_days
                   EXCEPT ALL SELECT * FROM inc_kept)) d);
END
$$;

SELECT ok((SELECT count(*) FROM rolloy.refresh_insights()) = 7, 'refreshed');
SELECT ok((SELECT array_agg(p.title) FROM pg_temp.fatigue_rows() f JOIN rolloy.creative_projects p ON p.id = f.project_id
            WHERE f.label = 'fatigued') @> ARRAY['gen-3', 'gen-6', 'gen-9'],
          'the decaying creatives with 2W days are fatigued (the data set tests something)');
-- The kept days, derived independently: the creative's daily sums, its first 2W days.
CREATE FUNCTION pg_temp.kept_as_derived() RETURNS TABLE (project_id uuid, day date, n bigint, k bigint) LANGUAGE sql AS $$
    SELECT project_id, report_date, sum(impressions)::bigint, sum(clicks)::bigint
      FROM (SELECT project_id, report_date, impressions, clicks,
                   dense_rank() OVER (PARTITION BY project_id ORDER BY report_date) AS r
              FROM rolloy.performance_data WHERE period_end = report_date AND impressions > 0 AND project_id IS NOT NULL) x
     WHERE r <= 2 * (SELECT fatigue_window_days FROM rolloy.insight_settings)
     GROUP BY project_id, report_date
$$;
SELECT set_eq('SELECT project_id, day, impressions, clicks FROM rolloy_internal.insight_fatigue_early_days',
              'SELECT * FROM pg_temp.kept_as_derived()', 'each creative''s first 2W days with data are kept with their sums');

-- A day for every ad after the last (but gen-12's): the kept days stand as they are (not even
-- rewritten), every fatigue row moves with its recent window.
CREATE TEMP TABLE kept_rows AS SELECT ctid::text AS c, xmin::text AS x, * FROM rolloy_internal.insight_fatigue_early_days;
SELECT pg_temp.snap();
SELECT ok((SELECT b.rows_inserted FROM rolloy.import_performance(
                  (SELECT E'Day,Ad name,Impressions,Link clicks,Amount spent (USD)\n'
                          || string_agg(format('2026-10-01,%s,1000,2,10.00', p.generated_name), E'\n')
                     FROM rolloy.creative_projects p WHERE p.title LIKE 'gen-%' AND p.title <> 'gen-12'), 'meta') b) = 11
          AND (SELECT count(*) FROM rolloy.refresh_insights()) = 7, 'a day imported for every creative, refreshed');
SELECT set_eq('SELECT ctid::text AS c, xmin::text AS x, * FROM rolloy_internal.insight_fatigue_early_days', 'SELECT * FROM kept_rows',
              'a later day leaves every kept day as stored');
SELECT cmp_ok(pg_temp.changed_rows(), '>=', 11, 'the recent windows moved');
SELECT is(pg_temp.differs_from_rebuild(), 0, 'after a later day, the refresh equals a rebuild');

-- gen-12 has fewer than 2W days: a later day is one of its first 2W.
SELECT pg_temp.snap();
INSERT INTO rolloy.performance_data (platform, ad_key, ad_name, report_date, period_end, project_id, impressions, clicks, spend, currency)
SELECT 'meta', p.generated_name, p.generated_name, date '2026-10-02', date '2026-10-02', p.id, 800, 40, 8, 'USD'
  FROM rolloy.creative_projects p WHERE p.title = 'gen-12';
SELECT ok((SELECT count(*) FROM rolloy.refresh_insights()) = 7, 'a later day for the creative with 7 days, refreshed');
SELECT ok(pg_temp.changed_rows() = 1 AND (SELECT count(*) FROM rolloy_internal.insight_fatigue_early_days
                                          WHERE project_id = pg_temp.title('gen-12') AND day = '2026-10-02') = 1,
          'its row moved and the day is kept');
SELECT is(pg_temp.differs_from_rebuild(), 0, 'after a later day within the first 2W, the refresh equals a rebuild');

-- A back-filled day before gen-1's first (imported): its baseline starts a day earlier.
SELECT pg_temp.snap();
SELECT ok((SELECT b.rows_inserted FROM rolloy.import_performance(
                  (SELECT E'Day,Ad name,Impressions,Link clicks,Amount spent (USD)\n2026-08-25,' || p.generated_name || ',2000,200,20.00'
                     FROM rolloy.creative_projects p WHERE p.title = 'gen-1'), 'meta') b) = 1
          AND (SELECT count(*) FROM rolloy.refresh_insights()) = 7, 'a back-filled day, refreshed');
SELECT ok(pg_temp.recomputed() = 1 AND pg_temp.changed_rows() = 1
          AND (SELECT details ->> 'baseline_from' FROM pg_temp.fatigue_rows() WHERE project_id = pg_temp.title('gen-1')) = '2026-08-25',
          'only gen-1''s row is computed again, its baseline from the back-filled day');
SELECT is(pg_temp.differs_from_rebuild(), 0, 'after a back-filled earlier day, the refresh equals a rebuild');

-- A restated day inside gen-2's baseline window (through the view).
SELECT pg_temp.snap();
UPDATE rolloy.performance_data SET clicks = impressions / 2
 WHERE report_date = '2026-09-03' AND platform = 'google_ads' AND project_id = pg_temp.title('gen-2');
SELECT ok((SELECT count(*) FROM rolloy.refresh_insights()) = 7, 'a restated baseline day, refreshed');
SELECT ok(pg_temp.recomputed() = 1 AND pg_temp.changed_rows() = 1, 'only gen-2''s row is computed again, and it moved');
SELECT is(pg_temp.differs_from_rebuild(), 0, 'after a restated day in the baseline window, the refresh equals a rebuild');

-- A deleted day inside gen-3's baseline window (both ads): the window takes its 11th day.
SELECT pg_temp.snap();
DELETE FROM rolloy.performance_data WHERE report_date = '2026-09-02' AND project_id = pg_temp.title('gen-3');
SELECT ok((SELECT count(*) FROM rolloy.refresh_insights()) = 7, 'a deleted baseline day, refreshed');
SELECT ok(pg_temp.recomputed() = 1 AND pg_temp.changed_rows() = 1
          AND NOT EXISTS (SELECT FROM rolloy_internal.insight_fatigue_early_days
                           WHERE project_id = pg_temp.title('gen-3') AND day = '2026-09-02'),
          'only gen-3''s row is computed again, without the deleted day');
SELECT is(pg_temp.differs_from_rebuild(), 0, 'after a deleted day in the baseline window, the refresh equals a rebuild');

-- A restated day after the kept days: gen-6's row moves, its kept days are not read again.
SELECT pg_temp.snap();
DROP TABLE kept_rows;
CREATE TEMP TABLE kept_rows AS SELECT ctid::text AS c, xmin::text AS x, * FROM rolloy_internal.insight_fatigue_early_days;
UPDATE rolloy.performance_data SET clicks = 0 WHERE report_date = '2026-09-29' AND project_id = pg_temp.title('gen-6');
SELECT ok((SELECT count(*) FROM rolloy.refresh_insights()) = 7 AND pg_temp.changed_rows() = 1,
          'a restated recent day, refreshed: gen-6''s row moved');
SELECT set_eq('SELECT ctid::text AS c, xmin::text AS x, * FROM rolloy_internal.insight_fatigue_early_days', 'SELECT * FROM kept_rows',
              'a day after the kept ones leaves every kept day as stored');
SELECT is(pg_temp.differs_from_rebuild(), 0, 'after a restated recent day, the refresh equals a rebuild');

-- A shorter window: no sums change, every creative's first days are kept again for it.
SELECT pg_temp.snap();
UPDATE rolloy.insight_settings SET fatigue_window_days = 4;
SELECT ok((SELECT count(*) FROM rolloy.refresh_insights()) = 7, 'a changed window, refreshed');
SELECT ok((SELECT bool_and(window_days = 4) FROM rolloy_internal.insight_fatigue_early_days)
          AND (SELECT max(n) FROM (SELECT count(*) AS n FROM rolloy_internal.insight_fatigue_early_days GROUP BY project_id) x) = 8,
          '2W = 8 days are kept per creative, for the new window');
SELECT is(pg_temp.differs_from_rebuild(), 0, 'after a changed window, the refresh equals a rebuild');

-- gen-4's Google ad moves to gen-5 (a correction of the match): both creatives' days change.
SELECT pg_temp.snap();
UPDATE rolloy.ads SET project_id = pg_temp.title('gen-5') WHERE platform = 'google_ads' AND project_id = pg_temp.title('gen-4');
SELECT ok((SELECT count(*) FROM rolloy.refresh_insights()) = 7 AND pg_temp.changed_rows() >= 2,
          'an ad moved to another creative, refreshed: the rows moved');
SELECT set_eq('SELECT project_id, day, impressions, clicks FROM rolloy_internal.insight_fatigue_early_days',
              'SELECT * FROM pg_temp.kept_as_derived()', 'the kept days follow the ad to its creative');
SELECT is(pg_temp.differs_from_rebuild(), 0, 'after an ad moved to another creative, the refresh equals a rebuild');

-- A window kept for another W than the settings' (whatever the run says) is not used.
UPDATE rolloy_internal.insight_fatigue_early_days SET window_days = 5, clicks = clicks + 1
 WHERE project_id = pg_temp.title('gen-7');
SELECT pg_temp.snap();
UPDATE rolloy.performance_data SET clicks = clicks + 1 WHERE report_date = '2026-10-01' AND project_id = pg_temp.title('gen-8');
SELECT ok((SELECT count(*) FROM rolloy.refresh_insights()) = 7, 'refreshed with a day kept for another window');
SELECT ok((SELECT bool_and(window_days = 4) FROM rolloy_internal.insight_fatigue_early_days),
          'kept days of another window: all are kept again');
SELECT is(pg_temp.differs_from_rebuild(), 0, 'and the refresh equals a rebuild');

SELECT * FROM finish();
ROLLBACK;
