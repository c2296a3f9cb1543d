-- Writes a Meta Ads Manager daily export (CSV, the real column names) for the ads that the demo
-- generated, plus two ads named outside rolloy. Figures are deterministic: each creative gets a
-- click-through and conversion rate from its ABCD (joy, UGC and park scenes do better), so the
-- insights have something true to find. Run with psql -At; prints the CSV.
WITH ads AS (
    SELECT g.ad_name, 'act_' || (1000 + g.variant_no + 10 * dense_rank() OVER (ORDER BY p.generated_name)) AS ad_id,
           0.012 + CASE d.code WHEN 'JOY' THEN 0.010 WHEN 'FREE' THEN 0.006 ELSE 0 END
                 + CASE f.code WHEN 'UGC' THEN 0.008 WHEN 'STORY' THEN 0.004 ELSE 0 END
                 + CASE s.scene_code WHEN 'PARK' THEN 0.004 ELSE 0 END AS ctr,
           0.020 + CASE a.code WHEN 'WALK' THEN 0.015 ELSE 0 END AS cvr
      FROM rolloy.generated_images g
      JOIN rolloy.creative_projects p ON p.id = g.project_id
      JOIN rolloy.scenes s ON s.id = p.scene_id JOIN rolloy.actions a ON a.id = p.action_id
      JOIN rolloy.drivers d ON d.id = p.driver_id JOIN rolloy.formats f ON f.id = p.format_id
     WHERE g.status = 'completed'
    UNION ALL
    SELECT 'Spring sale - carousel', 'act_9001', 0.015, 0.02
    UNION ALL
    SELECT 'Retargeting | video 15s', 'act_9002', 0.022, 0.03
), days AS (
    SELECT d::date AS day, row_number() OVER (ORDER BY d) AS n
      FROM generate_series(current_date - 14, current_date - 1, interval '1 day') d
), rows AS (
    SELECT days.day, ads.ad_name, ads.ad_id,
           (900 + (hashtext(ads.ad_name || days.day) & 1023))::integer AS impressions, ads.ctr, ads.cvr
      FROM ads CROSS JOIN days
), metrics AS (
    SELECT day, ad_name, ad_id, impressions,
           round(impressions * ctr * (0.85 + (hashtext(ad_name || day || 'c') & 255) / 850.0))::integer AS clicks,
           round(impressions * 0.0085 + (hashtext(ad_name || day || 's') & 127) / 100.0, 2) AS spend, cvr
      FROM rows
)
SELECT 'Reporting starts,Reporting ends,Day,Ad name,Ad ID,Impressions,Reach,Link clicks,'
       || 'CTR (link click-through rate),Amount spent (USD),Purchases,Purchases conversion value'
UNION ALL
SELECT * FROM (
    SELECT concat_ws(',', min(day) OVER (), max(day) OVER (), day, '"' || replace(ad_name, '"', '""') || '"', ad_id,
                     '"' || to_char(impressions, 'FM9,999,999') || '"', round(impressions * 0.8), clicks,
                     round(100.0 * clicks / impressions, 2) || '%', spend,
                     round(clicks * cvr), to_char(round(clicks * cvr) * 89.90, 'FM999990.00'))
      FROM metrics ORDER BY day, ad_name) lines;
