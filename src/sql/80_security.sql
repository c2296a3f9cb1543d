-- Dictionaries: readable by every member with a rolloy identity, writable by admins only. Column
-- privileges for the plain INSERT and UPDATE admins make (no table-level write privilege: it would
-- let any member LOCK the table in any mode and freeze every session); no DELETE, admins remove
-- an unused entry with rolloy.delete_dictionary_entry().
DO $policies$
DECLARE
    d record;
BEGIN
    FOR d IN SELECT * FROM (VALUES
        ('scenes', 'category, category_code, scene, scene_code, description, is_active, display_order'),
        ('actions', 'name, code, action_type, product_state, description, is_active, display_order'),
        ('drivers', 'emotion, code, keywords, description, is_active, display_order'),
        ('formats', 'name, code, aspect_ratio, description, is_active, display_order')) AS v(t, cols)
    LOOP
        EXECUTE format('ALTER TABLE rolloy.%I ENABLE ROW LEVEL SECURITY', d.t);
        EXECUTE format('CREATE POLICY %I ON rolloy.%I FOR SELECT USING ((SELECT rolloy.current_user_id()) IS NOT NULL)',
                       d.t || '_read', d.t);
        EXECUTE format('CREATE POLICY %I ON rolloy.%I FOR INSERT WITH CHECK ((SELECT rolloy.is_admin()))', d.t || '_insert', d.t);
        EXECUTE format('CREATE POLICY %I ON rolloy.%I FOR UPDATE USING ((SELECT rolloy.is_admin())) WITH CHECK ((SELECT rolloy.is_admin()))', d.t || '_update', d.t);
        EXECUTE format('GRANT SELECT ON rolloy.%I TO rolloy_member', d.t);
        EXECUTE format('GRANT INSERT (%s), UPDATE (%s) ON rolloy.%I TO rolloy_member', d.cols, d.cols, d.t);
    END LOOP;
END
$policies$;

CREATE FUNCTION rolloy.delete_dictionary_entry(dictionary text, entry_id integer) RETURNS boolean
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    n bigint;
BEGIN
    PERFORM rolloy_internal.require_admin();
    IF dictionary IS NULL OR dictionary NOT IN ('scenes', 'actions', 'drivers', 'formats') THEN
        RAISE EXCEPTION 'unknown dictionary "%"', left(dictionary, 40) USING ERRCODE = 'invalid_parameter_value',
            HINT = 'Dictionaries: scenes, actions, drivers, formats.';
    END IF;
    EXECUTE format('DELETE FROM rolloy.%I t WHERE t.id = $1', dictionary) USING entry_id;
    GET DIAGNOSTICS n = ROW_COUNT;
    RETURN n > 0;
END
$$;
REVOKE ALL ON FUNCTION rolloy.delete_dictionary_entry(text, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION rolloy.delete_dictionary_entry(text, integer) TO rolloy_member;
COMMENT ON FUNCTION rolloy.delete_dictionary_entry(text, integer) IS
    'Deletes an entry of a dictionary (scenes, actions, drivers or formats) by id; true when there was one. Admins '
    'only. An entry a project uses cannot be deleted (23503): set is_active = false instead.';

-- Reference images: the brand's shared photo library. Every member with a rolloy identity reads
-- it; photos are added only through upload_reference_image() (MIME sniffing, size limits, dedupe)
-- and deleted through delete_reference_image(); the uploader or an admin changes their metadata.
ALTER TABLE rolloy.reference_images ENABLE ROW LEVEL SECURITY;
CREATE POLICY reference_images_read ON rolloy.reference_images FOR SELECT
    USING ((SELECT rolloy.current_user_id()) IS NOT NULL);
CREATE POLICY reference_images_update ON rolloy.reference_images FOR UPDATE
    USING (uploaded_by = (SELECT rolloy.current_user_id()) OR (SELECT rolloy.is_admin()))
    WITH CHECK (uploaded_by = (SELECT rolloy.current_user_id()) OR (SELECT rolloy.is_admin()));
GRANT SELECT ON rolloy.reference_images TO rolloy_member;
GRANT UPDATE (file_name, product_state, description, is_active) ON rolloy.reference_images TO rolloy_member;

-- Projects: members see and change their own; admins all. Ownership never changes (trigger).
ALTER TABLE rolloy.creative_projects ENABLE ROW LEVEL SECURITY;
CREATE POLICY creative_projects_select ON rolloy.creative_projects FOR SELECT
    USING (created_by = (SELECT rolloy.current_user_id()) OR (SELECT rolloy.is_admin()));
CREATE POLICY creative_projects_insert ON rolloy.creative_projects FOR INSERT
    WITH CHECK (created_by = (SELECT rolloy.current_user_id()));
CREATE POLICY creative_projects_update ON rolloy.creative_projects FOR UPDATE
    USING (created_by = (SELECT rolloy.current_user_id()) OR (SELECT rolloy.is_admin()))
    WITH CHECK (created_by = (SELECT rolloy.current_user_id()) OR (SELECT rolloy.is_admin()));
-- No DELETE privilege (rolloy.delete_project()) and column privileges only: a table-level write
-- privilege would let any member LOCK the table in any mode and freeze every session.
GRANT SELECT ON rolloy.creative_projects TO rolloy_member;
-- Not created_at: it dates the name, and a back-dated project could claim a name that was never
-- issued (and the unmatched ad performance filed under it). Not id: inserting someone else's id
-- would answer "duplicate key", telling that the project exists.
GRANT INSERT (title, notes, scene_id, action_id, driver_id, format_id, created_by) ON rolloy.creative_projects TO rolloy_member;
-- Counters and prompt bookkeeping are rolloy's; members edit only what they own.
GRANT UPDATE (title, notes, scene_id, action_id, driver_id, format_id) ON rolloy.creative_projects TO rolloy_member;

-- Generated images follow their project. Members never write them directly: queueing,
-- cancelling and retrying go through rolloy functions, results come from the worker.
ALTER TABLE rolloy.generated_images ENABLE ROW LEVEL SECURITY;
-- The project test is written out, not a call of _owns_project(): a function that pins its
-- search_path is never inlined, so it ran once per row (0.35-0.8 ms each: 2.5 s for the dashboard's
-- generation page at 2,000 images). As a subquery it is planned as one semi-join, under the
-- caller's row-level security on creative_projects, exactly as the function's query was.
CREATE POLICY generated_images_select ON rolloy.generated_images FOR SELECT
    USING (EXISTS (SELECT 1 FROM rolloy.creative_projects p WHERE p.id = generated_images.project_id));
GRANT SELECT ON rolloy.generated_images TO rolloy_member;

-- Name counters are written only by the naming trigger (SECURITY DEFINER).
ALTER TABLE rolloy.name_counters ENABLE ROW LEVEL SECURITY;

GRANT SELECT ON rolloy.project_overview TO rolloy_member;
GRANT USAGE ON TYPE rolloy.product_state, rolloy.user_role, rolloy.image_status TO rolloy_member;
