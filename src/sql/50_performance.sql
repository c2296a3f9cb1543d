-- Ad performance imported from platform exports, the import batches, and computed insights.

-- Evaluated with the writer's rights (admins write performance_data): members get EXECUTE.
CREATE FUNCTION rolloy_internal._is_currency_code(code text) RETURNS boolean
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE AS 'MODULE_PATHNAME', 'rolloy_is_currency_code';
COMMENT ON FUNCTION rolloy_internal._is_currency_code(text) IS
    'True for three upper-case letters A-Z (the shape of an ISO 4217 code); the currency CHECK of imported rows.';

-- Ad platforms are data: one row of rolloy.ad_platforms each, read by every import
-- (src/pg/import/platform_loader.cpp; the fields and their meaning: src/core/import/platform_definition.hpp).
-- Meta, Google Ads and TikTok are its first rows; an admin adds Pinterest, Snapchat, LinkedIn ... with an
-- INSERT (docs/import.md). A domain over text keeps `$1::rolloy.ad_platform` casts and the type name of
-- 0.1.0's enum; the foreign keys to ad_platforms say which names exist.
CREATE DOMAIN rolloy.ad_platform AS text
    CONSTRAINT ad_platform_name CHECK (VALUE ~ '^[a-z][a-z0-9_]{0,39}$');
COMMENT ON DOMAIN rolloy.ad_platform IS
    'Name of an ad platform (a row of rolloy.ad_platforms): lower-case letters, digits and _, at most 40 characters.';

-- The CHECK of a definition, so that a row that would break every import is refused when it is written:
-- headers is an object of known fields (those of src/core/import/platform_definition.hpp), each with a
-- non-empty array of header names; every required field (alternatives joined by |) and every key field
-- (ad_id, ad_name) has headers. It runs with the writer's rights: admins get EXECUTE (99_internal_privileges.sql).
CREATE FUNCTION rolloy_internal._ad_platform_definition_ok(headers jsonb, required text[], key_fields text[])
RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
    SELECT jsonb_typeof(headers) = 'object'
       AND NOT EXISTS (
           SELECT 1 FROM jsonb_each(headers) h
            WHERE NOT h.key = ANY (ARRAY['date', 'reporting_start', 'reporting_end', 'ad_name', 'ad_id', 'campaign',
                                         'ad_group', 'currency', 'impressions', 'reach', 'clicks', 'spend',
                                         'conversions', 'conversion_value', 'roas'])
               OR jsonb_typeof(h.value) <> 'array' OR jsonb_array_length(h.value) = 0
               OR EXISTS (SELECT 1 FROM jsonb_array_elements(h.value) a
                           WHERE jsonb_typeof(a) <> 'string' OR btrim(a #>> '{}') = ''))
       AND cardinality(required) > 0
       AND NOT EXISTS (
           SELECT 1 FROM unnest(required) r, unnest(string_to_array(r, '|')) f
            WHERE NOT headers ? btrim(f))
       AND cardinality(key_fields) > 0
       AND key_fields <@ ARRAY['ad_id', 'ad_name']::text[]
       AND NOT EXISTS (SELECT 1 FROM unnest(key_fields) k WHERE NOT headers ? k)
$$;

CREATE TABLE rolloy.ad_platforms (
    name              rolloy.ad_platform PRIMARY KEY,
    label             text NOT NULL CONSTRAINT ad_platforms_label_length CHECK (length(label) BETWEEN 1 AND 100),
    spellings         text[] NOT NULL DEFAULT '{}'
        CONSTRAINT ad_platforms_spellings_length CHECK (cardinality(spellings) <= 20
                                                        AND octet_length(array_to_string(spellings, '')) <= 2000),
    detection_headers text[] NOT NULL DEFAULT '{}'
        CONSTRAINT ad_platforms_detection_headers_length CHECK (cardinality(detection_headers) <= 20
                                                                AND octet_length(array_to_string(detection_headers, '')) <= 2000),
    headers           jsonb NOT NULL CONSTRAINT ad_platforms_headers_size CHECK (octet_length(headers::text) <= 20000),
    required          text[] NOT NULL CONSTRAINT ad_platforms_required_length CHECK (cardinality(required) <= 15),
    key_fields        text[] NOT NULL DEFAULT '{ad_id,ad_name}'
        CONSTRAINT ad_platforms_key_fields_length CHECK (cardinality(key_fields) <= 2),
    decimal_mark      text NOT NULL DEFAULT 'auto' CHECK (decimal_mark IN ('auto', 'dot', 'comma')),
    date_order        text NOT NULL DEFAULT 'auto' CHECK (date_order IN ('auto', 'month_first', 'day_first')),
    currency          text CHECK (rolloy_internal._is_currency_code(currency)),
    created_at        timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT ad_platforms_definition CHECK (rolloy_internal._ad_platform_definition_ok(headers, required, key_fields))
);
COMMENT ON TABLE rolloy.ad_platforms IS
    'Ad platforms whose CSV exports rolloy imports, one row each; every import reads them (auto-detection tries '
    'every row). Everyone reads them; admins add and change them (see docs/import.md).';
COMMENT ON COLUMN rolloy.ad_platforms.name IS 'Name used by import_performance(platform => ...) and stored with the data (meta, google_ads, ...).';
COMMENT ON COLUMN rolloy.ad_platforms.label IS 'Name for messages (Meta, Google Ads, ...).';
COMMENT ON COLUMN rolloy.ad_platforms.spellings IS 'Further names the platform argument accepts, case-insensitively (facebook, google, ...).';
COMMENT ON COLUMN rolloy.ad_platforms.detection_headers IS
    'Headers that point to this platform when several could read a file (Amount spent: Meta; Impr.: Google Ads).';
COMMENT ON COLUMN rolloy.ad_platforms.headers IS
    'Header names per field, as the export writes them, preferred first: {"date": ["Day"], "clicks": ["Link clicks", '
    '"Clicks (all)"], ...}. Fields: date, reporting_start, reporting_end, ad_name, ad_id, campaign, ad_group, currency, '
    'impressions, reach, clicks, spend, conversions, conversion_value, roas. Compared case-insensitively, blanks '
    'collapsed, a trailing currency code such as (USD) taken off and kept as the currency.';
COMMENT ON COLUMN rolloy.ad_platforms.required IS
    'Fields an export must have; alternatives joined by |: {ad_name,date|reporting_start,impressions,clicks,spend}.';
COMMENT ON COLUMN rolloy.ad_platforms.key_fields IS
    'Fields that identify an ad, in order (ad_id, ad_name): a row where all are empty is a totals line.';
COMMENT ON COLUMN rolloy.ad_platforms.decimal_mark IS 'auto (settled from the file''s numbers), dot or comma.';
COMMENT ON COLUMN rolloy.ad_platforms.date_order IS 'How to read 03/04/2026: auto (settled from the file''s dates), month_first or day_first.';
COMMENT ON COLUMN rolloy.ad_platforms.currency IS 'Currency of the money columns when the export names none (NULL: unknown).';
COMMENT ON COLUMN rolloy.ad_platforms.created_at IS 'When the platform was added.';

INSERT INTO rolloy.ad_platforms (name, label, spellings, detection_headers, headers, required) VALUES
    -- Meta Ads Manager export. Date = Day with Breakdown > Time > Day, else Reporting starts.
    ('meta', 'Meta', '{facebook}', '{Amount spent,Reporting starts,Link clicks}',
     '{"date": ["Day"], "reporting_start": ["Reporting starts"], "reporting_end": ["Reporting ends"],
       "ad_name": ["Ad name"], "ad_id": ["Ad ID"], "campaign": ["Campaign name"], "ad_group": ["Ad set name"],
       "currency": ["Currency"], "impressions": ["Impressions"], "reach": ["Reach"],
       "clicks": ["Link clicks", "Clicks (all)"], "spend": ["Amount spent"],
       "conversions": ["Purchases", "Website purchases"],
       "conversion_value": ["Purchases conversion value", "Website purchases conversion value"],
       "roas": ["Purchase ROAS (return on ad spend)", "Website purchase ROAS (return on ad spend)"]}',
     '{ad_name,date|reporting_start,impressions,clicks,spend}'),
    -- Google Ads UI report download. "Ad name" exists only for some ad types; "Ad" is the ad's text.
    ('google_ads', 'Google Ads', '{google,google ads}', '{Impr.,Currency code,Conv. value}',
     '{"date": ["Day"], "campaign": ["Campaign"], "ad_group": ["Ad group"], "ad_name": ["Ad name", "Ad"],
       "ad_id": ["Ad ID"], "currency": ["Currency code"], "impressions": ["Impr."], "clicks": ["Clicks"],
       "spend": ["Cost"], "conversions": ["Conversions"], "conversion_value": ["Conv. value", "Total conv. value"],
       "roas": ["Conv. value / cost"]}',
     '{date,ad_name|ad_id,impressions,clicks,spend}'),
    -- TikTok Ads Manager custom report. Newer exports may say "Purchase" where older ones say "Complete
    -- payment"; "Total purchase value" (the in-app purchase value) is taken when it is the only value column.
    ('tiktok', 'TikTok', '{}', '{By Day,Clicks (destination),CTR (destination),Complete payment}',
     '{"date": ["By Day", "Date"], "campaign": ["Campaign name"], "ad_group": ["Ad group name"],
       "ad_name": ["Ad name"], "ad_id": ["Ad ID"], "currency": ["Currency"], "impressions": ["Impressions"],
       "reach": ["Reach"], "clicks": ["Clicks (destination)", "Clicks (all)"], "spend": ["Cost"],
       "conversions": ["Conversions"],
       "conversion_value": ["Total complete payment value", "Complete payment value", "Total purchase value",
                            "Purchase value"],
       "roas": ["Complete payment ROAS", "Total complete payment ROAS", "Purchase ROAS", "Total purchase ROAS"]}',
     '{date,ad_name,impressions,clicks,spend}');
-- Platforms added by admins are dumped; the three above come with the extension.
SELECT pg_catalog.pg_extension_config_dump('rolloy.ad_platforms', $$WHERE name NOT IN ('meta', 'google_ads', 'tiktok')$$);

-- Everyone with a rolloy identity reads the platforms; admins add and change them. No member may
-- delete one (no table-level write privilege): rows of a platform in use are referenced by its imports.
ALTER TABLE rolloy.ad_platforms ENABLE ROW LEVEL SECURITY;
CREATE POLICY ad_platforms_select ON rolloy.ad_platforms FOR SELECT USING ((SELECT rolloy.current_user_id()) IS NOT NULL);
CREATE POLICY ad_platforms_insert ON rolloy.ad_platforms FOR INSERT WITH CHECK ((SELECT rolloy.is_admin()));
CREATE POLICY ad_platforms_update ON rolloy.ad_platforms FOR UPDATE
    USING ((SELECT rolloy.is_admin())) WITH CHECK ((SELECT rolloy.is_admin()));
GRANT SELECT ON rolloy.ad_platforms TO rolloy_member;
GRANT INSERT (name, label, spellings, detection_headers, headers, required, key_fields, decimal_mark, date_order,
              currency),
      UPDATE (label, spellings, detection_headers, headers, required, key_fields, decimal_mark, date_order, currency)
    ON rolloy.ad_platforms TO rolloy_member;
GRANT USAGE ON DOMAIN rolloy.ad_platform TO rolloy_member;

CREATE TABLE rolloy.import_batches (
    id               bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    platform         rolloy.ad_platform REFERENCES rolloy.ad_platforms (name),
    requested_platform text NOT NULL DEFAULT 'auto',
    imported_by      uuid REFERENCES rolloy.users (id) ON DELETE SET NULL,
    source_name      text NOT NULL DEFAULT '' CONSTRAINT import_batches_source_name_length CHECK (length(source_name) <= 255),
    source_sha256    text CHECK (source_sha256 ~ '^[0-9a-f]{64}$'),
    on_error         text NOT NULL DEFAULT 'reject_file' CHECK (on_error IN ('reject_file', 'skip_row')),
    encoding         text,
    delimiter        text,
    currency         text,
    date_from        date,
    date_to          date,
    rows_read        integer NOT NULL DEFAULT 0 CHECK (rows_read >= 0),
    rows_inserted    integer NOT NULL DEFAULT 0 CHECK (rows_inserted >= 0),
    rows_updated     integer NOT NULL DEFAULT 0 CHECK (rows_updated >= 0),
    rows_merged      integer NOT NULL DEFAULT 0 CHECK (rows_merged >= 0),
    rows_unmatched   integer NOT NULL DEFAULT 0 CHECK (rows_unmatched >= 0),
    rows_rejected    integer NOT NULL DEFAULT 0 CHECK (rows_rejected >= 0),
    rows_summary     integer NOT NULL DEFAULT 0 CHECK (rows_summary >= 0),
    errors           jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(errors) = 'array'),
    warnings         text[] NOT NULL DEFAULT '{}',
    started_at       timestamptz NOT NULL DEFAULT now(),
    finished_at      timestamptz,
    created_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX import_batches_started_idx ON rolloy.import_batches (started_at DESC);
COMMENT ON TABLE rolloy.import_batches IS
    'One row per call of rolloy.import_performance: what it read and did. Members read their own imports, '
    'admins all.';
COMMENT ON COLUMN rolloy.import_batches.platform IS 'Platform of the file (detected or given).';
COMMENT ON COLUMN rolloy.import_batches.requested_platform IS 'Platform the caller asked for (auto = detect).';
COMMENT ON COLUMN rolloy.import_batches.imported_by IS 'User who imported.';
COMMENT ON COLUMN rolloy.import_batches.source_name IS 'Name given for the file; at most 255 characters.';
COMMENT ON COLUMN rolloy.import_batches.source_sha256 IS 'SHA-256 of the file as received.';
COMMENT ON COLUMN rolloy.import_batches.on_error IS 'Row-problem policy: reject_file (default) or skip_row.';
COMMENT ON COLUMN rolloy.import_batches.encoding IS 'Encoding detected (utf-8, utf-16le, ...).';
COMMENT ON COLUMN rolloy.import_batches.delimiter IS 'Field delimiter detected.';
COMMENT ON COLUMN rolloy.import_batches.currency IS 'Currency of the money columns; NULL when the rows are in several currencies (or none is given).';
COMMENT ON COLUMN rolloy.import_batches.date_from IS 'First report date in the file.';
COMMENT ON COLUMN rolloy.import_batches.date_to IS 'Last day covered by the file (period_end of its last row).';
COMMENT ON COLUMN rolloy.import_batches.rows_read IS
    'Data lines read (total lines and blank lines excluded) = rows_inserted + rows_updated + rows_merged + rows_rejected.';
COMMENT ON COLUMN rolloy.import_batches.rows_inserted IS 'performance_data rows added: an (ad, day) not imported before.';
COMMENT ON COLUMN rolloy.import_batches.rows_updated IS 'performance_data rows replaced: an (ad, day) an earlier import had written.';
COMMENT ON COLUMN rolloy.import_batches.rows_merged IS
    'Lines summed into another line of the same ad and day (breakdowns by age, placement, ...).';
COMMENT ON COLUMN rolloy.import_batches.rows_unmatched IS
    'Lines imported whose ad name matched no project or image (see rolloy.unmatched_performance).';
COMMENT ON COLUMN rolloy.import_batches.rows_rejected IS 'Lines refused for a problem (on_error = skip_row; see errors).';
COMMENT ON COLUMN rolloy.import_batches.rows_summary IS 'Total/summary lines skipped.';
COMMENT ON COLUMN rolloy.import_batches.errors IS 'First 100 row problems: [{"line": n, "reason": "..."}], n = line of the file.';
COMMENT ON COLUMN rolloy.import_batches.warnings IS
    'Things to check: dates read in a guessed order, conversion value computed from ROAS, rows covering several days, mixed currencies.';
COMMENT ON COLUMN rolloy.import_batches.started_at IS 'When the import started.';
COMMENT ON COLUMN rolloy.import_batches.finished_at IS 'When the import finished.';
SELECT pg_catalog.pg_extension_config_dump('rolloy.import_batches', '');
SELECT pg_catalog.pg_extension_config_dump(pg_get_serial_sequence('rolloy.import_batches', 'id'), '');

CREATE TABLE rolloy.insights (
    id                bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    refreshed_at      timestamptz NOT NULL DEFAULT now(),
    -- No foreign key (nor on project_id): a member holding his own users row or project FOR UPDATE
    -- (or an uncommitted delete of it) would make every refresh wait on its KEY SHARE check. Rows of a
    -- deleted user or project are unreachable (no identity maps to the user; the views keep only
    -- existing creatives) and go at the next refresh, which rewrites the table.
    scope_user_id     uuid,
    kind              text NOT NULL,
    dimension         text,
    dimension_value   text,
    metric            text,
    value             numeric,
    lift              numeric,
    confidence_score  numeric CHECK (confidence_score BETWEEN 0 AND 1),
    sample_creatives  integer CHECK (sample_creatives >= 0),
    details           jsonb NOT NULL DEFAULT '{}'
);
-- Its index (by kind) is in 60_insights.sql, with the columns the findings add.
COMMENT ON TABLE rolloy.insights IS
    'Findings computed by rolloy.refresh_insights(), once, over all data. Admins read every row, members the rows '
    'of their own creatives. Read through the insight_* views.';
COMMENT ON COLUMN rolloy.insights.refreshed_at IS 'When the finding was computed.';
COMMENT ON COLUMN rolloy.insights.scope_user_id IS 'NULL: computed over all data (every stored row; a member''s own rows are computed when read).';
COMMENT ON COLUMN rolloy.insights.kind IS 'Kind of finding (tier, effect, trend, ...).';
COMMENT ON COLUMN rolloy.insights.dimension IS 'ABCD dimension the finding is about.';
COMMENT ON COLUMN rolloy.insights.dimension_value IS 'Code or key within the dimension.';
COMMENT ON COLUMN rolloy.insights.metric IS 'Metric (ctr, roas, ...).';
COMMENT ON COLUMN rolloy.insights.value IS 'Value of the metric.';
COMMENT ON COLUMN rolloy.insights.lift IS 'Relative lift against the rest.';
COMMENT ON COLUMN rolloy.insights.confidence_score IS 'Confidence in [0,1] (see docs/insights.md).';
COMMENT ON COLUMN rolloy.insights.sample_creatives IS 'Creatives the finding rests on.';
COMMENT ON COLUMN rolloy.insights.details IS 'Further figures of the finding.';
SELECT pg_catalog.pg_extension_config_dump('rolloy.insights', '');
SELECT pg_catalog.pg_extension_config_dump(pg_get_serial_sequence('rolloy.insights', 'id'), '');

ALTER TABLE rolloy.import_batches ENABLE ROW LEVEL SECURITY;
CREATE POLICY import_batches_select ON rolloy.import_batches FOR SELECT
    USING ((SELECT rolloy.is_admin()) OR imported_by = (SELECT rolloy.current_user_id()));
GRANT SELECT ON rolloy.import_batches TO rolloy_member;

ALTER TABLE rolloy.insights ENABLE ROW LEVEL SECURITY;
-- Its read policy: 60_insights.sql (it reads the columns added there).
GRANT SELECT ON rolloy.insights TO rolloy_member;
