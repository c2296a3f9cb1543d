# The S3 server of the tests (lib/s3rver.cjs), installed from npm into a cache outside the
# clone on first use (ROLLOY_S3RVER_CACHE, default ~/.cache/rolloy-s3rver). Source it.
#   s3rver_start DIR   starts it on $S3_PORT (ROLLOY_S3RVER_PORT, default 25446) serving
#                      bucket $S3_BUCKET from DIR; s3rver_stop stops it.
S3_PORT=${ROLLOY_S3RVER_PORT:-25446}
S3_BUCKET=rolloy-images
S3_CACHE=${ROLLOY_S3RVER_CACHE:-$HOME/.cache/rolloy-s3rver}
S3_VERSION=5.0.0
S3_PID=

s3rver_install() {
    [ -f "$S3_CACHE/node_modules/@20minutes/s3rver/package.json" ] &&
        grep -q "\"version\": \"$S3_VERSION\"" "$S3_CACHE/node_modules/@20minutes/s3rver/package.json" && return 0
    mkdir -p "$S3_CACHE"
    # Its engines field asks for Node 24; it runs on Node 20 as a library.
    npm install --prefix "$S3_CACHE" --no-audit --no-fund --engine-strict=false \
        "@20minutes/s3rver@$S3_VERSION" >"$S3_CACHE/install.log" 2>&1 ||
        { cat "$S3_CACHE/install.log" >&2; return 1; }
}

s3rver_start() {  # s3rver_start DIR
    s3rver_install
    mkdir -p "$1"
    NODE_PATH="$S3_CACHE/node_modules" node "$ROLLOY_ROOT/test/integration/lib/s3rver.cjs" \
        "$S3_PORT" "$1" "$S3_BUCKET" >"$1.out" 2>&1 &
    S3_PID=$!
    for _ in $(seq 100); do
        grep -q ready "$1.out" 2>/dev/null && return 0
        kill -0 "$S3_PID" 2>/dev/null || break
        sleep 0.1
    done
    cat "$1.out" >&2
    return 1
}

s3rver_stop() {
    [ -n "$S3_PID" ] || return 0
    kill "$S3_PID" 2>/dev/null || true
    wait "$S3_PID" 2>/dev/null || true
    S3_PID=
}
