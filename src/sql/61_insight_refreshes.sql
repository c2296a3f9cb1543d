-- Insights after every import, and a record of every refresh.
--
-- An import that wrote rows leaves a request in rolloy_internal.insight_refresh_requests and
-- launches a background worker (src/pg/insights/refresh_worker.cpp). The worker waits for the
-- import's transaction to end and refreshes, or wakes the database's refresher (a worker that
-- refreshed before and stays for rolloy.insight_refresher_idle_seconds) to refresh: the import
-- itself never waits for the insights. Every refresh, whoever runs it (the worker, pg_cron's nightly job, an admin), takes
-- all pending requests, so imports that arrive together are refreshed once. rolloy.insight_status
-- says when insights were last computed, from which imports and how long it took.

ALTER TABLE rolloy.insight_settings ADD COLUMN refresh_after_import boolean NOT NULL DEFAULT true;
COMMENT ON COLUMN rolloy.insight_settings.refresh_after_import IS
    'Refresh the insights in the background after every import that wrote rows (default true); the nightly '
    'schedule is separate (schedule_insights).';
GRANT INSERT (refresh_after_import), UPDATE (refresh_after_import) ON rolloy.insight_settings TO rolloy_member;

-- Imports whose rows the insights do not include yet. No foreign key: deleting a batch must not
-- wait for (or be waited on by) a refresh.
CREATE TABLE rolloy_internal.insight_refresh_requests (
    import_batch_id bigint PRIMARY KEY,
    requested_at    timestamptz NOT NULL DEFAULT pg_catalog.now()
);
COMMENT ON TABLE rolloy_internal.insight_refresh_requests IS
    'Imports not yet included in the insights; the next refresh of any kind takes them all.';
-- Kept by pg_dump, like the insights: a restored database still knows what is not refreshed yet.
SELECT pg_catalog.pg_extension_config_dump('rolloy_internal.insight_refresh_requests', '');

CREATE TABLE rolloy.insight_refreshes (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    trigger          text NOT NULL CHECK (trigger IN ('import', 'schedule', 'manual')),
    started_at       timestamptz NOT NULL,
    finished_at      timestamptz NOT NULL,
    duration_ms      numeric NOT NULL CHECK (duration_ms >= 0),
    import_batch_ids bigint[] NOT NULL DEFAULT '{}',
    rows_written     bigint CHECK (rows_written >= 0),
    error            text CONSTRAINT insight_refreshes_error_length CHECK (length(error) <= 1000)
);
CREATE INDEX insight_refreshes_finished_idx ON rolloy.insight_refreshes (finished_at DESC);
SELECT pg_catalog.pg_extension_config_dump('rolloy.insight_refreshes', '');
SELECT pg_catalog.pg_extension_config_dump(pg_catalog.pg_get_serial_sequence('rolloy.insight_refreshes', 'id'), '');
COMMENT ON TABLE rolloy.insight_refreshes IS
    'One row per refresh of the insights (the last 1000): when, why, how long, and which imports it took in. '
    'Read by everyone with a rolloy identity; written by refresh_insights() only.';
COMMENT ON COLUMN rolloy.insight_refreshes.trigger IS
    'import (the background refresh after an import), schedule (pg_cron) or manual (refresh_insights() called).';
COMMENT ON COLUMN rolloy.insight_refreshes.started_at IS 'When the refresh started.';
COMMENT ON COLUMN rolloy.insight_refreshes.finished_at IS 'When it finished (or failed).';
COMMENT ON COLUMN rolloy.insight_refreshes.duration_ms IS 'Milliseconds it took.';
COMMENT ON COLUMN rolloy.insight_refreshes.import_batch_ids IS
    'Imports (rolloy.import_batches.id) whose rows it was the first refresh to include.';
COMMENT ON COLUMN rolloy.insight_refreshes.rows_written IS 'Insight rows written; NULL when it failed.';
COMMENT ON COLUMN rolloy.insight_refreshes.error IS
    'Why a background refresh failed (its imports stay pending); NULL when it succeeded.';
ALTER TABLE rolloy.insight_refreshes ENABLE ROW LEVEL SECURITY;
CREATE POLICY insight_refreshes_read ON rolloy.insight_refreshes FOR SELECT
    USING ((SELECT rolloy.current_user_id()) IS NOT NULL);
GRANT SELECT ON rolloy.insight_refreshes TO rolloy_member;

-- Called by refresh_insights() inside its transaction, after its lock, with the pending requests
-- it took at its start: records the refresh (keeping the last 1000).
CREATE FUNCTION rolloy_internal._record_refresh(started timestamptz, rows_written bigint, taken bigint[]) RETURNS void
LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    INSERT INTO rolloy.insight_refreshes (trigger, started_at, finished_at, duration_ms, import_batch_ids, rows_written)
    VALUES ((SELECT CASE WHEN a.backend_type = 'rolloy insight refresh' THEN 'import'
                         -- pg_cron runs jobs in its own workers or over libpq as 'pg_cron'
                         WHEN 'pg_cron' IN (a.backend_type, a.application_name) THEN 'schedule'
                         ELSE 'manual' END
               FROM pg_catalog.pg_stat_activity a WHERE a.pid = pg_catalog.pg_backend_pid()),
            started, pg_catalog.clock_timestamp(),
            round(extract(epoch FROM pg_catalog.clock_timestamp() - started) * 1000, 1), taken, rows_written);
    DELETE FROM rolloy.insight_refreshes f
     WHERE f.id <= (SELECT max(g.id) - 1000 FROM rolloy.insight_refreshes g);
END
$$;

-- The worker's statement: refresh unless another refresh already took every pending import.
CREATE FUNCTION rolloy_internal._refresh_after_import() RETURNS boolean
LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    -- A session holding the insights (or a long refresh) must not keep a worker slot forever;
    -- a database or role setting for lock_timeout wins.
    IF pg_catalog.current_setting('lock_timeout') = '0' THEN
        PERFORM pg_catalog.set_config('lock_timeout', '60s', true);
    END IF;
    -- The refresh lock first (refresh_insights() takes it again): then "nothing pending" means
    -- a refresh that committed meanwhile took this import in.
    LOCK TABLE rolloy.insights IN SHARE ROW EXCLUSIVE MODE;
    IF NOT EXISTS (SELECT FROM rolloy_internal.insight_refresh_requests) THEN
        RETURN false;
    END IF;
    PERFORM FROM rolloy.refresh_insights();
    RETURN true;
END
$$;

CREATE FUNCTION rolloy_internal._note_failed_refresh(message text) RETURNS void
LANGUAGE sql VOLATILE SET search_path = pg_catalog, pg_temp AS $$
    INSERT INTO rolloy.insight_refreshes (trigger, started_at, finished_at, duration_ms, import_batch_ids, error)
    SELECT 'import', pg_catalog.now(), pg_catalog.now(), 0,
           coalesce((SELECT array_agg(r.import_batch_id ORDER BY r.import_batch_id)
                       FROM rolloy_internal.insight_refresh_requests r), '{}'),
           left(message, 1000)
$$;

CREATE FUNCTION rolloy_internal._launch_insight_refresh() RETURNS boolean
LANGUAGE C VOLATILE STRICT AS 'MODULE_PATHNAME', 'rolloy_launch_insight_refresh';

-- SECURITY DEFINER: the importing admin holds no rights on rolloy_internal.
CREATE FUNCTION rolloy_internal._request_insight_refresh() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    IF NEW.rows_inserted + NEW.rows_updated + NEW.rows_merged = 0 THEN
        RETURN NULL;
    END IF;
    -- Always: the next refresh, of any kind, reads the days of this import into the rollup.
    INSERT INTO rolloy_internal.insight_refresh_requests (import_batch_id) VALUES (NEW.id)
        ON CONFLICT (import_batch_id) DO NOTHING;
    IF NOT coalesce((SELECT s.refresh_after_import FROM rolloy.insight_settings s), true) THEN
        RETURN NULL;
    END IF;
    IF NOT rolloy_internal._launch_insight_refresh() THEN
        RAISE NOTICE 'the insights will include this import at the next refresh'
            USING DETAIL = 'No background worker slot was free to refresh them now.',
                  HINT = 'Raise max_worker_processes, or run SELECT rolloy.refresh_insights().';
    END IF;
    RETURN NULL;
END
$$;
-- When the import finishes (it inserts its batch first and sets finished_at at the end). Not on
-- INSERT: pg_restore inserts finished batches, which need no refresh.
CREATE TRIGGER request_insight_refresh AFTER UPDATE OF finished_at ON rolloy.import_batches
    FOR EACH ROW WHEN (OLD.finished_at IS NULL AND NEW.finished_at IS NOT NULL)
    EXECUTE FUNCTION rolloy_internal._request_insight_refresh();

CREATE VIEW rolloy.insight_status WITH (security_invoker = true) AS
SELECT last.finished_at AS last_refreshed_at, last.trigger AS last_trigger, last.duration_ms AS last_duration_ms,
       last.import_batch_ids AS last_import_batch_ids, last.rows_written AS last_rows_written,
       failed.finished_at AS last_failed_at, failed.error AS last_error,
       (SELECT count(*) FROM rolloy.import_batches b
         WHERE b.finished_at > coalesce(last.started_at, '-infinity')
           AND b.rows_inserted + b.rows_updated + b.rows_merged > 0) AS imports_since,
       (SELECT s.refresh_after_import FROM rolloy.insight_settings s) AS refresh_after_import
  FROM (SELECT 1) one
  LEFT JOIN LATERAL (SELECT f.* FROM rolloy.insight_refreshes f WHERE f.error IS NULL
                      ORDER BY f.finished_at DESC LIMIT 1) last ON true
  LEFT JOIN LATERAL (SELECT f.* FROM rolloy.insight_refreshes f WHERE f.error IS NOT NULL
                      ORDER BY f.finished_at DESC LIMIT 1) failed ON true
 WHERE (SELECT rolloy.current_user_id()) IS NOT NULL OR pg_catalog.current_setting('is_superuser')::boolean;  -- no identity: no row
COMMENT ON VIEW rolloy.insight_status IS
    'When the insights were last computed, why, how long it took and from which imports; the last failed '
    'background refresh; how many imports (that the caller may see) finished since. One row.';
COMMENT ON COLUMN rolloy.insight_status.last_refreshed_at IS 'When the last successful refresh finished; NULL: never.';
COMMENT ON COLUMN rolloy.insight_status.last_trigger IS 'import, schedule or manual.';
COMMENT ON COLUMN rolloy.insight_status.last_duration_ms IS 'How long it took, in milliseconds.';
COMMENT ON COLUMN rolloy.insight_status.last_import_batch_ids IS 'Imports it was the first to include.';
COMMENT ON COLUMN rolloy.insight_status.last_rows_written IS 'Insight rows it wrote.';
COMMENT ON COLUMN rolloy.insight_status.last_failed_at IS 'When the last background refresh failed; NULL: none did.';
COMMENT ON COLUMN rolloy.insight_status.last_error IS 'Why it failed.';
COMMENT ON COLUMN rolloy.insight_status.imports_since IS
    'Imports with rows that finished after the last refresh started (members count their own): not in the insights yet.';
COMMENT ON COLUMN rolloy.insight_status.refresh_after_import IS 'insight_settings.refresh_after_import.';
GRANT SELECT ON rolloy.insight_status TO rolloy_member;
