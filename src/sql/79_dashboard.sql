-- Dashboard, part 8: the entry point. PostgREST: GET /rpc/dashboard?page=… with a browser (its
-- Accept names text/html); psql: \o page.html, then SELECT rolloy.dashboard(inline_images => true).

CREATE FUNCTION rolloy.dashboard(page text DEFAULT 'overview', project_id uuid DEFAULT NULL,
                                 heatmap_x text DEFAULT 'scene', heatmap_y text DEFAULT 'driver',
                                 inline_images boolean DEFAULT false)
RETURNS rolloy."text/html"
LANGUAGE sql STABLE
BEGIN ATOMIC
SELECT (CASE
            -- No identity, no page (a superuser's psql session without a user sees what RLS shows it).
            WHEN rolloy.current_user_id() IS NULL
                 AND NOT coalesce((SELECT r.rolsuper FROM pg_catalog.pg_roles r WHERE r.rolname = CURRENT_USER), false)
            THEN rolloy_internal._dash_raise('42501', format('no rolloy user for role "%s"', CURRENT_USER),
                                             'An admin maps a login with rolloy.users.pg_role, or call through PostgREST '
                                             'with a JWT whose sub is a rolloy.users.id.')
            ELSE CASE dashboard.page
            WHEN 'overview' THEN rolloy_internal._dash_overview(dashboard.heatmap_x, dashboard.heatmap_y,
                                                                coalesce(dashboard.inline_images, false))
            WHEN 'project' THEN
                CASE WHEN dashboard.project_id IS NULL
                     THEN rolloy_internal._dash_raise('22023', 'the project page needs project_id',
                                                      'GET /rpc/dashboard?page=project&project_id=<uuid>')
                     ELSE rolloy_internal._dash_project(dashboard.project_id, coalesce(dashboard.inline_images, false)) END
            WHEN 'generation' THEN rolloy_internal._dash_generation()
            ELSE rolloy_internal._dash_raise('22023', format('unknown dashboard page "%s"', left(dashboard.page, 40)),
                                             'Pages: overview, project (with project_id), generation.')
            END
        END)::rolloy."text/html";
END;
COMMENT ON FUNCTION rolloy.dashboard(text, uuid, text, text, boolean) IS
    'The performance dashboard as one self-contained HTML page, rendered under the caller''s row-level security '
    '(members: their creatives; admins: all; no page without a rolloy identity, 42501). page: overview (heatmap_x, heatmap_y pick the heatmap), project '
    '(project_id), generation. inline_images embeds thumbnails as data: URIs for a page saved from psql. PostgREST '
    'serves it as text/html to requests that accept text/html (browsers); others get JSON. See docs/dashboard.md.';
