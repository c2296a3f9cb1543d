-- rolloy.import_performance_file (issue 12): the import of a file on the database server gives
-- what import_performance(body) gives for the same bytes (Meta native, Meta re-saved in a
-- spreadsheet, Google Ads UTF-16 "Excel CSV"), and only roles that may read the server's files
-- (superuser, pg_read_server_files) may use it, whoever owns the SECURITY DEFINER function that
-- calls it. Missing files, relative paths and directories are refused and change nothing.
BEGIN;
\ir 00_fixture.inc
SELECT plan(19);  -- fixed: a probe that returns no rows cannot pass unnoticed
SET client_min_messages = warning;
\ir ../fixtures/sql/table_fingerprint.sql

\set native `base64 -w0 test/fixtures/import/meta_export_native.csv`
\set resaved `base64 -w0 test/fixtures/import/meta_export_resaved.csv`
\set utf16 `base64 -w0 test/fixtures/import/google_ads_excel_utf16.csv`

-- The server writes the fixtures into its own data directory (removed with the test cluster):
-- lo_export writes a large object's bytes as they are, as the server's OS user.
CREATE TEMP TABLE files (what text, platform text, body bytea, path text, lo oid);
INSERT INTO files (what, platform, body) VALUES
    ('native', 'meta', decode(:'native', 'base64')),
    ('resaved', 'meta', decode(:'resaved', 'base64')),
    ('utf16', 'google_ads', decode(:'utf16', 'base64'));
-- A file of several read blocks (1 MiB each): 40 ads x 800 days, ~2.5 MB.
INSERT INTO files (what, platform, body)
SELECT 'large', 'meta', convert_to(
    'Day,Ad name,Ad ID,Amount spent (USD),Impressions,Link clicks' || chr(10) ||
    string_agg(format('%s,Large file ad %s with a long name to fill the blocks,%s,%s.%s,%s,%s',
                      date '2024-01-01' + d, a, 130000000000000000 + a, a + d, lpad((d % 100)::text, 2, '0'),
                      1000 * a + d, a + d % 7),
               chr(10) ORDER BY d, a), 'UTF8')
  FROM generate_series(1, 40) a, generate_series(0, 799) d;
UPDATE files SET path = current_setting('data_directory') || '/rolloy_tap_file_' || what || '.csv';
UPDATE files SET lo = lo_from_bytea(0, body);
SELECT lo_export(lo, path) FROM files;
SELECT lo_unlink(lo) FROM files;

-- What an import left: its batch (without its id, name and times) and the flat view's rows
-- (without the batch id and times), as one jsonb.
CREATE FUNCTION pg_temp.outcome(b rolloy.import_batches) RETURNS jsonb LANGUAGE sql AS $$
    SELECT jsonb_build_object(
        'batch', to_jsonb(b) - '{id,source_name,started_at,finished_at,created_at}'::text[],
        'rows', (SELECT jsonb_agg(to_jsonb(p) - '{import_batch_id,created_at,updated_at}'::text[]
                                  ORDER BY p.ad_key, p.report_date)
                   FROM rolloy.performance_data p))
$$;
CREATE FUNCTION pg_temp.sqlstate_of(statement text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE statement;
    RETURN 'ok';
EXCEPTION WHEN others THEN
    RETURN SQLSTATE || ' ' || SQLERRM;
END
$$;
SELECT path AS native_path FROM files WHERE what = 'native' \gset

-- Each file imported both ways into the same empty tables (rolled back in between).
SAVEPOINT clean;
SELECT pg_temp.outcome(b) AS body_native FROM files f, rolloy.import_performance(f.body, f.platform) b
 WHERE f.what = 'native' \gset
ROLLBACK TO SAVEPOINT clean;
SELECT pg_temp.outcome(b) AS file_native FROM files f, rolloy.import_performance_file(f.path, f.platform) b
 WHERE f.what = 'native' \gset
ROLLBACK TO SAVEPOINT clean;
SELECT pg_temp.outcome(b) AS body_resaved FROM files f, rolloy.import_performance(f.body, f.platform) b
 WHERE f.what = 'resaved' \gset
ROLLBACK TO SAVEPOINT clean;
SELECT pg_temp.outcome(b) AS file_resaved FROM files f, rolloy.import_performance_file(f.path, f.platform) b
 WHERE f.what = 'resaved' \gset
ROLLBACK TO SAVEPOINT clean;
SELECT md5(pg_temp.outcome(b)::text) AS body_large FROM files f, rolloy.import_performance(f.body, f.platform) b
 WHERE f.what = 'large' \gset
ROLLBACK TO SAVEPOINT clean;
SELECT md5(pg_temp.outcome(b)::text) AS file_large, b.rows_inserted AS large_inserted
  FROM files f, rolloy.import_performance_file(f.path, f.platform) b
 WHERE f.what = 'large' \gset
ROLLBACK TO SAVEPOINT clean;
SELECT pg_temp.outcome(b) AS body_utf16 FROM files f, rolloy.import_performance(f.body) b
 WHERE f.what = 'utf16' \gset
ROLLBACK TO SAVEPOINT clean;
SELECT pg_temp.outcome(b) AS file_utf16 FROM files f, rolloy.import_performance_file(f.path) b
 WHERE f.what = 'utf16' \gset
ROLLBACK TO SAVEPOINT clean;

SELECT is(:'file_native'::jsonb, :'body_native'::jsonb, 'Meta native export: the file import leaves what the body import leaves');
SELECT is(:'file_resaved'::jsonb, :'body_resaved'::jsonb, 'Meta export re-saved in a spreadsheet: the same batch and rows both ways');
SELECT is(:'file_utf16'::jsonb, :'body_utf16'::jsonb, 'Google Ads UTF-16 export, platform detected: the same batch and rows both ways');
SELECT is(:'file_large'::text, :'body_large'::text, 'a file of several 1 MiB read blocks: the same batch and rows both ways');
SELECT is(:large_inserted, 32000, 'the large file wrote its 32,000 ad days');
SELECT is(jsonb_array_length(:'file_native'::jsonb -> 'rows'), 11, 'the native file wrote its 11 ad days');
SELECT is(:'file_resaved'::jsonb #>> '{batch,warnings}' LIKE '%scientific notation%', true,
          'the re-saved file carries the damaged-id warning');
SELECT is(:'file_utf16'::jsonb #>> '{batch,encoding}', 'UTF-16LE', 'the UTF-16 file was read as UTF-16LE');

-- Who may: the file-reading right of the session's role, not of a function's owner.
SELECT pg_temp.state() AS before_refusals \gset
SET ROLE tap_alice;
SELECT throws_ok(format('SELECT rolloy.import_performance_file(%L)', :'native_path'), '42501',
                 'permission denied to import from a file on the database server', 'a member is refused');
RESET ROLE;
SET ROLE tap_admin;
SELECT throws_ok(format('SELECT rolloy.import_performance_file(%L)', :'native_path'), '42501',
                 'permission denied to import from a file on the database server',
                 'an admin without pg_read_server_files is refused');
RESET ROLE;
-- A SECURITY DEFINER wrapper owned by a superuser does not lend the superuser's right.
CREATE FUNCTION pg_temp.launder(p text) RETURNS bigint LANGUAGE sql SECURITY DEFINER AS $$
    SELECT rows_read FROM rolloy.import_performance_file(p)
$$;
SET ROLE tap_admin;
SELECT throws_ok(format('SELECT pg_temp.launder(%L)', :'native_path'), '42501',
                 'permission denied to import from a file on the database server',
                 'a superuser''s SECURITY DEFINER wrapper does not launder the check');
RESET ROLE;

-- Bad paths, as a superuser.
SELECT is(pg_temp.sqlstate_of(format('SELECT rolloy.import_performance_file(%L)',
                                     current_setting('data_directory') || '/no_such_export.csv')),
          format('58P01 could not open file "%s": No such file or directory',
                 current_setting('data_directory') || '/no_such_export.csv'),
          'a missing file: 58P01 naming the path');
SELECT throws_ok($$SELECT rolloy.import_performance_file('rolloy_tap_file_native.csv')$$, '22023',
                 'relative path not allowed for import from a file',
                 'a relative path is refused (even one that exists in the data directory)');
SELECT is(pg_temp.sqlstate_of(format('SELECT rolloy.import_performance_file(%L)', current_setting('data_directory'))),
          format('22023 "%s" is a directory', current_setting('data_directory')), 'a directory is refused');
SELECT throws_ok($$SELECT rolloy.import_performance_file(NULL)$$, '22023', 'path must not be NULL', 'a NULL path is refused');
SELECT is(pg_temp.state(), :'before_refusals', 'the refused calls changed nothing');

-- An admin granted pg_read_server_files may; the batch names the admin and the file.
GRANT pg_read_server_files TO tap_admin;
SET ROLE tap_admin;
SELECT rows_inserted AS admin_inserted, source_name AS admin_source, imported_by AS admin_by
  FROM rolloy.import_performance_file(:'native_path', 'meta') \gset
RESET ROLE;
SELECT is(:admin_inserted, (:'body_native'::jsonb #>> '{batch,rows_inserted}')::int,
          'an admin with pg_read_server_files imports the file');
SELECT is(:'admin_source'::text, 'rolloy_tap_file_native.csv', 'source_name defaults to the file''s name');
SELECT is(:'admin_by'::uuid, '00000000-0000-0000-0000-0000000000ad'::uuid, 'the batch names the admin');

SELECT * FROM finish();
ROLLBACK;
