-- rolloy.image_store holds the files of the db store and the thumbnails of the s3 store (one
-- object per image: the file). This cluster has no bucket (rolloy.s3_endpoint is empty), so
-- whatever reads a thumbnail here reads it from the row, and image() of an s3 image has to ask
-- the bucket and says it has none. The worker's and move_images()' writes against a real S3
-- server are test/integration/storage_s3.sh.
BEGIN;
\ir 00_fixture.inc
SELECT plan(21);  -- fixed: a probe that returns no rows cannot pass unnoticed

-- Alice's second image of 'alice park', completed into the s3 store the worker's way: the image
-- row and the thumbnail row (no file) together.
CREATE TEMP TABLE s3img AS
SELECT g.id, g.project_id, 's3:generated/' || g.project_id || '/' || g.id || '/' || repeat('a', 64) AS ref,
       (SELECT s.storage_ref FROM rolloy.image_store s JOIN rolloy.generated_images d ON d.storage_ref = s.storage_ref
         WHERE d.project_id = g.project_id) AS db_ref
  FROM rolloy.generated_images g
 WHERE g.project_id = '10000000-0000-0000-0000-0000000000a1' AND g.variant_no = 2;
GRANT SELECT ON s3img TO PUBLIC;
SELECT lives_ok($$INSERT INTO rolloy.image_store (storage_ref, content_type, thumbnail, sha256, size_bytes)
                  SELECT ref, 'image/jpeg', '\x0102', repeat('a', 64), 2000 FROM s3img$$,
                'an s3 image''s row holds its thumbnail without the file');
UPDATE rolloy.generated_images g SET status = 'completed', storage_ref = s.ref, sha256 = repeat('a', 64), completed_at = now()
  FROM s3img s WHERE g.id = s.id;

-- The checks: the file is in the row exactly for the db store; no other scheme.
SELECT throws_ok($$INSERT INTO rolloy.image_store VALUES ('s3:generated/p/i/x', '\x01', 'image/jpeg', '\x01', repeat('0', 64), 1)$$,
                 '23514', NULL, 'an s3 row with a file is refused (the file is the object)');
SELECT throws_ok($$INSERT INTO rolloy.image_store (storage_ref, content_type, thumbnail, sha256, size_bytes)
                   VALUES ('db:generated/p/i', 'image/jpeg', '\x01', repeat('0', 64), 1)$$,
                 '23514', NULL, 'a db row without its file is refused');
SELECT throws_ok($$INSERT INTO rolloy.image_store (storage_ref, content_type, thumbnail, sha256, size_bytes)
                   VALUES ('gcs:generated/p/i', 'image/jpeg', '\x01', repeat('0', 64), 1)$$,
                 '23514', NULL, 'a scheme no store serves is refused');
SELECT throws_ok($$INSERT INTO rolloy.image_store (storage_ref, content_type, thumbnail, sha256, size_bytes)
                   VALUES ('s3:elsewhere/p/i', 'image/jpeg', '\x01', repeat('0', 64), 1)$$,
                 '23514', NULL, 'an s3 reference outside generated/ and reference/ is refused');

-- Row-level security covers the s3 rows exactly as the db rows of the same project: every
-- identity sees both or neither.
SELECT is((SELECT array_agg(pg_temp.probe(c.ctx, format('SELECT 1 FROM rolloy.image_store WHERE storage_ref = %L', s.ref))
                            ORDER BY c.pos) FROM contexts c, s3img s),
          (SELECT array_agg(pg_temp.probe(c.ctx, format('SELECT 1 FROM rolloy.image_store WHERE storage_ref = %L', s.db_ref))
                            ORDER BY c.pos) FROM contexts c, s3img s),
          'every identity sees the s3 row exactly when it sees the db row of the same project');
SELECT is((SELECT array_agg(pg_temp.probe(c.ctx, format('SELECT 1 FROM rolloy.image_store WHERE storage_ref = %L', s.ref))
                            ORDER BY c.pos) FROM contexts c, s3img s),
          '{rows:1,rows:0,rows:1,rows:0,rows:1,rows:1,rows:0,rows:0,error:42501}',
          'the owner and admins see it, others not');

-- Reading: thumbnail() from the row (no bucket needed), for those who may see the image.
CREATE FUNCTION pg_temp.thumb_as(ctx text) RETURNS bytea LANGUAGE plpgsql AS $$
DECLARE
    t bytea;
BEGIN
    PERFORM pg_temp.enter(ctx);
    SELECT rolloy.thumbnail(s.id) INTO t FROM s3img s;
    RESET ROLE;
    RETURN t;
END
$$;
SELECT is(pg_temp.thumb_as('alice'), '\x0102'::bytea, 'the owner reads the thumbnail from its row, no bucket asked');
SELECT is(pg_temp.thumb_as('admin'), '\x0102'::bytea, 'an admin too');
SELECT is(pg_temp.thumb_as('bob'), NULL::bytea, 'another member reads nothing');
SELECT is(pg_temp.probe_message('alice', 'SELECT 1 FROM s3img WHERE length(rolloy.image(id)) > 0'),
          'error:55000 no s3 store is configured (rolloy.s3_endpoint is empty) | A superuser sets rolloy.s3_endpoint, rolloy.s3_bucket and rolloy.s3_region.',
          'image() of an s3 image reads the file from the bucket (here: none configured)');
SELECT is(pg_temp.probe('alice', 'SELECT 1 FROM s3img WHERE length(rolloy.image_file(id, true)) = 2'), 'rows:1',
          'the dashboard''s image_file(thumbnail => true) serves it too');

-- storage_settings() counts images by their reference, not by rows of image_store.
SELECT pg_temp.enter('admin');
SELECT is((SELECT images_in_db || '/' || images_in_s3 FROM rolloy.storage_settings()), '3/1',
          'storage_settings(): 3 images in db, 1 in s3');
RESET ROLE;

-- Deleting: a rolled-back delete keeps the thumbnail row, a committed one removes it with the image.
CREATE FUNCTION pg_temp.delete_rolled_back() RETURNS bigint LANGUAGE plpgsql AS $$
BEGIN
    BEGIN
        DELETE FROM rolloy.generated_images g USING s3img s WHERE g.id = s.id;
        RAISE EXCEPTION USING ERRCODE = 'P0099';
    EXCEPTION WHEN SQLSTATE 'P0099' THEN NULL;
    END;
    RETURN (SELECT count(*) FROM rolloy.image_store i JOIN s3img s ON i.storage_ref = s.ref);
END
$$;
SELECT is(pg_temp.delete_rolled_back(), 1::bigint, 'a rolled-back delete of the image keeps its thumbnail row');
DELETE FROM rolloy.generated_images g USING s3img s WHERE g.id = s.id;
SELECT is((SELECT count(*) FROM rolloy.image_store i JOIN s3img s ON i.storage_ref = s.ref), 0::bigint,
          'deleting the image deletes its thumbnail row in the same transaction');
SELECT is((SELECT count(*) FROM rolloy.image_store i JOIN s3img s ON i.storage_ref = s.db_ref), 1::bigint,
          'the project''s db image keeps its row');

-- cleanup() deletes thumbnail rows no image refers to (a restore of part of the data, say),
-- once older than the grace, as it does db rows; younger ones stay.
INSERT INTO rolloy.image_store (storage_ref, content_type, thumbnail, sha256, size_bytes, created_at) VALUES
    ('s3:generated/p/old/' || repeat('b', 64), 'image/jpeg', '\x01', repeat('b', 64), 1, now() - interval '2 days'),
    ('s3:generated/p/young/' || repeat('c', 64), 'image/jpeg', '\x01', repeat('c', 64), 1, now());
SELECT is((SELECT rows_affected FROM rolloy.cleanup() WHERE what = 'orphaned stored images deleted'), 1::bigint,
          'cleanup() deletes the old orphaned thumbnail row');
SELECT is((SELECT string_agg(split_part(storage_ref, '/', 3), ',') FROM rolloy.image_store WHERE storage_ref LIKE 's3:generated/p/%'),
          'young', 'and keeps the young one (grace)');
SELECT is((SELECT rows_affected FROM rolloy.cleanup() WHERE what = 'orphaned objects deleted'), 0::bigint,
          'with no bucket configured the object sweep deletes nothing');

-- A member cannot write thumbnail rows: only rolloy does.
SELECT is(pg_temp.probe('alice', $$INSERT INTO rolloy.image_store (storage_ref, content_type, thumbnail, sha256, size_bytes)
                                   SELECT ref, 'image/jpeg', '\x01', repeat('a', 64), 1 FROM s3img$$),
          'error:42501', 'a member cannot plant a thumbnail row');
SELECT is(pg_temp.probe('alice', $$UPDATE rolloy.image_store SET thumbnail = '\x09' WHERE storage_ref LIKE 's3:%'$$),
          'error:42501', 'nor change one');

SELECT * FROM finish();
ROLLBACK;
