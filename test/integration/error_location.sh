#!/usr/bin/env bash
# An error raised in C++ reaches the client with the LOCATION of the check that raised it (file
# and function of the throw: rolloy::Error records them), and a Postgres error that crossed the
# C++ code keeps its own, instead of the guard that turns exceptions into Postgres errors.
set -euo pipefail
source "$(dirname "$0")/../../scripts/lib.sh"
: "${PGHOST:?}" "${PGPORT:?}" "${PGUSER:?}"
db=rolloy_error_location
q() { PGOPTIONS="-c client_min_messages=warning" psql -X -q -v ON_ERROR_STOP=1 "$@"; }
q -d postgres -c "SET client_min_messages = warning" -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db"
trap 'q -d postgres -c "DROP DATABASE IF EXISTS $db" -c "DROP ROLE IF EXISTS rolloy_location_member"' EXIT
q -d $db -c "SET client_min_messages = warning" -c "CREATE EXTENSION rolloy"
q -d postgres -c "DROP ROLE IF EXISTS rolloy_location_member" -c "CREATE ROLE rolloy_location_member" \
    -c "GRANT rolloy_member TO rolloy_location_member"

location() {  # statement -> "function, file" of the error's LOCATION (line number left out)
    psql -X -d $db -v VERBOSITY=verbose -c "$1" 2>&1 | sed -n 's/^LOCATION: *\(.*\):[0-9]*$/\1/p'
}
check() {  # what got expected
    [ "$2" = "$3" ] || die "$1: LOCATION is '$2', expected '$3'"
    echo "ok - $1: $2"
}
check "a header no platform fits" \
    "$(location "SELECT rolloy.import_performance('name,date' || chr(10) || 'a,b')")" \
    "fail_not_found, header_locator.cpp"
check "an unknown platform" "$(location "SELECT rolloy.import_performance('x', 'myspace')")" \
    "resolve, platform_definition.cpp"
check "a file without a usable row" \
    "$(location "SELECT rolloy.import_performance('Day,Ad name,Impressions,Link clicks,Amount spent (USD)' || chr(10) || '2026-11-27,x,1,5,1')")" \
    "reject_if_problems, importer.cpp"
check "a binary upload" "$(location "SELECT rolloy.import_performance('\\x504b030414'::bytea)")" \
    "decode_input, text_encoding.cpp"
check "a PL/pgSQL error raised under the C++ code" \
    "$(location "SET ROLE rolloy_location_member; SELECT rolloy.import_performance('x')")" \
    "exec_stmt_raise, pl_exec.c"
echo "error_location: ok"
