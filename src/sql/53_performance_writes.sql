-- Who may write ad performance, and how the star stays consistent: writes through the flat view
-- (admins), references of ads to projects and images (set-based, as a foreign key would), and
-- what a deleted project, image, ad or import batch leaves behind. Imports write the tables
-- directly (src/pg/import/chunk_writer.cpp); these triggers see only their ads rows.

-- Columns not given in an INSERT through the view get 0.1.0's table defaults.
ALTER VIEW rolloy.performance_data ALTER COLUMN impressions SET DEFAULT 0;
ALTER VIEW rolloy.performance_data ALTER COLUMN clicks SET DEFAULT 0;
ALTER VIEW rolloy.performance_data ALTER COLUMN spend SET DEFAULT 0;
ALTER VIEW rolloy.performance_data ALTER COLUMN conversions SET DEFAULT 0;
ALTER VIEW rolloy.performance_data ALTER COLUMN conversion_value SET DEFAULT 0;
ALTER VIEW rolloy.performance_data ALTER COLUMN source_lines SET DEFAULT 1;
ALTER VIEW rolloy.performance_data ALTER COLUMN created_at SET DEFAULT now();
ALTER VIEW rolloy.performance_data ALTER COLUMN updated_at SET DEFAULT now();

-- INSERT, UPDATE and DELETE on rolloy.performance_data. (platform, ad_key) names the ad; its
-- other columns (ids, names, match) are the ad's, one value per ad: the last write sets them.
-- Admins and superusers only, as 0.1.0's policies: a member's INSERT is refused, a member's
-- UPDATE changes nothing (members have no DELETE privilege).
CREATE FUNCTION rolloy_internal._write_performance_data() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    ad_no integer;
    currency_no smallint;
BEGIN
    IF NOT (rolloy.is_admin() OR coalesce((SELECT r.rolsuper FROM pg_catalog.pg_roles r
                                            WHERE r.rolname = rolloy_internal._outer_role()), false)) THEN
        IF TG_OP = 'INSERT' THEN
            RAISE EXCEPTION 'new row violates row-level security policy for view "performance_data"'
                USING ERRCODE = 'insufficient_privilege', HINT = rolloy_internal._importer_hint();
        END IF;
        RETURN NULL;
    END IF;
    IF TG_OP = 'DELETE' THEN
        DELETE FROM rolloy_internal.ad_days d USING rolloy.ads a
         WHERE a.platform = OLD.platform AND a.ad_key = OLD.ad_key AND d.ad = a.id AND d.report_date = OLD.report_date;
        RETURN OLD;
    END IF;
    IF NEW.currency IS NOT NULL THEN
        IF NOT rolloy_internal._is_currency_code(NEW.currency) THEN
            RAISE EXCEPTION 'currency "%" is not an ISO 4217 code', NEW.currency
                USING ERRCODE = 'check_violation', DETAIL = 'A currency is three capital letters A-Z, like USD.';
        END IF;
        currency_no := (pg_catalog.ascii(substr(NEW.currency, 1, 1)) - 65) * 676
                       + (pg_catalog.ascii(substr(NEW.currency, 2, 1)) - 65) * 26 + pg_catalog.ascii(substr(NEW.currency, 3, 1)) - 65;
    END IF;
    IF NEW.import_batch_id IS NOT NULL
       AND NOT EXISTS (SELECT 1 FROM rolloy.import_batches b WHERE b.id = NEW.import_batch_id FOR KEY SHARE) THEN
        RAISE EXCEPTION 'performance_data references import batch % which does not exist', NEW.import_batch_id
            USING ERRCODE = 'foreign_key_violation';
    END IF;
    INSERT INTO rolloy.ads AS a (platform, ad_key, ad_id, ad_name, campaign, ad_group, creative_name, project_id, image_id,
                                 first_seen, last_seen)
    VALUES (NEW.platform, NEW.ad_key, NEW.ad_id, NEW.ad_name, NEW.campaign, NEW.ad_group, NEW.creative_name, NEW.project_id,
            NEW.image_id, NEW.report_date, NEW.period_end)
    ON CONFLICT ON CONSTRAINT ads_natural_key DO UPDATE
       SET ad_id = EXCLUDED.ad_id, ad_name = EXCLUDED.ad_name, campaign = EXCLUDED.campaign, ad_group = EXCLUDED.ad_group,
           creative_name = EXCLUDED.creative_name, project_id = EXCLUDED.project_id, image_id = EXCLUDED.image_id,
           first_seen = least(a.first_seen, EXCLUDED.first_seen), last_seen = greatest(a.last_seen, EXCLUDED.last_seen)
    RETURNING a.id INTO ad_no;
    -- The days the insights' rollup must read again (62_insight_rollup.sql); deletes are logged by a trigger.
    INSERT INTO rolloy_internal.insight_changed_days (ad, report_date)
    SELECT o.id, OLD.report_date FROM rolloy.ads o WHERE TG_OP = 'UPDATE' AND o.platform = OLD.platform AND o.ad_key = OLD.ad_key
    UNION ALL
    SELECT ad_no, NEW.report_date;
    IF TG_OP = 'INSERT' THEN
        INSERT INTO rolloy_internal.ad_days (ad, report_date, period_end, source_lines, impressions, clicks, reach, spend,
                                             conversions, conversion_value, import_batch_id, created_at, updated_at, currency)
        VALUES (ad_no, NEW.report_date, NEW.period_end, NEW.source_lines, NEW.impressions, NEW.clicks, NEW.reach,
                (NEW.spend * 1000000)::bigint, (NEW.conversions * 1000000)::bigint,
                (NEW.conversion_value * 1000000)::bigint, NEW.import_batch_id, NEW.created_at, NEW.updated_at, currency_no);
    ELSE
        UPDATE rolloy_internal.ad_days d
           SET ad = ad_no, report_date = NEW.report_date, period_end = NEW.period_end, source_lines = NEW.source_lines,
               impressions = NEW.impressions, clicks = NEW.clicks, reach = NEW.reach,
               spend = (NEW.spend * 1000000)::bigint, conversions = (NEW.conversions * 1000000)::bigint,
               conversion_value = (NEW.conversion_value * 1000000)::bigint, import_batch_id = NEW.import_batch_id,
               created_at = NEW.created_at,
               updated_at = CASE WHEN NEW.updated_at IS DISTINCT FROM OLD.updated_at THEN NEW.updated_at ELSE now() END,
               currency = currency_no
          FROM rolloy.ads o
         WHERE o.platform = OLD.platform AND o.ad_key = OLD.ad_key AND d.ad = o.id AND d.report_date = OLD.report_date;
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER write_performance_data INSTEAD OF INSERT OR UPDATE OR DELETE ON rolloy.performance_data
    FOR EACH ROW EXECUTE FUNCTION rolloy_internal._write_performance_data();

-- An ad's image belongs to its project (the foreign keys check that both exist and lock them FOR
-- KEY SHARE until commit, so they cannot be deleted under a running import). One check per
-- statement.
CREATE FUNCTION rolloy_internal._check_performance_references() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    missing text;
BEGIN
    SELECT 'image ' || n.image_id || ' of project ' || n.project_id INTO missing
      FROM new_rows n
     WHERE n.image_id IS NOT NULL
       AND NOT EXISTS (SELECT 1 FROM rolloy.generated_images g WHERE g.id = n.image_id AND g.project_id = n.project_id)
     LIMIT 1;
    IF missing IS NOT NULL THEN
        RAISE EXCEPTION 'performance_data references % which does not exist', missing
            USING ERRCODE = 'foreign_key_violation';
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER check_references_insert AFTER INSERT ON rolloy.ads
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT
    EXECUTE FUNCTION rolloy_internal._check_performance_references();
CREATE TRIGGER check_references_update AFTER UPDATE ON rolloy.ads
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT
    EXECUTE FUNCTION rolloy_internal._check_performance_references();

-- ON DELETE SET NULL of the day rows' import batch (a deleted batch leaves them without
-- provenance); a deleted ad takes its days along. (Ads' projects and images: their foreign keys.)
CREATE FUNCTION rolloy_internal._unlink_deleted_references() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    IF TG_TABLE_NAME = 'ads' THEN
        DELETE FROM rolloy_internal.ad_days d WHERE d.ad IN (SELECT o.id FROM old_rows o);
    ELSE
        UPDATE rolloy_internal.ad_days d SET import_batch_id = NULL
         WHERE d.import_batch_id IN (SELECT o.id FROM old_rows o);
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER unlink_performance AFTER DELETE ON rolloy.import_batches
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION rolloy_internal._unlink_deleted_references();
CREATE TRIGGER unlink_performance AFTER DELETE ON rolloy.ads
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION rolloy_internal._unlink_deleted_references();

-- Who sees what: members the ads of their own creatives; admins everything, including unmatched
-- ads. Writes: the import and the view's trigger (both run as the owner).
ALTER TABLE rolloy.ads ENABLE ROW LEVEL SECURITY;
CREATE POLICY ads_select ON rolloy.ads FOR SELECT
    USING ((SELECT rolloy.is_admin()) OR (project_id IS NOT NULL AND rolloy_internal._owns_project(project_id)));
GRANT SELECT ON rolloy.ads TO rolloy_member;
-- Column privileges only (no table-level write privilege); admins delete rows with
-- rolloy.delete_performance_data().
GRANT SELECT ON rolloy.performance_data TO rolloy_member;
GRANT INSERT (platform, ad_key, report_date, period_end, ad_id, ad_name, campaign, ad_group, creative_name, project_id,
              image_id, impressions, reach, clicks, spend, currency, conversions, conversion_value, source_lines,
              import_batch_id),
      UPDATE (platform, ad_key, report_date, period_end, ad_id, ad_name, campaign, ad_group, creative_name, project_id,
              image_id, impressions, reach, clicks, spend, currency, conversions, conversion_value, source_lines,
              import_batch_id)
    ON rolloy.performance_data TO rolloy_member;

CREATE FUNCTION rolloy.delete_performance_data(platform rolloy.ad_platform, ad_key text, report_date date DEFAULT NULL)
RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    n bigint;
BEGIN
    PERFORM rolloy_internal.require_admin();
    DELETE FROM rolloy_internal.ad_days d USING rolloy.ads a
     WHERE a.platform = delete_performance_data.platform AND a.ad_key = delete_performance_data.ad_key AND d.ad = a.id
       AND (delete_performance_data.report_date IS NULL OR d.report_date = delete_performance_data.report_date);
    GET DIAGNOSTICS n = ROW_COUNT;
    RETURN n;
END
$$;
REVOKE ALL ON FUNCTION rolloy.delete_performance_data(rolloy.ad_platform, text, date) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION rolloy.delete_performance_data(rolloy.ad_platform, text, date) TO rolloy_member;
COMMENT ON FUNCTION rolloy.delete_performance_data(rolloy.ad_platform, text, date) IS
    'Deletes the performance rows of one ad (platform and ad_key), of one day when report_date is given; returns '
    'how many. Admins only.';
