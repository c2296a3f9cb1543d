-- Dashboard, part 7: the generation page (dashboard(page => 'generation')): the queue, the
-- worker's health, failures with their messages, and this month's images and spend against
-- quota and budget. Members see their own images and usage; admins everyone's (RLS).

CREATE FUNCTION rolloy_internal._dash_generation() RETURNS text
LANGUAGE sql STABLE
BEGIN ATOMIC
SELECT rolloy_internal._dash_frame('Generation', 'generation',
    '<h1>Image generation</h1>'
    || '<section aria-labelledby="h-usage"><h2 id="h-usage">This month (UTC)</h2>'
    || coalesce((SELECT string_agg('<h3>' || rolloy_internal._html(u.display_name) || '</h3>'
                                   || rolloy_internal._dash_meter('Images', x.images_used + x.images_queued, x.image_quota,
                                                                  format('images (%s done, %s queued)', x.images_used, x.images_queued), 0)
                                   || rolloy_internal._dash_meter('Spend', x.spent_usd + x.queued_usd, x.budget_usd,
                                                                  format('USD (%s spent, %s committed by the queue)',
                                                                         rolloy_internal._dash_num(x.spent_usd, 2),
                                                                         rolloy_internal._dash_num(x.queued_usd, 2)), 2),
                                   '' ORDER BY u.display_name, u.id)
                   FROM rolloy.users u CROSS JOIN LATERAL rolloy.usage_this_month(u.id) x),
                rolloy_internal._dash_empty('No rolloy user for this session.',
                    'An admin maps your login with <code>rolloy.users.pg_role</code>.'))
    || '</section><section aria-labelledby="h-queue"><h2 id="h-queue">Queue</h2>'
    || (SELECT format('<table id="queue" class="kv"><tbody><tr><th scope="row">Pending</th><td class="n">%s</td></tr>'
                      '<tr><th scope="row">Due now</th><td class="n">%s</td></tr><tr><th scope="row">Processing</th><td class="n">%s</td></tr>'
                      '<tr><th scope="row">Expired leases</th><td class="n">%s</td></tr>'
                      '<tr><th scope="row">Oldest pending</th><td class="n">%s</td></tr>'
                      '<tr><th scope="row">Completed in the last hour</th><td class="n">%s</td></tr>'
                      '<tr><th scope="row">Failed in the last hour</th><td class="n">%s</td></tr></tbody></table>',
                      q.pending, q.pending_due, q.processing, q.expired_leases,
                      coalesce(q.oldest_pending_seconds || ' s', '–'), q.completed_last_hour, q.failed_last_hour)
              || CASE WHEN q.pending + q.processing = 0
                      THEN rolloy_internal._dash_empty('Nothing queued.',
                               'Queue images of a project with <code>SELECT * FROM rolloy.batch_generate(project_id)</code>.')
                      ELSE '' END
          FROM rolloy.queue_metrics q)
    || coalesce((SELECT '<h3>In progress</h3><table class="sortable"><thead><tr><th scope="col">Project</th>'
                        '<th scope="col" class="n">Pending</th><th scope="col" class="n">Processing</th>'
                        '<th scope="col" class="n">Completed</th><th scope="col" class="n">Failed</th>'
                        '<th scope="col" class="n">Done</th></tr></thead><tbody>'
                        || string_agg(format('<tr><td><a href="dashboard?page=project&amp;project_id=%s">%s</a></td><td class="n">%s</td>'
                                             '<td class="n">%s</td><td class="n">%s</td><td class="n">%s</td><td class="n">%s %%</td></tr>',
                                             g.project_id, rolloy_internal._html(g.generated_name), g.pending, g.processing,
                                             g.completed, g.failed, g.percent_done), '' ORDER BY g.generated_name)
                        || '</tbody></table>'
                   FROM rolloy.generation_progress g WHERE g.pending + g.processing > 0
                 HAVING count(*) > 0), '')
    || '</section><section aria-labelledby="h-worker"><h2 id="h-worker">Worker</h2>'
    || (SELECT format('<table id="worker" class="kv"><tbody><tr><th scope="row">Running</th><td class="%s">%s</td></tr>'
                      '<tr><th scope="row">Database</th><td>%s</td></tr><tr><th scope="row">Started</th><td>%s</td></tr>'
                      '<tr><th scope="row">Last loop</th><td>%s</td></tr><tr><th scope="row">Calls in flight</th><td class="n">%s</td></tr>'
                      '<tr><th scope="row">Since start</th><td>%s completed, %s failed, %s retried</td></tr>'
                      '<tr><th scope="row">Last error</th><td>%s</td></tr></tbody></table>',
                      CASE WHEN w.running THEN 'good' ELSE 'bad' END,
                      CASE WHEN w.running THEN 'yes' ELSE 'no: add rolloy to shared_preload_libraries and restart Postgres' END,
                      rolloy_internal._html(w.database), coalesce(to_char(w.started_at, 'YYYY-MM-DD HH24:MI:SS TZ'), '–'),
                      coalesce(to_char(w.last_loop_at, 'YYYY-MM-DD HH24:MI:SS TZ'), '–'), coalesce(w.in_flight, 0),
                      coalesce(w.completed, 0), coalesce(w.failed, 0), coalesce(w.retried, 0),
                      coalesce(nullif(rolloy_internal._html(left(w.last_error, 300)), ''), '–'))
          FROM rolloy.worker_status() w)
    || '</section><section aria-labelledby="h-failures"><h2 id="h-failures">Failures</h2>'
    || coalesce((SELECT '<table class="sortable" id="failures"><caption>The 50 latest failed images and the provider''s message'
                        '</caption><thead><tr><th scope="col">Image</th><th scope="col">Provider</th>'
                        '<th scope="col" class="n">Attempts</th><th scope="col" class="n">HTTP</th><th scope="col">Message</th>'
                        '<th scope="col">When</th></tr></thead><tbody>'
                        || string_agg(format('<tr><td><a href="dashboard?page=project&amp;project_id=%s">%s</a></td><td>%s</td>'
                                             '<td class="n">%s</td><td class="n">%s</td><td>%s</td><td>%s</td></tr>',
                                             f.project_id, rolloy_internal._html(f.ad_name), rolloy_internal._html(f.provider),
                                             f.attempts, coalesce(f.last_http_status::text, '–'),
                                             rolloy_internal._html(left(f.last_error, 300)),
                                             to_char(f.updated_at, 'YYYY-MM-DD HH24:MI')), '' ORDER BY f.updated_at DESC, f.ad_name)
                        || '</tbody></table> <p class="note">Retry a project''s failures with '
                           '<code>SELECT rolloy.retry_failed(project_id)</code>.</p>'
                   FROM (SELECT g.* FROM rolloy.generated_images g WHERE g.status = 'failed'
                          ORDER BY g.updated_at DESC, g.ad_name LIMIT 50) f
                 HAVING count(*) > 0),
                rolloy_internal._dash_empty('No failed images.', 'Failures of the provider show here with its message.'))
    || '</section>');
END;
COMMENT ON FUNCTION rolloy_internal._dash_generation() IS
    'The generation page: usage against quota and budget, the queue, the worker, failures.';
