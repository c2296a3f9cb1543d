-- Image generation, part 6: retention, and prompt writing.

-- ---------------------------------------------------------------------------------------------
-- Retention: usage logs and finished job details do not grow without bound.
CREATE FUNCTION rolloy.cleanup(keep_usage_logs interval DEFAULT '400 days', keep_job_details interval DEFAULT '30 days')
RETURNS TABLE (what text, rows_affected bigint)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    n bigint;
BEGIN
    PERFORM rolloy_internal._require_admin_or_superuser();
    DELETE FROM rolloy.api_usage_logs l WHERE l.occurred_at < now() - keep_usage_logs;
    GET DIAGNOSTICS n = ROW_COUNT;
    what := 'usage logs deleted'; rows_affected := n; RETURN NEXT;
    -- Job details of finished images: the error text of retries no longer needed.
    UPDATE rolloy.generated_images g SET last_error = left(g.last_error, 500)
     WHERE g.status IN ('completed', 'cancelled') AND g.updated_at < now() - keep_job_details
       AND length(g.last_error) > 500;
    GET DIAGNOSTICS n = ROW_COUNT;
    what := 'job details trimmed'; rows_affected := n; RETURN NEXT;
    -- Objects of the s3 store no row refers to (docs/generation.md#storage). A store that cannot
    -- be reached does not stop the retention above: a warning, and the next run sweeps.
    BEGIN
        n := rolloy_internal._sweep_storage(rolloy_internal._setting('storage_orphan_grace_seconds', '86400')::bigint);
    EXCEPTION WHEN OTHERS THEN
        RAISE WARNING 'rolloy.cleanup: orphaned objects of the s3 store not swept: %', SQLERRM;
        n := NULL;
    END;
    what := 'orphaned objects deleted'; rows_affected := n; RETURN NEXT;
    -- Rows of the db store no image or reference photo refers to. The delete triggers remove the
    -- bytes of deleted rows and a record writes its bytes and its row in one transaction, so none
    -- should exist; this catches what those paths miss (a row deleted with its triggers disabled,
    -- a restore of part of the data), with the s3 sweep's grace.
    DELETE FROM rolloy.image_store s
     WHERE s.created_at < now() - make_interval(
               secs => rolloy_internal._setting('storage_orphan_grace_seconds', '86400')::double precision)
       AND NOT EXISTS (SELECT 1 FROM rolloy.generated_images g WHERE g.storage_ref = s.storage_ref)
       AND NOT EXISTS (SELECT 1 FROM rolloy.reference_images r WHERE r.storage_ref = s.storage_ref);
    GET DIAGNOSTICS n = ROW_COUNT;
    what := 'orphaned stored images deleted'; rows_affected := n; RETURN NEXT;
END
$$;
COMMENT ON FUNCTION rolloy.cleanup(interval, interval) IS
    'Retention: deletes usage logs older than keep_usage_logs (default 400 days, enough for yearly '
    'accounting), trims the error text of finished images older than keep_job_details and deletes objects of '
    'the s3 image store and rows of rolloy.image_store (files of the db store, thumbnails of the s3 store) no row '
    'refers to (older than rolloy.storage_orphan_grace_seconds, default 1 day). '
    'Admins or a superuser (pg_cron). Schedule: SELECT cron.schedule(''rolloy-cleanup'', ''30 3 * * *'', '
    '''SELECT rolloy.cleanup()'').';


-- ---------------------------------------------------------------------------------------------
-- Prompt writing.
CREATE FUNCTION rolloy.generate_prompt(project_id uuid, provider text DEFAULT 'auto') RETURNS text
LANGUAGE C SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS 'MODULE_PATHNAME', 'rolloy_generate_prompt';
COMMENT ON FUNCTION rolloy.generate_prompt(uuid, text) IS
    'Writes the image prompt of a project (owner or admin) from its scene, action, driver and format: '
    'provider template (offline, deterministic), a text provider of rolloy.providers() (kind text, e.g. gemini), '
    'or auto (the first text provider with a key, else template). Saves prompt, model, tokens and cost on the '
    'project, logs the call, returns the prompt. Honours statement_timeout and cancel while waiting for the provider.';
