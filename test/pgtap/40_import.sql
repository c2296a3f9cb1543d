-- The performance import: who may import and who then sees what, the idempotence invariants
-- (a re-import changes no sum, an overlapping period is replaced, not added, lines of one ad and
-- day are summed whatever the chunking), and that every bad file leaves every table unchanged.
BEGIN;
\ir 00_fixture.inc
SELECT plan(170);  -- fixed: a probe that returns no rows cannot pass unnoticed
SET client_min_messages = warning;

-- A fingerprint of every table of rolloy.
\ir ../fixtures/sql/table_fingerprint.sql

-- The SQLSTATE a statement fails with as the current identity, or 'ok'; rolled back either way.
CREATE FUNCTION pg_temp.sqlstate_of(statement text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    BEGIN
        EXECUTE statement;
        RAISE EXCEPTION USING ERRCODE = 'P0099';
    EXCEPTION
        WHEN SQLSTATE 'P0099' THEN RETURN 'ok';
        WHEN others THEN RETURN SQLSTATE;
    END;
END
$$;

-- A Meta daily export of the given lines (day, ad name, ad id, spend, impressions, clicks).
CREATE FUNCTION pg_temp.meta_csv(lines text[]) RETURNS text LANGUAGE sql AS $$
    SELECT 'Day,Ad name,Ad ID,Amount spent (USD),Impressions,Link clicks' || chr(10) || array_to_string(lines, chr(10))
$$;
CREATE FUNCTION pg_temp.name_of(p_title text) RETURNS text LANGUAGE sql AS $$
    SELECT generated_name FROM rolloy.creative_projects WHERE title = p_title
$$;

-- The export the suite imports: Alice's first image, Bob's project, Carol's project, and an ad
-- that names no creative; two days.
CREATE TEMP TABLE export_lines AS
SELECT * FROM (VALUES
    ('2026-11-10', pg_temp.name_of('alice park') || '_V01', 'a1', 10.00, 1000, 10),
    ('2026-11-11', pg_temp.name_of('alice park') || '_V01', 'a1', 11.00, 1100, 11),
    ('2026-11-10', pg_temp.name_of('bob cafe'), 'b1', 20.00, 2000, 20),
    ('2026-11-11', pg_temp.name_of('bob cafe'), 'b1', 21.00, 2100, 21),
    ('2026-11-10', pg_temp.name_of('carol beach'), 'c1', 30.00, 3000, 30),
    ('2026-11-10', 'Retargeting carousel', 'u1', 5.00, 500, 5)) AS v(day, ad_name, ad_id, spend, impressions, clicks);
GRANT SELECT ON export_lines TO PUBLIC;
DO $$
BEGIN
    PERFORM set_config('rolloy_test.export',
                       pg_temp.meta_csv(ARRAY(SELECT format('%s,%s,%s,%s,%s,%s', day, ad_name, ad_id, spend, impressions, clicks)
                                                FROM export_lines ORDER BY day, ad_id)), false);
END
$$;

------------------------------------------------------------------------------------------------
-- Who may import and re-match: admins (psql or JWT); nobody else, whatever claims they forge.
CREATE TEMP TABLE calls (what text, statement text, expected text[]);
INSERT INTO calls VALUES
('import_performance(text)', $$SELECT * FROM rolloy.import_performance(current_setting('rolloy_test.export'))$$,
    '{error:42501,error:42501,rows:1,error:42501,rows:1,error:42501,error:42501,error:42501,error:42501}'),
('import_performance(bytea)', $$SELECT * FROM rolloy.import_performance(convert_to(current_setting('rolloy_test.export'), 'UTF8'))$$,
    '{error:42501,error:42501,rows:1,error:42501,rows:1,error:42501,error:42501,error:42501,error:42501}'),
('import_csv', $$SELECT * FROM rolloy.import_csv(current_setting('rolloy_test.export'))$$,
    '{error:42501,error:42501,rows:1,error:42501,rows:1,error:42501,error:42501,error:42501,error:42501}'),
('import_csv_file', $$SELECT * FROM rolloy.import_csv_file(convert_to(current_setting('rolloy_test.export'), 'UTF8'))$$,
    '{error:42501,error:42501,rows:1,error:42501,rows:1,error:42501,error:42501,error:42501,error:42501}'),
('rematch_performance', $$SELECT rolloy.rematch_performance()$$,
    '{error:42501,error:42501,rows:1,error:42501,rows:1,error:42501,error:42501,error:42501,error:42501}');
SELECT is(pg_temp.probe(c.ctx, k.statement), k.expected[c.pos], format('%s may call %s: %s', c.ctx, k.what, k.expected[c.pos]))
  FROM calls k CROSS JOIN contexts c ORDER BY k.what, c.pos;

-- The importer is recorded: the admin's user (psql or JWT); a superuser mapped to no one (a cron job) may import too.
SELECT pg_temp.enter('admin_jwt');
SELECT is((SELECT imported_by FROM rolloy.import_performance(current_setting('rolloy_test.export'))),
          '00000000-0000-0000-0000-0000000000a2'::uuid, 'a JWT admin''s import records the admin');
RESET ROLE;
SELECT set_config('request.jwt.claims', '', true);
SELECT is((SELECT imported_by FROM rolloy.import_performance(current_setting('rolloy_test.export'))), NULL,
          'a superuser mapped to no user may import (imported_by is empty)');

------------------------------------------------------------------------------------------------
-- Who sees what, after the import: members the rows of their own creatives; admins all rows,
-- unmatched included; the batches only admins (nobody else imported).
CREATE TEMP TABLE visibility (what text, statement text, expected text[]);
INSERT INTO visibility VALUES
('performance_data', 'SELECT * FROM rolloy.performance_data',
    -- fixture rows: alice park, bob cafe, unmatched; imported: 2 alice, 2 bob, 1 carol, 1 unmatched
    '{rows:3,rows:3,rows:9,rows:1,rows:9,rows:3,rows:0,rows:0,error:42501}'),
('imported rows of own creatives', $$SELECT * FROM rolloy.performance_data WHERE report_date >= '2026-11-10'$$,
    '{rows:2,rows:2,rows:6,rows:1,rows:6,rows:2,rows:0,rows:0,error:42501}'),
('unmatched rows', 'SELECT * FROM rolloy.performance_data WHERE project_id IS NULL',
    '{rows:0,rows:0,rows:2,rows:0,rows:2,rows:0,rows:0,rows:0,error:42501}'),
('unmatched_performance', 'SELECT * FROM rolloy.unmatched_performance',
    '{rows:0,rows:0,rows:2,rows:0,rows:2,rows:0,rows:0,rows:0,error:42501}'),
('import_batches', 'SELECT * FROM rolloy.import_batches',
    '{rows:0,rows:0,rows:3,rows:0,rows:3,rows:0,rows:0,rows:0,error:42501}');
SELECT is(pg_temp.probe(c.ctx, v.statement), v.expected[c.pos], format('%s sees %s: %s', c.ctx, v.what, v.expected[c.pos]))
  FROM visibility v CROSS JOIN contexts c ORDER BY v.what, c.pos;
SELECT is((SELECT count(*) FROM rolloy.performance_data d JOIN rolloy.generated_images g ON g.id = d.image_id
            WHERE g.ad_name = pg_temp.name_of('alice park') || '_V01'), 2::bigint,
          'Alice''s image name links the rows to the image (and its project)');

------------------------------------------------------------------------------------------------
-- Idempotence. The same export again changes no sum, only updates.
CREATE FUNCTION pg_temp.sums() RETURNS text LANGUAGE sql AS $$
    SELECT format('%s rows, %s impressions, %s clicks, %s spend', count(*), sum(impressions), sum(clicks), sum(spend))
      FROM rolloy.performance_data WHERE report_date >= '2026-11-10'
$$;
CREATE TEMP TABLE sums_before AS SELECT pg_temp.sums() AS s;
SELECT results_eq(
    $$SELECT rows_read, rows_inserted, rows_updated, rows_merged FROM rolloy.import_performance(current_setting('rolloy_test.export'))$$,
    $$VALUES (6, 0, 6, 0)$$, 're-importing the same export updates every row and inserts none');
SELECT is(pg_temp.sums(), (SELECT s FROM sums_before), 'and leaves every sum as it was');
SELECT is(pg_temp.sums(), (SELECT format('%s rows, %s impressions, %s clicks, %s spend', count(*), sum(impressions),
                                         sum(clicks), sum(spend)::numeric(20, 6)) FROM export_lines),
          'the sums are those of the export');

-- An overlapping period (11-11 again, 11-12 new) replaces 11-11 instead of adding to it.
SELECT results_eq(
    format($$SELECT rows_read, rows_inserted, rows_updated FROM rolloy.import_performance(%L)$$,
           pg_temp.meta_csv(ARRAY['2026-11-11,' || pg_temp.name_of('bob cafe') || ',b1,25.00,2500,25',
                                  '2026-11-12,' || pg_temp.name_of('bob cafe') || ',b1,26.00,2600,26'])),
    $$VALUES (2, 1, 1)$$, 'an overlapping export inserts the new day and updates the known one');
SELECT results_eq(
    $$SELECT report_date, impressions, clicks, spend FROM rolloy.performance_data WHERE ad_key = 'b1' ORDER BY report_date$$,
    $$VALUES ('2026-11-01'::date, 1000::bigint, 10::bigint, 0.000000::numeric), ('2026-11-10', 2000, 20, 20.000000),
             ('2026-11-11', 2500, 25, 25.000000), ('2026-11-12', 2600, 26, 26.000000)$$,
    'the overlapped day holds the newer export''s figures, not their sum (11-01: the fixture''s row of the ad, '
    'written by name, which took the id b1)');

-- Lines of one ad and day (breakdowns) are summed, whatever the chunk size; re-imports keep the sum.
CREATE TEMP TABLE breakdown AS
SELECT format('2026-10-%s,%s,k%s,%s,%s,%s', lpad((1 + i % 3)::text, 2, '0'),
              CASE WHEN i % 2 = 0 THEN pg_temp.name_of('bob cafe') ELSE 'Unnamed ' || (i % 4) END,
              i % 4, (i % 7) || '.25', 100 + i, i % 50) AS line,
       '2026-10-' || lpad((1 + i % 3)::text, 2, '0') AS day, 'k' || (i % 4) AS ad_key,
       (i % 7) + 0.25 AS spend, 100 + i AS impressions, i % 50 AS clicks
  FROM generate_series(1, 60) i;
CREATE FUNCTION pg_temp.breakdown_rows() RETURNS TABLE (ad_key text, day date, impressions bigint, clicks bigint,
                                                        spend numeric, lines integer) LANGUAGE sql AS $$
    SELECT ad_key, report_date, impressions, clicks, spend, source_lines FROM rolloy.performance_data
     WHERE report_date < '2026-11-01' ORDER BY 1, 2
$$;
CREATE TEMP TABLE breakdown_expected AS
SELECT ad_key, day::date, sum(impressions)::bigint AS impressions, sum(clicks)::bigint AS clicks,
       sum(spend)::numeric(20, 6) AS spend, count(*)::integer AS lines
  FROM breakdown GROUP BY 1, 2;
CREATE FUNCTION pg_temp.import_breakdown(chunk integer) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    b rolloy.import_batches;
BEGIN
    PERFORM set_config('rolloy.import_chunk_rows', chunk::text, true);
    SELECT * INTO b FROM rolloy.import_performance(pg_temp.meta_csv(ARRAY(SELECT line FROM breakdown ORDER BY day, line)));
    PERFORM set_config('rolloy.import_chunk_rows', '10000', true);
    RETURN format('read %s = inserted %s + updated %s + merged %s + rejected %s', b.rows_read, b.rows_inserted,
                  b.rows_updated, b.rows_merged, b.rows_rejected);
END
$$;
SELECT is(pg_temp.import_breakdown(10000), 'read 60 = inserted 12 + updated 0 + merged 48 + rejected 0',
          'a breakdown export: 60 lines, 12 (ad, day) rows');
SELECT results_eq('SELECT * FROM pg_temp.breakdown_rows()', 'SELECT * FROM breakdown_expected ORDER BY 1, 2',
                  'each row is the sum of its lines');
SELECT is(pg_temp.import_breakdown(c), 'read 60 = inserted 0 + updated 12 + merged 48 + rejected 0',
          format('re-imported in chunks of %s lines: the same counts', c))
  FROM unnest(ARRAY[1, 2, 7, 59]) c;
SELECT results_eq('SELECT * FROM pg_temp.breakdown_rows()', 'SELECT * FROM breakdown_expected ORDER BY 1, 2',
                  'and still each row is the sum of its lines');

------------------------------------------------------------------------------------------------
-- Every bad file leaves every table unchanged, under both policies (row problems fail only
-- reject_file; with skip_row they are reported instead).
CREATE TEMP TABLE bad_files (what text, body bytea, sqlstate text, skip_row_sqlstate text);
INSERT INTO bad_files VALUES
('empty', '', '22023', '22023'),
('header only', convert_to('Day,Ad name,Amount spent (USD),Impressions,Link clicks', 'UTF8'), '22023', '22023'),
('header and a totals line only', convert_to('Day,Campaign,Ad ID,Impr.,Clicks,Cost' || chr(10) || 'Total: Account,--,--,10,1,1.00', 'UTF8'), '22023', '22023'),
('an .xlsx workbook', decode('504b030414000600080000002100', 'hex'), '22000', '22000'),
('a PDF', convert_to('%PDF-1.7', 'UTF8'), '22000', '22000'),
('a gzip file', decode('1f8b0800000000000003', 'hex'), '22000', '22000'),
('a PNG image', decode('89504e470d0a1a0a0000000d49484452', 'hex'), '22000', '22000'),
('NUL bytes', convert_to('Day,Ad name', 'UTF8') || '\x00'::bytea, '22000', '22000'),
('Windows-1252 text', convert_to('Day,Ad name,Amount spent (USD),Impressions,Link clicks' || chr(10) || '2026-11-27,caf', 'UTF8') || '\xe9'::bytea || convert_to(',1,10,1', 'UTF8'), '22000', '22000'),
('unknown header', convert_to('name,date,views' || chr(10) || 'a,2026-11-27,3', 'UTF8'), '22023', '22023'),
('truncated quote', convert_to(pg_temp.meta_csv(ARRAY['2026-11-27,ok,1,1.00,10,1', '2026-11-28,"never closed,2,1.00,10,1']), 'UTF8'), '22P02', '22P02'),
('a 10 MB line', convert_to(pg_temp.meta_csv(ARRAY['2026-11-27,' || repeat('x', 10 * 1024 * 1024) || ',1,1.00,10,1']), 'UTF8'), '22P02', '22P02'),
('a 10 MB line after good ones', convert_to(pg_temp.meta_csv(ARRAY['2026-11-27,ok,1,1.00,10,1', '2026-11-28,ok,1,1.00,10,1',
                                                                   '2026-11-29,' || repeat('x', 10 * 1024 * 1024) || ',1,1.00,10,1']), 'UTF8'), '22P02', '22P02'),
('ragged rows', convert_to(pg_temp.meta_csv(ARRAY['2026-11-27,ok,1,1.00,10,1', '2026-11-28,ok,1,1.00']), 'UTF8'), '22P02', 'ok'),
('an unparseable number', convert_to(pg_temp.meta_csv(ARRAY['2026-11-27,ok,1,1.00,10,1', '2026-11-28,ok,1,1.00,ten,1']), 'UTF8'), '22P02', 'ok'),
('an impossible date', convert_to(pg_temp.meta_csv(ARRAY['2026-11-27,ok,1,1.00,10,1', '2026-02-30,ok,1,1.00,10,1']), 'UTF8'), '22P02', 'ok'),
('clicks above impressions', convert_to(pg_temp.meta_csv(ARRAY['2026-11-27,ok,1,1.00,10,1', '2026-11-28,ok,1,1.00,10,11']), 'UTF8'), '22P02', 'ok');

GRANT SELECT ON bad_files TO PUBLIC;
CREATE TEMP TABLE fingerprint AS SELECT pg_temp.state() AS before;
SELECT pg_temp.enter('admin');
SELECT is(pg_temp.sqlstate_of(format('SELECT * FROM rolloy.import_performance(%L::bytea)', f.body)), f.sqlstate,
          format('%s as bytea: fails with %s', f.what, f.sqlstate))
  FROM bad_files f ORDER BY f.what;
-- Text that can be text (no NUL, valid UTF-8) goes through the text overload the same way.
SELECT is(pg_temp.sqlstate_of(format('SELECT * FROM rolloy.import_performance(%L::text)', convert_from(f.body, 'UTF8'))),
          f.sqlstate, format('%s as text: fails with %s', f.what, f.sqlstate))
  FROM bad_files f
 WHERE f.what NOT IN ('an .xlsx workbook', 'a gzip file', 'a PNG image', 'NUL bytes', 'Windows-1252 text')
 ORDER BY f.what;
-- Whole-file failures fail with skip_row too.
SELECT is(pg_temp.sqlstate_of(format('SELECT * FROM rolloy.import_performance(%L::bytea, on_error => %L)', f.body, 'skip_row')),
          f.skip_row_sqlstate, format('%s with skip_row: fails with %s', f.what, f.skip_row_sqlstate))
  FROM bad_files f WHERE f.skip_row_sqlstate <> 'ok' ORDER BY f.what;
-- Arguments.
SELECT is(pg_temp.sqlstate_of($$SELECT * FROM rolloy.import_performance(current_setting('rolloy_test.export'), 'myspace')$$),
          '22023', 'an unknown platform fails');
SELECT is(pg_temp.sqlstate_of($$SELECT * FROM rolloy.import_performance(current_setting('rolloy_test.export'), 'tiktok')$$),
          '22023', 'the wrong explicit platform fails');
SELECT is(pg_temp.sqlstate_of($$SELECT * FROM rolloy.import_performance(current_setting('rolloy_test.export'), on_error => 'ignore')$$),
          '22023', 'an unknown on_error fails');
SELECT is(pg_temp.sqlstate_of($$SELECT * FROM rolloy.import_performance(NULL::bytea)$$), '22023', 'no body fails');
RESET ROLE;
SELECT is(pg_temp.state(), (SELECT before FROM fingerprint), 'after all the bad files, every table is as it was');

-- With skip_row, row problems are reported and the good lines imported.
SELECT pg_temp.enter('admin');
SELECT results_eq(
    format($$SELECT rows_read, rows_inserted + rows_updated, rows_rejected, errors->0->>'line'
               FROM rolloy.import_performance(%L::bytea, 'meta', 'skip_row')$$, f.body),
    $$VALUES (2, 1, 1, '3')$$, format('%s with skip_row: the good line is imported, line 3 reported', f.what))
  FROM bad_files f WHERE f.skip_row_sqlstate = 'ok' ORDER BY f.what;
RESET ROLE;

------------------------------------------------------------------------------------------------
-- Lines without an ad id (the column dropped by hand) find their ad by its name, so name-keyed
-- and id-keyed lines of one ad and day converge on one row, in every order: a re-import replaces
-- and never adds (issue 12).
CREATE FUNCTION pg_temp.no_id_csv(lines text[]) RETURNS text LANGUAGE sql AS $$
    SELECT 'Day,Ad name,Amount spent (USD),Impressions,Link clicks' || chr(10) || array_to_string(lines, chr(10))
$$;
CREATE FUNCTION pg_temp.days_of(p_name text) RETURNS TABLE (ad_key text, ad_id text, day date, impressions bigint,
                                                           spend numeric) LANGUAGE sql AS $$
    SELECT ad_key, ad_id, report_date, impressions, spend FROM rolloy.performance_data WHERE ad_name = p_name ORDER BY 3
$$;
-- id first, then by name
SELECT results_eq(
    format($$SELECT rows_inserted, rows_updated FROM rolloy.import_performance(%L)$$,
           pg_temp.meta_csv(ARRAY['2026-09-01,Order A,oa,1.00,100,1', '2026-09-02,Order A,oa,2.00,200,2'])),
    $$VALUES (2, 0)$$, 'order id-then-name: the export with ids inserts two days');
SELECT results_eq(
    format($$SELECT rows_inserted, rows_updated FROM rolloy.import_performance(%L)$$,
           pg_temp.no_id_csv(ARRAY['2026-09-02,Order A,2.50,250,2', '2026-09-03,Order A,3.00,300,3'])),
    $$VALUES (1, 1)$$, 'order id-then-name: the export without ids updates the known day and inserts the new one');
SELECT results_eq($$SELECT * FROM pg_temp.days_of('Order A')$$,
    $$VALUES ('oa', 'oa', '2026-09-01'::date, 100::bigint, 1.000000::numeric), ('oa', 'oa', '2026-09-02', 250, 2.500000),
             ('oa', 'oa', '2026-09-03', 300, 3.000000)$$,
    'order id-then-name: one row per day, under the id, the restated day replaced (no double count)');
-- by name first, then with the id
SELECT results_eq(
    format($$SELECT rows_inserted, rows_updated FROM rolloy.import_performance(%L)$$,
           pg_temp.no_id_csv(ARRAY['2026-09-01,Order B,1.00,100,1', '2026-09-02,Order B,2.00,200,2'])),
    $$VALUES (2, 0)$$, 'order name-then-id: the export without ids inserts two days');
SELECT results_eq(
    format($$SELECT rows_inserted, rows_updated FROM rolloy.import_performance(%L)$$,
           pg_temp.meta_csv(ARRAY['2026-09-02,Order B,ob,2.50,250,2', '2026-09-03,Order B,ob,3.00,300,3'])),
    $$VALUES (1, 1)$$, 'order name-then-id: the export with ids updates the day known by name and inserts the new one');
SELECT results_eq($$SELECT * FROM pg_temp.days_of('Order B')$$,
    $$VALUES ('ob', 'ob', '2026-09-01'::date, 100::bigint, 1.000000::numeric), ('ob', 'ob', '2026-09-02', 250, 2.500000),
             ('ob', 'ob', '2026-09-03', 300, 3.000000)$$,
    'order name-then-id: the ad known by name took the id; one row per day');
SELECT is((SELECT count(*) FROM rolloy.ads WHERE ad_name = 'Order B'), 1::bigint, 'order name-then-id: one ad');
-- by name twice
SELECT results_eq(
    format($$SELECT rows_inserted, rows_updated FROM rolloy.import_performance(%L)$$,
           pg_temp.no_id_csv(ARRAY['2026-09-01,Order C,1.00,100,1'])),
    $$VALUES (1, 0)$$, 'order name-twice: the first export inserts the day');
SELECT results_eq(
    format($$SELECT rows_inserted, rows_updated FROM rolloy.import_performance(%L)$$,
           pg_temp.no_id_csv(ARRAY['2026-09-01,Order C,1.50,150,1'])),
    $$VALUES (0, 1)$$, 'order name-twice: the second replaces it');
SELECT results_eq($$SELECT * FROM pg_temp.days_of('Order C')$$,
    $$VALUES ('Order C', NULL::text, '2026-09-01'::date, 150::bigint, 1.500000::numeric)$$,
    'order name-twice: one row, the newer figures');
-- A name two ads with ids share cannot tell them apart: the lines without an id are kept apart
-- under the name (replacing neither ad's day at random), and the batch says so.
SELECT is((SELECT rows_inserted FROM rolloy.import_performance(
               pg_temp.meta_csv(ARRAY['2026-09-01,Twin,t1,1.00,100,1', '2026-09-01,Twin,t2,2.00,200,2']))), 2,
          'two ads with ids share the name Twin');
SELECT results_eq(
    format($$SELECT rows_inserted, warnings[1] LIKE '1 line has no ad id and a name that several ads with ids share%%'
               FROM rolloy.import_performance(%L)$$,
           pg_temp.no_id_csv(ARRAY['2026-09-01,Twin,5.00,500,5'])),
    $$VALUES (1, true)$$, 'a line without an id of that name is kept apart (a row of its own), with a warning');
-- A creative name spelled another way (case, separators) finds the ad by its canonical name.
SELECT results_eq(
    format($$SELECT rows_inserted, rows_updated FROM rolloy.import_performance(%L)$$,
           pg_temp.no_id_csv(ARRAY['2026-11-11,' || lower(pg_temp.name_of('alice park')) || '_v1,27.00,2700,27'])),
    $$VALUES (0, 1)$$, 'a name-keyed line spelled another way updates the day of the ad with the id');
SELECT results_eq(
    $$SELECT ad_key COLLATE "default", impressions FROM rolloy.performance_data
       WHERE report_date = '2026-11-11' AND creative_name = pg_temp.name_of('alice park') || '_V01'$$,
    $$VALUES ('a1', 2700::bigint)$$, 'and that day is one row, under a1');

SELECT * FROM finish();
ROLLBACK;
