-- Importing ad-performance exports (Meta Ads Manager, Google Ads, TikTok Ads) into
-- rolloy.performance_data, one rolloy.import_batches row per call. Reading the file, matching ad
-- names to creatives and writing in chunks is C++ (src/core/import, src/pg/import); this file
-- declares the functions, the automatic linking of rows that wait for a creative, and the review
-- view of unmatched ads. User guide: docs/import.md.

-- Who may import and re-match: rolloy admins, and a superuser session that maps to no rolloy user
-- (psql as postgres, a pg_cron job). Returns the admin's user id, NULL for such a superuser.

-- Imports of one platform run one at a time (src/pg/import/importer.cpp): each locks its
-- platform's row here FOR UPDATE, adding the row first if it is missing. No role but the owner
-- may use rolloy_internal, so no member can take or hold this lock (a public advisory key, as in
-- 0.1.0, can be taken by any session and blocks every admin's import). The rows hold no data:
-- the table is not dumped, an import adds its row again.
CREATE TABLE rolloy_internal.import_locks (
    platform  rolloy.ad_platform PRIMARY KEY REFERENCES rolloy.ad_platforms (name) ON DELETE CASCADE
);
COMMENT ON TABLE rolloy_internal.import_locks IS
    'One row per platform, locked FOR UPDATE by rolloy.import_performance so that imports of a platform run one at a time.';

CREATE FUNCTION rolloy_internal._importer_hint() RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    SELECT 'Performance data spans every user''s creatives; ask an admin to import it.'::text
$$;

-- jit = off: the chunk statements (10,000 rows each) cost more than jit_above_cost, so each was
-- compiled by LLVM once per chunk, ~8 % of an import, for statements that run a few ms.
CREATE FUNCTION rolloy.import_performance(
    csv text, platform text DEFAULT 'auto', on_error text DEFAULT 'reject_file', source_name text DEFAULT '')
RETURNS rolloy.import_batches
LANGUAGE C VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp SET work_mem = '64MB' SET jit = off
AS 'MODULE_PATHNAME', 'rolloy_import_performance';
COMMENT ON FUNCTION rolloy.import_performance(text, text, text, text) IS
    'Imports an ad-performance CSV export (Meta Ads Manager, Google Ads, TikTok Ads) into performance_data and '
    'returns its import_batches row. platform: auto (detected from the header) or a name of rolloy.ad_platforms (meta, '
    'google_ads, tiktok, and the platforms admins added). '
    'on_error: reject_file (default: any bad row fails the call and nothing is written) or skip_row (good rows are '
    'imported, the bad ones listed in errors). Re-importing an (ad, day) replaces it; lines of one ad and day are '
    'summed. Admins only. UTF-16 files and uploads that may be binary: use the bytea overload. See docs/import.md.';

CREATE FUNCTION rolloy.import_performance(
    body bytea, platform text DEFAULT 'auto', on_error text DEFAULT 'reject_file', source_name text DEFAULT '')
RETURNS rolloy.import_batches
LANGUAGE C VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp SET work_mem = '64MB' SET jit = off
AS 'MODULE_PATHNAME', 'rolloy_import_performance';
COMMENT ON FUNCTION rolloy.import_performance(bytea, text, text, text) IS
    'Same as import_performance(text, ...) for the file''s raw bytes: accepts UTF-8 (with or without BOM) and '
    'UTF-16 ("Excel CSV" of Google Ads), and names an .xlsx, .xls, PDF, zip or image sent by mistake. Returns the '
    'import_batches row. Admins only.';

-- The same import from a file on the database server, for the engineers who run it (like COPY FROM
-- a file): superusers and roles with pg_read_server_files only, checked in C for the session's
-- role, so that SECURITY DEFINER (here or in a wrapper) does not lend its owner's right.
CREATE FUNCTION rolloy.import_performance_file(
    path text, platform text DEFAULT 'auto', on_error text DEFAULT 'reject_file', source_name text DEFAULT '')
RETURNS rolloy.import_batches
LANGUAGE C VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp SET work_mem = '64MB' SET jit = off
AS 'MODULE_PATHNAME', 'rolloy_import_performance_file';
COMMENT ON FUNCTION rolloy.import_performance_file(text, text, text, text) IS
    'Same as import_performance(body bytea, ...) for a file on the database server (absolute path, up to 1 GB; '
    'UTF-8 with or without BOM, or UTF-16). source_name defaults to the file''s name. Admins (or a superuser '
    'session without a rolloy user) whose role is a superuser or has the privileges of pg_read_server_files, as '
    'for COPY FROM a file. Returns the import_batches row.';

-- work_mem: each chunk's rows pass through the reference check's transition table; 64MB keeps
-- a chunk of 10,000 lines in memory instead of a temporary file.

-- PostgREST raw bodies: a function with a single unnamed text parameter receives a
-- `Content-Type: text/plain` body, a single unnamed bytea one an `application/octet-stream` body.
CREATE FUNCTION rolloy.import_csv(text) RETURNS rolloy.import_batches
LANGUAGE sql VOLATILE AS $$
    SELECT * FROM rolloy.import_performance($1)
$$;
COMMENT ON FUNCTION rolloy.import_csv(text) IS
    'PostgREST upload: POST /rpc/import_csv with Content-Type: text/plain and the CSV as the body. '
    'Platform detected, on_error reject_file. Returns the import_batches row. Admins only.';

CREATE FUNCTION rolloy.import_csv_file(bytea) RETURNS rolloy.import_batches
LANGUAGE sql VOLATILE AS $$
    SELECT * FROM rolloy.import_performance($1)
$$;
COMMENT ON FUNCTION rolloy.import_csv_file(bytea) IS
    'PostgREST upload of the file as is: POST /rpc/import_csv_file with Content-Type: application/octet-stream '
    '(UTF-16 "Excel CSV" included). Platform detected, on_error reject_file. Returns the import_batches row. Admins only.';

-- Ads whose name is a creative name nobody has created yet wait in rolloy.ads with project_id
-- NULL and their canonical name in creative_name. A project or image created (or a project
-- renamed) later with that name picks them up here. An image name's project part links the
-- project as soon as the project exists; the image follows when it is generated.
CREATE FUNCTION rolloy_internal._link_waiting_performance() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    IF TG_TABLE_NAME = 'creative_projects' THEN
        -- The project's own name, or one of its image names (name_Vnn sorts between name_V and
        -- name_W; creative_name compares bytewise): both served by ads_unmatched_idx.
        UPDATE rolloy.ads a SET project_id = NEW.id
         WHERE a.project_id IS NULL
           AND (a.creative_name = NEW.generated_name
                OR (a.creative_name >= NEW.generated_name || '_V' AND a.creative_name < NEW.generated_name || '_W'
                    AND (rolloy.parse_creative_name(a.creative_name)).project_name = NEW.generated_name));
    ELSE
        UPDATE rolloy.ads a SET project_id = NEW.project_id, image_id = NEW.id
         WHERE a.project_id IS NULL AND a.creative_name = NEW.ad_name;
        -- Ads that found the project at import time and waited for this image.
        UPDATE rolloy.ads a SET image_id = NEW.id
         WHERE a.project_id = NEW.project_id AND a.image_id IS NULL AND a.creative_name = NEW.ad_name;
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER link_waiting_performance AFTER INSERT ON rolloy.creative_projects
    FOR EACH ROW EXECUTE FUNCTION rolloy_internal._link_waiting_performance();
CREATE TRIGGER link_waiting_performance_renamed AFTER UPDATE ON rolloy.creative_projects
    FOR EACH ROW WHEN (OLD.generated_name IS DISTINCT FROM NEW.generated_name)
    EXECUTE FUNCTION rolloy_internal._link_waiting_performance();
CREATE TRIGGER link_waiting_performance AFTER INSERT ON rolloy.generated_images
    FOR EACH ROW EXECUTE FUNCTION rolloy_internal._link_waiting_performance();

CREATE FUNCTION rolloy.rematch_performance() RETURNS bigint
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    to_images bigint;
    to_projects bigint;
BEGIN
    PERFORM rolloy_internal._require_admin_or_superuser('re-match ad performance', rolloy_internal._importer_hint());
    -- Read the names of unmatched ads again: the parser may know spellings it did not at import.
    UPDATE rolloy.ads a
       SET creative_name = (SELECT coalesce(x.image_name, x.project_name) FROM rolloy.parse_creative_name(a.ad_name) x)
     WHERE a.project_id IS NULL
       AND a.creative_name IS DISTINCT FROM
           (SELECT coalesce(x.image_name, x.project_name) FROM rolloy.parse_creative_name(a.ad_name) x);

    -- Counted in performance rows (days), as in 0.1.0: the ads linked, weighed by their days.
    WITH linked AS (
        UPDATE rolloy.ads a SET project_id = g.project_id, image_id = g.id
          FROM rolloy.generated_images g
         WHERE a.image_id IS NULL AND a.creative_name IS NOT NULL AND a.creative_name = g.ad_name
        RETURNING a.id)
    SELECT count(*) INTO to_images FROM rolloy_internal.ad_days d WHERE d.ad IN (SELECT l.id FROM linked l);

    WITH linked AS (
        UPDATE rolloy.ads a SET project_id = p.id
          FROM rolloy.creative_projects p
         WHERE a.project_id IS NULL AND a.image_id IS NULL AND a.creative_name IS NOT NULL
           AND p.generated_name = (rolloy.parse_creative_name(a.creative_name)).project_name
        RETURNING a.id)
    SELECT count(*) INTO to_projects FROM rolloy_internal.ad_days d WHERE d.ad IN (SELECT l.id FROM linked l);
    RETURN to_images + to_projects;
END
$$;
COMMENT ON FUNCTION rolloy.rematch_performance() IS
    'Links ads to the projects and images their ad names name, for ads not (fully) linked yet; returns how many '
    'performance rows (ad days) it linked. New projects and images link their rows automatically: this is for names '
    'read differently since, or links removed by hand. Admins only.';

CREATE VIEW rolloy.unmatched_performance WITH (security_invoker = true) AS
SELECT d.platform, d.ad_name, d.creative_name, d.creative_name IS NOT NULL AS is_creative_name, d.currency,
       count(*) AS row_count, sum(d.impressions) AS impressions, sum(d.clicks) AS clicks, sum(d.spend) AS spend,
       min(d.report_date) AS first_date, max(d.period_end) AS last_date, max(d.import_batch_id) AS last_import_batch_id
  FROM rolloy.performance_data d
 WHERE d.project_id IS NULL
 GROUP BY d.platform, d.ad_name, d.creative_name, d.currency;
COMMENT ON VIEW rolloy.unmatched_performance IS
    'Imported ads whose name matches no project: one line per platform, ad name and currency, for review. '
    'Admins see them; members see none (the rows belong to no one''s project).';
COMMENT ON COLUMN rolloy.unmatched_performance.platform IS 'Ad platform.';
COMMENT ON COLUMN rolloy.unmatched_performance.ad_name IS 'Ad name as exported.';
COMMENT ON COLUMN rolloy.unmatched_performance.creative_name IS
    'The creative name it spells (rows link themselves when a project or image of this name is created); NULL if none.';
COMMENT ON COLUMN rolloy.unmatched_performance.is_creative_name IS
    'True when the ad name parses as a creative name (YYYYMMDD_A1_A2_B_C_D...): only its project is missing.';
COMMENT ON COLUMN rolloy.unmatched_performance.currency IS 'Currency of spend.';
COMMENT ON COLUMN rolloy.unmatched_performance.row_count IS 'performance_data rows (ad days) of this ad.';
COMMENT ON COLUMN rolloy.unmatched_performance.impressions IS 'Impressions over those rows.';
COMMENT ON COLUMN rolloy.unmatched_performance.clicks IS 'Clicks over those rows.';
COMMENT ON COLUMN rolloy.unmatched_performance.spend IS 'Spend over those rows, in currency.';
COMMENT ON COLUMN rolloy.unmatched_performance.first_date IS 'First day reported.';
COMMENT ON COLUMN rolloy.unmatched_performance.last_date IS 'Last day reported.';
COMMENT ON COLUMN rolloy.unmatched_performance.last_import_batch_id IS 'Latest import that wrote one of the rows.';

REVOKE ALL ON FUNCTION rolloy.import_performance(text, text, text, text) FROM PUBLIC;
REVOKE ALL ON FUNCTION rolloy.import_performance(bytea, text, text, text) FROM PUBLIC;
REVOKE ALL ON FUNCTION rolloy.import_performance_file(text, text, text, text) FROM PUBLIC;
REVOKE ALL ON FUNCTION rolloy.import_csv(text) FROM PUBLIC;
REVOKE ALL ON FUNCTION rolloy.import_csv_file(bytea) FROM PUBLIC;
REVOKE ALL ON FUNCTION rolloy.rematch_performance() FROM PUBLIC;
-- Members may call them and get a clear "only rolloy admins" (PostgREST's JWT admins are members
-- at the database level: their admin role is a rolloy.users row).
GRANT EXECUTE ON FUNCTION rolloy.import_performance(text, text, text, text) TO rolloy_member;
GRANT EXECUTE ON FUNCTION rolloy.import_performance(bytea, text, text, text) TO rolloy_member;
-- Members may call it and get a clear refusal unless their role may read server files.
GRANT EXECUTE ON FUNCTION rolloy.import_performance_file(text, text, text, text) TO rolloy_member;
GRANT EXECUTE ON FUNCTION rolloy.import_csv(text) TO rolloy_member;
GRANT EXECUTE ON FUNCTION rolloy.import_csv_file(bytea) TO rolloy_member;
GRANT EXECUTE ON FUNCTION rolloy.rematch_performance() TO rolloy_member;
GRANT SELECT ON rolloy.unmatched_performance TO rolloy_member;
