-- Dictionaries: readable by every member, writable by admins only.
DO $policies$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['scenes', 'actions', 'drivers', 'formats'] LOOP
        EXECUTE format('ALTER TABLE rolloy.%I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY %I ON rolloy.%I FOR SELECT USING (true)', t || '_read', t);
        EXECUTE format('CREATE POLICY %I ON rolloy.%I FOR INSERT WITH CHECK ((SELECT rolloy.is_admin()))', t || '_insert', t);
        EXECUTE format('CREATE POLICY %I ON rolloy.%I FOR UPDATE USING ((SELECT rolloy.is_admin())) WITH CHECK ((SELECT rolloy.is_admin()))', t || '_update', t);
        EXECUTE format('CREATE POLICY %I ON rolloy.%I FOR DELETE USING ((SELECT rolloy.is_admin()))', t || '_delete', t);
        EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON rolloy.%I TO rolloy_member', t);
    END LOOP;
END
$policies$;

-- Reference images: the brand's shared photo library. Everyone reads; members add their own;
-- the uploader or an admin changes or removes.
ALTER TABLE rolloy.reference_images ENABLE ROW LEVEL SECURITY;
CREATE POLICY reference_images_read ON rolloy.reference_images FOR SELECT USING (true);
CREATE POLICY reference_images_insert ON rolloy.reference_images FOR INSERT
    WITH CHECK (uploaded_by = (SELECT rolloy.current_user_id()));
CREATE POLICY reference_images_update ON rolloy.reference_images FOR UPDATE
    USING (uploaded_by = (SELECT rolloy.current_user_id()) OR (SELECT rolloy.is_admin()))
    WITH CHECK (uploaded_by = (SELECT rolloy.current_user_id()) OR (SELECT rolloy.is_admin()));
CREATE POLICY reference_images_delete ON rolloy.reference_images FOR DELETE
    USING (uploaded_by = (SELECT rolloy.current_user_id()) OR (SELECT rolloy.is_admin()));
GRANT SELECT, INSERT, UPDATE, DELETE ON rolloy.reference_images TO rolloy_member;

-- Projects: members see and change their own; admins all. Ownership never changes (trigger).
ALTER TABLE rolloy.creative_projects ENABLE ROW LEVEL SECURITY;
CREATE POLICY creative_projects_select ON rolloy.creative_projects FOR SELECT
    USING (created_by = (SELECT rolloy.current_user_id()) OR (SELECT rolloy.is_admin()));
CREATE POLICY creative_projects_insert ON rolloy.creative_projects FOR INSERT
    WITH CHECK (created_by = (SELECT rolloy.current_user_id()));
CREATE POLICY creative_projects_update ON rolloy.creative_projects FOR UPDATE
    USING (created_by = (SELECT rolloy.current_user_id()) OR (SELECT rolloy.is_admin()))
    WITH CHECK (created_by = (SELECT rolloy.current_user_id()) OR (SELECT rolloy.is_admin()));
CREATE POLICY creative_projects_delete ON rolloy.creative_projects FOR DELETE
    USING (created_by = (SELECT rolloy.current_user_id()) OR (SELECT rolloy.is_admin()));
GRANT SELECT, DELETE ON rolloy.creative_projects TO rolloy_member;
-- Not created_at: it dates the name, and a back-dated project could claim a name that was never
-- issued (and the unmatched ad performance filed under it).
GRANT INSERT (id, title, notes, scene_id, action_id, driver_id, format_id, created_by) ON rolloy.creative_projects TO rolloy_member;
-- Counters and prompt bookkeeping are rolloy's; members edit only what they own.
GRANT UPDATE (title, notes, scene_id, action_id, driver_id, format_id) ON rolloy.creative_projects TO rolloy_member;

-- Generated images follow their project. Members never write them directly: queueing,
-- cancelling and retrying go through rolloy functions, results come from the worker.
ALTER TABLE rolloy.generated_images ENABLE ROW LEVEL SECURITY;
CREATE POLICY generated_images_select ON rolloy.generated_images FOR SELECT
    USING (rolloy_internal._owns_project(project_id));
GRANT SELECT ON rolloy.generated_images TO rolloy_member;

-- Name counters are written only by the naming trigger (SECURITY DEFINER).
ALTER TABLE rolloy.name_counters ENABLE ROW LEVEL SECURITY;

GRANT SELECT ON rolloy.project_overview TO rolloy_member;
GRANT USAGE ON TYPE rolloy.product_state, rolloy.user_role, rolloy.image_status TO rolloy_member;
