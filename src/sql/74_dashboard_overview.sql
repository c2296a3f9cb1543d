-- Dashboard, part 5: the overview page (dashboard(page => 'overview')).

CREATE FUNCTION rolloy_internal._dash_overview(heatmap_x text, heatmap_y text, inline boolean) RETURNS text
LANGUAGE sql STABLE
BEGIN ATOMIC
SELECT CASE
    WHEN _dash_overview.heatmap_x IS NULL OR _dash_overview.heatmap_y IS NULL
         OR _dash_overview.heatmap_x NOT IN ('category', 'scene', 'action', 'driver', 'format')
         OR _dash_overview.heatmap_y NOT IN ('category', 'scene', 'action', 'driver', 'format')
         OR _dash_overview.heatmap_x = _dash_overview.heatmap_y
    THEN rolloy_internal._dash_raise('22023', 'heatmap_x and heatmap_y must be two different dimensions',
                                     'Dimensions: category, scene, action, driver, format.')
    ELSE rolloy_internal._dash_frame('Overview', 'overview',
        '<h1>Creative performance</h1>'
        || coalesce((SELECT '<p class="note">Insights refreshed ' || to_char(max(t.refreshed_at), 'YYYY-MM-DD HH24:MI TZ')
                            || ' over ' || count(*) || ' creatives with performance data.</p>'
                       FROM rolloy.insight_tiers t HAVING count(*) > 0),
                    rolloy_internal._dash_empty('No insights yet.',
                        'Create projects and generate images, run the ads under their ad names, then an admin imports the '
                        'platform export (<code>SELECT * FROM rolloy.import_performance(csv)</code>) and runs '
                        '<code>SELECT rolloy.refresh_insights()</code>; this page fills in after the refresh.'))
        || '<section id="findings-section" aria-labelledby="h-findings"><h2 id="h-findings">Strongest findings</h2>'
        || rolloy_internal._dash_findings() || '</section>'
        || '<section id="trends" aria-labelledby="h-trends"><h2 id="h-trends">CTR trend</h2><h3>By week</h3>'
        || rolloy_internal._dash_trend('week') || '<h3>By month</h3>' || rolloy_internal._dash_trend('month') || '</section>'
        || '<section id="heatmap" aria-labelledby="h-heatmap"><h2 id="h-heatmap">ABCD heatmap</h2>'
        || rolloy_internal._dash_heatmap(_dash_overview.heatmap_x, _dash_overview.heatmap_y) || '</section>'
        || '<section id="leaderboard-section" aria-labelledby="h-leaderboard"><h2 id="h-leaderboard">Leaderboard</h2>'
        || rolloy_internal._dash_leaderboard(_dash_overview.inline) || '</section>'
        || '<section id="cost" aria-labelledby="h-cost"><h2 id="h-cost">Cost efficiency by ' || _dash_overview.heatmap_x
        || '</h2>' || rolloy_internal._dash_cost(_dash_overview.heatmap_x) || '</section>'
        || '<section id="fatigue-section" aria-labelledby="h-fatigue"><h2 id="h-fatigue">Fatigue alerts</h2>'
        || rolloy_internal._dash_fatigue() || '</section>')
    END;
END;
COMMENT ON FUNCTION rolloy_internal._dash_overview(text, text, boolean) IS
    'The overview page: findings, CTR trends, heatmap, leaderboard, cost efficiency, fatigue.';
