-- Dashboard, part 3: images and downloads the pages link to.
--
-- A browser's <img> asks with Accept: image/avif,image/webp,...,image/*,*/*. PostgREST matches
-- only exact types and */*, so image() and thumbnail() (domain "image/jpeg") would answer it
-- with JSON. These handlers return the "*/*" domain, which answers every Accept, and set the
-- real Content-Type themselves (PostgREST's "providing images for <img>" recipe). image(),
-- thumbnail() and project_zip() stay as they are for clients that ask for the type explicitly.
-- They run as the caller and call those API functions, so RLS decides what is served; a
-- missing image and one of another user's projects get the same 404.

-- A page embeds up to 20 thumbnails, each a request. image_store's read policy looks the
-- reference up in generated_images (EXISTS ... WHERE g.storage_ref = image_store.storage_ref):
-- without this index that is a scan of every image, under its own row-level security, per
-- thumbnail (1.2 s each at 2,000 images; 0.1 s with it).
CREATE INDEX generated_images_storage_ref_idx ON rolloy.generated_images (storage_ref);

CREATE FUNCTION rolloy.image_file(image_id uuid, thumbnail boolean DEFAULT false) RETURNS rolloy."*/*"
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    bytes bytea := CASE WHEN image_file.thumbnail THEN rolloy.thumbnail(image_file.image_id)
                        ELSE rolloy.image(image_file.image_id) END;
BEGIN
    IF bytes IS NULL THEN
        RAISE EXCEPTION 'image % not found', image_file.image_id USING ERRCODE = 'PT404',
            HINT = 'Completed images of your own projects (admins: all) are served.';
    END IF;
    -- private: the bytes depend on who asks; a day is safe, an image never changes once completed.
    PERFORM pg_catalog.set_config('response.headers',
        pg_catalog.json_build_array(pg_catalog.json_build_object('Content-Type', 'image/jpeg'),
                                    pg_catalog.json_build_object('Cache-Control', 'private, max-age=86400'))::text, true);
    RETURN bytes;
END
$$;
COMMENT ON FUNCTION rolloy.image_file(uuid, boolean) IS
    'The JPEG of a completed image (thumbnail => the 300x300 thumbnail) for browsers: PostgREST serves it to any '
    'Accept, as <img> sends, with Content-Type image/jpeg. Own projects; admins all. SQLSTATE PT404 (HTTP 404) when '
    'missing or not yours. GET /rpc/image_file?image_id=…&thumbnail=true';

CREATE FUNCTION rolloy.project_zip_file(project_id uuid) RETURNS rolloy."*/*"
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    name text;
BEGIN
    SELECT p.generated_name INTO name FROM rolloy.creative_projects p WHERE p.id = project_zip_file.project_id;
    IF name IS NULL THEN
        RAISE EXCEPTION 'project % not found', project_zip_file.project_id USING ERRCODE = 'PT404',
            HINT = 'Your own projects (admins: all) can be downloaded.';
    END IF;
    -- The generated name is [0-9A-Z_] only (naming rules): safe in the header as it is.
    PERFORM pg_catalog.set_config('response.headers',
        pg_catalog.json_build_array(pg_catalog.json_build_object('Content-Type', 'application/zip'),
                                    pg_catalog.json_build_object('Content-Disposition',
                                                                 'attachment; filename="' || name || '.zip"'))::text, true);
    RETURN rolloy.project_zip(project_zip_file.project_id);
END
$$;
COMMENT ON FUNCTION rolloy.project_zip_file(uuid) IS
    'project_zip() for a browser link: served to any Accept as application/zip, saved as <project name>.zip. '
    'Owner of the project or an admin; SQLSTATE PT404 (HTTP 404) otherwise. GET /rpc/project_zip_file?project_id=…';

-- <img> of an image's thumbnail: a link to image_file (relative, so it works under any
-- PostgREST prefix), or inlined as a data: URI for a page saved to a file from psql.
CREATE FUNCTION rolloy_internal._dash_img(image_id uuid, inline boolean, alt text, css_class text DEFAULT 'thumb')
RETURNS text
LANGUAGE sql STABLE
RETURN '<img class="' || css_class || '" width="300" height="300" alt="' || rolloy_internal._html(alt) || '" src="'
       || CASE WHEN inline THEN 'data:image/jpeg;base64,' || translate(encode(rolloy.thumbnail(image_id), 'base64'), E'\n', '')
               ELSE 'image_file?image_id=' || image_id || '&amp;thumbnail=true' END
       || '">';
COMMENT ON FUNCTION rolloy_internal._dash_img(uuid, boolean, text, text) IS
    '<img> of an image''s thumbnail: linked to image_file (PostgREST) or inlined as a data: URI.';
