-- Image generation, part 2: the remote providers. Which exist, their settings and price units
-- come from the library's provider registry (src/core/providers/registry.cpp) through
-- rolloy.providers(); their API keys live in provider_secrets.

-- ---------------------------------------------------------------------------------------------
-- The provider registry: one list, in the library. SQL names no remote provider itself: the
-- checks and hints below read rolloy.providers().
CREATE FUNCTION rolloy_internal._provider_registry() RETURNS text
LANGUAGE C STABLE AS 'MODULE_PATHNAME', 'rolloy_provider_registry';
COMMENT ON FUNCTION rolloy_internal._provider_registry() IS
    'The library''s provider registry with the settings in force, as a JSON array (read through rolloy.providers()).';

CREATE FUNCTION rolloy.providers()
RETURNS TABLE (provider text, kind text, model text, model_setting text, base_url_setting text,
               concurrency_setting text, price_units text[])
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
    SELECT r.provider, r.kind, r.model, r.model_setting, r.base_url_setting, r.concurrency_setting,
           ARRAY(SELECT jsonb_array_elements_text(x.e -> 'price_units'))
      FROM jsonb_array_elements(rolloy_internal._provider_registry()::jsonb) WITH ORDINALITY AS x(e, n),
           jsonb_to_record(x.e) AS r(provider text, kind text, model text, model_setting text,
                                     base_url_setting text, concurrency_setting text)
     ORDER BY x.n
$$;
COMMENT ON FUNCTION rolloy.providers() IS
    'The remote providers rolloy can call, one row per kind (text: prompts, image: images): the model in force '
    '(the GUC model_setting), the GUCs of its base URL and concurrency, and the units provider_prices prices '
    'its calls in. preview and template are local and not listed. Any member.';

-- "gemini, fal": the providers (of a kind) in registry order, for messages.
CREATE FUNCTION rolloy_internal._provider_names(kind text DEFAULT NULL) RETURNS text
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
    SELECT string_agg(d.provider, ', ' ORDER BY d.first)
      FROM (SELECT x.e ->> 'provider' AS provider, min(x.n) AS first
              FROM jsonb_array_elements(rolloy_internal._provider_registry()::jsonb) WITH ORDINALITY AS x(e, n)
             WHERE _provider_names.kind IS NULL OR x.e ->> 'kind' = _provider_names.kind
             GROUP BY 1) d
$$;
COMMENT ON FUNCTION rolloy_internal._provider_names(text) IS
    'The names of the registry''s providers (of a kind, or all) in registry order, comma-separated: for messages.';

-- ---------------------------------------------------------------------------------------------
-- Provider keys: readable by no ordinary role (no grants, RLS without policies), written only
-- through set_provider_key(), never returned. Not included in pg_dump: re-enter after a restore.
CREATE TABLE rolloy.provider_secrets (
    provider    text PRIMARY KEY CHECK (provider ~ '^[a-z][a-z0-9_]{1,31}$'),
    api_key     text NOT NULL CHECK (length(api_key) BETWEEN 8 AND 512),
    set_by      uuid,
    updated_at  timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE rolloy.provider_secrets IS 'API keys of the providers; no role but the extension owner can read it.';
COMMENT ON COLUMN rolloy.provider_secrets.provider IS 'Provider the key belongs to.';
COMMENT ON COLUMN rolloy.provider_secrets.api_key IS 'The key (never shown).';
COMMENT ON COLUMN rolloy.provider_secrets.set_by IS 'Admin who set it.';
COMMENT ON COLUMN rolloy.provider_secrets.updated_at IS 'When it was set.';
ALTER TABLE rolloy.provider_secrets ENABLE ROW LEVEL SECURITY;
REVOKE ALL ON rolloy.provider_secrets FROM PUBLIC;

CREATE FUNCTION rolloy.set_provider_key(provider text, api_key text) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    me uuid := rolloy_internal.require_admin();
BEGIN
    IF NOT EXISTS (SELECT 1 FROM rolloy.providers() p WHERE p.provider = set_provider_key.provider) THEN
        RAISE EXCEPTION 'unknown provider "%" (providers: %)', left(set_provider_key.provider, 40),
                        rolloy_internal._provider_names()
            USING ERRCODE = 'invalid_parameter_value', HINT = 'rolloy.providers() lists the providers keys are set for.';
    END IF;
    IF api_key IS NULL OR length(btrim(api_key)) < 8 OR length(api_key) > 512 OR api_key ~ '\s' THEN
        RAISE EXCEPTION 'that does not look like an API key (8 to 512 characters, no spaces)'
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    INSERT INTO rolloy.provider_secrets AS s (provider, api_key, set_by) VALUES (set_provider_key.provider, api_key, me)
    ON CONFLICT ON CONSTRAINT provider_secrets_pkey
    DO UPDATE SET api_key = EXCLUDED.api_key, set_by = EXCLUDED.set_by, updated_at = now();
END
$$;
REVOKE ALL ON FUNCTION rolloy.set_provider_key(text, text) FROM PUBLIC;
-- Members may call it (PostgREST admins arrive as members); it checks require_admin() itself.
GRANT EXECUTE ON FUNCTION rolloy.set_provider_key(text, text) TO rolloy_member;
COMMENT ON FUNCTION rolloy.set_provider_key(text, text) IS
    'Stores the API key of a provider of rolloy.providers() (gemini, fal, ...). Admins only; the key is never shown again.';

CREATE FUNCTION rolloy.remove_provider_key(provider text) RETURNS boolean
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    PERFORM rolloy_internal.require_admin();
    DELETE FROM rolloy.provider_secrets s WHERE s.provider = remove_provider_key.provider;
    RETURN FOUND;
END
$$;
REVOKE ALL ON FUNCTION rolloy.remove_provider_key(text) FROM PUBLIC;
-- Members may call it (PostgREST admins arrive as members); it checks require_admin() itself.
GRANT EXECUTE ON FUNCTION rolloy.remove_provider_key(text) TO rolloy_member;
COMMENT ON FUNCTION rolloy.remove_provider_key(text) IS
    'Removes the API key of a provider; true when there was one. Admins only.';

CREATE FUNCTION rolloy.provider_keys() RETURNS TABLE (provider text, key_set boolean, key_hint text, updated_at timestamptz)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
    SELECT p.provider, s.provider IS NOT NULL,
           CASE WHEN s.api_key IS NULL THEN NULL ELSE '…' || right(s.api_key, 4) END, s.updated_at
      FROM (SELECT DISTINCT r.provider FROM rolloy.providers() r) p
      LEFT JOIN rolloy.provider_secrets s ON s.provider = p.provider
     WHERE rolloy.is_admin()
$$;
COMMENT ON FUNCTION rolloy.provider_keys() IS 'Which providers have a key (last 4 characters only). Admins only; empty for others.';

-- ---------------------------------------------------------------------------------------------
-- Settings read by SQL and the worker. GUCs (defined by the library) with these defaults.
CREATE FUNCTION rolloy_internal._setting(name text, fallback text) RETURNS text
LANGUAGE sql STABLE AS $$
    SELECT coalesce(nullif(current_setting('rolloy.' || name, true), ''), fallback)
$$;
