-- New day rows are written the way COPY writes them (src/pg/import/bulk_day_insert.cpp), and that
-- must be indistinguishable from the SQL INSERT it replaces: the same rows, CHECK constraints
-- honoured, and where the table has what the bulk path cannot honour (an insert trigger, a column
-- it does not know) the SQL INSERT is used, so the trigger fires and the default applies.
BEGIN;
SELECT plan(12);  -- fixed: a probe that returns no rows cannot pass unnoticed
SET client_min_messages = warning;

CREATE FUNCTION pg_temp.meta_csv(lines text[]) RETURNS text LANGUAGE sql AS $$
    SELECT 'Day,Ad name,Ad ID,Amount spent (USD),Impressions,Reach,Link clicks' || chr(10) || array_to_string(lines, chr(10))
$$;
-- 3 ads x 2 days, one without reach.
SELECT set_config('tap.export', pg_temp.meta_csv(ARRAY[
    '2026-10-01,Bulk one,b1,1.25,100,80,1', '2026-10-02,Bulk one,b1,2.50,200,,2',
    '2026-10-01,Bulk two,b2,3.00,300,250,3', '2026-10-02,Bulk two,b2,4.00,400,300,4',
    '2026-10-01,Bulk three,b3,0,0,0,0', '2026-10-02,Bulk three,b3,5.55,555,500,5']), true);
-- The day rows as stored, without the batch id (each import has its own).
CREATE FUNCTION pg_temp.days() RETURNS TABLE (ad_key text, report_date date, period_end date, source_lines int,
    impressions bigint, clicks bigint, reach bigint, spend bigint, conversions bigint, conversion_value bigint,
    created_at timestamptz, updated_at timestamptz, currency smallint, batch_is_last boolean)
LANGUAGE sql AS $$
    SELECT a.ad_key, d.report_date, d.period_end, d.source_lines, d.impressions, d.clicks, d.reach, d.spend,
           d.conversions, d.conversion_value, d.created_at, d.updated_at, d.currency,
           d.import_batch_id = (SELECT max(id) FROM rolloy.import_batches)
      FROM rolloy_internal.ad_days d JOIN rolloy.ads a ON a.id = d.ad WHERE a.ad_key LIKE 'b_'
$$;
CREATE FUNCTION pg_temp.forget() RETURNS void LANGUAGE sql AS $$
    DELETE FROM rolloy.ads WHERE ad_key LIKE 'b_'
$$;

-- An AFTER INSERT trigger on the day table: the import must fall back to its SQL INSERT, which fires it.
CREATE TEMP TABLE fired (level text, n bigint);
GRANT INSERT ON fired TO PUBLIC;
CREATE FUNCTION pg_temp.count_rows() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO fired VALUES ('row', 1);
    RETURN NULL;
END
$$;
CREATE TRIGGER tap_count AFTER INSERT ON rolloy_internal.ad_days FOR EACH ROW EXECUTE FUNCTION pg_temp.count_rows();
SELECT is((SELECT rows_inserted FROM rolloy.import_performance(current_setting('tap.export'))), 6,
          'with an insert trigger: 6 days inserted');
SELECT is((SELECT sum(n) FROM fired WHERE level = 'row'), 6::numeric, 'the row trigger fired for each of them');
CREATE TEMP TABLE by_insert AS SELECT * FROM pg_temp.days();
DROP TRIGGER tap_count ON rolloy_internal.ad_days;

-- Without it: the bulk path writes exactly the rows the SQL INSERT wrote (now() is the
-- transaction's: the timestamps compare too).
SELECT pg_temp.forget();
SELECT is((SELECT rows_inserted FROM rolloy.import_performance(current_setting('tap.export'))), 6,
          'bulk: 6 days inserted');
SELECT is((SELECT count(*) FROM fired), 6::bigint, 'no trigger left to fire');
SELECT set_eq('SELECT * FROM pg_temp.days()', 'SELECT * FROM by_insert',
              'bulk: the same rows as the SQL INSERT (values, NULL reach, timestamps, batch)');
SELECT is((SELECT count(*) FROM by_insert WHERE reach IS NULL), 1::bigint, 'one day without reach, stored as NULL');
-- The rows are in the primary key (a second import of them finds them: every day an update).
SELECT results_eq($$SELECT rows_inserted, rows_updated FROM rolloy.import_performance(current_setting('tap.export'))$$,
                  $$VALUES (0, 6)$$, 'bulk-written days are found by the next import: 6 updated');

-- A CHECK constraint of the table is honoured on the bulk path: the import fails, nothing stays.
SELECT pg_temp.forget();
ALTER TABLE rolloy_internal.ad_days ADD CONSTRAINT tap_small CHECK (impressions < 500);
SELECT throws_ok($$SELECT * FROM rolloy.import_performance(current_setting('tap.export'))$$, '23514',
                 'new row for relation "ad_days" violates check constraint "tap_small"',
                 'bulk: a CHECK constraint of the table refuses the row');
SELECT is((SELECT count(*) FROM pg_temp.days()), 0::bigint, 'and nothing was written');
ALTER TABLE rolloy_internal.ad_days DROP CONSTRAINT tap_small;

-- A dropped column is skipped; a column the bulk path does not know gets its default (SQL INSERT).
ALTER TABLE rolloy_internal.ad_days ADD COLUMN tap_gone integer;
ALTER TABLE rolloy_internal.ad_days DROP COLUMN tap_gone;
SELECT set_eq($$SELECT rows_inserted FROM rolloy.import_performance(current_setting('tap.export'))$$, ARRAY[6],
              'with a dropped column: 6 days inserted');
SELECT pg_temp.forget();
ALTER TABLE rolloy_internal.ad_days ADD COLUMN tap_note text NOT NULL DEFAULT 'by default';
SELECT is((SELECT rows_inserted FROM rolloy.import_performance(current_setting('tap.export'))), 6,
          'with a column unknown to the bulk path: 6 days inserted');
SELECT is((SELECT array_agg(DISTINCT d.tap_note) FROM rolloy_internal.ad_days d JOIN rolloy.ads a ON a.id = d.ad
            WHERE a.ad_key LIKE 'b_'), '{"by default"}', 'and its default applied');

SELECT * FROM finish();
ROLLBACK;
