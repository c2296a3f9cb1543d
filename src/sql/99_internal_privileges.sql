-- Who may execute what in rolloy_internal (run last: it covers every function defined before).
--
-- Nobody but the extension owner: the helpers are called by SECURITY DEFINER functions (as the
-- owner), and trigger functions need no EXECUTE of the role whose statement fires them. The
-- exceptions run with the caller's rights, reached by OID from a policy, a view, a CHECK or a
-- SQL-standard function body, so the caller needs EXECUTE on them but no USAGE on the schema
-- (and, without USAGE, cannot call them by name):
--   _owns_project      the policy of ads, the view performance_data
--   _reads_all_performance  the view performance_data (admins, superusers and the owner read all)
--   _insight_scope     the insight_* views
--   _my_insights       the insight_* views (a member's own effects, trends, cost and heatmaps)
--   _is_currency_code  the currency checks of rows written through performance_data and of ad_platforms
--   _ad_platform_definition_ok  the definition CHECK of ad_platforms (admins write it)
--   _stored_image      image(), thumbnail(), reference_image()
--   _presigned_url     image_url()
--   _html, _dash_*     the dashboard's pages (70-79_dashboard_*.sql), and the Wilson bounds of its trend bands
-- docs/api.md lists them; test/integration/api_surface.sh compares the list with the catalog.
REVOKE ALL ON ALL FUNCTIONS IN SCHEMA rolloy_internal FROM PUBLIC, rolloy_member;
GRANT EXECUTE ON FUNCTION rolloy_internal._owns_project(uuid), rolloy_internal._insight_scope(),
                          rolloy_internal._my_insights(text),
                          rolloy_internal._reads_all_performance(),
                          rolloy_internal._is_currency_code(text), rolloy_internal._stored_image(text, boolean),
                          rolloy_internal._ad_platform_definition_ok(jsonb, text[], text[]),
                          rolloy_internal._presigned_url(text, bigint)
    TO rolloy_member;
-- The dashboard renders as the caller (RLS decides what it shows): its page functions call these
-- from SQL-standard bodies.
GRANT EXECUTE ON FUNCTION rolloy_internal._html(text), rolloy_internal._dash_raise(text, text, text),
                          rolloy_internal._dash_num(numeric, integer), rolloy_internal._dash_pct(numeric),
                          rolloy_internal._dash_empty(text, text), rolloy_internal._dash_frame(text, text, text),
                          rolloy_internal._dash_line_chart(text, text, text, jsonb),
                          rolloy_internal._dash_bar_chart(text, text, text, jsonb),
                          rolloy_internal._dash_meter(text, numeric, numeric, text, integer),
                          rolloy_internal._dash_img(uuid, boolean, text, text), rolloy_internal._dash_trend(text),
                          rolloy_internal._dash_heatmap(text, text), rolloy_internal._dash_leaderboard(boolean),
                          rolloy_internal._dash_cost(text), rolloy_internal._dash_fatigue(), rolloy_internal._dash_findings(),
                          rolloy_internal._dash_overview(text, text, boolean), rolloy_internal._dash_variants(uuid, boolean),
                          rolloy_internal._dash_project(uuid, boolean), rolloy_internal._dash_generation(),
                          rolloy_internal.wilson_lower_bound(numeric, numeric, numeric),
                          rolloy_internal.wilson_upper_bound(numeric, numeric, numeric)
    TO rolloy_member;
