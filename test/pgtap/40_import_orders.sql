-- The re-saved export in every order (issue 12): the fixture files a user really has — Meta's
-- native export, the same export opened and saved again in a spreadsheet (Ad IDs turned into
-- 1.20210E+17, "$1,234.56", BOM, CRLF) and the same export with the Ad ID column dropped by hand —
-- imported one after the other in every order give the totals of ONE native import: every day of
-- every ad once, the later file replacing the earlier one's days, never adding to them. And what
-- is left of a damaged id is checked against the stored id of the ad its name finds.
BEGIN;
SELECT plan(47);  -- fixed: a probe that returns no rows cannot pass unnoticed
SET client_min_messages = warning;

\set native `base64 -w0 test/fixtures/import/meta_export_native.csv`
\set resaved `base64 -w0 test/fixtures/import/meta_export_resaved.csv`
\set no_id `base64 -w0 test/fixtures/import/meta_export_no_id.csv`
CREATE TEMP TABLE files (what text PRIMARY KEY, body bytea NOT NULL);
INSERT INTO files VALUES ('native', decode(:'native', 'base64')), ('resaved', decode(:'resaved', 'base64')),
                         ('no_id', decode(:'no_id', 'base64'));

-- Per ad (by name) and day: the sums the view shows and how many rows make them.
CREATE FUNCTION pg_temp.totals() RETURNS TABLE (ad_name text, day date, impressions numeric, clicks numeric,
                                                spend numeric, rows bigint) LANGUAGE sql AS $$
    SELECT ad_name, report_date, sum(impressions), sum(clicks), sum(spend), count(*)
      FROM rolloy.performance_data WHERE platform = 'meta' GROUP BY 1, 2
$$;
-- Forgets every Meta ad (their days go with them: rolloy_internal._unlink_deleted_references).
CREATE FUNCTION pg_temp.forget() RETURNS void LANGUAGE sql AS $$
    DELETE FROM rolloy.ads WHERE platform = 'meta'
$$;
-- Imports a fixture file; the batch is kept for the assertions.
CREATE TEMP TABLE batches (scenario text, step int, what text, inserted int, updated int, warnings text[]);
CREATE FUNCTION pg_temp.import(p_scenario text, p_step int, p_what text) RETURNS void LANGUAGE sql AS $$
    INSERT INTO batches
    SELECT p_scenario, p_step, p_what, b.rows_inserted, b.rows_updated, b.warnings
      FROM files f, rolloy.import_performance(f.body, 'meta', source_name => f.what) b WHERE f.what = p_what
$$;
CREATE FUNCTION pg_temp.scenario(p_first text, p_second text) RETURNS void LANGUAGE sql AS $$
    SELECT pg_temp.forget();
    SELECT pg_temp.import(p_first || ' then ' || p_second, 1, p_first);
    SELECT pg_temp.import(p_first || ' then ' || p_second, 2, p_second);
$$;

-- The reference: one native import.
SELECT pg_temp.forget();
SELECT pg_temp.import('native once', 1, 'native');
CREATE TEMP TABLE one_native AS SELECT * FROM pg_temp.totals();
SELECT is((SELECT count(*) FROM one_native WHERE rows = 1), 8::bigint,
          'one native import: 4 ads x 2 days, one row each (the totals line is no ad)');
SELECT is((SELECT sum(impressions) FROM one_native), 101953::numeric,
          'one native import: the impressions of the file''s 8 ad lines');
-- The three files are one export: the same figures in another spelling.
SELECT is((SELECT array_agg(what ORDER BY what) FROM files), '{native,no_id,resaved}', 'three fixture files');

-- Every order. After each: the totals of one native import (so no day counted twice and none
-- lost), 4 ads (none added twice), the second file restating all 8 days (0 inserted).
CREATE TEMP TABLE orders (first text, second text, n serial);
INSERT INTO orders (first, second) VALUES ('native', 'resaved'), ('resaved', 'native'), ('resaved', 'resaved'),
                                          ('no_id', 'native'), ('native', 'no_id'), ('no_id', 'resaved');
CREATE TEMP TABLE outcomes (n int, totals_equal boolean, ads bigint, days bigint);
CREATE FUNCTION pg_temp.play(p_n int) RETURNS void LANGUAGE sql AS $$
    SELECT pg_temp.scenario(o.first, o.second) FROM orders o WHERE o.n = p_n;
    INSERT INTO outcomes
    SELECT p_n,
           NOT EXISTS (SELECT * FROM pg_temp.totals() EXCEPT SELECT * FROM one_native)
           AND NOT EXISTS (SELECT * FROM one_native EXCEPT SELECT * FROM pg_temp.totals()),
           (SELECT count(*) FROM rolloy.ads WHERE platform = 'meta'),
           (SELECT count(*) FROM rolloy.performance_data WHERE platform = 'meta');
$$;
SELECT pg_temp.play(n) FROM orders ORDER BY n;

SELECT ok(x.totals_equal, format('%s then %s: the sums per ad and day of one native import', o.first, o.second))
  FROM orders o JOIN outcomes x USING (n) ORDER BY n;
SELECT is(x.ads, 4::bigint, format('%s then %s: 4 ads, none added twice', o.first, o.second))
  FROM orders o JOIN outcomes x USING (n) ORDER BY n;
SELECT is(x.days, 8::bigint, format('%s then %s: 8 day rows, none added twice', o.first, o.second))
  FROM orders o JOIN outcomes x USING (n) ORDER BY n;
SELECT results_eq(format($$SELECT inserted, updated FROM batches WHERE scenario = %L AND step = 2$$,
                         o.first || ' then ' || o.second),
                  $$VALUES (0, 8)$$, format('%s then %s: the second file replaced all 8 days', o.first, o.second))
  FROM orders o ORDER BY n;
-- The batch of every re-saved file says the ids were damaged and how the rows were matched.
SELECT is((SELECT count(*) FROM batches
            WHERE what = 'resaved'
              AND array_to_string(warnings, ' ') LIKE
                  '%turned the Ad ID column into scientific notation (like 1.20210E+17)%8 rows were matched by ad name%'),
          (SELECT count(*) FROM batches WHERE what = 'resaved'),
          'every re-saved import warns that the ids were damaged and the rows matched by name');
SELECT is((SELECT count(*) FROM batches WHERE what = 'resaved'), 5::bigint, 'five re-saved imports played');
SELECT is((SELECT count(*) FROM batches WHERE what <> 'resaved'
              AND array_to_string(warnings, ' ') LIKE '%scientific notation%'), 0::bigint,
          'no other import carries that warning');

-- After re-saved then native the ad known by name took its id again: the flat view shows the
-- ids of the native export.
SELECT pg_temp.scenario('resaved', 'native');
SELECT is((SELECT array_agg(DISTINCT ad_id ORDER BY ad_id) FROM rolloy.performance_data WHERE platform = 'meta'),
          '{120210000000000101,120210000000000102,120210000000000103,120210000000000104}',
          'resaved then native: every ad has its id again');

------------------------------------------------------------------------------------------------
-- The damaged-id consistency check. 1.20210E+17 fits 120210000000000104 (its first six digits,
-- rounded); 9.87650E+17 does not: a line with that id whose name finds ad ...104 is another ad
-- of the same name, and is not merged into it.
SELECT pg_temp.forget();
SELECT pg_temp.import('check', 1, 'native');
CREATE FUNCTION pg_temp.damaged_csv(lines text[]) RETURNS text LANGUAGE sql AS $$
    SELECT 'Day,Ad name,Ad ID,Amount spent (USD),Impressions,Link clicks' || chr(10) || array_to_string(lines, chr(10))
$$;
CREATE TEMP TABLE before_check AS SELECT * FROM pg_temp.totals();
\set contradicting '2026-12-02,Winter carousel - Copy,9.87650E+17,9.99,999,9'
\set fitting '2026-12-02,20261127_OUT_PARK_WALK_JOY_UGC_V01,1.20210E+17,7.77,777,7'
-- reject_file (the default): the file is refused, naming the line, both ids and what to do.
SELECT throws_ok(format($$SELECT * FROM rolloy.import_performance(%L)$$,
                        pg_temp.damaged_csv(ARRAY[:'fitting', :'contradicting'])),
                 '22P02', '1 of 2 rows of the export has a problem; nothing was imported',
                 'a damaged id that contradicts the ad its name finds: the file is refused');
CREATE FUNCTION pg_temp.error_of(statement text, OUT detail text, OUT hint text) LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE statement;
EXCEPTION WHEN others THEN
    GET STACKED DIAGNOSTICS detail = PG_EXCEPTION_DETAIL, hint = PG_EXCEPTION_HINT;
END
$$;
SELECT alike((pg_temp.error_of(format($$SELECT * FROM rolloy.import_performance(%L)$$,
                                      pg_temp.damaged_csv(ARRAY[:'fitting', :'contradicting'])))).detail,
            '%Ad ID damaged by a spreadsheet contradicts the ad its name matches on line 3%',
            'the detail names the cause and the line');
SELECT alike((pg_temp.error_of(format($$SELECT * FROM rolloy.import_performance(%L)$$,
                                      pg_temp.damaged_csv(ARRAY[:'contradicting'])))).hint,
            '%format these columns as text before saving%',
            'the hint says how to recover');
SELECT ok(NOT EXISTS (SELECT * FROM pg_temp.totals() EXCEPT SELECT * FROM before_check)
          AND NOT EXISTS (SELECT * FROM before_check EXCEPT SELECT * FROM pg_temp.totals()),
          'the refused file changed no day');
-- skip_row: the contradicting line is skipped and reported with both ids; the fitting one replaces its day.
SELECT results_eq(
    format($$SELECT rows_read, rows_inserted, rows_updated, rows_rejected, errors->0->>'line',
                    errors->0->>'reason'
               FROM rolloy.import_performance(%L, on_error => 'skip_row')$$,
           pg_temp.damaged_csv(ARRAY[:'fitting', :'contradicting'])),
    $$VALUES (2, 0, 1, 1, '3', 'Ad ID 9.87650E+17 (damaged by a spreadsheet) does not fit the ad id '
                               '120210000000000104 of the ad named "Winter carousel - Copy"')$$,
    'skip_row: the contradicting line is rejected with both ids, the fitting one updates its day');
SELECT results_eq(
    $$SELECT ad_name, impressions, spend FROM rolloy.performance_data
       WHERE report_date = '2026-12-02' AND ad_name IN ('Winter carousel - Copy', '20261127_OUT_PARK_WALK_JOY_UGC_V01')
       ORDER BY ad_name$$,
    $$SELECT ad_name, CASE WHEN ad_name LIKE '2026%' THEN 777 ELSE impressions END::bigint,
             CASE WHEN ad_name LIKE '2026%' THEN 7.77 ELSE spend END::numeric(20, 6)
        FROM before_check b WHERE b.day = '2026-12-02'
         AND ad_name IN ('Winter carousel - Copy', '20261127_OUT_PARK_WALK_JOY_UGC_V01')
       ORDER BY ad_name$$,
    'the contradicted ad''s day is unchanged; the fitting line replaced its ad''s day');
SELECT is((SELECT count(*) FROM rolloy.ads WHERE platform = 'meta'), 4::bigint,
          'no ad was created for the contradicting line');
-- Every line contradicting: no usable row, an error also with skip_row.
SELECT throws_ok(format($$SELECT * FROM rolloy.import_performance(%L, on_error => 'skip_row')$$,
                        pg_temp.damaged_csv(ARRAY[:'contradicting'])),
                 '22P02', 'no usable row: the export''s only row has a problem; nothing was imported',
                 'skip_row with only contradicting lines is an error');
-- An ad known by name only has no id to contradict: a damaged id of any digits is matched by name.
SELECT pg_temp.forget();
SELECT pg_temp.import('check', 2, 'no_id');
SELECT results_eq(format($$SELECT rows_inserted, rows_updated, rows_rejected FROM rolloy.import_performance(%L)$$,
                         pg_temp.damaged_csv(ARRAY[:'contradicting'])),
                  $$VALUES (0, 1, 0)$$, 'an ad known by name only: the damaged id is no contradiction');

-- The other order: the re-saved file first. Its ads are known by name and keep what is left of
-- their ids; the native export then takes each ad with an id that fits it (and the damaged id goes).
SELECT pg_temp.forget();
SELECT pg_temp.import('resaved first', 1, 'resaved');
SELECT is((SELECT count(*) FROM rolloy.ads WHERE platform = 'meta' AND ad_id IS NULL AND damaged_ad_id = '1.20210E+17'),
          4::bigint, 're-saved first: 4 ads known by name keep the damaged id');
SELECT pg_temp.import('resaved first', 2, 'native');
SELECT is((SELECT count(*) FILTER (WHERE ad_id IS NOT NULL AND damaged_ad_id IS NULL) || ' of ' || count(*)
             FROM rolloy.ads WHERE platform = 'meta'), '4 of 4', 'then native: the same 4 ads take their ids');
-- A native id that contradicts the damaged id of the ad its name finds is another ad of that name:
-- it gets an ad of its own, the re-saved day stays, and the batch says so.
SELECT pg_temp.forget();
SELECT is((SELECT rows_inserted FROM rolloy.import_performance(pg_temp.damaged_csv(ARRAY[:'contradicting']))), 1,
          're-saved first: the line with 9.87650E+17 makes a day of an ad known by name');
SELECT pg_temp.import('apart', 1, 'native');
SELECT results_eq($$SELECT ad_key COLLATE "default", ad_id, damaged_ad_id FROM rolloy.ads
                     WHERE platform = 'meta' AND ad_name = 'Winter carousel - Copy' ORDER BY id$$,
                  $$VALUES ('Winter carousel - Copy', NULL::text, '9.87650E+17'),
                           ('120210000000000104', '120210000000000104', NULL)$$,
                  'then native: id 120210000000000104 does not fit 9.87650E+17 and gets an ad of its own');
SELECT is((SELECT array_agg(impressions) FROM rolloy.performance_data WHERE ad_key = 'Winter carousel - Copy'),
          '{999}'::bigint[], 'the re-saved file''s day is not replaced by the other ad''s');
SELECT is((SELECT count(*) FROM rolloy.performance_data WHERE ad_key = '120210000000000104'), 2::bigint,
          'the native ad has its 2 days');
SELECT alike((SELECT array_to_string(warnings, ' ') FROM batches WHERE scenario = 'apart'),
             '%1 ad was kept apart from the ad of the same name%(120210000000000104 vs 9.87650E+17)%',
             'the batch warns that it was kept apart, with both ids');

SELECT * FROM finish();
ROLLBACK;
