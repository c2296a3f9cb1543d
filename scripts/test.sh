#!/usr/bin/env bash
# Runs the whole rolloy test suite on a fresh Debian 12 machine (root or sudo):
#   installs what is missing, builds, runs the C++ unit tests, installs the extension, starts a
#   throwaway Postgres 15 cluster and runs pg_regress, pgTAP and the integration suites.
# Exits non-zero when any suite fails. Usage: scripts/test.sh [suite...]
#   suites: unit regress pgtap integration (default: all)
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROLLOY_ROOT"

SUITES=("$@")
[ ${#SUITES[@]} -gt 0 ] || SUITES=(unit regress pgtap integration)
PORT=${ROLLOY_TEST_PORT:-54340}
export PGHOST=127.0.0.1 PGPORT=$PORT PGUSER=postgres
declare -A RESULT=()
passed=0 failed=0

run_suite() {  # name command...
    local name=$1
    shift
    log "suite: $name"
    local start=$SECONDS
    if "$@"; then
        RESULT[$name]="passed ($((SECONDS - start)) s)"
        passed=$((passed + 1))
    else
        RESULT[$name]="FAILED ($((SECONDS - start)) s)"
        failed=$((failed + 1))
    fi
}

suite_unit() {
    cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null &&
        cmake --build build -j"$(nproc)" >/dev/null &&
        (cd build && ctest --output-on-failure -j"$(nproc)")
}

suite_regress() {
    if ! make -s installcheck PG_CONFIG="$PG_BIN/pg_config"; then
        [ -f regression.diffs ] && head -200 regression.diffs
        return 1
    fi
}

suite_pgtap() {
    psql -q -X -v ON_ERROR_STOP=1 -d postgres -c "DROP DATABASE IF EXISTS rolloy_tap" -c "CREATE DATABASE rolloy_tap" &&
        psql -q -X -v ON_ERROR_STOP=1 -d rolloy_tap -c "CREATE EXTENSION pgtap" -c "CREATE EXTENSION rolloy" &&
        pg_prove -d rolloy_tap --ext .sql -r test/pgtap
}

suite_integration() {
    local rc=0 t
    for t in test/integration/*.sh; do
        [ -e "$t" ] || continue
        log "integration: $t"
        bash "$t" || { echo "FAILED: $t"; rc=1; }
    done
    return $rc
}

cleanup() { cluster_remove test; }

install_deps
for s in "${SUITES[@]}"; do
    case $s in
    unit) run_suite unit suite_unit ;;
    regress | pgtap | integration)
        if [ -z "${cluster_up:-}" ]; then
            build_and_install
            trap cleanup EXIT
            cluster_start test "$PORT" \
                "shared_preload_libraries = 'rolloy,pg_cron'" \
                "cron.database_name = 'rolloy_cron'" \
                "rolloy.database = 'rolloy_worker'"
            # pg_cron's launcher retries every second until its database exists.
            psql -X -q -d postgres -c "CREATE DATABASE rolloy_cron"
            cluster_up=1
        fi
        run_suite "$s" "suite_$s"
        ;;
    *) die "unknown suite $s (unit regress pgtap integration)" ;;
    esac
done

echo
log "summary"
for s in "${SUITES[@]}"; do printf '  %-12s %s\n' "$s" "${RESULT[$s]}"; done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
