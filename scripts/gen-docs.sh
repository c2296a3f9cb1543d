#!/usr/bin/env bash
# Regenerates docs/schema.md from the catalog comments, using a scratch database on the server
# given by the usual PG* variables (e.g. a cluster left running by scripts/demo.sh --keep).
set -euo pipefail
cd "$(dirname "$0")/.."
db=rolloy_docs_$$
psql -X -q -d postgres -c "CREATE DATABASE $db"
trap 'psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $db"' EXIT
psql -X -q -d "$db" -c "SET client_min_messages = warning" -c "CREATE EXTENSION rolloy" >/dev/null
psql -X -q -At -d "$db" -f scripts/schema_doc.sql > "${1:-docs/schema.md}"
