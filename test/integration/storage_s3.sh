#!/usr/bin/env bash
# The s3 image store against an S3-protocol server that verifies SigV4 (@20minutes/s3rver from
# npm, lib/s3rver.sh): images go through the worker into the bucket, one object per image (the
# file; the thumbnail is a row of rolloy.image_store), and come back through image(),
# thumbnail() (from the row, with the bucket down too), project_zip() and presigned URLs; wrong
# credentials, a missing bucket, an outage mid-batch and kill -9 between upload and commit lose
# no image and leave none half written; deleting an image deletes its row at once and its object
# at cleanup(), which sweeps objects without rows; move_images() moves every image both ways,
# byte for byte, thumbnails included.
set -euo pipefail
source "$(dirname "$0")/lib/worker_env.sh"
source "$(dirname "$0")/lib/s3rver.sh"
worker_env_up
trap 's3rver_stop; worker_env_cleanup' EXIT
S3DIR=$TMP/s3
s3rver_start "$S3DIR"
KEY=ROLLOYTESTKEY SECRET=rolloy-test-secret-0001

settings() {  # settings "name = value" ...: ALTER SYSTEM, reload, and give the worker time to see it
    local args=()
    for s in "$@"; do args+=(-c "ALTER SYSTEM SET rolloy.$s"); done
    psql -X -q -v ON_ERROR_STOP=1 -d postgres "${args[@]}" -c "SELECT pg_reload_conf()" >/dev/null
    sleep 1.5 # the worker reads settings and credentials once a second
}
# Keys in the bucket under a prefix, listed by curl's own SigV4 signer (not ours); 7.88 signs the
# query as given, so it is written canonical (/ as %2F).
bucket_keys() {
    curl -s --aws-sigv4 "aws:amz:us-east-1:s3" --user "$KEY:$SECRET" \
        -H "x-amz-content-sha256: e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" \
        "http://127.0.0.1:$S3_PORT/$S3_BUCKET?list-type=2&prefix=${1//\//%2F}" | grep -o '<Key>[^<]*</Key>' | sed 's/<[^>]*>//g' || true
}
count_keys() { bucket_keys "$1" | grep -c . || true; }
# Every completed image of a project: its bytes (image()) match its SHA-256 and it has a thumbnail.
intact() {  # intact PROJECT -> number of completed images whose bytes or thumbnail are wrong
    q -c "SELECT count(*) FROM rolloy.generated_images g WHERE g.project_id = '$1' AND g.status = 'completed'
            AND (encode(sha256(rolloy.image(g.id)), 'hex') IS DISTINCT FROM g.sha256
                 OR length(rolloy.thumbnail(g.id)) IS NULL)"
}
# Images of the s3 store as they must be: one object each (no thumbnail object), and a row of
# rolloy.image_store with the thumbnail and without the file, describing the object.
one_object_each() {  # one_object_each PREFIX -> "objects|thumbnail objects|rows without file|rows with a file or wrong"
    local objects thumbs
    objects=$(bucket_keys "$1")
    thumbs=$(grep -c '\.thumbnail$' <<<"$objects" || true)
    echo "$(grep -c . <<<"$objects" || true)|$thumbs|$(q -c "
        SELECT count(*) FILTER (WHERE s.content IS NULL AND length(s.thumbnail) > 0 AND s.sha256 = g.sha256
                                  AND s.size_bytes = g.size_bytes AND s.content_type = 'image/jpeg')
               || '|' || count(*) FILTER (WHERE NOT (s.content IS NULL AND s.sha256 = g.sha256 AND s.size_bytes = g.size_bytes))
          FROM rolloy.generated_images g JOIN rolloy.image_store s ON s.storage_ref = g.storage_ref
         WHERE g.storage_ref LIKE 's3:' || '$1' || '%'")"
}
last_error() { q -c "SELECT coalesce(last_error, '') FROM rolloy.worker_status()"; }

settings "image_store = 's3'" "s3_endpoint = 'http://127.0.0.1:$S3_PORT'" "s3_bucket = '$S3_BUCKET'" \
    "s3_region = 'us-east-1'" "s3_path_style = on"
q -c "SELECT rolloy.set_storage_credentials('$KEY', '$SECRET')" >/dev/null

# -- Bad input: refused with a clear message, nothing changed.
out=$(q -c "SELECT rolloy.set_storage_credentials('$KEY', 'short')" 2>&1 || true)
check "a short secret is refused" "$(grep -c 'does not look like a secret access key' <<<"$out")" "1"
check "the credentials kept" "$(q -c "SELECT access_key_hint FROM rolloy.storage_settings()")" "…TKEY"
out=$(q -c "SELECT * FROM rolloy.move_images('gcs')" 2>&1 || true)
check "an unknown store is refused" "$(grep -c 'unknown image store "gcs"' <<<"$out")" "1"
out=$(q -c "SELECT * FROM rolloy.move_images('db', 0)" 2>&1 || true)
check "a batch of 0 is refused" "$(grep -c 'batch_size must be between 1 and 1000' <<<"$out")" "1"

# -- Round trip through the worker.
p1=$(new_project OUT PARK WALK JOY UGC "round trip")
for i in 1 2 3 4; do queue_job "$p1" gemini "a senior walks $i" >/dev/null; done
wait_for "SELECT count(*) = 4 FROM rolloy.generated_images WHERE project_id = '$p1' AND status = 'completed'" 60 "round trip"
check "every image has an s3 reference with its content hash" "$(q -c "SELECT count(*) FROM rolloy.generated_images
      WHERE project_id = '$p1' AND storage_ref = 's3:generated/' || project_id || '/' || id || '/' || sha256")" "4"
check "one object per image, thumbnails in rows without the file" "$(one_object_each "generated/$p1/")" "4|0|4|0"
check "no database row of theirs holds a file" "$(q -c "SELECT count(*) FROM rolloy.image_store WHERE storage_ref LIKE '%$p1%' AND content IS NOT NULL")" "0"
check "image() and thumbnail() read them back intact" "$(intact "$p1")" "0"
q -c "SELECT encode(rolloy.project_zip('$p1'), 'base64')" | base64 -d >"$TMP/p1.zip"
check "project_zip() holds the 4 images" "$(unzip -Z1 "$TMP/p1.zip" | grep -c '\.jpg$')" "4"

# -- Presigned URLs: fetched by curl, they work and then expire.
img=$(q -c "SELECT id FROM rolloy.generated_images WHERE project_id = '$p1' ORDER BY id LIMIT 1")
url=$(q -c "SELECT rolloy.image_url('$img', '1 minute')")
check "a presigned URL serves the image" "$(curl -s -o "$TMP/url.jpg" -w '%{http_code}' "$url")" "200"
check "byte for byte" "$(sha256sum <"$TMP/url.jpg" | cut -d' ' -f1)" "$(image_field "$img" sha256)"
short=$(q -c "SELECT rolloy.image_url('$img', '1 second')")
sleep 2.5
check "an expired URL is refused" "$(curl -s -o /dev/null -w '%{http_code}' "$short")" "403"
check "a tampered URL is refused" "$(curl -s -o /dev/null -w '%{http_code}' "${url/X-Amz-Expires=60/X-Amz-Expires=600}")" "403"
out=$(q -c "SELECT rolloy.image_url('$img', '8 days')" 2>&1 || true)
check "a URL for more than 7 days is refused" "$(grep -c 'between 1 second and 7 days' <<<"$out")" "1"

# -- Wrong credentials: a clear error (403), and no image is lost: they wait, then complete.
q -c "SELECT rolloy.set_storage_credentials('$KEY', 'not-the-secret-000')" >/dev/null
sleep 1.5
out=$(q -c "SELECT length(rolloy.image('$img'))" 2>&1 || true)
check "reading with a wrong secret says why" "$(grep -c 'HTTP 403 SignatureDoesNotMatch' <<<"$out")" "1"
check "a thumbnail needs no request: served with a wrong secret" "$(q -c "SELECT length(rolloy.thumbnail('$img')) > 0")" "t"
p2=$(new_project OUT PARK WALK JOY UGC "wrong key")
for i in 1 2; do queue_job "$p2" gemini "wrong key $i" >/dev/null; done
wait_for "SELECT (SELECT last_error FROM rolloy.worker_status()) LIKE '%HTTP 403 SignatureDoesNotMatch%'" 30 "the 403 reported"
# The result waits (its row processing); the project's other image waits unclaimed meanwhile.
check "the results wait, none failed or completed" \
    "$(q -c "SELECT count(*) FILTER (WHERE status = 'processing') > 0, count(*) FILTER (WHERE status IN ('failed', 'completed'))
             FROM rolloy.generated_images WHERE project_id = '$p2'")" "t|0"
check "the secret appears in no error" "$(q -c "SELECT count(*) FROM rolloy.generated_images WHERE last_error LIKE '%not-the-secret%'")$(last_error | grep -c not-the-secret || true)" "00"
q -c "SELECT rolloy.set_storage_credentials('$KEY', '$SECRET')" >/dev/null
wait_for "SELECT count(*) = 2 FROM rolloy.generated_images WHERE project_id = '$p2' AND status = 'completed'" 60 "completion after the key is fixed"
check "their images intact" "$(intact "$p2")" "0"
check "each image called once: the waiting result was kept" \
    "$(q -c "SELECT max(attempts) FROM rolloy.generated_images WHERE project_id = '$p2'")" "1"

# -- Missing bucket: the same.
settings "s3_bucket = 'no-such-bucket'"
p3=$(new_project OUT PARK WALK JOY UGC "no bucket")
for i in 1 2; do queue_job "$p3" gemini "no bucket $i" >/dev/null; done
wait_for "SELECT (SELECT last_error FROM rolloy.worker_status()) LIKE '%NoSuchBucket%'" 30 "the missing bucket reported"
check "the results wait" "$(q -c "SELECT count(*) FILTER (WHERE status = 'processing') > 0, count(*) FILTER (WHERE status IN ('failed', 'completed'))
                               FROM rolloy.generated_images WHERE project_id = '$p3'")" "t|0"
settings "s3_bucket = '$S3_BUCKET'"
wait_for "SELECT count(*) = 2 FROM rolloy.generated_images WHERE project_id = '$p3' AND status = 'completed'" 60 "completion with the bucket back"
check "their images intact" "$(intact "$p3")" "0"

# -- Outage mid-batch: the server stops while results arrive; retries complete the batch.
p4=$(new_project OUT PARK WALK JOY UGC "outage")
# 10 quick calls complete before the outage; 20 slow ones return while the server is down.
settings "request_timeout_ms = 20000"
q -c "INSERT INTO rolloy.generated_images (project_id, reference_image_id, provider, model, prompt)
      SELECT '$p4', r.id, 'gemini', 'gemini-2.5-flash-image',
             CASE WHEN n <= 10 THEN '[[fault:latency=200]] outage ' ELSE '[[fault:latency=8000]] outage ' END || n
        FROM rolloy.reference_images r, generate_series(1, 30) n WHERE r.product_state = 'expanded'" >/dev/null
wait_for "SELECT count(*) >= 10 FROM rolloy.generated_images WHERE project_id = '$p4' AND status = 'completed'" 60 "the quick ones completed"
s3rver_stop
echo "stopped the S3 server mid-batch"
sleep 9 # the slow calls return meanwhile; their uploads fail and are tried again
done_during=$(q -c "SELECT count(*) FROM rolloy.generated_images WHERE project_id = '$p4' AND status = 'completed'")
check "nothing failed during the outage" "$(q -c "SELECT count(*) FROM rolloy.generated_images WHERE project_id = '$p4' AND status = 'failed'")" "0"
check "results wait during the outage" "$(q -c "SELECT count(*) > 0 FROM rolloy.generated_images WHERE project_id = '$p4' AND status = 'processing'")" "t"
check "thumbnails are served from their rows with the bucket down" \
    "$(q -c "SELECT count(*) FROM rolloy.generated_images g WHERE g.project_id = '$p1'
             AND encode(sha256(rolloy.thumbnail(g.id)), 'hex') = (SELECT encode(sha256(s.thumbnail), 'hex') FROM rolloy.image_store s WHERE s.storage_ref = g.storage_ref)")" "4"
out=$(q -c "SELECT length(rolloy.image('$img'))" 2>&1 || true)
check "image() reads the bucket: down, it says so" "$(grep -c 'S3 GET failed' <<<"$out")" "1"
s3rver_start "$S3DIR"
echo "restarted the S3 server ($done_during of 30 completed before)"
check "the outage hit the batch mid-way" "$([ "$done_during" -ge 1 ] && [ "$done_during" -lt 30 ] && echo yes)" "yes"
wait_for "SELECT count(*) = 30 FROM rolloy.generated_images WHERE project_id = '$p4' AND status = 'completed'" 120 "the batch completes"
check "every image of the batch intact" "$(intact "$p4")" "0"
check "one object per image" "$(one_object_each "generated/$p4/")" "30|0|30|0"

# -- kill -9 of the worker between upload and commit: a member's open transaction holds the
#    project, so results are uploaded but cannot be recorded; the worker dies then.
p5=$(new_project OUT PARK WALK JOY UGC "kill")
for i in 1 2 3; do queue_job "$p5" gemini "[[fault:latency=2500]] kill $i" >/dev/null; done
wait_for "SELECT count(*) = 3 FROM rolloy.generated_images WHERE project_id = '$p5' AND status = 'processing'" 30 "calls in flight"
psql -X -q -d "$WDB" -c "BEGIN; SELECT 1 FROM rolloy.creative_projects WHERE id = '$p5' FOR UPDATE; SELECT pg_sleep(120)" >/dev/null 2>&1 &
holder=$!
wait_for "SELECT count(*) = 1 FROM pg_stat_activity WHERE wait_event = 'PgSleep' AND query LIKE '%pg_sleep(120)%'" 30 "the lock held"
check "the lock was taken while the calls were in flight" \
    "$(q -c "SELECT count(*) FROM rolloy.generated_images WHERE project_id = '$p5' AND status = 'processing'")" "3"
for _ in $(seq 100); do [ "$(count_keys "generated/$p5/")" = 3 ] && break; sleep 0.2; done
check "uploaded (one object each) before the rows could be written" "$(count_keys "generated/$p5/")" "3"
check "no row written" "$(q -c "SELECT count(*) FROM rolloy.generated_images WHERE project_id = '$p5' AND status = 'completed'")" "0"
check "no thumbnail row written" "$(q -c "SELECT count(*) FROM rolloy.image_store WHERE storage_ref LIKE 's3:generated/$p5/%'")" "0"
victim=$(worker_pid)
kill -9 "$victim"
echo "killed worker $victim with SIGKILL between upload and commit"
wait "$holder" 2>/dev/null || true # the postmaster's reset ends the lock holder too
for _ in $(seq 100); do psql -X -q -d postgres -c "SELECT 1" >/dev/null 2>&1 && break; sleep 0.2; done
wait_worker
wait_for "SELECT count(*) = 3 FROM rolloy.generated_images WHERE project_id = '$p5' AND status = 'completed'" 90 "completion after kill -9"
check "their images intact" "$(intact "$p5")" "0"
check "no half image: each completed one has its object and its thumbnail row, nothing else has a row" \
    "$(one_object_each "generated/$p5/")|$(q -c "SELECT count(*) FROM rolloy.image_store s WHERE s.storage_ref LIKE 's3:generated/$p5/%'")" "3|0|3|0|3"

# -- Deleting an image: its thumbnail row goes with it, its object at the next cleanup().
gone=$(q -c "SELECT id FROM rolloy.generated_images WHERE project_id = '$p5' ORDER BY id LIMIT 1")
gone_key=$(q -c "SELECT substr(storage_ref, 4) FROM rolloy.generated_images WHERE id = '$gone'")
q -c "DELETE FROM rolloy.generated_images WHERE id = '$gone'" >/dev/null
check "the deleted image's thumbnail row is gone with it" "$(q -c "SELECT count(*) FROM rolloy.image_store WHERE storage_ref = 's3:$gone_key'")" "0"
check "its object waits for cleanup() (a rolled-back delete must find it)" "$(count_keys "$gone_key")" "1"

# -- cleanup() sweeps objects without rows, once older than the grace: the deleted image's, a
#    planted orphan, and a thumbnail object as builds before one object per image wrote it.
plant() {  # plant KEY
    curl -s -o /dev/null --aws-sigv4 "aws:amz:us-east-1:s3" --user "$KEY:$SECRET" -X PUT --data-binary "orphan" \
        -H "x-amz-content-sha256: $(printf orphan | sha256sum | cut -d' ' -f1)" -H "Content-Type: image/jpeg" \
        "http://127.0.0.1:$S3_PORT/$S3_BUCKET/$1"
}
plant "generated/$p5/00000000-0000-0000-0000-000000000000/orphan"
plant "$gone_key.thumbnail"
check "an orphan and a thumbnail object are planted" "$(count_keys "generated/$p5/00000000")$(count_keys "$gone_key.thumbnail")" "11"
check "a young orphan is kept (grace)" "$(q -c "SELECT rows_affected FROM rolloy.cleanup() WHERE what = 'orphaned objects deleted'")" "0"
settings "storage_orphan_grace_seconds = 0"
check "cleanup() sweeps them" "$(q -c "SELECT rows_affected >= 3 FROM rolloy.cleanup() WHERE what = 'orphaned objects deleted'")" "t"
check "no orphan left after cleanup" "$(count_keys "generated/$p5/00000000")$(count_keys "$gone_key")" "00"
rows=$(q -c "SELECT count(*) FROM rolloy.generated_images WHERE storage_ref LIKE 's3:%'")
check "every object belongs to a row, one each" "$(count_keys generated/)" "$rows"
check "every thumbnail row belongs to an image" "$(q -c "SELECT count(*) FROM rolloy.image_store s WHERE s.storage_ref LIKE 's3:%'
      AND NOT EXISTS (SELECT 1 FROM rolloy.generated_images g WHERE g.storage_ref = s.storage_ref)")" "0"
check "no image lost" "$(q -c "SELECT count(*) FROM rolloy.generated_images g WHERE g.status = 'completed'
      AND encode(sha256(rolloy.image(g.id)), 'hex') IS DISTINCT FROM g.sha256")" "0"

# -- move_images() both ways, in batches, keeps every byte.
fingerprint() {
    q -c "SELECT md5(string_agg(g.id || encode(sha256(rolloy.image(g.id)), 'hex') || encode(sha256(rolloy.thumbnail(g.id)), 'hex'), ',' ORDER BY g.id))
            FROM rolloy.generated_images g WHERE g.status = 'completed'"
}
move_all() {  # move_all TARGET BATCH -> number of calls
    local calls=0 remaining=1
    while [ "$remaining" != 0 ]; do
        remaining=$(q -c "SELECT remaining FROM rolloy.move_images('$1', $2)")
        calls=$((calls + 1))
    done
    echo "$calls"
}
before=$(fingerprint)
total=$(q -c "SELECT count(*) FROM rolloy.generated_images WHERE status = 'completed'")
calls=$(move_all db 7)
echo "moved $total images to db in $calls calls"
check "all in the database store" "$(q -c "SELECT count(*) FROM rolloy.generated_images WHERE status = 'completed' AND storage_ref LIKE 'db:%'")" "$total"
check "every byte kept (s3 -> db)" "$(fingerprint)" "$before"
check "no row of the s3 store left, every db row holds its file" \
    "$(q -c "SELECT count(*) FILTER (WHERE storage_ref LIKE 's3:%') || '|' || count(*) FILTER (WHERE content IS NULL) FROM rolloy.image_store")" "0|0"
out=$(q -c "SELECT rolloy.image_url('$img')" 2>&1 || true)
check "image_url() of a db image says why not" "$(grep -c 'kept in the database store, which has no URLs' <<<"$out")" "1"
q -c "SELECT FROM rolloy.cleanup()" >/dev/null
check "the moved objects are swept" "$(count_keys generated/)" "0"
s3rver_stop
out=$(q -c "SELECT * FROM rolloy.move_images('s3', 5)" 2>&1 || true)
check "a move with the store down fails" "$(grep -c 'S3 PUT' <<<"$out")" "1"
check "and changes nothing" "$(q -c "SELECT count(*) FROM rolloy.generated_images WHERE storage_ref LIKE 's3:%'")" "0"
s3rver_start "$S3DIR"
calls=$(move_all s3 5)
echo "moved $total images to s3 in $calls calls"
check "all in the s3 store" "$(q -c "SELECT count(*) FROM rolloy.generated_images WHERE status = 'completed' AND storage_ref LIKE 's3:%'")" "$total"
check "every byte kept (db -> s3)" "$(fingerprint)" "$before"
check "nothing left in the database store" "$(q -c "SELECT count(*) FROM rolloy.image_store WHERE storage_ref LIKE 'db:generated/%'")" "0"
check "one object per image, thumbnails in rows without the file" "$(one_object_each generated/)" "$total|0|$total|0"
echo "storage_s3: ok"
