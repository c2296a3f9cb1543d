-- Dashboard, part 6: one project's page (dashboard(page => 'project', project_id => …)): its
-- ABCD, prompt and notes, its tier, each variant with thumbnail, status and ad figures, and the
-- ZIP download. A project that does not exist and one the caller may not see (RLS) answer with
-- the same error.

-- Ad figures per image of a project, one row per currency (impressions and clicks are shown in
-- the row of each currency the image's ads ran in; amounts never mix).
CREATE FUNCTION rolloy_internal._dash_variants(project_id uuid, inline boolean) RETURNS text
LANGUAGE sql STABLE
BEGIN ATOMIC
WITH figures AS (
    SELECT d.image_id, string_agg(format('%s impressions, %s clicks, CTR %s, spend %s %s',
                                         rolloy_internal._dash_num(d.impressions), rolloy_internal._dash_num(d.clicks),
                                         rolloy_internal._dash_pct(d.clicks::numeric / nullif(d.impressions, 0)),
                                         rolloy_internal._dash_num(d.spend, 2), coalesce(d.currency, '(no currency)')),
                                  '; ' ORDER BY d.currency) AS line
      FROM (SELECT p.image_id, p.currency, sum(p.impressions) AS impressions, sum(p.clicks) AS clicks, sum(p.spend) AS spend
              FROM rolloy.performance_data p
             WHERE p.project_id = _dash_variants.project_id AND p.image_id IS NOT NULL
             GROUP BY p.image_id, p.currency) d
     GROUP BY d.image_id
)
SELECT CASE WHEN count(*) = 0
            THEN rolloy_internal._dash_empty('No images yet.',
                     format('Write a prompt with <code>SELECT rolloy.generate_prompt(%L)</code>, then queue images with '
                            '<code>SELECT * FROM rolloy.batch_generate(%L)</code>; the worker fills this gallery.',
                            _dash_variants.project_id, _dash_variants.project_id))
            ELSE '<div class="gallery" id="variants">'
                 || string_agg(format('<div class="card" data-image-id="%s">%s<p><strong>%s</strong><br>Status: %s%s</p>'
                                      '<p class="image-tier">%s</p><p class="note">%s</p>%s</div>',
                                      g.id,
                                      CASE WHEN g.status = 'completed'
                                           THEN '<a href="image_file?image_id=' || g.id || '">'
                                                || rolloy_internal._dash_img(g.id, _dash_variants.inline, 'Thumbnail of ' || g.ad_name, '')
                                                || '</a>'
                                           ELSE '<p class="note">No picture: ' || g.status || '</p>' END,
                                      rolloy_internal._html(g.ad_name), g.status,
                                      CASE WHEN g.status = 'completed' THEN ' · ' || g.width || '×' || g.height ELSE '' END,
                                      coalesce(format('Tier: <span class="tier">%s</span>, rank %s of %s images, CTR %s',
                                                      replace(t.tier, '_', ' '), coalesce(t.rank::text, '–'),
                                                      coalesce(t.eligible_images::text, '–'), rolloy_internal._dash_pct(t.ctr)),
                                               'Tier: not ranked yet (no performance data in the last refresh)'),
                                      coalesce(rolloy_internal._html(f.line), 'No ad figures for this image yet.'),
                                      CASE WHEN g.status = 'failed'
                                           THEN '<p class="bad">' || rolloy_internal._html(left(g.last_error, 300)) || '</p>' ELSE '' END),
                               '' ORDER BY g.variant_no)
                 || '</div>' END
  FROM rolloy.generated_images g
  LEFT JOIN figures f ON f.image_id = g.id
  LEFT JOIN rolloy.insight_image_tiers t ON t.image_id = g.id
 WHERE g.project_id = _dash_variants.project_id AND g.status <> 'cancelled';
END;
COMMENT ON FUNCTION rolloy_internal._dash_variants(uuid, boolean) IS 'Project page: the gallery of variants with status, tier and ad figures.';

CREATE FUNCTION rolloy_internal._dash_project(project_id uuid, inline boolean) RETURNS text
LANGUAGE sql STABLE
BEGIN ATOMIC
SELECT coalesce(
    (SELECT rolloy_internal._dash_frame(o.generated_name, 'project',
        '<h1>' || rolloy_internal._html(o.generated_name) || '</h1>'
        || '<p id="project-title">' || rolloy_internal._html(nullif(o.title, '')) || '</p>'
        || '<section aria-labelledby="h-about"><h2 id="h-about">Creative</h2><table class="kv"><tbody>'
        || format('<tr><th scope="row">A · scene</th><td>%s / %s</td></tr><tr><th scope="row">B · action</th><td>%s (walker %s)</td></tr>'
                  '<tr><th scope="row">C · driver</th><td>%s</td></tr><tr><th scope="row">D · format</th><td>%s (%s)</td></tr>'
                  '<tr><th scope="row">Owner</th><td>%s</td></tr><tr><th scope="row">Images</th><td>%s completed, %s failed of %s</td></tr>'
                  '<tr><th scope="row">Tier</th><td>%s</td></tr>',
                  rolloy_internal._html(o.category), rolloy_internal._html(o.scene), rolloy_internal._html(o.action),
                  o.product_state, rolloy_internal._html(o.driver), rolloy_internal._html(o.format),
                  rolloy_internal._html(o.aspect_ratio), rolloy_internal._html(o.owner_name), o.completed_images,
                  o.failed_images, o.total_images,
                  coalesce((SELECT format('<span class="tier">%s</span> rank %s of %s, CTR %s (at least %s with 95 %% confidence), '
                                          '%s impressions',
                                          rolloy_internal._html(replace(t.tier, '_', ' ')), coalesce(t.rank::text, '–'),
                                          coalesce(t.eligible_creatives::text, '–'), rolloy_internal._dash_pct(t.ctr),
                                          rolloy_internal._dash_pct(t.ctr_lower_bound), rolloy_internal._dash_num(t.impressions))
                              FROM rolloy.insight_tiers t WHERE t.project_id = o.id),
                           'not ranked yet: no performance data in the last refresh'))
        || '</tbody></table>'
        || '<h3>Notes</h3>' || CASE WHEN p.notes = '' THEN '<p class="note">No notes.</p>'
                                    ELSE '<p id="project-notes">' || rolloy_internal._html(p.notes) || '</p>' END
        || '<h3>Prompt</h3>' || CASE WHEN p.prompt IS NULL
                                     THEN rolloy_internal._dash_empty('No prompt yet.',
                                              format('Write one with <code>SELECT rolloy.generate_prompt(%L)</code>.', o.id))
                                     ELSE '<pre id="project-prompt">' || rolloy_internal._html(p.prompt) || '</pre>' END
        || '</section><section aria-labelledby="h-variants"><h2 id="h-variants">Variants</h2>'
        || CASE WHEN o.completed_images > 0
                THEN '<p><a id="zip" href="project_zip_file?project_id=' || o.id || '" download>Download the '
                     || o.completed_images || ' completed image' || CASE WHEN o.completed_images > 1 THEN 's' ELSE '' END
                     || ' as ZIP</a></p>' ELSE '' END
        || rolloy_internal._dash_variants(o.id, _dash_project.inline) || '</section>')
       FROM rolloy.project_overview o JOIN rolloy.creative_projects p ON p.id = o.id
      WHERE o.id = _dash_project.project_id),
    rolloy_internal._dash_raise('42704', format('project %s not found', _dash_project.project_id),
                                'Your own projects (admins: all) have a page.'));
END;
COMMENT ON FUNCTION rolloy_internal._dash_project(uuid, boolean) IS
    'The project page; the same error for a project that does not exist and one the caller may not see.';
