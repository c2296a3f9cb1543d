#!/usr/bin/env bash
# `make install` + `CREATE EXTENSION rolloy` on a server that does not preload rolloy: the
# extension works (naming, queueing), there is just no worker, and worker_status() says so.
set -euo pipefail
source "$(dirname "$0")/../../scripts/lib.sh"
port=${ROLLOY_NO_PRELOAD_PORT:-25494}
cluster_start nopreload "$port" >/dev/null
trap 'cluster_remove nopreload' EXIT
out=$(psql -X -q -At -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$port" -U postgres <<'SQL'
SET client_min_messages = warning;
CREATE EXTENSION rolloy CASCADE;
SELECT FROM rolloy.load_sample_dictionaries();
INSERT INTO rolloy.users (email, display_name, role, pg_role) VALUES ('ops@example.com', 'Ops', 'admin', 'postgres');
SELECT right(generated_name, 22) FROM rolloy.create_project('OUT', 'PARK', 'WALK', 'JOY', 'UGC');
SELECT running FROM rolloy.worker_status();
SQL
)
expected=$'OUT_PARK_WALK_JOY_UGC\nf'
if [ "$(echo "$out" | sed 's/^_//')" != "$expected" ]; then
    echo "unexpected output without shared_preload_libraries:"; echo "$out"; exit 1
fi
echo "no_preload: ok (extension usable, worker_status reports no worker)"
