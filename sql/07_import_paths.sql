-- Which path wrote the day rows (src/pg/import/chunk_writer.hpp), read from the import's DEBUG1
-- line "N days inserted in bulk, N by SQL INSERT; N updated in place, N by SQL upsert" — so a
-- fast path that silently stops running fails here — and that the in-place update (day_update.cpp)
-- and COPY-style insertion give exactly the rows and counts the SQL upsert gives on the same files:
-- a re-import with changed numbers, a day new to it (a mixed chunk), breakdown lines of one day
-- split over chunks (summed into the row an earlier chunk of the same import wrote), reach and
-- currency going missing. Chunks of 2 lines make every file several chunks.
SET client_min_messages = warning;
\set SHOW_CONTEXT never
SET rolloy.naming_time_zone = 'UTC';
UPDATE rolloy.insight_settings SET refresh_after_import = false;
SET rolloy.import_chunk_rows = 2;

CREATE FUNCTION pg_temp.meta_csv(lines text[]) RETURNS text LANGUAGE sql AS $$
    SELECT 'Day,Ad name,Ad ID,Amount spent (USD),Impressions,Reach,Link clicks' || chr(10) || array_to_string(lines, chr(10))
$$;
-- 3 ads x 2 days.
SELECT set_config('paths.first', pg_temp.meta_csv(ARRAY[
    '2026-09-01,Path one,p1,1.25,100,80,1', '2026-09-02,Path one,p1,2.50,200,,2',
    '2026-09-01,Path two,p2,3.00,300,250,3', '2026-09-02,Path two,p2,4.00,400,300,4',
    '2026-09-01,Path three,p3,0,0,0,0', '2026-09-02,Path three,p3,5.55,555,500,5']), false) IS NOT NULL AS set;
-- The re-import: new numbers for 5 of the days (one in two breakdown lines, 4 lines apart: other
-- chunks), reach gone on one, one day new (2026-09-03 of p2), p3's second day not restated.
SELECT set_config('paths.second', pg_temp.meta_csv(ARRAY[
    '2026-09-01,Path one,p1,1.00,110,,1', '2026-09-02,Path one,p1,2.00,210,90,2',
    '2026-09-01,Path two,p2,1.50,150,100,1', '2026-09-02,Path two,p2,4.00,400,300,4',
    '2026-09-03,Path two,p2,6.00,600,500,6', '2026-09-01,Path two,p2,1.50,150,100,2',
    '2026-09-01,Path three,p3,0.10,10,10,0']), false) IS NOT NULL AS set;

-- The day rows of these ads; the batch as "first" / "second" import of the pair; whether the row
-- was written by the import that created it (each import is a transaction: now() differs).
CREATE FUNCTION pg_temp.days() RETURNS TABLE (ad_key text, report_date date, period_end date, source_lines int,
    impressions bigint, clicks bigint, reach bigint, spend bigint, conversions bigint, conversion_value bigint,
    currency smallint, batch text, created_by_update boolean)
LANGUAGE sql AS $$
    SELECT a.ad_key, d.report_date, d.period_end, d.source_lines, d.impressions, d.clicks, d.reach, d.spend,
           d.conversions, d.conversion_value, d.currency,
           CASE d.import_batch_id WHEN (SELECT max(id) FROM rolloy.import_batches) THEN 'second' ELSE 'first' END,
           d.created_at = d.updated_at
      FROM rolloy_internal.ad_days d JOIN rolloy.ads a ON a.id = d.ad WHERE a.ad_key LIKE 'p_'
$$;
CREATE FUNCTION pg_temp.counts() RETURNS text LANGUAGE sql AS $$
    SELECT concat_ws(' ', rows_read, 'read', rows_inserted, 'inserted', rows_updated, 'updated', rows_merged, 'merged')
      FROM rolloy.import_batches ORDER BY id DESC LIMIT 1
$$;
CREATE TEMP TABLE fast_days AS SELECT * FROM pg_temp.days() WITH NO DATA;

-- The fast paths: new days in bulk, then the re-import in place (the new day in bulk).
SET client_min_messages = debug1;
SELECT rows_inserted FROM rolloy.import_performance(current_setting('paths.first'));
SELECT rows_inserted, rows_updated, rows_merged FROM rolloy.import_performance(current_setting('paths.second'));
SET client_min_messages = warning;
SELECT pg_temp.counts() AS fast_counts \gset
INSERT INTO fast_days SELECT * FROM pg_temp.days();
SELECT * FROM fast_days ORDER BY ad_key, report_date;
DELETE FROM rolloy.ads WHERE ad_key LIKE 'p_';

-- An AFTER UPDATE trigger on the day table: the in-place path does not apply (it would not fire
-- it), the SQL upsert writes the existing days; new days are still written in bulk.
CREATE TEMP TABLE fired (n int);
GRANT INSERT ON fired TO PUBLIC;
CREATE FUNCTION pg_temp.count_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO fired VALUES (1);
    RETURN NULL;
END
$$;
CREATE TRIGGER paths_count AFTER UPDATE ON rolloy_internal.ad_days FOR EACH ROW EXECUTE FUNCTION pg_temp.count_update();
SET client_min_messages = debug1;
SELECT rows_inserted FROM rolloy.import_performance(current_setting('paths.first'));
SELECT rows_inserted, rows_updated, rows_merged FROM rolloy.import_performance(current_setting('paths.second'));
SET client_min_messages = warning;
DROP TRIGGER paths_count ON rolloy_internal.ad_days;
SELECT count(*) AS updates_fired FROM fired;
-- The same rows and counts both ways.
SELECT pg_temp.counts() = :'fast_counts' AS same_counts;
SELECT count(*) AS only_fast FROM (SELECT * FROM fast_days EXCEPT SELECT * FROM pg_temp.days()) x;
SELECT count(*) AS only_sql FROM (SELECT * FROM pg_temp.days() EXCEPT SELECT * FROM fast_days) x;

-- The in-place path honours the table's CHECK constraints: the import fails, nothing changes.
CREATE TEMP TABLE before_check AS SELECT * FROM pg_temp.days();
ALTER TABLE rolloy_internal.ad_days ADD CONSTRAINT paths_small CHECK (impressions < 300) NOT VALID;
\set VERBOSITY terse
SELECT rows_updated FROM rolloy.import_performance(current_setting('paths.first'));
\set VERBOSITY default
ALTER TABLE rolloy_internal.ad_days DROP CONSTRAINT paths_small;
SELECT count(*) AS changed FROM (SELECT * FROM pg_temp.days() EXCEPT SELECT * FROM before_check) x;
DELETE FROM rolloy.ads WHERE ad_key LIKE 'p_';
RESET rolloy.import_chunk_rows;
