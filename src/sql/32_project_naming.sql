-- Ad names of projects and images (the C++ naming triggers) and the owner guard. Tables: 30_projects.sql.

-- Naming, in C++: sets generated_name/name_date/name_sequence, refuses ABCD changes once
-- images exist, and refuses manual edits of the name.
CREATE FUNCTION rolloy_internal._name_project() RETURNS trigger
LANGUAGE C SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS 'MODULE_PATHNAME', 'rolloy_name_project';
CREATE TRIGGER name_project BEFORE INSERT ON rolloy.creative_projects
    FOR EACH ROW EXECUTE FUNCTION rolloy_internal._name_project();
-- On update only when a column the name depends on (or the name itself) changes: the worker
-- updates a project's counters twice per image.
CREATE TRIGGER rename_project BEFORE UPDATE ON rolloy.creative_projects
    FOR EACH ROW WHEN ((NEW.scene_id, NEW.action_id, NEW.driver_id, NEW.format_id, NEW.created_at,
                        NEW.generated_name, NEW.name_date, NEW.name_sequence)
                       IS DISTINCT FROM (OLD.scene_id, OLD.action_id, OLD.driver_id, OLD.format_id, OLD.created_at,
                                         OLD.generated_name, OLD.name_date, OLD.name_sequence))
    EXECUTE FUNCTION rolloy_internal._name_project();

-- The owner never changes: not on insert (forged created_by) nor on update.
CREATE FUNCTION rolloy_internal._guard_project_owner() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    -- Superusers (restores, operators, the test suites) may act for anyone.
    IF (SELECT r.rolsuper FROM pg_catalog.pg_roles r WHERE r.rolname = current_user) THEN
        RETURN NEW;
    END IF;
    IF TG_OP = 'INSERT' THEN
        -- (No identity: created_by defaults to NULL, which is not distinct from it.)
        IF rolloy.current_user_id() IS NULL OR NEW.created_by IS DISTINCT FROM rolloy.current_user_id() THEN
            RAISE EXCEPTION 'created_by must be the current user'
                USING ERRCODE = 'insufficient_privilege';
        END IF;
    ELSIF NEW.created_by IS DISTINCT FROM OLD.created_by THEN
        RAISE EXCEPTION 'the owner of a project cannot be changed' USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER guard_project_owner BEFORE INSERT ON rolloy.creative_projects
    FOR EACH ROW EXECUTE FUNCTION rolloy_internal._guard_project_owner();
CREATE TRIGGER guard_project_owner_update BEFORE UPDATE ON rolloy.creative_projects
    FOR EACH ROW WHEN (NEW.created_by IS DISTINCT FROM OLD.created_by)
    EXECUTE FUNCTION rolloy_internal._guard_project_owner();

CREATE FUNCTION rolloy_internal.compose_image_name(project_name text, variant integer) RETURNS text
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE AS 'MODULE_PATHNAME', 'rolloy_compose_image_name';
COMMENT ON FUNCTION rolloy_internal.compose_image_name(text, integer) IS
    'Ad-ready name of variant n of a project: project name + _Vnn (at least two digits).';

-- Images get the next variant number of their project and their ad name.
CREATE FUNCTION rolloy_internal._name_image() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    project_name text;
BEGIN
    IF TG_OP = 'UPDATE' THEN
        IF (NEW.project_id, NEW.variant_no, NEW.ad_name) IS DISTINCT FROM (OLD.project_id, OLD.variant_no, OLD.ad_name) THEN
            RAISE EXCEPTION 'the project, variant and ad name of an image cannot be changed'
                USING ERRCODE = 'object_not_in_prerequisite_state';
        END IF;
        RETURN NEW;
    END IF;
    -- Lock the project row: serialises variant numbering per project. NO KEY UPDATE, not UPDATE:
    -- a member who queues and keeps his transaction open must not block the KEY SHARE locks of
    -- foreign-key checks (the worker's usage log, refresh_insights, imports) on his project.
    SELECT p.generated_name INTO project_name FROM rolloy.creative_projects p WHERE p.id = NEW.project_id
       FOR NO KEY UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'project % does not exist', NEW.project_id USING ERRCODE = 'foreign_key_violation';
    END IF;
    SELECT coalesce(max(g.variant_no), 0) + 1 INTO NEW.variant_no
      FROM rolloy.generated_images g WHERE g.project_id = NEW.project_id;
    NEW.ad_name := rolloy_internal.compose_image_name(project_name, NEW.variant_no);
    RETURN NEW;
END
$$;
CREATE TRIGGER name_image BEFORE INSERT ON rolloy.generated_images
    FOR EACH ROW EXECUTE FUNCTION rolloy_internal._name_image();
-- The same function refuses the change; the WHEN keeps it from running on every status update.
CREATE TRIGGER keep_image_name BEFORE UPDATE ON rolloy.generated_images
    FOR EACH ROW WHEN ((NEW.project_id, NEW.variant_no, NEW.ad_name) IS DISTINCT FROM (OLD.project_id, OLD.variant_no, OLD.ad_name))
    EXECUTE FUNCTION rolloy_internal._name_image();
