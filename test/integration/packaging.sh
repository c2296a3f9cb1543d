#!/usr/bin/env bash
# Packaging facts that must agree with each other: META.json (PGXN Meta Spec 1.0) has its
# required keys and names the version of rolloy.control, whose install script make installed;
# CHANGELOG.md's newest release is that version; every released version (src/sql/released/)
# has an update path to it.
set -euo pipefail
source "$(dirname "$0")/../../scripts/lib.sh"
: "${PGHOST:?}" "${PGPORT:?}" "${PGUSER:?}"
cd "$ROLLOY_ROOT"
version=$(sed -n "s/^default_version *= *'\(.*\)'/\1/p" rolloy.control)
problems=$(python3 - "$version" <<'PY'
import json, sys
version = sys.argv[1]
meta = json.load(open("META.json"))
problems = []
for key in ("name", "abstract", "version", "maintainer", "license", "provides", "meta-spec"):
    if key not in meta:
        problems.append(f"META.json lacks the required key {key}")
if meta.get("version") != version:
    problems.append(f"META.json version {meta.get('version')} is not rolloy.control's {version}")
provided = meta.get("provides", {}).get("rolloy", {})
if provided.get("version") != version or provided.get("file") != f"rolloy--{version}.sql":
    problems.append(f"META.json provides.rolloy is {provided}, not version {version} in rolloy--{version}.sql")
if not meta.get("meta-spec", {}).get("version", "").startswith("1.0"):
    problems.append("META.json meta-spec version is not 1.0.x")
print("\n".join(problems))
PY
)
[ -z "$problems" ] || die "$problems"
echo "ok - META.json names version $version and has the required keys"

newest=$(grep -m1 -oE '^## \[[0-9]+\.[0-9]+\.[0-9]+\]' CHANGELOG.md | tr -d '#[] ')
[ "$newest" = "$version" ] || die "CHANGELOG.md's newest release is $newest, rolloy.control says $version"
echo "ok - CHANGELOG.md starts with $version"

sharedir=$("$PG_BIN/pg_config" --sharedir)/extension
[ -f "$sharedir/rolloy--$version.sql" ] || die "make install did not install rolloy--$version.sql"
for script in src/sql/released/rolloy--*.sql; do
    from=$(basename "$script" .sql)
    from=${from#rolloy--}
    [ "$from" = "$version" ] && continue
    path=$(psql -X -At -d postgres -c "SELECT path FROM pg_extension_update_paths('rolloy') WHERE source = '$from' AND target = '$version'")
    [ -n "$path" ] || die "no update path from the released $from to $version"
    echo "ok - update path $path"
done
echo "packaging: ok"
