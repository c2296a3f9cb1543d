-- Generated performance data shared by the benches (bench/insights_refresh.sh,
-- bench/dashboard_pages.sh): 50 owners, :creatives creatives spread over the ABCD dictionaries,
-- and one ad per creative with a row per day for :days days (every fifth creative on Google Ads in EUR,
-- the rest on Meta in USD). Run with psql -v creatives=N -v days=N into a database with rolloy.
SET client_min_messages = warning;
SELECT FROM rolloy.load_sample_dictionaries();
INSERT INTO rolloy.users (email, display_name)
SELECT 'owner' || g || '@example.com', 'Owner ' || g FROM generate_series(1, 50) g;
-- Creatives spread over the ABCD dictionaries and 50 owners.
INSERT INTO rolloy.creative_projects (scene_id, action_id, driver_id, format_id, created_by, created_at)
SELECT 1 + g % 12, 1 + (g / 12) % 8, 1 + (g / 96) % 7, 1 + (g / 672) % 6,
       (SELECT id FROM rolloy.users ORDER BY email OFFSET g % 50 LIMIT 1), '2026-01-01'::timestamptz + g * interval '1 second'
  FROM generate_series(0, :creatives - 1) g;
\timing on
-- One ad per creative, its days written to the day table directly (as an import does; the view's
-- INSERT trigger would take a statement per row). Money in millionths, currency as a number.
INSERT INTO rolloy.ads (id, platform, ad_key, ad_name, creative_name, project_id, first_seen, last_seen)
SELECT p.n, CASE WHEN p.n % 5 = 0 THEN 'google_ads' ELSE 'meta' END::rolloy.ad_platform, p.generated_name,
       p.generated_name, p.generated_name, p.id, '2023-01-01'::date, '2023-01-01'::date + :days - 1
  FROM (SELECT id, generated_name, row_number() OVER (ORDER BY id) AS n FROM rolloy.creative_projects) p;
INSERT INTO rolloy_internal.ad_days (ad, report_date, period_end, impressions, clicks, spend, currency, conversions,
                                     conversion_value)
SELECT a.id, d, d, imp, least(imp, (imp * (0.01 + (a.id % 17) / 1000.0))::bigint), round(imp * 0.01, 2) * 1000000,
       CASE WHEN a.id % 5 = 0 THEN 4 * 676 + 20 * 26 + 17 ELSE 20 * 676 + 18 * 26 + 3 END, -- EUR, USD
       (imp * 0.0004)::bigint * 1000000, (imp * 0.0004)::bigint * 89.9 * 1000000
  FROM rolloy.ads a,
       generate_series('2023-01-01'::date, '2023-01-01'::date + :days - 1, interval '1 day') d,
       LATERAL (SELECT 500 + (hashtext(a.ad_name || d) & 1023) AS imp) i;
\timing off
