-- Dashboard, part 2: inline SVG charts. Honest by construction: value axes start at zero and
-- say their unit, a chart never mixes currencies (callers draw one per currency), points and
-- bars from small samples are drawn hollow and marked †, and every chart carries a text
-- alternative (role="img" with <title> and <desc>) and its numbers as a table.
--
-- Points and bars arrive as a jsonb array of objects: label (text), v (the value), optional lo
-- and hi (an uncertainty band), small (true: below the sample gate), note (text for the table).

-- A line chart with an optional band, for fractions (CTR): the axis is in percent.
CREATE FUNCTION rolloy_internal._dash_line_chart(chart_id text, title text, y_label text, points jsonb) RETURNS text
LANGUAGE sql IMMUTABLE
BEGIN ATOMIC
WITH p AS (
    SELECT e.n, e.x ->> 'label' AS label, (e.x ->> 'v')::numeric AS v, (e.x ->> 'lo')::numeric AS lo,
           (e.x ->> 'hi')::numeric AS hi, coalesce((e.x ->> 'small')::boolean, false) AS small, e.x ->> 'note' AS note,
           count(*) OVER () AS total
      FROM jsonb_array_elements(_dash_line_chart.points) WITH ORDINALITY e(x, n)
), scale AS (
    -- Top of the axis: 10 % above the highest value or band, so nothing touches the frame.
    SELECT greatest(max(greatest(p.v, coalesce(p.hi, p.v))) * 1.1, 0.0001) AS top, max(p.total) AS total FROM p
), xy AS (
    SELECT p.*, round(56 + CASE WHEN p.total = 1 THEN 284 ELSE (p.n - 1) * 568.0 / (p.total - 1) END, 1) AS x,
           round(200 - p.v / s.top * 184, 1) AS y, round(200 - coalesce(p.hi, p.v) / s.top * 184, 1) AS yhi,
           round(200 - coalesce(p.lo, p.v) / s.top * 184, 1) AS ylo,
           -- at most ~8 labels on the axis: the first, the last and evenly between
           (p.n = 1 OR p.n = p.total OR (p.n - 1) % greatest(1, ceil(p.total / 8.0)::integer) = 0) AS labelled
      FROM p, scale s
)
SELECT '<figure><svg viewBox="0 0 640 240" role="img" aria-labelledby="' || _dash_line_chart.chart_id || '-t '
       || _dash_line_chart.chart_id || '-d" id="' || _dash_line_chart.chart_id || '">'
       || '<title id="' || _dash_line_chart.chart_id || '-t">' || rolloy_internal._html(_dash_line_chart.title) || '</title>'
       || '<desc id="' || _dash_line_chart.chart_id || '-d">'
       || rolloy_internal._html(format('%s points from %s to %s; lowest %s, highest %s, last %s. Shaded: 95 %% interval.',
                                       (SELECT max(total) FROM p), (SELECT label FROM p ORDER BY n LIMIT 1),
                                       (SELECT label FROM p ORDER BY n DESC LIMIT 1),
                                       rolloy_internal._dash_pct((SELECT min(v) FROM p)),
                                       rolloy_internal._dash_pct((SELECT max(v) FROM p)),
                                       rolloy_internal._dash_pct((SELECT v FROM p ORDER BY n DESC LIMIT 1))))
       || '</desc>'
       -- grid and y ticks at 0, 1/4 ... of the axis
       || (SELECT string_agg(format('<line x1="56" x2="624" y1="%s" y2="%s" stroke="#d9e2ec"/>'
                                    '<text x="50" y="%s" text-anchor="end">%s</text>',
                                    round(200 - k * 46.0, 1), round(200 - k * 46.0, 1), round(204 - k * 46.0, 1),
                                    rolloy_internal._dash_num(100 * s.top * k / 4, 2)), '' ORDER BY k)
             FROM generate_series(0, 4) k, scale s)
       || '<text transform="rotate(-90)" x="-108" y="12" text-anchor="middle">' || rolloy_internal._html(_dash_line_chart.y_label)
       || '</text>'
       || coalesce('<polygon fill="#2563eb" fill-opacity="0.15" stroke="none" points="'
                   || (SELECT string_agg(x || ',' || yhi, ' ' ORDER BY n) || ' ' || string_agg(x || ',' || ylo, ' ' ORDER BY n DESC)
                         FROM xy WHERE hi IS NOT NULL) || '"/>', '')
       || '<polyline fill="none" stroke="#2563eb" stroke-width="2" points="'
       || (SELECT string_agg(x || ',' || y, ' ' ORDER BY n) FROM xy) || '"/>'
       || (SELECT string_agg(format('<circle cx="%s" cy="%s" r="3.5" fill="%s" stroke="#2563eb" stroke-width="1.5">'
                                    '<title>%s: %s%s</title></circle>',
                                    x, y, CASE WHEN small THEN '#fff' ELSE '#2563eb' END, rolloy_internal._html(label),
                                    rolloy_internal._dash_pct(v), CASE WHEN small THEN ' (small sample)' ELSE '' END),
                             '' ORDER BY n) FROM xy)
       -- the first and last labels align with the ends of the axis, so they stay inside the chart
       || (SELECT string_agg(format('<text x="%s" y="218" text-anchor="%s">%s</text>', x,
                                    CASE WHEN n = 1 AND total > 1 THEN 'start' WHEN n = total AND total > 1 THEN 'end' ELSE 'middle' END,
                                    rolloy_internal._html(label)),
                             '' ORDER BY n) FROM xy WHERE labelled)
       || '<line x1="56" x2="624" y1="200" y2="200" stroke="#52606d"/><line x1="56" x2="56" y1="16" y2="200" stroke="#52606d"/>'
       || '</svg><figcaption class="note">Filled dots: enough impressions; hollow dots and † in the table: small sample. '
       || 'The axis starts at zero.</figcaption></figure>'
       || '<details><summary>The numbers</summary><table><caption>' || rolloy_internal._html(_dash_line_chart.title)
       || '</caption><thead><tr><th scope="col">Period</th><th scope="col" class="n">' || rolloy_internal._html(_dash_line_chart.y_label)
       || '</th><th scope="col" class="n">95 % interval</th><th scope="col">Note</th></tr></thead><tbody>'
       || (SELECT string_agg(format('<tr><td>%s</td><td class="n">%s%s</td><td class="n">%s – %s</td><td>%s</td></tr>',
                                    rolloy_internal._html(label), rolloy_internal._dash_pct(v),
                                    CASE WHEN small THEN ' <span class="small">†</span>' ELSE '' END,
                                    rolloy_internal._dash_pct(lo), rolloy_internal._dash_pct(hi), rolloy_internal._html(note)),
                             '' ORDER BY n) FROM p)
       || '</tbody></table></details>';
END;
COMMENT ON FUNCTION rolloy_internal._dash_line_chart(text, text, text, jsonb) IS
    'SVG line chart of fractions in percent (zero-based axis) with an optional uncertainty band, a text '
    'alternative and its numbers as a table; points: [{label, v, lo, hi, small, note}].';

-- Horizontal bars, zero-based, with the unit in the axis label (amounts of one currency).
CREATE FUNCTION rolloy_internal._dash_bar_chart(chart_id text, title text, x_label text, bars jsonb) RETURNS text
LANGUAGE sql IMMUTABLE
BEGIN ATOMIC
WITH b AS (
    SELECT e.n, e.x ->> 'label' AS label, (e.x ->> 'v')::numeric AS v, coalesce((e.x ->> 'small')::boolean, false) AS small
      FROM jsonb_array_elements(_dash_bar_chart.bars) WITH ORDINALITY e(x, n)
), scale AS (SELECT greatest(max(b.v), 0.0001) AS top, count(*) AS total FROM b)
SELECT '<figure><svg viewBox="0 0 640 ' || (s.total * 24 + 52) || '" role="img" aria-labelledby="' || _dash_bar_chart.chart_id
       || '-t ' || _dash_bar_chart.chart_id || '-d" id="' || _dash_bar_chart.chart_id || '">'
       || '<title id="' || _dash_bar_chart.chart_id || '-t">' || rolloy_internal._html(_dash_bar_chart.title) || '</title>'
       || '<desc id="' || _dash_bar_chart.chart_id || '-d">'
       || rolloy_internal._html((SELECT string_agg(b.label || ': ' || rolloy_internal._dash_num(b.v, 2)
                                                   || CASE WHEN b.small THEN ' (small sample)' ELSE '' END, '; ' ORDER BY b.n)
                                   FROM b)) || '</desc>'
       || (SELECT string_agg(format('<text x="136" y="%s" text-anchor="end">%s%s</text>'
                                    '<rect x="140" y="%s" width="%s" height="16" fill="%s" stroke="#2563eb"/>'
                                    '<text x="%s" y="%s">%s</text>',
                                    b.n * 24 + 2, rolloy_internal._html(left(b.label, 22)), CASE WHEN b.small THEN ' †' ELSE '' END,
                                    b.n * 24 - 10, round(b.v / s.top * 420, 1), CASE WHEN b.small THEN '#fff' ELSE '#2563eb' END,
                                    round(144 + b.v / s.top * 420, 1), b.n * 24 + 2, rolloy_internal._dash_num(b.v, 2)),
                             '' ORDER BY b.n) FROM b)
       || format('<line x1="140" x2="140" y1="8" y2="%s" stroke="#52606d"/><line x1="140" x2="560" y1="%s" y2="%s" stroke="#52606d"/>'
                 '<text x="140" y="%s" text-anchor="middle">0</text><text x="560" y="%s" text-anchor="middle">%s</text>'
                 '<text x="350" y="%s" text-anchor="middle">%s</text>',
                 s.total * 24 + 14, s.total * 24 + 14, s.total * 24 + 14, s.total * 24 + 28, s.total * 24 + 28,
                 rolloy_internal._dash_num(s.top, 2), s.total * 24 + 44, rolloy_internal._html(_dash_bar_chart.x_label))
       || '</svg><figcaption class="note">Bars start at zero; hollow bars and † mark small samples.</figcaption></figure>'
  FROM scale s;
END;
COMMENT ON FUNCTION rolloy_internal._dash_bar_chart(text, text, text, jsonb) IS
    'SVG horizontal bar chart, zero-based, unit in the axis label, with a text alternative; bars: [{label, v, small}].';

-- A meter (value against a limit) for quota and budget; over the limit shows full and red.
CREATE FUNCTION rolloy_internal._dash_meter(label text, used numeric, limit_value numeric, unit text, decimals integer)
RETURNS text
LANGUAGE sql IMMUTABLE
RETURN '<p><span role="img" aria-label="' || rolloy_internal._html(format('%s: %s of %s %s', label,
                                               rolloy_internal._dash_num(used, decimals),
                                               rolloy_internal._dash_num(limit_value, decimals), unit))
       || '" class="meter"><span style="width:'
       || CASE WHEN coalesce(limit_value, 0) <= 0 THEN 100 ELSE least(100, round(100 * used / limit_value)) END
       || '%' || CASE WHEN used > coalesce(limit_value, 0) THEN ';background:#b91c1c' ELSE '' END || '"></span></span> '
       || rolloy_internal._html(label) || ': <strong>' || rolloy_internal._dash_num(used, decimals) || '</strong> of '
       || rolloy_internal._dash_num(limit_value, decimals) || ' ' || rolloy_internal._html(unit) || '</p>';
COMMENT ON FUNCTION rolloy_internal._dash_meter(text, numeric, numeric, text, integer) IS
    'A labelled meter of used against a limit (quota, budget), with a text alternative.';
