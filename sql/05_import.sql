-- Importing ad-performance exports: each platform's quirks, matching to creatives, idempotent
-- re-imports, summed breakdown lines, the on_error policy, bad files (each leaves every table as
-- it was), who may import and see what, waiting rows that link themselves, the PostgREST wrappers.
-- Fixtures: test/fixtures/import/ (read with psql backticks; binary ones as base64 into bytea).
SET client_min_messages = warning;
\set SHOW_CONTEXT never
SET rolloy.naming_time_zone = 'UTC';
-- No background refresh of the insights after each import (61_insight_refreshes.sql): it would
-- write insights at moments of its own between the fingerprints below.
UPDATE rolloy.insight_settings SET refresh_after_import = false;

-- A fingerprint of every table of rolloy: bad imports must leave it unchanged.
\i test/fixtures/sql/table_fingerprint.sql
CREATE TEMP TABLE before_bad_files (fingerprint text);
-- Runs a statement and shows its error with ids masked (they are random).
CREATE FUNCTION pg_temp.outcome(query text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE query;
    RETURN 'no error';
EXCEPTION WHEN others THEN
    RETURN SQLSTATE || ': ' || regexp_replace(SQLERRM, '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}', '<id>', 'g');
END
$$;
CREATE FUNCTION pg_temp.unchanged() RETURNS boolean LANGUAGE sql AS $$
    SELECT fingerprint = pg_temp.state() FROM before_bad_files
$$;
-- The performance rows, with the creatives they are linked to by name.
CREATE VIEW pg_temp.rows WITH (security_invoker = true) AS
SELECT d.platform, d.ad_key, d.report_date AS day, d.period_end, p.generated_name AS project, g.variant_no AS variant,
       d.creative_name, d.impressions AS impr, d.reach, d.clicks, d.spend, d.currency AS cur, d.conversions AS conv,
       d.conversion_value AS value, d.source_lines AS lines
  FROM rolloy.performance_data d
  LEFT JOIN rolloy.creative_projects p ON p.id = d.project_id
  LEFT JOIN rolloy.generated_images g ON g.id = d.image_id;
GRANT SELECT ON pg_temp.rows TO PUBLIC;

SELECT FROM rolloy.load_sample_dictionaries();

-- People: an admin who imports, two members who own creatives, a login mapped to no one.
CREATE ROLE regress_importer;
GRANT rolloy_admin TO regress_importer;
CREATE ROLE regress_mo;
CREATE ROLE regress_lu;
CREATE ROLE regress_nobody;
GRANT rolloy_member TO regress_mo, regress_lu, regress_nobody;
INSERT INTO rolloy.users (id, email, display_name, role, pg_role) VALUES
    ('00000000-0000-0000-0000-0000000005a1', 'ingrid@example.com', 'Ingrid', 'admin', 'regress_importer'),
    ('00000000-0000-0000-0000-0000000005b1', 'mo@example.com', 'Mo', 'member', 'regress_mo'),
    ('00000000-0000-0000-0000-0000000005c1', 'lu@example.com', 'Lu', 'member', 'regress_lu');

-- Creatives whose names the fixtures use. A name carries its creation date and a sequence
-- (today's date would collide with other tests), so they are given explicitly: as a superuser
-- (like pg_restore) a project may bring its name. Mo's project has two images (V01, V02), Lu's one.
CREATE FUNCTION pg_temp.project(p_name text, p_owner uuid, p_title text) RETURNS text LANGUAGE sql AS $$
    INSERT INTO rolloy.creative_projects (generated_name, name_date, name_sequence, scene_id, action_id, driver_id,
                                          format_id, created_by, title)
    SELECT p_name, n.name_date, n.name_sequence, s.id, a.id, d.id, f.id, p_owner, p_title
      FROM rolloy.parse_creative_name(p_name) n
      JOIN rolloy.scenes s ON s.category_code = n.category_code AND s.scene_code = n.scene_code
      JOIN rolloy.actions a ON a.code = n.action_code
      JOIN rolloy.drivers d ON d.code = n.driver_code
      JOIN rolloy.formats f ON f.code = n.format_code
    RETURNING generated_name
$$;
SELECT pg_temp.project('20261127_OUT_PARK_WALK_JOY_UGC', '00000000-0000-0000-0000-0000000005b1', 'Mo park');
SELECT pg_temp.project('20261101_OUT_PARK_WALK_JOY_UGC', '00000000-0000-0000-0000-0000000005c1', 'Lu park');
INSERT INTO rolloy.generated_images (project_id, prompt)
SELECT id, 'a walker in a park' FROM rolloy.creative_projects, generate_series(1, 2) WHERE title = 'Mo park'
UNION ALL SELECT id, 'a walker in a park' FROM rolloy.creative_projects WHERE title = 'Lu park';
SELECT ad_name FROM rolloy.generated_images ORDER BY ad_name;

------------------------------------------------------------------------------------------------
-- Meta Ads Manager, daily: BOM, an account-totals line, the currency in the header.
SET ROLE regress_importer;
\set csv `cat test/fixtures/import/meta_daily.csv`
\x on
SELECT platform, requested_platform, imported_by, source_name, source_sha256, on_error, encoding, delimiter,
       currency, date_from, date_to, rows_read, rows_inserted, rows_updated, rows_merged, rows_unmatched,
       rows_rejected, rows_summary, errors, warnings, finished_at >= started_at AS finished
  FROM rolloy.import_performance(:'csv', source_name => 'meta_daily.csv');
\x off
SELECT * FROM pg_temp.rows ORDER BY platform, ad_key, day;
-- The hash is of the body as received.
SELECT source_sha256 = encode(sha256(convert_to(:'csv', 'UTF8')), 'hex') AS sha256_of_body
  FROM rolloy.import_batches WHERE source_name = 'meta_daily.csv';

-- The same export again: every (ad, day) is updated, nothing is counted twice.
SELECT sum(impressions) AS impr, sum(clicks) AS clicks, sum(spend) AS spend, count(*) FROM rolloy.performance_data;
SELECT rows_read, rows_inserted, rows_updated, rows_merged FROM rolloy.import_performance(:'csv');
SELECT sum(impressions) AS impr, sum(clicks) AS clicks, sum(spend) AS spend, count(*) FROM rolloy.performance_data;

-- An overlapping period: 11-28 again (with final figures) and 11-29 new. 11-28 is replaced.
SELECT rows_read, rows_inserted, rows_updated FROM rolloy.import_performance($csv$Day,Ad name,Ad ID,Amount spent (USD),Impressions,Link clicks
2026-11-28,20261128_OUT_BEACH_WALK_FREEDOM_UGC_v1,120210000000000003,400.00,19000,320
2026-11-29,20261128_OUT_BEACH_WALK_FREEDOM_UGC_v1,120210000000000003,100.00,5000,80
$csv$);
SELECT ad_key, day, impr, clicks, spend FROM pg_temp.rows WHERE ad_key = '120210000000000003' ORDER BY day;

------------------------------------------------------------------------------------------------
-- Breakdowns (Age): lines of one ad and day are summed into one row. Names are matched however
-- the platform spelled them (case, '-' for '_', " - Copy"); rows keep the export's ad id as key.
\set csv `cat test/fixtures/import/meta_breakdown_age.csv`
SELECT rows_read, rows_inserted, rows_updated, rows_merged, rows_unmatched FROM rolloy.import_performance(:'csv');
SELECT * FROM pg_temp.rows WHERE day < '2026-11-03' ORDER BY ad_key, day;
-- Lines of one (ad, day) in different chunks: the later chunk adds to the row the earlier wrote.
SET rolloy.import_chunk_rows = 2;
SELECT rows_read, rows_inserted, rows_updated, rows_merged FROM rolloy.import_performance(:'csv');
RESET rolloy.import_chunk_rows;
SELECT ad_key, day, impr, reach, clicks, spend, conv, value, lines FROM pg_temp.rows WHERE day < '2026-11-03' ORDER BY ad_key, day;

-- Lines of one ad and day in two currencies cannot be summed: a row problem (also across chunks).
SELECT rows_read, rows_inserted, rows_merged, rows_rejected, errors
  FROM rolloy.import_performance($csv$Day,Ad name,Ad ID,Currency code,Cost,Impr.,Clicks
2026-10-01,20261101_OUT_PARK_WALK_JOY_UGC,999,USD,1.00,10,1
2026-10-01,20261101_OUT_PARK_WALK_JOY_UGC,999,EUR,1.00,10,1
2026-10-01,20261101_OUT_PARK_WALK_JOY_UGC,999,USD,2.00,20,2
$csv$, on_error => 'skip_row');
SET rolloy.import_chunk_rows = 1;
SELECT rows_read, rows_inserted, rows_updated, rows_merged, rows_rejected, errors
  FROM rolloy.import_performance($csv$Day,Ad name,Ad ID,Currency code,Cost,Impr.,Clicks
2026-10-02,20261101_OUT_PARK_WALK_JOY_UGC,999,USD,1.00,10,1
2026-10-02,20261101_OUT_PARK_WALK_JOY_UGC,999,EUR,1.00,10,1
$csv$, on_error => 'skip_row');
RESET rolloy.import_chunk_rows;
SELECT ad_key, day, impr, clicks, spend, cur, lines FROM pg_temp.rows WHERE ad_key = '999' ORDER BY day;

------------------------------------------------------------------------------------------------
-- Google Ads: title and date-range lines, "1,234", "--", Total rows.
\set csv `cat test/fixtures/import/google_ads_report.csv`
SELECT platform, encoding, delimiter, currency, rows_read, rows_inserted, rows_summary, rows_unmatched
  FROM rolloy.import_performance(:'csv', 'google_ads');
-- Google Ads "Excel CSV": UTF-16LE with BOM, tab-separated, decimal commas; needs bytea. Its
-- first line is an (ad, day) of the export above: updated (now in EUR). Its ad name there ends in
-- an emoji and names no creative, yet the row keeps its image: an import never undoes a link.
\set b64 `base64 -w0 test/fixtures/import/google_ads_excel_utf16.csv`
SELECT platform, encoding, delimiter, currency, rows_read, rows_inserted, rows_updated, rows_summary
  FROM rolloy.import_performance(decode(:'b64', 'base64'));
SELECT * FROM pg_temp.rows WHERE platform = 'google_ads' ORDER BY ad_key, day;

-- TikTok: full-width parentheses in headers, "-" for no value, a totals line without a name.
\set csv `cat test/fixtures/import/tiktok_fullwidth.csv`
SELECT platform, currency, rows_read, rows_inserted, rows_summary FROM rolloy.import_performance(:'csv');
SELECT * FROM pg_temp.rows WHERE platform = 'tiktok' ORDER BY ad_key, day;

-- A European re-save: ';', day-first dates, "1.234,56", "9 870", "€ 12,50".
\set csv `cat test/fixtures/import/semicolon_european.csv`
SELECT delimiter, currency, date_from, date_to, rows_read, rows_inserted, warnings FROM rolloy.import_performance(:'csv');
-- Quoted fields with delimiters, doubled quotes and line breaks; CRLF.
\set csv `cat test/fixtures/import/quoted_newlines.csv`
SELECT rows_read, rows_inserted FROM rolloy.import_performance(:'csv');
SELECT ad_key, day, impr, spend FROM pg_temp.rows WHERE ad_key LIKE '12021000000000002_' OR ad_key LIKE '12021000000000003_'
 ORDER BY ad_key;
-- Meta without a Day column: a row covering a week, and no conversion value column (ROAS x spend).
\set csv `cat test/fixtures/import/meta_no_day_column.csv`
SELECT currency, date_from, date_to, rows_read, rows_inserted, warnings FROM rolloy.import_performance(:'csv');
SELECT ad_key, day, period_end, spend, cur, conv, value FROM pg_temp.rows WHERE ad_key LIKE '12021000000000001_' ORDER BY ad_key;

-- A Meta export opened and saved again in a spreadsheet: BOM, CRLF, "$1,234.56" and "21,997", no
-- Day column (starts = ends on every row), and every Ad ID turned into 1.20210E+17. Accepted: a
-- damaged ID is no key (all eight rows would share one), so the rows are keyed by their names and
-- the batch says so.
\set b64 `base64 -w0 test/fixtures/import/meta_export_resaved.csv`
\x on
SELECT platform, encoding, currency, date_from, date_to, rows_read, rows_inserted, rows_merged, rows_unmatched,
       rows_rejected, rows_summary, warnings
  FROM rolloy.import_performance(decode(:'b64', 'base64'), source_name => 'meta_export_resaved.csv');
\x off
SELECT ad_key, day, period_end, project, variant, impr, clicks, spend, cur, conv, value
  FROM pg_temp.rows WHERE day >= '2026-12-01' ORDER BY ad_key, day;
SELECT count(*) AS rows, count(ad_id) AS with_ad_id FROM rolloy.performance_data WHERE report_date >= '2026-12-01';

------------------------------------------------------------------------------------------------
-- Row problems. reject_file (the default): an error listing them, nothing written.
RESET ROLE;
INSERT INTO before_bad_files SELECT pg_temp.state();
SET ROLE regress_importer;
\set csv `cat test/fixtures/import/row_problems.csv`
SELECT * FROM rolloy.import_performance(:'csv');
\set csv `cat test/fixtures/import/ragged.csv`
SELECT * FROM rolloy.import_performance(:'csv');
-- Also when the bad line comes after chunks were written.
SET rolloy.import_chunk_rows = 1;
SELECT * FROM rolloy.import_performance($csv$Day,Ad name,Impressions,Link clicks,Amount spent (USD)
2026-10-05,Spring promo,100,1,1.00
2026-10-06,Spring promo,100,1,1.00
2026-10-07,Spring promo,100,1,lots
$csv$);
RESET rolloy.import_chunk_rows;
-- No usable row is an error also with skip_row: here a spreadsheet formula broke Amount spent on
-- every row of the re-saved export. The detail groups the rows by cause; the hint says what to do.
\set b64 `base64 -w0 test/fixtures/import/meta_export_resaved_broken.csv`
SELECT * FROM rolloy.import_performance(decode(:'b64', 'base64'), on_error => 'skip_row');
RESET ROLE;
SELECT pg_temp.unchanged() AS unchanged;

-- skip_row: the good lines are imported, the problems kept in the batch (line and reason).
SET ROLE regress_importer;
\set csv `cat test/fixtures/import/row_problems.csv`
SELECT rows_read, rows_inserted, rows_updated, rows_rejected, jsonb_pretty(errors) AS errors
  FROM rolloy.import_performance(:'csv', on_error => 'skip_row');
\set csv `cat test/fixtures/import/ragged.csv`
SELECT rows_read, rows_inserted, rows_rejected, errors FROM rolloy.import_performance(:'csv', 'meta', 'skip_row');
-- The detail of a rejected file groups the problems by cause: how many lines, the first ones.
SELECT * FROM rolloy.import_performance('Day,Ad name,Impressions,Link clicks,Amount spent (USD)' || chr(10) ||
    '2026-09-30,Long teaser,10,1,1.00' || chr(10) ||
    (SELECT string_agg('2026-10-' || lpad(d::text, 2, '0') || ',Long teaser ' || repeat('x', 60) || ',10,20,' ||
                       CASE WHEN d % 10 = 0 THEN '1e3' ELSE '1.00' END, chr(10))
       FROM generate_series(1, 25) d));

------------------------------------------------------------------------------------------------
-- Files that are not imports at all: always an error, whatever the policy, and nothing written.
RESET ROLE;
DELETE FROM before_bad_files;
INSERT INTO before_bad_files SELECT pg_temp.state();
SET ROLE regress_importer;
\set csv `cat test/fixtures/import/empty.csv`
SELECT * FROM rolloy.import_performance(:'csv');
SELECT * FROM rolloy.import_performance(''::bytea, on_error => 'skip_row');
\set csv `cat test/fixtures/import/header_only.csv`
SELECT * FROM rolloy.import_performance(:'csv');
\set b64 `base64 -w0 test/fixtures/import/binary_xlsx.csv`
SELECT * FROM rolloy.import_performance(decode(:'b64', 'base64'), on_error => 'skip_row');
SELECT * FROM rolloy.import_performance(decode('25504446', 'hex') || convert_to('-1.7 report', 'UTF8'));
SELECT * FROM rolloy.import_performance(convert_to('Day,Ad name' || chr(10) || '2026-11-27,caf', 'UTF8') || '\xe9'::bytea);
\set csv `cat test/fixtures/import/truncated_quote.csv`
SELECT * FROM rolloy.import_performance(:'csv', on_error => 'skip_row');
-- A 10 MB line.
SELECT * FROM rolloy.import_performance('Day,Ad name,Impressions,Link clicks,Amount spent (USD)' || chr(10) ||
                                        '2026-11-27,' || repeat('x', 10 * 1024 * 1024) || ',1,1,1', on_error => 'skip_row');
-- Headers of no platform; the wrong explicit platform names what is missing and what fits.
SELECT * FROM rolloy.import_performance('name,date,views' || chr(10) || 'a,2026-11-27,3');
\set csv `cat test/fixtures/import/meta_daily.csv`
SELECT * FROM rolloy.import_performance(:'csv', 'tiktok');
SELECT * FROM rolloy.import_performance(:'csv', 'google_ads');
-- Arguments.
SELECT * FROM rolloy.import_performance(:'csv', 'myspace');
SELECT * FROM rolloy.import_performance(:'csv', on_error => 'ignore');
SELECT * FROM rolloy.import_performance(NULL::text);
SELECT * FROM rolloy.import_performance(:'csv', platform => NULL);
RESET ROLE;
SELECT pg_temp.unchanged() AS unchanged;

------------------------------------------------------------------------------------------------
-- Who may import: admins, and a superuser session mapped to no user (cron); members may not.
SET ROLE regress_mo;
SELECT * FROM rolloy.import_performance(:'csv');
SELECT * FROM rolloy.rematch_performance();
SET ROLE regress_nobody;
SELECT * FROM rolloy.import_performance(:'csv');
RESET ROLE;
SELECT pg_temp.unchanged() AS unchanged;
SELECT imported_by IS NULL AS no_user, rows_updated FROM rolloy.import_performance(:'csv');

-- Who sees what: members the rows of their own creatives; admins everything, unmatched included.
SET ROLE regress_mo;
SELECT ad_key, day, project, variant FROM pg_temp.rows ORDER BY ad_key, day;
SELECT count(*) AS batches_mo_sees FROM rolloy.import_batches;
SELECT count(*) AS unmatched_mo_sees FROM rolloy.unmatched_performance;
SET ROLE regress_lu;
SELECT ad_key, day, project, variant FROM pg_temp.rows ORDER BY ad_key, day;
SET ROLE regress_importer;
SELECT count(*) AS rows_admin_sees, count(*) FILTER (WHERE project IS NULL) AS unmatched FROM pg_temp.rows;
SELECT count(*) AS batches_admin_sees FROM rolloy.import_batches;

-- The review list of unmatched ads.
SELECT platform, ad_name, creative_name, is_creative_name, currency, row_count, impressions, clicks, spend,
       first_date, last_date
  FROM rolloy.unmatched_performance ORDER BY platform, ad_name, currency;
RESET ROLE;

------------------------------------------------------------------------------------------------
-- Rows wait for their creative: a project created later with their name takes them (an image
-- name's project part links the project), its images then take theirs.
SELECT ad_key, day, creative_name, project, variant FROM pg_temp.rows
 WHERE creative_name LIKE '20261127_IND_HOME_FOLD_CALM_STATIC%' ORDER BY ad_key, day;
INSERT INTO rolloy.scenes (category, category_code, scene, scene_code) VALUES ('Indoor', 'IND', 'Home', 'HOME');
INSERT INTO rolloy.formats (name, code) VALUES ('Static ad', 'STATIC');
SELECT pg_temp.project('20261127_IND_HOME_FOLD_CALM_STATIC', '00000000-0000-0000-0000-0000000005b1', 'Mo home');
SELECT ad_key, day, creative_name, project, variant FROM pg_temp.rows
 WHERE creative_name LIKE '20261127_IND_HOME_FOLD_CALM_STATIC%' ORDER BY ad_key, day;
INSERT INTO rolloy.generated_images (project_id, prompt)
SELECT id, 'folded by the door' FROM rolloy.creative_projects, generate_series(1, 2) WHERE title = 'Mo home';
SELECT ad_key, day, creative_name, project, variant FROM pg_temp.rows
 WHERE creative_name LIKE '20261127_IND_HOME_FOLD_CALM_STATIC%' ORDER BY ad_key, day;

-- rematch_performance() links what is not linked (here: links removed by hand).
UPDATE rolloy.performance_data SET project_id = NULL, image_id = NULL WHERE ad_key IN ('120210000000000001', '120210000000000102');
SET ROLE regress_importer;
SELECT rolloy.rematch_performance() AS linked;
SELECT rolloy.rematch_performance() AS linked_again;
RESET ROLE;
SELECT ad_key, day, project, variant FROM pg_temp.rows WHERE ad_key IN ('120210000000000001', '120210000000000102')
 ORDER BY ad_key, day;

-- A re-import never undoes a link: an ad renamed to something unknown keeps its creative.
SET ROLE regress_importer;
SELECT rows_updated, rows_unmatched FROM rolloy.import_performance($csv$Day,Ad name,Ad ID,Amount spent (USD),Impressions,Link clicks
2026-11-27,Renamed in Ads Manager,120210000000000001,159.51,21997,340
$csv$);
RESET ROLE;
SELECT ad_key, day, project, variant, impr FROM pg_temp.rows WHERE ad_key = '120210000000000001';

-- References are checked like foreign keys; deleting a creative unlinks its rows.
INSERT INTO rolloy.performance_data (platform, ad_key, ad_name, report_date, period_end, project_id)
VALUES ('meta', 'x', 'x', '2026-11-01', '2026-11-01', '00000000-0000-0000-0000-000000000bad');
SELECT pg_temp.outcome($$
    INSERT INTO rolloy.performance_data (platform, ad_key, ad_name, report_date, period_end, project_id, image_id)
    SELECT 'meta', 'x', 'x', '2026-11-01', '2026-11-01', p.id, g.id
      FROM rolloy.creative_projects p, rolloy.generated_images g
     WHERE p.title = 'Lu park' AND g.project_id <> p.id LIMIT 1$$) AS image_of_another_project;
INSERT INTO rolloy.performance_data (platform, ad_key, ad_name, report_date, period_end, import_batch_id)
VALUES ('meta', 'x', 'x', '2026-11-01', '2026-11-01', -1);
INSERT INTO rolloy.performance_data (platform, ad_key, ad_name, report_date, period_end)
VALUES ('myspace', 'x', 'x', '2026-11-01', '2026-11-01');
DELETE FROM rolloy.generated_images WHERE ad_name LIKE '20261127_IND_HOME_FOLD_CALM_STATIC_V0_';
DELETE FROM rolloy.creative_projects WHERE title = 'Mo home';
SELECT ad_key, day, creative_name, project, variant FROM pg_temp.rows
 WHERE creative_name LIKE '20261127_IND_HOME_FOLD_CALM_STATIC%' ORDER BY ad_key, day;

------------------------------------------------------------------------------------------------
-- PostgREST: a single unnamed text parameter takes a text/plain body, a single unnamed bytea one
-- an application/octet-stream body.
SET ROLE regress_importer;
\set csv `cat test/fixtures/import/tiktok_fullwidth.csv`
SELECT platform, on_error, rows_read, rows_updated FROM rolloy.import_csv(:'csv');
\set b64 `base64 -w0 test/fixtures/import/google_ads_excel_utf16.csv`
SELECT platform, encoding, rows_read, rows_updated FROM rolloy.import_csv_file(decode(:'b64', 'base64'));
SELECT * FROM rolloy.import_csv_file(decode('504b0304140006000800', 'hex'));
RESET ROLE;

------------------------------------------------------------------------------------------------
-- Platforms are data: an admin adds one with an INSERT, and its exports import at once (detected
-- from the header, or named by its name or a spelling). Before, the file is no known export.
SET ROLE regress_importer;
\set csv `cat test/fixtures/import/pinterest_export.csv`
SELECT pg_temp.outcome(format('SELECT rolloy.import_performance(%L)', :'csv')) AS before_the_insert;
INSERT INTO rolloy.ad_platforms (name, label, spellings, detection_headers, headers, required, currency) VALUES
    ('pinterest', 'Pinterest', '{pin}', '{Spend in account currency,Pin promotion ID}',
     '{"date": ["Date"], "campaign": ["Campaign name"], "ad_group": ["Ad group name"], "ad_name": ["Ad name"],
       "ad_id": ["Pin promotion ID"], "impressions": ["Impressions"], "clicks": ["Outbound clicks"],
       "spend": ["Spend in account currency"], "conversions": ["Checkouts"], "conversion_value": ["Checkout value"]}',
     '{date,ad_name,impressions,clicks,spend}', 'USD');
SELECT platform, requested_platform, currency, rows_read, rows_inserted, rows_summary, rows_unmatched, warnings
  FROM rolloy.import_performance(:'csv');
SELECT platform, ad_key, day, project, variant, impr, clicks, spend, cur, conv, value
  FROM pg_temp.rows WHERE platform = 'pinterest' ORDER BY ad_key, day;
SELECT platform, requested_platform, rows_updated FROM rolloy.import_performance(:'csv', 'PIN');
-- Meta's export is still Meta's, also with the new platform in the catalog.
\set csv `cat test/fixtures/import/meta_daily.csv`
SELECT platform, rows_updated FROM rolloy.import_performance(:'csv');
-- A definition that could not read any file is refused when it is written.
SELECT pg_temp.outcome($$INSERT INTO rolloy.ad_platforms (name, label, headers, required)
                         VALUES ('Snap Chat', 'Snapchat', '{"date": ["Date"]}', '{date}')$$) AS bad_name;
SELECT pg_temp.outcome($$INSERT INTO rolloy.ad_platforms (name, label, headers, required)
                         VALUES ('snapchat', 'Snapchat', '{"date": ["Date"], "swipes": ["Swipe ups"]}', '{date}')$$)
       AS unknown_field;
SELECT pg_temp.outcome($$INSERT INTO rolloy.ad_platforms (name, label, headers, required)
                         VALUES ('snapchat', 'Snapchat', '{"date": ["Date"], "ad_name": ["Ad name"]}', '{date,spend}')$$)
       AS required_without_header;
SELECT pg_temp.outcome($$INSERT INTO rolloy.ad_platforms (name, label, headers, required, key_fields)
                         VALUES ('snapchat', 'Snapchat', '{"date": ["Date"], "campaign": ["Campaign"]}', '{date}',
                                 '{campaign}')$$) AS key_not_an_ad;
SELECT pg_temp.outcome($$INSERT INTO rolloy.ad_platforms (name, label, headers, required, date_order)
                         VALUES ('snapchat', 'Snapchat', '{"date": ["Date"], "ad_name": ["Ad name"]}', '{date}',
                                 'iso')$$) AS unknown_date_order;
-- Members read the platforms; they may not add, change or delete one.
SET ROLE regress_mo;
SELECT name, label, spellings, required FROM rolloy.ad_platforms ORDER BY name;
SELECT pg_temp.outcome($$INSERT INTO rolloy.ad_platforms (name, label, headers, required)
                         VALUES ('snapchat', 'Snapchat', '{"date": ["Date"], "ad_name": ["Ad name"]}', '{date}')$$)
       AS member_insert;
UPDATE rolloy.ad_platforms SET label = 'Mine' WHERE name = 'meta';
SELECT pg_temp.outcome($$DELETE FROM rolloy.ad_platforms WHERE name = 'pinterest'$$) AS member_delete;
SELECT pg_temp.outcome($$UPDATE rolloy.ad_platforms SET name = 'pin' WHERE name = 'pinterest'$$) AS rename;
RESET ROLE;
SELECT label FROM rolloy.ad_platforms WHERE name = 'meta';
-- A platform in use cannot go (even for the owner): its batches and its rows reference it.
SELECT pg_temp.outcome($$DELETE FROM rolloy.ad_platforms WHERE name = 'pinterest'$$) AS delete_in_use;
DELETE FROM rolloy.import_batches WHERE platform = 'pinterest';
SELECT pg_temp.outcome($$DELETE FROM rolloy.ad_platforms WHERE name = 'pinterest'$$) AS delete_with_rows;

-- Clean up.
DELETE FROM rolloy.performance_data;
DELETE FROM rolloy.import_batches;
DELETE FROM rolloy.ad_platforms WHERE name = 'pinterest';
DELETE FROM rolloy.generated_images;
DELETE FROM rolloy.creative_projects;
DELETE FROM rolloy.scenes WHERE category_code = 'IND';
DELETE FROM rolloy.formats WHERE code = 'STATIC';
DELETE FROM rolloy.users;
DROP ROLE regress_importer, regress_mo, regress_lu, regress_nobody;
