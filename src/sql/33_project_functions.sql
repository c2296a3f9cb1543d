-- Functions and the view members use on projects: create, delete, reference photos, overview, and
-- the RLS helper that lets a project's visibility decide what hangs off it. Tables: 30_projects.sql.

-- SECURITY DEFINER (to reach require_user): the row it inserts is still the caller's own, as
-- created_by defaults to current_user_id(), which resolves the caller even here.
CREATE FUNCTION rolloy.create_project(
    category_code text, scene_code text, action_code text, driver_code text, format_code text,
    title text DEFAULT '', notes text DEFAULT '')
RETURNS rolloy.creative_projects
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    s_id integer; a_id integer; d_id integer; f_id integer;
    created rolloy.creative_projects;
    too_long text;
BEGIN
    PERFORM rolloy_internal.require_user();
    -- Codes have 2 to 8 characters: a longer one is refused before it is looked up or echoed.
    SELECT v.what INTO too_long
      FROM (VALUES ('category', create_project.category_code), ('scene', create_project.scene_code),
                   ('action', create_project.action_code), ('driver', create_project.driver_code),
                   ('format', create_project.format_code)) v(what, code)
     WHERE length(btrim(v.code)) > 8 LIMIT 1;
    IF too_long IS NOT NULL THEN
        RAISE EXCEPTION 'the % code is longer than 8 characters (ABCD codes have 2 to 8)', too_long
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    PERFORM rolloy_internal._check_length('title', create_project.title, 200);
    PERFORM rolloy_internal._check_length('notes', create_project.notes, 5000);
    SELECT s.id INTO s_id FROM rolloy.scenes s
     WHERE s.category_code = upper(btrim(create_project.category_code)) AND s.scene_code = upper(btrim(create_project.scene_code));
    IF s_id IS NULL THEN
        RAISE EXCEPTION 'unknown scene %/%', category_code, scene_code USING ERRCODE = 'undefined_object',
            HINT = 'See SELECT category_code, scene_code FROM rolloy.scenes;';
    END IF;
    SELECT a.id INTO a_id FROM rolloy.actions a WHERE a.code = upper(btrim(action_code));
    IF a_id IS NULL THEN
        RAISE EXCEPTION 'unknown action code %', action_code USING ERRCODE = 'undefined_object',
            HINT = 'See SELECT code FROM rolloy.actions;';
    END IF;
    SELECT d.id INTO d_id FROM rolloy.drivers d WHERE d.code = upper(btrim(driver_code));
    IF d_id IS NULL THEN
        RAISE EXCEPTION 'unknown driver code %', driver_code USING ERRCODE = 'undefined_object',
            HINT = 'See SELECT code FROM rolloy.drivers;';
    END IF;
    SELECT f.id INTO f_id FROM rolloy.formats f WHERE f.code = upper(btrim(format_code));
    IF f_id IS NULL THEN
        RAISE EXCEPTION 'unknown format code %', format_code USING ERRCODE = 'undefined_object',
            HINT = 'See SELECT code FROM rolloy.formats;';
    END IF;
    INSERT INTO rolloy.creative_projects (scene_id, action_id, driver_id, format_id, title, notes)
    VALUES (s_id, a_id, d_id, f_id, coalesce(create_project.title, ''), coalesce(create_project.notes, ''))
    RETURNING * INTO created;
    RETURN created;
END
$$;
COMMENT ON FUNCTION rolloy.create_project(text, text, text, text, text, text, text) IS
    'Creates a project owned by the caller from ABCD codes (case-insensitive) and returns it with its generated '
    'name. Any member with a rolloy identity; refuses (42501) a session that maps to no rolloy user.';

-- Deleting goes through a function: a table-level DELETE privilege would let a member LOCK the
-- table in any mode. Not yours and does not exist answer the same.
CREATE FUNCTION rolloy.delete_project(project_id uuid) RETURNS boolean
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    me uuid := rolloy_internal.require_user();
    p rolloy.creative_projects;
BEGIN
    SELECT * INTO p FROM rolloy.creative_projects c
     WHERE c.id = delete_project.project_id AND (c.created_by = me OR rolloy_internal._user_is_admin(me));
    IF NOT FOUND THEN
        RAISE EXCEPTION 'project % not found', project_id USING ERRCODE = 'undefined_object',
            HINT = 'Only the owner of a project (or an admin) can delete it.';
    END IF;
    IF EXISTS (SELECT 1 FROM rolloy.generated_images g WHERE g.project_id = p.id) THEN
        RAISE EXCEPTION 'project % has generated images and cannot be deleted', p.generated_name
            USING ERRCODE = 'foreign_key_violation',
                  HINT = 'Its images may be live in ad platforms under their names; keep the project.';
    END IF;
    DELETE FROM rolloy.creative_projects c WHERE c.id = p.id;
    RETURN true;
END
$$;
REVOKE ALL ON FUNCTION rolloy.delete_project(uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION rolloy.delete_project(uuid) TO rolloy_member;
COMMENT ON FUNCTION rolloy.delete_project(uuid) IS
    'Deletes a project without generated images and returns true; its name is never issued again. Owner of the '
    'project or an admin (42704 otherwise, as for a project that does not exist); 23503 when it has images.';

CREATE FUNCTION rolloy.reference_images_for(project_id uuid)
RETURNS SETOF rolloy.reference_images
LANGUAGE sql STABLE AS $$
    SELECT r.*
      FROM rolloy.creative_projects p
      JOIN rolloy.actions a ON a.id = p.action_id
      JOIN rolloy.reference_images r
        ON r.is_active AND (r.product_state = a.product_state OR r.product_state = 'both' OR a.product_state = 'both')
     WHERE p.id = reference_images_for.project_id
     ORDER BY r.created_at, r.id
$$;
COMMENT ON FUNCTION rolloy.reference_images_for(uuid) IS
    'Active reference images usable for a project: those whose product state matches its action''s, '
    'plus those showing both states (all of them when the action shows both). Owner of the project or an admin; '
    'empty for projects the caller may not see.';

CREATE VIEW rolloy.project_overview WITH (security_invoker = true) AS
SELECT p.id, p.generated_name, p.title, p.created_by, u.display_name AS owner_name,
       s.category, s.category_code, s.scene, s.scene_code,
       a.name AS action, a.code AS action_code, a.product_state,
       d.emotion AS driver, d.code AS driver_code,
       f.name AS format, f.code AS format_code, f.aspect_ratio,
       p.total_images, p.completed_images, p.failed_images, p.created_at
  FROM rolloy.creative_projects p
  JOIN rolloy.scenes s ON s.id = p.scene_id
  JOIN rolloy.actions a ON a.id = p.action_id
  JOIN rolloy.drivers d ON d.id = p.driver_id
  JOIN rolloy.formats f ON f.id = p.format_id
  LEFT JOIN rolloy.users u ON u.id = p.created_by;
COMMENT ON VIEW rolloy.project_overview IS
    'Projects with their ABCD spelled out and image counts: members see their own projects, admins all (RLS).';

-- RLS helper: visibility of a project decides visibility of what hangs off it. Runs as the
-- querying role (RLS of creative_projects decides), which gets EXECUTE (99_internal_privileges.sql).
CREATE FUNCTION rolloy_internal._owns_project(project_id uuid) RETURNS boolean
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
    SELECT EXISTS (SELECT 1 FROM rolloy.creative_projects p WHERE p.id = _owns_project.project_id)
$$;
COMMENT ON FUNCTION rolloy_internal._owns_project(uuid) IS
    'True when the caller can see the project (RLS decides: own projects, or all for admins).';

DO $comments$
DECLARE
    c record;
BEGIN
    FOR c IN SELECT * FROM (VALUES
        ('id', 'Project id.'), ('generated_name', 'Ad name of the project.'), ('title', 'Working title.'),
        ('created_by', 'Owner (user id).'), ('owner_name', 'Owner''s display name.'),
        ('category', 'Scene category (A1).'), ('category_code', 'A1 code.'), ('scene', 'Scene (A2).'),
        ('scene_code', 'A2 code.'), ('action', 'Action (B).'), ('action_code', 'B code.'),
        ('product_state', 'Walker state the action shows.'), ('driver', 'Emotional driver (C).'),
        ('driver_code', 'C code.'), ('format', 'Format (D).'), ('format_code', 'D code.'),
        ('aspect_ratio', 'Aspect ratio of the format.'), ('total_images', 'Images queued.'),
        ('completed_images', 'Images completed.'), ('failed_images', 'Images failed.'),
        ('created_at', 'When the project was created.')) AS v(col, txt)
    LOOP
        EXECUTE format('COMMENT ON COLUMN rolloy.project_overview.%I IS %L', c.col, c.txt);
    END LOOP;
END
$comments$;
