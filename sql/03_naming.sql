-- ABCD naming: the C++ trigger, the parser, and the refusals.
-- Names carry today's date: outputs show it as YYYYMMDD so the expected file stays valid.
CREATE FUNCTION pg_temp.outcome(query text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE query;
    RETURN 'no error';
EXCEPTION WHEN others THEN
    RETURN SQLSTATE || ': ' || regexp_replace(SQLERRM, '\d{8}_', 'YYYYMMDD_', 'g');
END
$$;
CREATE FUNCTION pg_temp.undated(name text) RETURNS text LANGUAGE sql AS $$
    SELECT regexp_replace(name, '^\d{8}_', 'YYYYMMDD_')
$$;

SELECT * FROM rolloy.load_sample_dictionaries();
SELECT * FROM rolloy.load_sample_dictionaries();  -- idempotent: nothing added twice

DROP ROLE IF EXISTS regress_marketer;
CREATE ROLE regress_marketer;
GRANT rolloy_member TO regress_marketer;
INSERT INTO rolloy.users (id, email, display_name, pg_role)
VALUES ('00000000-0000-0000-0000-00000000000a', 'mia@example.com', 'Mia', 'regress_marketer');

SET rolloy.naming_time_zone = 'UTC';
SET ROLE regress_marketer;
SELECT rolloy.current_user_id(), rolloy.is_admin();

-- Names follow YYYYMMDD_A1_A2_B_C_D; the same ABCD on the same day gets _2, _3.
SELECT generated_name = to_char(now() AT TIME ZONE 'UTC', 'YYYYMMDD') || '_OUT_PARK_WALK_JOY_UGC' AS first_name_ok,
       name_sequence
  FROM rolloy.create_project('out', 'park', 'walk', 'joy', 'ugc', 'First');
SELECT pg_temp.undated(generated_name) AS tail, name_sequence
  FROM rolloy.create_project('OUT', 'PARK', 'WALK', 'JOY', 'UGC', 'Second');
SELECT pg_temp.undated(generated_name) AS tail, name_sequence
  FROM rolloy.create_project(' Out ', 'Park', 'Walk', 'Joy', 'Ugc', 'Third');
SELECT pg_temp.undated(generated_name) AS tail FROM rolloy.create_project('HOME', 'LIVING', 'REST', 'CALM', 'LIFE');

-- Unknown codes fail clearly and create nothing.
SELECT count(*) AS projects_before FROM rolloy.creative_projects;
SELECT pg_temp.outcome($$SELECT rolloy.create_project('OUT', 'MOON', 'WALK', 'JOY', 'UGC')$$);
SELECT pg_temp.outcome($$SELECT rolloy.create_project('OUT', 'PARK', 'FLY', 'JOY', 'UGC')$$);
SELECT pg_temp.outcome($$SELECT rolloy.create_project('OUT', 'PARK', 'WALK', 'ANGER', 'UGC')$$);
SELECT pg_temp.outcome($$SELECT rolloy.create_project('OUT', 'PARK', 'WALK', 'JOY', 'TIKTOK')$$);
SELECT pg_temp.outcome($$SELECT rolloy.create_project(NULL, 'PARK', 'WALK', 'JOY', 'UGC')$$);
SELECT pg_temp.outcome($$INSERT INTO rolloy.creative_projects (scene_id, action_id, driver_id, format_id) VALUES (999, 1, 1, 1)$$);
SELECT pg_temp.outcome($$INSERT INTO rolloy.creative_projects (scene_id, action_id, driver_id) VALUES (1, 1, 1)$$);
SELECT count(*) AS projects_after FROM rolloy.creative_projects;

-- The name is rolloy's: no manual edits, no forged owner, no date change.
SELECT pg_temp.outcome($$UPDATE rolloy.creative_projects SET generated_name = 'MY_NAME' WHERE title = 'First'$$);
SELECT pg_temp.outcome($$UPDATE rolloy.creative_projects SET created_at = created_at - interval '1 day' WHERE title = 'First'$$);
SELECT pg_temp.outcome($$INSERT INTO rolloy.creative_projects (scene_id, action_id, driver_id, format_id, created_by)
                        VALUES (1, 1, 1, 1, '00000000-0000-0000-0000-0000000000ff')$$);

-- Changing the ABCD of a project without images renames it (a new sequence, never a reused one).
UPDATE rolloy.creative_projects SET driver_id = (SELECT id FROM rolloy.drivers WHERE code = 'FREE')
 WHERE title = 'Third';
SELECT pg_temp.undated(generated_name) AS renamed_tail, name_sequence FROM rolloy.creative_projects WHERE title = 'Third';
-- Title edits keep the name.
UPDATE rolloy.creative_projects SET title = 'Third (edited)' WHERE title = 'Third';
SELECT pg_temp.undated(generated_name) AS same_tail FROM rolloy.creative_projects WHERE title = 'Third (edited)';
RESET ROLE;

-- Once a project has images, its ABCD is frozen.
INSERT INTO rolloy.generated_images (project_id, prompt)
SELECT id, 'a walker in a park' FROM rolloy.creative_projects WHERE title = 'First';
INSERT INTO rolloy.generated_images (project_id, prompt)
SELECT id, 'a walker in a park' FROM rolloy.creative_projects WHERE title = 'First';
SELECT variant_no, pg_temp.undated(ad_name) AS ad_name_tail FROM rolloy.generated_images ORDER BY variant_no;
SET ROLE regress_marketer;
SELECT pg_temp.outcome($$UPDATE rolloy.creative_projects SET format_id = (SELECT id FROM rolloy.formats WHERE code = 'HERO') WHERE title = 'First'$$);
SELECT pg_temp.undated(generated_name) AS unchanged_tail FROM rolloy.creative_projects WHERE title = 'First';
RESET ROLE;
-- Image names cannot be edited either.
SELECT pg_temp.outcome($$UPDATE rolloy.generated_images SET ad_name = 'x' WHERE variant_no = 1$$);
-- Even a superuser cannot rename a project by hand.
SELECT pg_temp.outcome($$UPDATE rolloy.creative_projects SET generated_name = 'MY_NAME' WHERE title = 'First'$$);

-- A deleted project's name is never issued again.
SET ROLE regress_marketer;
SELECT rolloy.delete_project(id) FROM rolloy.creative_projects WHERE title = 'Second';
SELECT pg_temp.undated(generated_name) AS after_delete_tail, name_sequence
  FROM rolloy.create_project('OUT', 'PARK', 'WALK', 'JOY', 'UGC', 'Fourth');
RESET ROLE;

-- The date is the creation date in rolloy.naming_time_zone.
SET rolloy.naming_time_zone = 'Pacific/Kiritimati';  -- UTC+14
INSERT INTO rolloy.creative_projects (scene_id, action_id, driver_id, format_id, created_by, created_at)
SELECT s.id, a.id, d.id, f.id, '00000000-0000-0000-0000-00000000000a', '2026-03-01 12:00:00+00'
  FROM rolloy.scenes s, rolloy.actions a, rolloy.drivers d, rolloy.formats f
 WHERE s.scene_code = 'CAFE' AND a.code = 'MEET' AND d.code = 'CONN' AND f.code = 'STORY'
RETURNING generated_name, name_date;
SET rolloy.naming_time_zone = 'America/Los_Angeles';  -- UTC-8
INSERT INTO rolloy.creative_projects (scene_id, action_id, driver_id, format_id, created_by, created_at)
SELECT s.id, a.id, d.id, f.id, '00000000-0000-0000-0000-00000000000a', '2026-03-01 05:00:00+00'
  FROM rolloy.scenes s, rolloy.actions a, rolloy.drivers d, rolloy.formats f
 WHERE s.scene_code = 'CAFE' AND a.code = 'MEET' AND d.code = 'CONN' AND f.code = 'STORY'
RETURNING generated_name, name_date;
RESET rolloy.naming_time_zone;

-- Inactive dictionary entries cannot name new projects.
UPDATE rolloy.formats SET is_active = false WHERE code = 'BANNER';
SET ROLE regress_marketer;
SELECT pg_temp.outcome($$SELECT rolloy.create_project('OUT', 'PARK', 'WALK', 'JOY', 'BANNER')$$);
RESET ROLE;

-- Dictionary codes: validated with a clear message; used codes are frozen.
SELECT pg_temp.outcome($$INSERT INTO rolloy.formats (name, code) VALUES ('Reel', 'reel')$$);
SELECT pg_temp.outcome($$INSERT INTO rolloy.formats (name, code) VALUES ('Reel', 'VERYLONGCODE')$$);
SELECT pg_temp.outcome($$INSERT INTO rolloy.formats (name, code) VALUES ('Reel', 'RE_L')$$);
SELECT pg_temp.outcome($$INSERT INTO rolloy.formats (name, code) VALUES ('Reel', NULL)$$);
SELECT pg_temp.outcome($$INSERT INTO rolloy.formats (name, code) VALUES ('Duplicate', 'UGC')$$);
SELECT pg_temp.outcome($$INSERT INTO rolloy.scenes (category, category_code, scene, scene_code) VALUES ('Outdoor', 'OUT', 'Park again', 'PARK')$$);
SELECT pg_temp.outcome($$INSERT INTO rolloy.drivers (emotion, code, keywords) VALUES ('Hope', 'HOPE', '{a,NULL}')$$);
SELECT pg_temp.outcome($$UPDATE rolloy.formats SET code = 'UGC2' WHERE code = 'UGC'$$);
SELECT pg_temp.outcome($$UPDATE rolloy.formats SET code = 'BANR' WHERE code = 'BANNER'$$);
SELECT code FROM rolloy.formats WHERE name = 'Wide banner';
SELECT pg_temp.outcome($$SELECT rolloy_internal.check_code('driver code (C)', 'joy')$$);

-- Parsing names back.
SELECT (rolloy.parse_creative_name('20261127_OUT_PARK_WALK_JOY_UGC')).*;
SELECT (rolloy.parse_creative_name('  20261127-out-park-walk-joy-ugc_2_v7 - Copy  ')).*;
SELECT n, (rolloy.parse_creative_name(n)).image_name
  FROM unnest(ARRAY[
      '20261127_OUT_PARK_WALK_JOY_UGC_V01',
      '20261127 OUT PARK WALK JOY UGC V01',
      '20261127_OUT_PARK_WALK_JOY_UGC_V01 – Copy 2',
      '20261127_OUT_PARK_WALK_JOY_UGC_V01 (1)',
      '2026-11-27_OUT_PARK_WALK_JOY_UGC_V01',
      'Spring sale carousel',
      '20261127_OUT_PARK_WALK_JOY',
      '20260230_OUT_PARK_WALK_JOY_UGC_V01',
      '20261127_OUT_PARK_WALK_JOY_UGC_V01''; DROP TABLE rolloy.users; --',
      ''
  ]) AS n;
SELECT rolloy.parse_creative_name(NULL) IS NULL AS null_in_null_out;
SELECT rolloy_internal.compose_image_name('20261127_OUT_PARK_WALK_JOY_UGC', 12);
SELECT pg_temp.outcome($$SELECT rolloy_internal.compose_image_name('not a name', 1)$$);
SELECT pg_temp.outcome($$SELECT rolloy_internal.compose_image_name('20261127_OUT_PARK_WALK_JOY_UGC', 0)$$);

-- Reference images offered follow the action's product state (plus 'both').
INSERT INTO rolloy.reference_images (id, product_state, file_name, mime_type, width, height, size_bytes, sha256, storage_ref, uploaded_by)
VALUES ('20000000-0000-0000-0000-000000000001', 'expanded', 'walker-open.jpg', 'image/jpeg', 800, 800, 1000, repeat('a', 64), 'test:reference/20000000-0000-0000-0000-000000000001', '00000000-0000-0000-0000-00000000000a'),
       ('20000000-0000-0000-0000-000000000002', 'folded', 'walker-folded.jpg', 'image/jpeg', 800, 800, 1000, repeat('b', 64), 'test:reference/20000000-0000-0000-0000-000000000002', '00000000-0000-0000-0000-00000000000a'),
       ('20000000-0000-0000-0000-000000000003', 'both', 'walker-both.jpg', 'image/jpeg', 800, 800, 1000, repeat('c', 64), 'test:reference/20000000-0000-0000-0000-000000000003', '00000000-0000-0000-0000-00000000000a');
SET ROLE regress_marketer;
SELECT pg_temp.undated(generated_name) FROM rolloy.create_project('TRVL', 'CAR', 'LOAD', 'FREE', 'LIFE', 'Folded');
SELECT pg_temp.undated(generated_name) FROM rolloy.create_project('HOME', 'HALL', 'FOLD', 'CONF', 'HERO', 'Both states');
SELECT a.code AS action, a.product_state, string_agg(r.file_name, ', ' ORDER BY r.file_name) AS offered
  FROM rolloy.creative_projects p
  JOIN rolloy.actions a ON a.id = p.action_id
  CROSS JOIN LATERAL rolloy.reference_images_for(p.id) r
 WHERE p.title IN ('First', 'Folded', 'Both states')
 GROUP BY a.code, a.product_state ORDER BY 1;
SELECT count(*) AS offered_for_unknown_project FROM rolloy.reference_images_for('00000000-0000-0000-0000-000000000000');
RESET ROLE;

-- Clean up the cluster-wide role.
DELETE FROM rolloy.generated_images;
DELETE FROM rolloy.creative_projects;
DELETE FROM rolloy.reference_images;
DELETE FROM rolloy.users;
DROP ROLE regress_marketer;
