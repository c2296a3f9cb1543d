-- Dashboard, part 4: the sections of the overview page, one function each, read from the
-- insight views (so from the caller's scope: admins all data, members their own creatives).
-- Impressions and clicks add up across currencies; amounts never do (one chart per currency).

-- CTR by week or month, all creatives together, with the Wilson 95 % interval as the band.
CREATE FUNCTION rolloy_internal._dash_trend(grain text) RETURNS text
LANGUAGE sql STABLE
BEGIN ATOMIC
WITH gate AS (SELECT coalesce((SELECT s.min_impressions FROM rolloy.insight_settings s), 1000) AS min_impressions),
periods AS (
    SELECT t.period_start, max(t.period_end) AS period_end, max(t.data_through) AS data_through,
           sum(t.impressions) AS impressions, sum(t.clicks) AS clicks
      FROM rolloy.insight_trends t
     WHERE t.dimension = 'all' AND t.grain = _dash_trend.grain
     GROUP BY t.period_start
)
SELECT CASE WHEN count(*) = 0
            THEN rolloy_internal._dash_empty('No ' || _dash_trend.grain || 'ly figures yet.',
                     'An admin imports an ad export with <code>rolloy.import_performance(…)</code> and runs '
                     '<code>SELECT rolloy.refresh_insights()</code>.')
            ELSE rolloy_internal._dash_line_chart(
                     'trend-' || _dash_trend.grain,
                     'CTR by ' || _dash_trend.grain || ' (all creatives, %)', 'CTR (%)',
                     jsonb_agg(jsonb_build_object(
                         'label', CASE _dash_trend.grain WHEN 'week' THEN to_char(p.period_start, 'YYYY-MM-DD')
                                                         ELSE to_char(p.period_start, 'YYYY-MM') END,
                         'v', p.clicks::numeric / nullif(p.impressions, 0),
                         'lo', rolloy_internal.wilson_lower_bound(p.clicks, p.impressions, 1.96),
                         'hi', rolloy_internal.wilson_upper_bound(p.clicks, p.impressions, 1.96),
                         'small', p.impressions < g.min_impressions,
                         'note', concat_ws('; ', rolloy_internal._dash_num(p.impressions) || ' impressions',
                                           CASE WHEN p.data_through < p.period_end
                                                THEN 'partial: data through ' || p.data_through END,
                                           CASE WHEN p.impressions < g.min_impressions THEN 'small sample' END))
                         ORDER BY p.period_start) FILTER (WHERE p.impressions > 0))
       END
  FROM periods p, gate g;
END;
COMMENT ON FUNCTION rolloy_internal._dash_trend(text) IS 'Overview: CTR trend by week or month with its 95 % band.';

-- Any two ABCD dimensions as a table coloured by CTR; links pick the dimensions.
CREATE FUNCTION rolloy_internal._dash_heatmap(dim_x text, dim_y text) RETURNS text
LANGUAGE sql STABLE
BEGIN ATOMIC
WITH gate AS (SELECT coalesce((SELECT s.min_impressions FROM rolloy.insight_settings s), 1000) AS min_impressions),
dims AS (SELECT * FROM (VALUES (1, 'category'), (2, 'scene'), (3, 'action'), (4, 'driver'), (5, 'format')) d(ord, name)),
cells AS (
    SELECT h.value_x, h.value_y, sum(h.impressions) AS impressions, sum(h.clicks) AS clicks,
           sum(h.clicks)::numeric / nullif(sum(h.impressions), 0) AS ctr
      FROM rolloy.insight_heatmap h
     WHERE h.dimension_x = _dash_heatmap.dim_x AND h.dimension_y = _dash_heatmap.dim_y
     GROUP BY h.value_x, h.value_y
), xs AS (SELECT DISTINCT c.value_x FROM cells c), ys AS (SELECT DISTINCT c.value_y FROM cells c),
top AS (SELECT max(c.ctr) AS ctr FROM cells c)
-- The picker: a line of links per axis; the dimension the other axis shows is not a choice.
SELECT '<p class="picker">'
       || (SELECT string_agg(axis.label || ': '
                             || (SELECT string_agg(CASE WHEN d.name = axis.other THEN '<span class="note">' || d.name || '</span>'
                                                        ELSE format('<a href="dashboard?page=overview&amp;heatmap_x=%s&amp;heatmap_y=%s#heatmap"%s>%s</a>',
                                                                    CASE WHEN axis.is_x THEN d.name ELSE _dash_heatmap.dim_x END,
                                                                    CASE WHEN axis.is_x THEN _dash_heatmap.dim_y ELSE d.name END,
                                                                    CASE WHEN d.name = axis.chosen THEN ' aria-current="true"' ELSE '' END,
                                                                    d.name) END, ' ' ORDER BY d.ord) FROM dims d),
                             '<br>' ORDER BY axis.ord)
             FROM (VALUES (1, 'Columns', true, _dash_heatmap.dim_x, _dash_heatmap.dim_y),
                          (2, 'Rows', false, _dash_heatmap.dim_y, _dash_heatmap.dim_x)) axis(ord, label, is_x, chosen, other))
       || '</p>'
       || CASE WHEN NOT EXISTS (SELECT 1 FROM cells)
               THEN rolloy_internal._dash_empty('No ' || _dash_heatmap.dim_x || ' × ' || _dash_heatmap.dim_y || ' figures yet.',
                        'They appear once creatives with performance data exist and <code>rolloy.refresh_insights()</code> has run.')
               ELSE '<table id="heatmap-table"><caption>CTR of every ' || _dash_heatmap.dim_y || ' (rows) × '
                    || _dash_heatmap.dim_x || ' (columns); darker = higher CTR, from 0 % (white) to '
                    || rolloy_internal._dash_pct((SELECT t.ctr FROM top t)) || '. † fewer than '
                    || rolloy_internal._dash_num((SELECT g.min_impressions FROM gate g)) || ' impressions.</caption><thead><tr><th scope="col">'
                    || _dash_heatmap.dim_y || ' \ ' || _dash_heatmap.dim_x || '</th>'
                    || (SELECT string_agg('<th scope="col" class="n">' || rolloy_internal._html(x.value_x) || '</th>', '' ORDER BY x.value_x)
                          FROM xs x)
                    || '</tr></thead><tbody>'
                    || (SELECT string_agg(r.html, '' ORDER BY r.value_y)
                          FROM (SELECT y.value_y, '<tr><th scope="row">' || rolloy_internal._html(y.value_y) || '</th>'
                                       || string_agg(CASE WHEN c.impressions IS NULL THEN '<td class="heat note">–</td>'
                                                          ELSE format('<td class="heat" data-x="%s" data-y="%s" data-impressions="%s" '
                                                                      'data-clicks="%s" style="background:rgba(37,99,235,%s);color:%s">%s%s</td>',
                                                                      rolloy_internal._html(x.value_x), rolloy_internal._html(y.value_y),
                                                                      c.impressions, c.clicks,
                                                                      round(coalesce(c.ctr / nullif((SELECT t.ctr FROM top t), 0), 0), 3),
                                                                      CASE WHEN c.ctr / nullif((SELECT t.ctr FROM top t), 0) > 0.55
                                                                           THEN '#fff' ELSE '#1f2933' END,
                                                                      rolloy_internal._dash_pct(c.ctr),
                                                                      CASE WHEN c.impressions < (SELECT g.min_impressions FROM gate g)
                                                                           THEN ' †' ELSE '' END) END,
                                                     '' ORDER BY x.value_x) || '</tr>' AS html
                                  FROM ys y CROSS JOIN xs x
                                  LEFT JOIN cells c ON c.value_x = x.value_x AND c.value_y = y.value_y
                                 GROUP BY y.value_y) r)
                    || '</tbody></table>' END;
END;
COMMENT ON FUNCTION rolloy_internal._dash_heatmap(text, text) IS 'Overview: CTR heatmap of two ABCD dimensions with the picker.';

-- The leaderboard in the view's order, with each creative's first thumbnail.
CREATE FUNCTION rolloy_internal._dash_leaderboard(inline boolean) RETURNS text
LANGUAGE sql STABLE
BEGIN ATOMIC
SELECT CASE WHEN count(*) = 0
            THEN rolloy_internal._dash_empty('No ranked creatives yet.',
                     'Creatives are ranked once their ads have performance data and an admin has run '
                     '<code>SELECT rolloy.refresh_insights()</code>.')
            ELSE '<table class="sortable" id="leaderboard"><caption>Ranked by the lower bound of the 95 % interval of CTR '
                 '(confidence: a small sample cannot rank high by luck). Click a heading to sort.</caption><thead><tr>'
                 '<th scope="col" class="n">Rank</th><th scope="col">Image</th><th scope="col">Creative</th>'
                 '<th scope="col">Tier</th><th scope="col" class="n">Impressions</th><th scope="col" class="n">Clicks</th>'
                 '<th scope="col" class="n">CTR</th><th scope="col" class="n">CTR at least (95 %)</th>'
                 '<th scope="col" class="n">Spend</th><th scope="col" class="n">ROAS</th></tr></thead><tbody>'
                 || string_agg(format('<tr data-project-id="%s"><td class="n">%s</td><td>%s</td>'
                                      '<td><a href="dashboard?page=project&amp;project_id=%s">%s</a></td>'
                                      '<td><span class="tier">%s</span></td><td class="n">%s</td><td class="n">%s</td>'
                                      '<td class="n">%s</td><td class="n">%s</td><td class="n" data-sort="%s">%s</td>'
                                      '<td class="n">%s</td></tr>',
                                      l.project_id, l.rank,
                                      coalesce(rolloy_internal._dash_img(img.id, _dash_leaderboard.inline,
                                                                         'Thumbnail of ' || l.creative_name),
                                               '<span class="note">no image</span>'),
                                      l.project_id, rolloy_internal._html(l.creative_name),
                                      rolloy_internal._html(replace(l.tier, '_', ' ')), rolloy_internal._dash_num(l.impressions),
                                      rolloy_internal._dash_num(l.clicks), rolloy_internal._dash_pct(l.ctr),
                                      rolloy_internal._dash_pct(l.ctr_lower_bound), l.spend,
                                      rolloy_internal._dash_num(l.spend, 2) || ' ' || rolloy_internal._html(l.currency),
                                      rolloy_internal._dash_num(l.roas, 2)),
                               '' ORDER BY l.rank, l.creative_name)
                 || '</tbody></table>' END
  FROM rolloy.insight_leaderboard l
  LEFT JOIN LATERAL (SELECT g.id FROM rolloy.generated_images g
                      WHERE g.project_id = l.project_id AND g.status = 'completed'
                      ORDER BY g.variant_no LIMIT 1) img ON true;
END;
COMMENT ON FUNCTION rolloy_internal._dash_leaderboard(boolean) IS 'Overview: the leaderboard with thumbnails, tiers and confidence.';

-- Cost efficiency per currency: spend by one dimension as bars, all figures in a table.
CREATE FUNCTION rolloy_internal._dash_cost(dim text) RETURNS text
LANGUAGE sql STABLE
BEGIN ATOMIC
WITH gate AS (SELECT coalesce((SELECT s.min_impressions FROM rolloy.insight_settings s), 1000) AS min_impressions),
rows AS (
    SELECT c.* FROM rolloy.insight_cost_efficiency c WHERE c.dimension IN ('all', _dash_cost.dim)
), per_currency AS (
    SELECT r.currency,
           rolloy_internal._dash_bar_chart(
               'cost-' || lower(r.currency), 'Spend by ' || _dash_cost.dim || ' (' || r.currency || ')',
               'Spend (' || r.currency || ')',
               jsonb_agg(jsonb_build_object('label', r.dimension_value, 'v', r.spend,
                                            'small', r.impressions < (SELECT g.min_impressions FROM gate g))
                         ORDER BY r.spend DESC, r.dimension_value) FILTER (WHERE r.dimension <> 'all'))
           || '<table class="sortable"><caption>Cost efficiency by ' || _dash_cost.dim || ', ' || r.currency
           || ' only (amounts of other currencies are in their own table)</caption><thead><tr><th scope="col">'
           || _dash_cost.dim || '</th><th scope="col" class="n">Creatives</th><th scope="col" class="n">Spend ('
           || r.currency || ')</th><th scope="col" class="n">CPC</th><th scope="col" class="n">CPM</th>'
           '<th scope="col" class="n">CPA</th><th scope="col" class="n">ROAS</th></tr></thead><tbody>'
           || string_agg(format('<tr%s><td>%s</td><td class="n">%s</td><td class="n">%s</td><td class="n">%s</td>'
                                '<td class="n">%s</td><td class="n">%s</td><td class="n">%s</td></tr>',
                                CASE WHEN r.dimension = 'all' THEN ' style="font-weight:600"' ELSE '' END,
                                CASE WHEN r.dimension = 'all' THEN 'All' ELSE rolloy_internal._html(r.dimension_value) END,
                                r.creatives, rolloy_internal._dash_num(r.spend, 2), rolloy_internal._dash_num(r.cpc, 2),
                                rolloy_internal._dash_num(r.cpm, 2), rolloy_internal._dash_num(r.cpa, 2),
                                rolloy_internal._dash_num(r.roas, 2)),
                         '' ORDER BY r.dimension <> 'all', r.spend DESC, r.dimension_value)
           || '</tbody></table>' AS html
      FROM rows r
     GROUP BY r.currency
)
SELECT coalesce(string_agg('<h3>' || rolloy_internal._html(p.currency) || '</h3>' || p.html, '' ORDER BY p.currency),
                rolloy_internal._dash_empty('No spend recorded yet.',
                    'Spend comes with imported ad exports; run <code>SELECT rolloy.refresh_insights()</code> after an import.'))
  FROM per_currency p;
END;
COMMENT ON FUNCTION rolloy_internal._dash_cost(text) IS 'Overview: spend, CPC, CPM, CPA and ROAS by a dimension, one block per currency.';

-- Fatigued creatives and the strongest findings, in words.
CREATE FUNCTION rolloy_internal._dash_fatigue() RETURNS text
LANGUAGE sql STABLE
BEGIN ATOMIC
SELECT CASE WHEN count(*) FILTER (WHERE f.status = 'fatigued') = 0
            THEN rolloy_internal._dash_empty('No fatigue alerts.',
                     format('%s creatives assessed, none has lost CTR with confidence. Creatives need twice the '
                            'fatigue window of daily data to be assessed.', count(*) FILTER (WHERE f.status <> 'insufficient_data')))
            ELSE '<table class="sortable" id="fatigue"><caption>CTR of the last days with data against the first days</caption>'
                 '<thead><tr><th scope="col">Creative</th><th scope="col" class="n">CTR before</th><th scope="col" class="n">CTR now</th>'
                 '<th scope="col" class="n">Change</th><th scope="col" class="n">Confidence</th><th scope="col">Windows</th></tr></thead><tbody>'
                 || string_agg(format('<tr><td><a href="dashboard?page=project&amp;project_id=%s">%s</a></td><td class="n">%s</td>'
                                      '<td class="n">%s</td><td class="n bad">%s</td><td class="n">%s</td><td>%s – %s vs %s – %s</td></tr>',
                                      f.project_id, rolloy_internal._html(f.creative_name), rolloy_internal._dash_pct(f.baseline_ctr),
                                      rolloy_internal._dash_pct(f.recent_ctr), rolloy_internal._dash_pct(f.ctr_change),
                                      rolloy_internal._dash_num(f.confidence_score, 2), f.baseline_from, f.baseline_to,
                                      f.recent_from, f.recent_to), '' ORDER BY f.ctr_change, f.creative_name)
                      FILTER (WHERE f.status = 'fatigued')
                 || '</tbody></table>' END
  FROM rolloy.insight_fatigue f;
END;
COMMENT ON FUNCTION rolloy_internal._dash_fatigue() IS 'Overview: creatives whose CTR fell with confidence.';

CREATE FUNCTION rolloy_internal._dash_findings() RETURNS text
LANGUAGE sql STABLE
BEGIN ATOMIC
SELECT CASE WHEN count(*) = 0
            THEN rolloy_internal._dash_empty('No confident findings yet.',
                     'A finding needs enough creatives on both sides and a confidence of at least insight_settings.effect_confidence; '
                     'more creatives with performance data (and a refresh) bring them.')
            ELSE '<ul id="findings">'
                 || string_agg('<li>' || rolloy_internal._html(format('%s %s %s the rest on %s by %s%%, confidence %s, %s creatives%s',
                                   initcap(e.dimension), e.dimension_value,
                                   CASE WHEN e.verdict = 'better' THEN 'beats' ELSE 'trails' END, upper(e.metric),
                                   rolloy_internal._dash_num(abs(100 * e.lift)), rolloy_internal._dash_num(e.confidence_score, 2),
                                   e.creatives, CASE WHEN e.metric = 'roas' THEN ' (' || e.currency || ')' ELSE '' END))
                               || '</li>', '' ORDER BY e.confidence_score DESC, abs(e.lift) DESC, e.dimension, e.dimension_value)
                 || '</ul>' END
  FROM (SELECT * FROM rolloy.insight_effects x WHERE x.verdict IN ('better', 'worse')
         ORDER BY x.confidence_score DESC, abs(x.lift) DESC, x.dimension, x.dimension_value LIMIT 6) e;
END;
COMMENT ON FUNCTION rolloy_internal._dash_findings() IS 'Overview: the strongest effects of ABCD values, in plain words.';
