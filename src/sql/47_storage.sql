-- Image stores beside the database: an S3-compatible bucket (AWS S3, Cloudflare R2, MinIO,
-- Supabase Storage). rolloy.image_store (a GUC: db or s3) picks where the worker puts new
-- images; the bucket's settings are GUCs too (rolloy.s3_endpoint, s3_bucket, s3_region,
-- s3_path_style); its credentials live here. An image of the s3 store is one object (its file)
-- and a row of the table rolloy.image_store with its thumbnail (41_image_store.sql).
-- See docs/generation.md#storage.

-- Credentials are held like provider keys: no grants, RLS without policies (no role but the
-- extension owner reads them), written only through set_storage_credentials(), never shown,
-- not in pg_dump (re-enter after a restore).
CREATE TABLE rolloy.storage_credentials (
    store              text PRIMARY KEY CHECK (store = 's3'),
    access_key_id      text NOT NULL CHECK (access_key_id ~ '^[!-~]+$' AND length(access_key_id) BETWEEN 3 AND 256),
    secret_access_key  text NOT NULL CHECK (length(secret_access_key) BETWEEN 8 AND 512),
    set_by             uuid,
    updated_at         timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE rolloy.storage_credentials IS 'Credentials of the s3 image store; no role but the extension owner can read it.';
COMMENT ON COLUMN rolloy.storage_credentials.store IS 'Store the credentials belong to (s3).';
COMMENT ON COLUMN rolloy.storage_credentials.access_key_id IS 'Access key id.';
COMMENT ON COLUMN rolloy.storage_credentials.secret_access_key IS 'Secret access key (never shown).';
COMMENT ON COLUMN rolloy.storage_credentials.set_by IS 'Admin who set them.';
COMMENT ON COLUMN rolloy.storage_credentials.updated_at IS 'When they were set.';
ALTER TABLE rolloy.storage_credentials ENABLE ROW LEVEL SECURITY;
REVOKE ALL ON rolloy.storage_credentials FROM PUBLIC;

CREATE FUNCTION rolloy.set_storage_credentials(access_key_id text, secret_access_key text) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    me uuid := rolloy_internal.require_admin();
BEGIN
    IF access_key_id IS NULL OR access_key_id !~ '^[!-~]+$' OR length(access_key_id) NOT BETWEEN 3 AND 256 THEN
        RAISE EXCEPTION 'that does not look like an access key id (3 to 256 printable characters, no spaces)'
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF secret_access_key IS NULL OR length(secret_access_key) NOT BETWEEN 8 AND 512 OR secret_access_key ~ '\s' THEN
        RAISE EXCEPTION 'that does not look like a secret access key (8 to 512 characters, no spaces)'
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    INSERT INTO rolloy.storage_credentials AS c (store, access_key_id, secret_access_key, set_by)
    VALUES ('s3', set_storage_credentials.access_key_id, set_storage_credentials.secret_access_key, me)
    ON CONFLICT ON CONSTRAINT storage_credentials_pkey
    DO UPDATE SET access_key_id = EXCLUDED.access_key_id, secret_access_key = EXCLUDED.secret_access_key,
                  set_by = EXCLUDED.set_by, updated_at = now();
END
$$;
REVOKE ALL ON FUNCTION rolloy.set_storage_credentials(text, text) FROM PUBLIC;
-- Members may call it (PostgREST admins arrive as members); it checks require_admin() itself.
GRANT EXECUTE ON FUNCTION rolloy.set_storage_credentials(text, text) TO rolloy_member;
COMMENT ON FUNCTION rolloy.set_storage_credentials(text, text) IS
    'Stores the access key id and secret of the s3 image store. Admins only; the secret is never shown again.';

CREATE FUNCTION rolloy.remove_storage_credentials() RETURNS boolean
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    PERFORM rolloy_internal.require_admin();
    DELETE FROM rolloy.storage_credentials c WHERE c.store = 's3';
    RETURN FOUND;
END
$$;
REVOKE ALL ON FUNCTION rolloy.remove_storage_credentials() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION rolloy.remove_storage_credentials() TO rolloy_member;
COMMENT ON FUNCTION rolloy.remove_storage_credentials() IS
    'Removes the credentials of the s3 image store; true when there were some. Admins only.';

CREATE FUNCTION rolloy.storage_settings()
RETURNS TABLE (new_images text, endpoint text, bucket text, region text, path_style boolean, credentials_set boolean,
               access_key_hint text, images_in_db bigint, images_in_s3 bigint)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
    SELECT coalesce(nullif(current_setting('rolloy.image_store', true), ''), 'db'),
           nullif(current_setting('rolloy.s3_endpoint', true), ''), nullif(current_setting('rolloy.s3_bucket', true), ''),
           current_setting('rolloy.s3_region', true), current_setting('rolloy.s3_path_style', true)::boolean,
           c.store IS NOT NULL, CASE WHEN c.access_key_id IS NULL THEN NULL ELSE '…' || right(c.access_key_id, 4) END,
           (SELECT count(*) FROM rolloy.generated_images g WHERE g.storage_ref LIKE 'db:%'),
           (SELECT count(*) FROM rolloy.generated_images g WHERE g.storage_ref LIKE 's3:%')
      FROM (SELECT 1) one LEFT JOIN rolloy.storage_credentials c ON c.store = 's3'
     WHERE rolloy.is_admin()
$$;
COMMENT ON FUNCTION rolloy.storage_settings() IS
    'Where new images go, the s3 bucket''s settings, whether credentials are set (last 4 characters of the access key '
    'id only) and how many generated images each store holds. Admins only; empty for others.';

-- A presigned GET URL of an image in the s3 store (see _stored_image: signs only references of
-- rows the caller can see).
CREATE FUNCTION rolloy_internal._presigned_url(storage_ref text, ttl_seconds bigint) RETURNS text
LANGUAGE C VOLATILE AS 'MODULE_PATHNAME', 'rolloy_presigned_url';
COMMENT ON FUNCTION rolloy_internal._presigned_url(text, bigint) IS
    'Presigned GET URL of an s3-stored image or photo the caller may see.';

CREATE FUNCTION rolloy.image_url(image_id uuid, ttl interval DEFAULT '1 hour') RETURNS text
LANGUAGE sql VOLATILE
BEGIN ATOMIC
    SELECT rolloy_internal._presigned_url(g.storage_ref, extract(epoch FROM image_url.ttl)::bigint)
      FROM rolloy.generated_images g
     WHERE g.id = image_url.image_id AND g.status = 'completed';
END;
COMMENT ON FUNCTION rolloy.image_url(uuid, interval) IS
    'A presigned GET URL (valid for ttl: 1 second to 7 days, default 1 hour) of a completed image the caller may see, '
    'for browsers and PostgREST clients; NULL otherwise. Images in the s3 store only (0A000 for the db store: use image()).';

-- Moving images between stores: in batches, each its own transaction, so a stopped move loses
-- nothing and the next call goes on where it stopped.
CREATE FUNCTION rolloy_internal._copy_stored_image(source_ref text, target text, project_id text, image_id text,
                                                   sha256 text) RETURNS text
LANGUAGE C STRICT AS 'MODULE_PATHNAME', 'rolloy_copy_stored_image';
COMMENT ON FUNCTION rolloy_internal._copy_stored_image(text, text, text, text, text) IS
    'Copies a generated image (checked against its SHA-256) into another store; returns its new reference (move_images only).';

CREATE FUNCTION rolloy.move_images(target text, batch_size integer DEFAULT 50, OUT moved integer, OUT remaining bigint)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    g record;
BEGIN
    PERFORM rolloy_internal._require_admin_or_superuser('move images between stores');
    IF target IS NULL OR target NOT IN ('db', 's3') THEN
        RAISE EXCEPTION 'unknown image store "%"', left(target, 40) USING ERRCODE = 'invalid_parameter_value',
            HINT = 'Stores: db, s3.';
    END IF;
    IF batch_size IS NULL OR batch_size NOT BETWEEN 1 AND 1000 THEN
        RAISE EXCEPTION 'batch_size must be between 1 and 1000' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    moved := 0;
    -- Rows another transaction holds (a result being written, a user's open transaction) are
    -- skipped: a later call takes them.
    FOR g IN SELECT x.id, x.project_id, x.storage_ref, x.sha256 FROM rolloy.generated_images x
              WHERE x.status = 'completed' AND x.storage_ref NOT LIKE move_images.target || ':%'
              ORDER BY x.completed_at, x.id LIMIT batch_size FOR NO KEY UPDATE SKIP LOCKED LOOP
        UPDATE rolloy.generated_images x
           SET storage_ref = rolloy_internal._copy_stored_image(g.storage_ref, move_images.target, g.project_id::text,
                                                                g.id::text, g.sha256)
         WHERE x.id = g.id;
        -- The old copy: a database row goes with this transaction; an object is left to the
        -- orphan sweep of cleanup() (deleting it now would lose it if this transaction rolled back).
        DELETE FROM rolloy.image_store s WHERE s.storage_ref = g.storage_ref;
        moved := moved + 1;
    END LOOP;
    SELECT count(*) INTO remaining FROM rolloy.generated_images x
     WHERE x.status = 'completed' AND x.storage_ref NOT LIKE move_images.target || ':%';
END
$$;
REVOKE ALL ON FUNCTION rolloy.move_images(text, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION rolloy.move_images(text, integer) TO rolloy_member;
COMMENT ON FUNCTION rolloy.move_images(text, integer) IS
    'Moves up to batch_size completed images into the store target (db or s3), each checked against its SHA-256, and '
    'returns how many moved and how many are still elsewhere: call it again until remaining is 0 (each call is one '
    'transaction, so a stopped move loses nothing). Admins or a superuser.';

-- Objects of the s3 store no row refers to (an upload whose row never committed, a deleted or
-- moved image, a thumbnail object of an earlier build) are deleted by cleanup() once older than
-- rolloy.storage_orphan_grace_seconds.
CREATE FUNCTION rolloy_internal._sweep_storage(grace_seconds bigint) RETURNS bigint
LANGUAGE C STRICT AS 'MODULE_PATHNAME', 'rolloy_sweep_storage';
COMMENT ON FUNCTION rolloy_internal._sweep_storage(bigint) IS
    'Deletes s3 objects no image row refers to, older than grace_seconds; returns how many (cleanup only).';
