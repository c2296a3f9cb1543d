#!/usr/bin/env bash
# docs/schema.md is generated from the COMMENT ON text; fail when it is stale.
set -euo pipefail
cd "$(dirname "$0")/../.."
fresh=$(mktemp)
trap 'rm -f "$fresh"' EXIT
bash scripts/gen-docs.sh "$fresh"
if ! diff -u docs/schema.md "$fresh" >/dev/null; then
    echo "docs/schema.md is stale: run scripts/gen-docs.sh against an installed rolloy"
    diff -u docs/schema.md "$fresh" | head -40
    exit 1
fi
echo "docs/schema.md: current"
