-- Image generation, part 5: project counters, progress notifications, waking the worker, and
-- monitoring of the queue and the worker.

-- ---------------------------------------------------------------------------------------------
-- Counters, progress notifications and waking the worker.

-- Project counters are recomputed from the rows (not incremented), so they equal the rows
-- whatever happened: retries, crashes, restores.
CREATE FUNCTION rolloy_internal._after_image_change() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    c record;
    changed uuid := coalesce(NEW.project_id, OLD.project_id);
BEGIN
    IF TG_OP = 'UPDATE' AND NEW.status = OLD.status THEN
        RETURN NULL;
    END IF;
    SELECT count(*) FILTER (WHERE g.status <> 'cancelled') AS total,
           count(*) FILTER (WHERE g.status = 'completed') AS completed,
           count(*) FILTER (WHERE g.status = 'failed') AS failed,
           count(*) FILTER (WHERE g.status IN ('pending', 'processing')) AS open
      INTO c FROM rolloy.generated_images g WHERE g.project_id = changed;
    UPDATE rolloy.creative_projects p
       SET total_images = c.total, completed_images = c.completed, failed_images = c.failed, updated_at = now()
     WHERE p.id = changed AND (p.total_images, p.completed_images, p.failed_images) IS DISTINCT FROM (c.total, c.completed, c.failed);
    IF TG_OP <> 'DELETE' THEN
        -- Every listener receives every notification (NOTIFY knows no row-level security), so the
        -- payload carries ids and counts only; names and errors are read through RLS.
        PERFORM pg_notify('rolloy_progress', json_build_object(
            'project_id', NEW.project_id, 'image_id', NEW.id, 'variant_no', NEW.variant_no, 'status', NEW.status,
            'attempts', NEW.attempts,
            'total', c.total, 'completed', c.completed, 'failed', c.failed, 'open', c.open)::text);
    END IF;
    IF TG_OP = 'INSERT' OR (NEW.status = 'pending' AND OLD.status <> 'pending') THEN
        PERFORM rolloy_internal._wake_worker_at_commit();
    END IF;
    -- A leased row taken from the worker (cancelled, deleted): it gives back the claimed jobs it
    -- has not called yet rather than call them.
    IF OLD.status = 'processing' AND (TG_OP = 'DELETE' OR NEW.status = 'cancelled') THEN
        PERFORM rolloy_internal._withdraw_at_commit();
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER after_image_change AFTER INSERT OR UPDATE OF status OR DELETE ON rolloy.generated_images
    FOR EACH ROW EXECUTE FUNCTION rolloy_internal._after_image_change();

CREATE FUNCTION rolloy_internal._wake_worker_at_commit() RETURNS void
LANGUAGE C AS 'MODULE_PATHNAME', 'rolloy_wake_worker_at_commit';

CREATE FUNCTION rolloy_internal._withdraw_at_commit() RETURNS void
LANGUAGE C AS 'MODULE_PATHNAME', 'rolloy_withdraw_at_commit';

-- ---------------------------------------------------------------------------------------------
-- Monitoring.

CREATE VIEW rolloy.generation_progress WITH (security_invoker = true) AS
SELECT p.id AS project_id, p.generated_name,
       count(g.id) FILTER (WHERE g.status <> 'cancelled') AS total,
       count(g.id) FILTER (WHERE g.status = 'pending') AS pending,
       count(g.id) FILTER (WHERE g.status = 'processing') AS processing,
       count(g.id) FILTER (WHERE g.status = 'completed') AS completed,
       count(g.id) FILTER (WHERE g.status = 'failed') AS failed,
       count(g.id) FILTER (WHERE g.status = 'cancelled') AS cancelled,
       round(100.0 * count(g.id) FILTER (WHERE g.status IN ('completed', 'failed'))
             / nullif(count(g.id) FILTER (WHERE g.status <> 'cancelled'), 0), 1) AS percent_done,
       coalesce(sum(g.cost_usd), 0) AS cost_usd,
       max(g.updated_at) AS last_change
  FROM rolloy.creative_projects p
  LEFT JOIN rolloy.generated_images g ON g.project_id = p.id
 GROUP BY p.id, p.generated_name;
COMMENT ON VIEW rolloy.generation_progress IS
    'Image generation progress per project: members see their own projects, admins all.';

CREATE VIEW rolloy.queue_metrics WITH (security_invoker = true) AS
SELECT count(*) FILTER (WHERE g.status = 'pending') AS pending,
       count(*) FILTER (WHERE g.status = 'pending' AND g.next_attempt_at <= now()) AS pending_due,
       count(*) FILTER (WHERE g.status = 'processing') AS processing,
       count(*) FILTER (WHERE g.status = 'processing' AND g.lease_expires_at < now()) AS expired_leases,
       extract(epoch FROM now() - min(g.created_at) FILTER (WHERE g.status = 'pending'))::integer AS oldest_pending_seconds,
       count(*) FILTER (WHERE g.status = 'failed' AND g.updated_at > now() - interval '1 hour') AS failed_last_hour,
       count(*) FILTER (WHERE g.status = 'completed' AND g.completed_at > now() - interval '1 hour') AS completed_last_hour
  FROM rolloy.generated_images g;
COMMENT ON VIEW rolloy.queue_metrics IS
    'Queue health over the images the caller may see (admins: all): pending, due, processing, expired leases, '
    'age of the oldest pending image, failures and completions in the last hour.';

CREATE FUNCTION rolloy.worker_status(OUT running boolean, OUT pid integer, OUT database text, OUT started_at timestamptz,
                                     OUT last_loop_at timestamptz, OUT in_flight integer, OUT completed bigint,
                                     OUT failed bigint, OUT retried bigint, OUT last_error text)
LANGUAGE C STABLE AS 'MODULE_PATHNAME', 'rolloy_worker_status';
COMMENT ON FUNCTION rolloy.worker_status() IS
    'Health of the background worker: running, pid, database, start and last loop time, jobs in flight, '
    'and counts since start. running is false when rolloy is not in shared_preload_libraries. Any member.';

CREATE FUNCTION rolloy.restart_worker() RETURNS boolean
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    w record;
BEGIN
    PERFORM rolloy_internal.require_admin();
    SELECT * INTO w FROM rolloy.worker_status();
    IF NOT w.running THEN
        RETURN false;
    END IF;
    RETURN pg_terminate_backend(w.pid);  -- the worker exits non-zero and the postmaster restarts it
END
$$;
REVOKE ALL ON FUNCTION rolloy.restart_worker() FROM PUBLIC;
-- Members may call it (PostgREST admins arrive as members); it checks require_admin() itself.
GRANT EXECUTE ON FUNCTION rolloy.restart_worker() TO rolloy_member;
COMMENT ON FUNCTION rolloy.restart_worker() IS
    'Restarts the background worker; false when none runs. It releases its in-flight images on the way out '
    '(their attempt is given back) and the postmaster starts a new worker a few seconds later. Admins only.';


GRANT SELECT ON rolloy.generation_progress, rolloy.queue_metrics TO rolloy_member;

DO $comments$
DECLARE
    c record;
BEGIN
    FOR c IN SELECT * FROM (VALUES
        ('generation_progress', 'project_id', 'Project.'), ('generation_progress', 'generated_name', 'Project name.'),
        ('generation_progress', 'total', 'Images queued (cancelled excluded).'),
        ('generation_progress', 'pending', 'Waiting for the worker (incl. retries).'),
        ('generation_progress', 'processing', 'At a provider now.'), ('generation_progress', 'completed', 'Done.'),
        ('generation_progress', 'failed', 'Failed for good (see last_error).'),
        ('generation_progress', 'cancelled', 'Cancelled by the owner.'),
        ('generation_progress', 'percent_done', 'Completed or failed, in % of total.'),
        ('generation_progress', 'cost_usd', 'Provider cost so far.'),
        ('generation_progress', 'last_change', 'Last change of any image of the project.'),
        ('queue_metrics', 'pending', 'Images waiting.'), ('queue_metrics', 'pending_due', 'Waiting images whose retry time has come.'),
        ('queue_metrics', 'processing', 'Images at a provider now.'),
        ('queue_metrics', 'expired_leases', 'Processing images whose worker lease ran out (a stopped worker).'),
        ('queue_metrics', 'oldest_pending_seconds', 'Age of the oldest waiting image.'),
        ('queue_metrics', 'failed_last_hour', 'Images that failed for good in the last hour.'),
        ('queue_metrics', 'completed_last_hour', 'Images completed in the last hour.')) AS v(view, col, txt)
    LOOP
        EXECUTE format('COMMENT ON COLUMN rolloy.%I.%I IS %L', c.view, c.col, c.txt);
    END LOOP;
END
$comments$;
