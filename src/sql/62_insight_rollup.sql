-- The rollup the insights read, kept up to date from what changed since the last refresh, so
-- that a refresh does not read every fact again (the first step of refresh_insights()).
--
-- insight_pieces: every ad's sums per piece and currency. A piece is the days of one ISO week
-- (from Monday) within one calendar month: a week that straddles two months gives two pieces, so
-- weeks and months both add up from pieces. insight_ad_totals: every ad's sums per currency.
-- Both are keyed by ad, not by creative: matching an ad to another creative (a rename,
-- rematch_performance, a deleted project) changes nothing here; the kinds join rolloy.ads when
-- they read.
--
-- What changed: the imports a refresh takes in (insight_refresh_requests; every row a batch
-- wrote lies between its date_from and date_to, so the pieces of every ad that overlap that
-- range are recomputed, each through ad_days' primary key), and the days written through
-- rolloy.performance_data or deleted (logged in insight_changed_days by triggers). A piece is
-- recomputed from its days, never adjusted by a difference: recomputed twice, or from an import
-- that committed after its request was taken, it is still right, whatever imports run at the
-- same time. The totals move by the difference between a recomputed piece and the old one.
-- Rows written into rolloy_internal.ad_days by hand are not seen: after such a write, run
-- UPDATE rolloy_internal.insight_rollup_state SET built = false (the next refresh rebuilds all).

CREATE FUNCTION rolloy_internal._week_start(day date) RETURNS date
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT day - ((day - DATE '2000-01-03') % 7 + 7) % 7  -- 2000-01-03 was a Monday
$$;
COMMENT ON FUNCTION rolloy_internal._week_start(date) IS 'Monday of the ISO week of the day.';

-- The first of the day's month, in date arithmetic: date_trunc goes through timestamps, a third
-- of the cost of grouping every fact by piece.
CREATE FUNCTION rolloy_internal._month_start(day date) RETURNS date
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT day - (pg_catalog.date_part('day', day)::integer - 1)
$$;
COMMENT ON FUNCTION rolloy_internal._month_start(date) IS 'First day of the month of the day.';

-- The first day of the piece (below) that holds the day: the later of its week's Monday and its
-- month's first day. In C: a rebuild groups every fact by it (src/pg/insights/piece_start.cpp).
CREATE FUNCTION rolloy_internal._piece_start(day date) RETURNS date
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE AS 'MODULE_PATHNAME', 'rolloy_piece_start';
COMMENT ON FUNCTION rolloy_internal._piece_start(date) IS
    'First day of the insight rollup piece (ISO week within a month) that holds the day.';

-- sum() of bigint returns numeric: exact, but its accumulator and every addition of its results
-- cost more than the facts' scan. The rollup's sums are millionths and counts that fit a bigint by
-- far (int8pl raises "bigint out of range" rather than wrap), so the rollup and the trends add
-- in bigint. NULL when every value is NULL, as sum().
CREATE AGGREGATE rolloy_internal.bigint_sum(bigint) (
    SFUNC = pg_catalog.int8pl,
    STYPE = bigint,
    COMBINEFUNC = pg_catalog.int8pl,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE rolloy_internal.bigint_sum(bigint) IS
    'Sum of bigints as a bigint (an error on overflow), for the insight rollup.';

CREATE FUNCTION rolloy_internal._currency_code(currency smallint) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN currency >= 0 THEN pg_catalog.chr(65 + currency / 676) || pg_catalog.chr(65 + currency / 26 % 26)
                                        || pg_catalog.chr(65 + currency % 26) END
$$;
COMMENT ON FUNCTION rolloy_internal._currency_code(smallint) IS
    'ISO code of a currency stored as a number (rolloy_internal.ad_days.currency); NULL for -1 (none given).';

CREATE TABLE rolloy_internal.insight_pieces (
    ad               integer NOT NULL,
    week_start       date NOT NULL,
    month_start      date NOT NULL,
    currency         smallint NOT NULL,  -- as ad_days.currency; -1 when the export gave none
    days             integer NOT NULL,
    impressions      bigint NOT NULL,
    clicks           bigint NOT NULL,
    conversions      bigint NOT NULL,    -- millionths, as ad_days
    spend            bigint NOT NULL,
    conversion_value bigint NOT NULL,
    last_day         date NOT NULL
);
-- One index, for the pieces an import changed and the pieces of the periods trends rewrite (a
-- range per ad); each index costs a full rebuild about a second per million facts.
CREATE INDEX insight_pieces_ad_idx ON rolloy_internal.insight_pieces (ad, week_start);
COMMENT ON TABLE rolloy_internal.insight_pieces IS
    'Rollup of ad_days per ad, week-within-month and currency, kept by refresh_insights(); not dumped (rebuilt).';

CREATE TABLE rolloy_internal.insight_ad_totals (
    ad               integer NOT NULL,
    currency         smallint NOT NULL,
    days             integer NOT NULL,
    impressions      bigint NOT NULL,
    clicks           bigint NOT NULL,
    conversions      bigint NOT NULL,
    spend            bigint NOT NULL,
    conversion_value bigint NOT NULL,
    PRIMARY KEY (ad, currency)
);
COMMENT ON TABLE rolloy_internal.insight_ad_totals IS 'Sums of insight_pieces per ad and currency.';

-- Not dumped: a restored database starts with built = false and the first refresh rebuilds.
CREATE TABLE rolloy_internal.insight_rollup_state (
    singleton    boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    built        boolean NOT NULL DEFAULT false,
    creatives    text,          -- fingerprint of what the kinds read besides the sums, at the last refresh (refresh_insights)
    refreshed_at timestamptz    -- the last refresh (the figures members compute at read time are as of then)
);
INSERT INTO rolloy_internal.insight_rollup_state DEFAULT VALUES;
COMMENT ON TABLE rolloy_internal.insight_rollup_state IS
    'Whether the insight rollup is built (false: the next refresh rebuilds it from ad_days).';

CREATE TABLE rolloy_internal.insight_changed_days (
    ad          integer NOT NULL,
    report_date date NOT NULL
);
COMMENT ON TABLE rolloy_internal.insight_changed_days IS
    'Days of ads written through rolloy.performance_data or deleted since the last refresh (imports: their batch).';

-- Deletes (delete_performance_data, the flat view, a deleted ad) are rare: one row per day.
CREATE FUNCTION rolloy_internal._log_deleted_days() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    INSERT INTO rolloy_internal.insight_changed_days (ad, report_date) SELECT o.ad, o.report_date FROM old_rows o;
    RETURN NULL;
END
$$;
CREATE TRIGGER log_deleted_days AFTER DELETE ON rolloy_internal.ad_days
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION rolloy_internal._log_deleted_days();

-- What a refresh hands every kind: when, the periods whose pieces changed and the ads whose
-- sums changed (NULL: all of them, the rollup was rebuilt), and whether anything else the kinds
-- read changed since the last refresh (regrouped: which creative each ad counts for, the
-- creatives' names and ABCD, the ads' images, the settings): then every kind computes all again.
CREATE TYPE rolloy_internal.insight_run AS (stamp timestamptz, weeks date[], months date[], ads integer[],
                                            regrouped boolean);

-- The rollup step: brings pieces and totals up to date with the imports taken (their ids) and
-- the logged days, and returns the pieces' periods it recomputed and the ads whose sums it
-- recomputed (NULL: rebuilt, all of them).
CREATE FUNCTION rolloy_internal._insight_rollup(taken bigint[], OUT weeks date[], OUT months date[], OUT changed_ads integer[])
LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    rebuild boolean := NOT coalesce((SELECT s.built FROM rolloy_internal.insight_rollup_state s), false)
                       -- a batch deleted since it asked: its range is unknown
                       OR EXISTS (SELECT FROM unnest(taken) t(id) LEFT JOIN rolloy.import_batches b ON b.id = t.id
                                   WHERE b.date_from IS NULL OR b.date_to IS NULL);
    hash_join text;
    merge_join text;
    hash_agg text;
BEGIN
    IF rebuild THEN
        DELETE FROM rolloy_internal.insight_changed_days;
        -- TRUNCATE, not DELETE: a deleted piece stays in the heap and its index until a vacuum, so
        -- after a DELETE every read of the pieces (the trends of this refresh, the next refresh
        -- after an import) stepped over as many dead pieces as live ones. A rebuild is rare (the
        -- first refresh, after a restore, after a batch went): a member reading trends meanwhile
        -- waits for it to commit.
        TRUNCATE rolloy_internal.insight_pieces, rolloy_internal.insight_ad_totals;
        -- One hash aggregate over the facts, by each piece's first day (its week and month follow
        -- from it, per piece: a sixth fewer instructions than grouping by both); the pieces written
        -- in the index's order (appended to its last leaf, not scattered over all of them: a third
        -- of the rebuild's time).
        INSERT INTO rolloy_internal.insight_pieces
        SELECT x.ad, rolloy_internal._week_start(x.piece), rolloy_internal._month_start(x.piece), x.currency, x.days,
               x.impressions, x.clicks, x.conversions, x.spend, x.conversion_value, x.last_day
          FROM (SELECT d.ad, rolloy_internal._piece_start(d.report_date) AS piece, coalesce(d.currency, -1) AS currency,
                       count(*) AS days, rolloy_internal.bigint_sum(d.impressions) AS impressions,
                       rolloy_internal.bigint_sum(d.clicks) AS clicks, rolloy_internal.bigint_sum(d.conversions) AS conversions,
                       rolloy_internal.bigint_sum(d.spend) AS spend,
                       rolloy_internal.bigint_sum(d.conversion_value) AS conversion_value, max(d.report_date) AS last_day
                  FROM rolloy_internal.ad_days d
                 GROUP BY 1, 2, 3) x
         ORDER BY x.ad, x.piece;
        INSERT INTO rolloy_internal.insight_ad_totals
        SELECT p.ad, p.currency, sum(p.days), rolloy_internal.bigint_sum(p.impressions),
               rolloy_internal.bigint_sum(p.clicks), rolloy_internal.bigint_sum(p.conversions),
               rolloy_internal.bigint_sum(p.spend), rolloy_internal.bigint_sum(p.conversion_value)
          FROM rolloy_internal.insight_pieces p GROUP BY p.ad, p.currency;
        -- The pieces' statistics only where plans read them (filters, joins, grouping): the sums'
        -- columns doubled the time of the ANALYZE, which is part of every rebuild.
        ANALYZE rolloy_internal.insight_pieces (ad, week_start, month_start, currency);
        ANALYZE rolloy_internal.insight_ad_totals;
        UPDATE rolloy_internal.insight_rollup_state SET built = true;
        RETURN;
    END IF;

    -- Few pieces of many: each through an index (the ads' pieces, the days of each piece), never a
    -- scan of every fact; the planner, which cannot count the pieces a range touches, is told so.
    -- No hash aggregates either: each is sized to the guess of the planner (half a million pieces), and
    -- clearing those tables cost more than the whole statement. One statement (no temporary
    -- tables: their catalog rows cost more than the pieces).
    hash_join := pg_catalog.current_setting('enable_hashjoin');
    merge_join := pg_catalog.current_setting('enable_mergejoin');
    hash_agg := pg_catalog.current_setting('enable_hashagg');
    PERFORM pg_catalog.set_config('enable_hashjoin', 'off', true), pg_catalog.set_config('enable_mergejoin', 'off', true),
            pg_catalog.set_config('enable_hashagg', 'off', true);
    -- (ad NULL: every ad) x the pieces of each changed range
    WITH logged AS (DELETE FROM rolloy_internal.insight_changed_days c RETURNING c.ad, c.report_date),
    changed AS (
        SELECT l.ad, l.report_date AS first_day, l.report_date AS last_day FROM logged l
        UNION ALL
        SELECT NULL, b.date_from, b.date_to FROM rolloy.import_batches b WHERE b.id = ANY (taken)
    ), piece AS (
        SELECT DISTINCT c.ad, rolloy_internal._week_start(d::date) AS week_start,
               rolloy_internal._month_start(d::date) AS month_start
          FROM changed c, generate_series(c.first_day::timestamp, c.last_day::timestamp, interval '1 day') d
    ), touched AS (
        SELECT DISTINCT coalesce(p.ad, a.id) AS ad, p.week_start, p.month_start
          FROM piece p LEFT JOIN rolloy.ads a ON p.ad IS NULL
    ), gone AS (
        DELETE FROM rolloy_internal.insight_pieces p USING touched t
         WHERE p.ad = t.ad AND p.week_start = t.week_start AND p.month_start = t.month_start
        RETURNING p.*
    ), added AS (
        INSERT INTO rolloy_internal.insight_pieces
        SELECT t.ad, t.week_start, t.month_start, x.*
          FROM touched t
         CROSS JOIN LATERAL (
               SELECT coalesce(d.currency, -1), count(*), rolloy_internal.bigint_sum(d.impressions),
                      rolloy_internal.bigint_sum(d.clicks), rolloy_internal.bigint_sum(d.conversions),
                      rolloy_internal.bigint_sum(d.spend), rolloy_internal.bigint_sum(d.conversion_value),
                      max(d.report_date)
                 FROM rolloy_internal.ad_days d
                WHERE d.ad = t.ad AND d.report_date >= greatest(t.week_start, t.month_start)
                  AND d.report_date <= least(t.week_start + 6, (t.month_start + interval '1 month - 1 day')::date)
                GROUP BY coalesce(d.currency, -1)) x
        RETURNING *
    ), delta AS (  -- the totals move by the new pieces less the old
        SELECT g.ad, g.currency, -g.days AS days, -g.impressions AS impressions, -g.clicks AS clicks,
               -g.conversions AS conversions, -g.spend AS spend, -g.conversion_value AS conversion_value
          FROM gone g
        UNION ALL
        SELECT a.ad, a.currency, a.days, a.impressions, a.clicks, a.conversions, a.spend, a.conversion_value FROM added a
    ), moved AS (
        INSERT INTO rolloy_internal.insight_ad_totals AS o
        SELECT d.ad, d.currency, sum(d.days), rolloy_internal.bigint_sum(d.impressions), rolloy_internal.bigint_sum(d.clicks),
               rolloy_internal.bigint_sum(d.conversions), rolloy_internal.bigint_sum(d.spend),
               rolloy_internal.bigint_sum(d.conversion_value)
          FROM delta d GROUP BY d.ad, d.currency
        ON CONFLICT (ad, currency) DO UPDATE
           SET days = o.days + EXCLUDED.days, impressions = o.impressions + EXCLUDED.impressions,
               clicks = o.clicks + EXCLUDED.clicks, conversions = o.conversions + EXCLUDED.conversions,
               spend = o.spend + EXCLUDED.spend, conversion_value = o.conversion_value + EXCLUDED.conversion_value
        RETURNING o.ad
    )
    SELECT coalesce(array_agg(DISTINCT t.week_start), '{}'), coalesce(array_agg(DISTINCT t.month_start), '{}'),
           (SELECT coalesce(array_agg(DISTINCT m.ad), '{}') FROM moved m)
      INTO weeks, months, changed_ads FROM touched t;
    PERFORM pg_catalog.set_config('enable_hashjoin', hash_join, true), pg_catalog.set_config('enable_mergejoin', merge_join, true),
            pg_catalog.set_config('enable_hashagg', hash_agg, true);
    IF cardinality(changed_ads) > 0 THEN  -- an ad's currency whose last day went goes
        DELETE FROM rolloy_internal.insight_ad_totals o WHERE o.days = 0;
    END IF;
END
$$;

-- Creatives with data (in ads matched to them) and their sums per currency, over all creatives
-- (owner NULL) or one user's: what tiers, cost efficiency and heatmaps start from, for the
-- refresh and for a member's figures at read time alike. Money in currency units.
-- No SET clause, so that the planner inlines it into the query that calls it (a function with
-- one would plan and run its query apart at every call, four times a refresh): it is called only
-- from functions that pin search_path, and names nothing without its schema.
CREATE FUNCTION rolloy_internal._creative_totals(owner uuid)
RETURNS TABLE (project_id uuid, creative_name text, category text, scene text, action text, driver text, format text,
               currency text, impressions bigint, clicks bigint, conversions numeric, spend numeric,
               conversion_value numeric)
LANGUAGE sql STABLE AS $$
    SELECT p.id, p.generated_name, s.category_code, s.category_code || '_' || s.scene_code, ac.code, dr.code, f.code,
           rolloy_internal._currency_code(t.currency), sum(t.impressions)::bigint, sum(t.clicks)::bigint,
           sum(t.conversions) * 0.000001, sum(t.spend) * 0.000001, sum(t.conversion_value) * 0.000001
      FROM rolloy_internal.insight_ad_totals t
      JOIN rolloy.ads a ON a.id = t.ad
      JOIN rolloy.creative_projects p ON p.id = a.project_id
      JOIN rolloy.scenes s ON s.id = p.scene_id
      JOIN rolloy.actions ac ON ac.id = p.action_id
      JOIN rolloy.drivers dr ON dr.id = p.driver_id
      JOIN rolloy.formats f ON f.id = p.format_id
     WHERE owner IS NULL OR p.created_by = owner
     GROUP BY p.id, s.category_code, s.scene_code, ac.code, dr.code, f.code, t.currency
$$;

-- The currency with the most impressions over all creatives (ties: alphabetical): the one
-- creative-level money (tiers, leaderboard, effects) is reported in.
CREATE FUNCTION rolloy_internal._reporting_currency() RETURNS text
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
    SELECT rolloy_internal._currency_code(t.currency)
      FROM rolloy_internal.insight_ad_totals t JOIN rolloy.ads a ON a.id = t.ad AND a.project_id IS NOT NULL
     GROUP BY t.currency
     ORDER BY sum(t.impressions) DESC, rolloy_internal._currency_code(t.currency)
     LIMIT 1
$$;

-- Stores the rows of a kind's row function (source: its call, written by the kind itself), e.g.
-- _store_insights('rolloy_internal._cost_rows(NULL, now())'); returns how many.
CREATE FUNCTION rolloy_internal._store_insights(source text) RETURNS bigint
LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    written bigint;
BEGIN
    EXECUTE 'INSERT INTO rolloy.insights (refreshed_at, scope_user_id, kind, dimension, dimension_value, metric, value, lift, confidence_score, sample_creatives, details, project_id, dimension2, dimension_value2, grain, period_start, label, rank, currency, impressions, clicks, conversions, spend, conversion_value, image_id)
             SELECT r.refreshed_at, r.scope_user_id, r.kind, r.dimension, r.dimension_value, r.metric, r.value, r.lift, r.confidence_score, r.sample_creatives, r.details, r.project_id, r.dimension2, r.dimension_value2, r.grain, r.period_start, r.label, r.rank, r.currency, r.impressions, r.clicks, r.conversions, r.spend, r.conversion_value, r.image_id FROM ' || source || ' r';
    GET DIAGNOSTICS written = ROW_COUNT;
    RETURN written;
END
$$;
