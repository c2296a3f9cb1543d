#!/usr/bin/env bash
# The README's first command from a clone the postgres OS user cannot enter: a copy of this
# clone inside a mode-700 folder (like root's home or a `mktemp -d` folder, where CI may clone)
# runs scripts/demo.sh end to end. Before 0.2.0 initdb failed there with "could not change
# directory ... Permission denied". The copy keeps the build outputs and their times, so the
# demo's build step finds nothing to do.
set -euo pipefail
source "$(dirname "$0")/../../scripts/lib.sh"
port=${ROLLOY_ANY_CLONE_PORT:-25439}

outer=$(mktemp -d /tmp/rolloy-private-XXXXXX)
trap 'rm -rf "$outer"' EXIT
chmod 700 "$outer"
clone="$outer/home/rolloy"
mkdir -p "$clone"
tar -C "$ROLLOY_ROOT" --exclude=./.git --exclude=./.cluster --exclude='./build*' --exclude=./results -cf - . |
    tar -C "$clone" -xf -
if runuser -u postgres -- test -x "$clone" 2>/dev/null; then
    die "postgres can enter $clone: this test would prove nothing"
fi

out=$(mktemp /tmp/rolloy-any-clone-XXXXXX.log)
if ! (cd "$clone" && ROLLOY_DEMO_PORT=$port bash scripts/demo.sh) >"$out" 2>&1; then
    tail -40 "$out"
    rm -f "$out"
    die "scripts/demo.sh failed from a clone in a mode-700 folder"
fi
grep -q "Leaderboard" "$out" || { tail -20 "$out"; die "the demo did not reach the leaderboard"; }
leftover=$(find /tmp -maxdepth 1 -name 'rolloy-demo-*' -newer "$out" 2>/dev/null | wc -l)
rm -f "$out"
[ -e "$clone/.cluster/demo" ] && die "the demo left its cluster link behind"
[ "$leftover" = 0 ] || die "the demo left $leftover cluster folder(s) in /tmp"
echo "any_clone: ok (demo ran end to end from $clone, mode-700 parent; nothing left behind)"
