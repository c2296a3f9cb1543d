-- Image generation, part 1: where image bytes live and how they are read, uploaded and deleted
-- (the db store here; the s3 store in 47_storage.sql). Parts 2-6: 42_providers.sql (keys and the
-- provider registry), 43_limits.sql (quota, budget, rate), 44_queue.sql (queueing, cancel, retry),
-- 45_progress.sql (counters, notifications, monitoring), 46_cleanup_and_prompt.sql.

-- ---------------------------------------------------------------------------------------------
-- Storage: image bytes live in the database (backups, RLS and PostgREST cover them too), keyed
-- by a storage reference laid out by project and image: db:generated/<project>/<image>,
-- db:reference/<reference image>. An image of the s3 store (47_storage.sql) keeps its file in
-- the bucket and its thumbnail here (content NULL), under its s3: reference: one object per
-- image, and thumbnails are read without a request. JPEG/PNG do not compress further: store
-- them uncompressed.
CREATE TABLE rolloy.image_store (
    storage_ref   text PRIMARY KEY CHECK (storage_ref ~ '^(db|s3):(generated|reference)/'),
    content       bytea,
    content_type  text NOT NULL CHECK (content_type IN ('image/jpeg', 'image/png', 'image/webp')),
    thumbnail     bytea NOT NULL,
    sha256        text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    size_bytes    bigint NOT NULL CHECK (size_bytes > 0),
    created_at    timestamptz NOT NULL DEFAULT now(),
    -- The file is here exactly for the db store; the s3 store's file is the object.
    CONSTRAINT image_store_content_db_only CHECK ((content IS NOT NULL) = (storage_ref LIKE 'db:%'))
);
ALTER TABLE rolloy.image_store ALTER COLUMN content SET STORAGE EXTERNAL;
ALTER TABLE rolloy.image_store ALTER COLUMN thumbnail SET STORAGE EXTERNAL;
COMMENT ON TABLE rolloy.image_store IS
    'Bytes of reference and generated images with their 300x300 thumbnails (for images of the s3 store the '
    'thumbnail only: the file is the object in the bucket); readable where the image is '
    '(reference photos: all members with a rolloy identity; generated images: their project''s owner and admins); '
    'written only by rolloy.';
COMMENT ON COLUMN rolloy.image_store.storage_ref IS
    'db:generated/<project>/<image> or db:reference/<id>; s3:generated/<project>/<image>/<sha256> for an image of '
    'the s3 store.';
COMMENT ON COLUMN rolloy.image_store.content IS 'The image file; NULL for an image of the s3 store (the file is its object).';
COMMENT ON COLUMN rolloy.image_store.content_type IS 'MIME type of the file.';
COMMENT ON COLUMN rolloy.image_store.thumbnail IS '300x300 JPEG thumbnail (cover crop, q70).';
COMMENT ON COLUMN rolloy.image_store.sha256 IS 'SHA-256 of the file (hex).';
COMMENT ON COLUMN rolloy.image_store.size_bytes IS 'Size of the file in bytes.';
SELECT pg_catalog.pg_extension_config_dump('rolloy.image_store', '');

ALTER TABLE rolloy.image_store ENABLE ROW LEVEL SECURITY;
CREATE POLICY image_store_read ON rolloy.image_store FOR SELECT USING (
    EXISTS (SELECT 1 FROM rolloy.generated_images g WHERE g.storage_ref = image_store.storage_ref)
    OR EXISTS (SELECT 1 FROM rolloy.reference_images r WHERE r.storage_ref = image_store.storage_ref));
GRANT SELECT ON rolloy.image_store TO rolloy_member;

-- PostgREST media types: functions returning these domains answer with raw bytes.
CREATE DOMAIN rolloy."image/jpeg" AS bytea;
COMMENT ON DOMAIN rolloy."image/jpeg" IS 'JPEG bytes; PostgREST serves functions returning it as image/jpeg.';
CREATE DOMAIN rolloy."application/zip" AS bytea;
COMMENT ON DOMAIN rolloy."application/zip" IS 'ZIP bytes; PostgREST serves functions returning it as application/zip.';

-- The bytes behind a storage reference, from the store that serves its scheme (see
-- src/pg/storage/image_store.hpp); only for references of rows the caller can see.
-- Runs as the caller (RLS decides what it serves); called from the SQL-standard bodies of image(),
-- thumbnail() and reference_image(), so members get EXECUTE but no USAGE on rolloy_internal.
CREATE FUNCTION rolloy_internal._stored_image(storage_ref text, thumbnail boolean) RETURNS bytea
LANGUAGE C STABLE AS 'MODULE_PATHNAME', 'rolloy_stored_image';
COMMENT ON FUNCTION rolloy_internal._stored_image(text, boolean) IS
    'Bytes (or thumbnail) behind a storage reference of an image or reference photo the caller may see.';

-- Deleting an image or a reference photo deletes its row of image_store in the same transaction
-- (a rolled-back delete keeps it); an object of the s3 store is left to cleanup()'s sweep.
CREATE FUNCTION rolloy_internal._remove_stored_image(storage_ref text) RETURNS boolean
LANGUAGE C STRICT AS 'MODULE_PATHNAME', 'rolloy_remove_stored_image';
COMMENT ON FUNCTION rolloy_internal._remove_stored_image(text) IS
    'Deletes the bytes behind a storage reference from its store (the delete triggers only).';

CREATE FUNCTION rolloy_internal._forget_stored_images() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    PERFORM rolloy_internal._remove_stored_image(g.storage_ref) FROM gone g WHERE g.storage_ref IS NOT NULL;
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION rolloy_internal._forget_stored_images() IS
    'Trigger: deletes the stored bytes of deleted images and reference photos.';
CREATE TRIGGER forget_stored_images AFTER DELETE ON rolloy.generated_images
    REFERENCING OLD TABLE AS gone FOR EACH STATEMENT EXECUTE FUNCTION rolloy_internal._forget_stored_images();
CREATE TRIGGER forget_stored_images AFTER DELETE ON rolloy.reference_images
    REFERENCING OLD TABLE AS gone FOR EACH STATEMENT EXECUTE FUNCTION rolloy_internal._forget_stored_images();

-- SQL-standard bodies (BEGIN ATOMIC): parsed at creation, so they reach _stored_image by OID and
-- the caller needs no USAGE on rolloy_internal. They run as the caller: RLS decides what is served.
CREATE FUNCTION rolloy.image(image_id uuid) RETURNS rolloy."image/jpeg"
LANGUAGE sql STABLE
BEGIN ATOMIC
    SELECT rolloy_internal._stored_image(g.storage_ref, false)::rolloy."image/jpeg" FROM rolloy.generated_images g
     WHERE g.id = image.image_id AND g.status = 'completed';
END;
COMMENT ON FUNCTION rolloy.image(uuid) IS
    'The generated JPEG of a completed image the caller may see (own projects; admins all); NULL otherwise. '
    'PostgREST: GET /rpc/image?image_id=… with Accept: image/jpeg.';

CREATE FUNCTION rolloy.thumbnail(image_id uuid) RETURNS rolloy."image/jpeg"
LANGUAGE sql STABLE
BEGIN ATOMIC
    SELECT rolloy_internal._stored_image(g.storage_ref, true)::rolloy."image/jpeg" FROM rolloy.generated_images g
     WHERE g.id = thumbnail.image_id AND g.status = 'completed';
END;
COMMENT ON FUNCTION rolloy.thumbnail(uuid) IS
    'The 300x300 JPEG thumbnail of a completed image the caller may see; NULL otherwise. '
    'PostgREST: GET /rpc/thumbnail?image_id=… with Accept: image/jpeg.';

CREATE FUNCTION rolloy.reference_image(reference_image_id uuid, thumbnail boolean DEFAULT false) RETURNS bytea
LANGUAGE sql STABLE
BEGIN ATOMIC
    SELECT rolloy_internal._stored_image(r.storage_ref, reference_image.thumbnail)
      FROM rolloy.reference_images r
     WHERE r.id = reference_image.reference_image_id;
END;
COMMENT ON FUNCTION rolloy.reference_image(uuid, boolean) IS
    'Bytes (or the 300x300 thumbnail) of a reference photo; every member with a rolloy identity may read the shared '
    'photo library (NULL for others and for unknown ids).';

CREATE FUNCTION rolloy.upload_reference_image(content bytea, file_name text, product_state rolloy.product_state,
                                              description text DEFAULT '')
RETURNS rolloy.reference_images
LANGUAGE C SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS 'MODULE_PATHNAME', 'rolloy_upload_reference_image';
COMMENT ON FUNCTION rolloy.upload_reference_image(bytea, text, rolloy.product_state, text) IS
    'Adds a reference photo and returns its reference_images row: the type is sniffed from the bytes (JPEG, '
    'PNG, WebP), size and dimensions are checked, a thumbnail is made, and a photo already uploaded (same '
    'SHA-256) is refused. Any member with a rolloy identity; the photo joins the library every member uses.';

-- Reference photos are written through functions only: rows come from upload_reference_image()
-- (MIME sniffing, size limits, dedupe), and a table-level DELETE privilege would let a member
-- LOCK the table in any mode. Not yours and does not exist answer the same.
CREATE FUNCTION rolloy.delete_reference_image(reference_image_id uuid) RETURNS boolean
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    me uuid := rolloy_internal.require_user();
BEGIN
    DELETE FROM rolloy.reference_images r
     WHERE r.id = delete_reference_image.reference_image_id
       AND (r.uploaded_by = me OR rolloy_internal._user_is_admin(me));
    IF NOT FOUND THEN
        RAISE EXCEPTION 'reference image % not found', reference_image_id USING ERRCODE = 'undefined_object',
            HINT = 'Only the uploader of a photo (or an admin) can delete it.';
    END IF;
    RETURN true;
END
$$;
REVOKE ALL ON FUNCTION rolloy.delete_reference_image(uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION rolloy.delete_reference_image(uuid) TO rolloy_member;
COMMENT ON FUNCTION rolloy.delete_reference_image(uuid) IS
    'Deletes a reference photo and its stored bytes and returns true; images generated from it keep their own bytes. '
    'Uploader of the photo or an admin (42704 otherwise, as for a photo that does not exist).';

CREATE FUNCTION rolloy.project_zip(project_id uuid) RETURNS rolloy."application/zip"
LANGUAGE C STABLE AS 'MODULE_PATHNAME', 'rolloy_project_zip';
COMMENT ON FUNCTION rolloy.project_zip(uuid) IS
    'All completed images of a project as one ZIP, files named <ad name>.jpg. Owner of the project or an '
    'admin (42704 otherwise). PostgREST: GET /rpc/project_zip?project_id=… with Accept: application/zip.';
