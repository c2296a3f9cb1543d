-- Who may execute what in rolloy_internal (run last: it covers every function defined before).
--
-- Nobody but the extension owner: the helpers are called by SECURITY DEFINER functions (as the
-- owner), and trigger functions need no EXECUTE of the role whose statement fires them. The
-- exceptions run with the caller's rights, reached by OID from a policy, a view, a CHECK or a
-- SQL-standard function body, so the caller needs EXECUTE on them but no USAGE on the schema
-- (and, without USAGE, cannot call them by name):
--   _owns_project      policies of generated_images and performance_data
--   _insight_scope     the insight_* views
--   _is_currency_code  the currency CHECK of performance_data (admins write it)
--   _stored_image      image(), thumbnail(), reference_image()
--   _presigned_url     image_url()
-- docs/api.md lists them; test/integration/api_surface.sh compares the list with the catalog.
REVOKE ALL ON ALL FUNCTIONS IN SCHEMA rolloy_internal FROM PUBLIC, rolloy_member;
GRANT EXECUTE ON FUNCTION rolloy_internal._owns_project(uuid), rolloy_internal._insight_scope(),
                          rolloy_internal._is_currency_code(text), rolloy_internal._stored_image(text, boolean),
                          rolloy_internal._presigned_url(text, bigint)
    TO rolloy_member;
