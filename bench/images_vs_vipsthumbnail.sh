#!/usr/bin/env bash
# Times rolloy's image module against the libvips command-line tools on the same files, in the
# same run:
#   thumbnails:  make_thumbnail()  vs  vipsthumbnail (one process for all files) -> 300x300
#                centre crop, progressive JPEG q70, no metadata
#   full result: process_result()  vs  `vips copy` (one process per file) re-encoding to
#                progressive JPEG q85 + the vipsthumbnail run above
# Both sides use one libvips thread (rolloy's setting inside Postgres); vipsthumbnail is also
# timed with libvips' default thread count. rolloy works on bytes already in memory, the CLIs
# read and write files (in the page cache).
#
#   bench/images_vs_vipsthumbnail.sh [BUILD_DIR=build] [N=40]
# BUILD_DIR must hold images_bench (benchmarks are not built with ROLLOY_ONLY):
#   cmake -S . -B build && cmake --build build -j2 --target images_bench
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
count=${2:-40}
bench="$build/images_bench"
[[ -x "$bench" ]] || { echo "no $bench: build it first" >&2; exit 1; }
command -v vipsthumbnail >/dev/null || { echo "vipsthumbnail not installed" >&2; exit 1; }

work=$(mktemp -d /tmp/rolloy_images_vs_XXXXXX)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/in" "$work/thumbs" "$work/full"
"$bench" --write-samples "$work/in" "$count"
files=("$work"/in/*.jpg)

now() { date +%s.%N; }
# best of 3 wall-clock runs of "$@", in seconds
best_of_3() {
    local best="" start end t
    for _ in 1 2 3; do
        start=$(now)
        "$@" >/dev/null 2>&1
        end=$(now)
        t=$(python3 -c "print($end - $start)")
        if [[ -z "$best" ]] || python3 -c "import sys; sys.exit(0 if $t < $best else 1)"; then best=$t; fi
    done
    echo "$best"
}

thumbs_cli() {
    vipsthumbnail "${files[@]}" --size 300x300 --smartcrop centre "$@" \
        -o "$work/thumbs/%s.jpg[Q=70,interlace,optimize_coding,strip]"
}
reencode_cli() {
    local f
    for f in "${files[@]}"; do
        vips copy "$f" "$work/full/$(basename "$f")[Q=85,interlace,optimize_coding,strip]" --vips-concurrency=1
    done
}

vt1=$(best_of_3 thumbs_cli --vips-concurrency=1)
vtn=$(best_of_3 thumbs_cli)
vre=$(best_of_3 reencode_cli)

json=$(ROLLOY_BENCH_IMAGES_DIR="$work/in" "$bench" --benchmark_filter='^BM_Files_' --benchmark_format=json 2>/dev/null)

python3 - "$count" "$vt1" "$vtn" "$vre" "$json" <<'PY'
import json, sys
n = int(sys.argv[1]); vt1, vtn, vre = (float(x) for x in sys.argv[2:5])
runs = {b["name"].split("/")[0]: b for b in json.loads(sys.argv[5])["benchmarks"]}
def seconds(b):
    scale = {"ns": 1e-9, "us": 1e-6, "ms": 1e-3, "s": 1.0}[b["time_unit"]]
    return b["real_time"] * scale
thumb = seconds(runs["BM_Files_MakeThumbnail"]); full = seconds(runs["BM_Files_ProcessResult"])
ms = lambda s: f"{1000 * s / n:7.1f} ms/image"
print(f"{n} photo-like 1024x1024 JPEGs")
print(f"thumbnail  rolloy make_thumbnail (1 thread)    {ms(thumb)}")
print(f"thumbnail  vipsthumbnail, 1 thread             {ms(vt1)}   rolloy/vipsthumbnail = {thumb / vt1:.2f}")
print(f"thumbnail  vipsthumbnail, default threads      {ms(vtn)}   rolloy/vipsthumbnail = {thumb / vtn:.2f}")
print(f"full       rolloy process_result (1 thread)    {ms(full)}")
print(f"full       vips copy (process per file) + vipsthumbnail, 1 thread  {ms(vre + vt1)}"
      f"   rolloy/CLI = {full / (vre + vt1):.2f}")
PY
