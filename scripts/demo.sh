#!/usr/bin/env bash
# The main job end to end on built-in defaults (Debian 12, root or sudo):
#   installs what is missing, builds and installs rolloy, starts a throwaway Postgres 15 cluster,
#   creates the extension, loads the sample ABCD dictionaries and reference photos, and works
#   as two marketers: creates projects and shows their ad names and usable reference images.
# Usage: scripts/demo.sh [--keep]   (--keep leaves the cluster running for psql exploration)
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROLLOY_ROOT"
KEEP=${1:-}
PORT=${ROLLOY_DEMO_PORT:-54329}
export PGHOST=127.0.0.1 PGPORT=$PORT PGUSER=postgres PGDATABASE=rolloy_demo

install_deps
build_and_install
cluster_start demo "$PORT" "shared_preload_libraries = 'rolloy,pg_cron'" "cron.database_name = 'rolloy_demo'" \
    "rolloy.database = 'rolloy_demo'"
if [ "$KEEP" != "--keep" ]; then trap 'cluster_remove demo' EXIT; fi

psql -X -q -d postgres -c "CREATE DATABASE rolloy_demo"
run() { psql -X -q -v ON_ERROR_STOP=1 "$@"; }

log "CREATE EXTENSION rolloy CASCADE; sample dictionaries; three people"
run <<'SQL'
SET client_min_messages = warning;
CREATE EXTENSION rolloy CASCADE;
\pset footer off
SELECT * FROM rolloy.load_sample_dictionaries();
DO $$ BEGIN
    CREATE ROLE demo_ada LOGIN; CREATE ROLE demo_mia LOGIN; CREATE ROLE demo_leo LOGIN;
EXCEPTION WHEN duplicate_object THEN NULL; END $$;
GRANT rolloy_admin TO demo_ada;
GRANT rolloy_member TO demo_mia, demo_leo;
INSERT INTO rolloy.users (email, display_name, role, pg_role) VALUES
    ('ada@rolloy.example', 'Ada (admin)', 'admin', 'demo_ada'),
    ('mia@rolloy.example', 'Mia (performance marketer)', 'member', 'demo_mia'),
    ('leo@rolloy.example', 'Leo (brand designer)', 'member', 'demo_leo');
SELECT display_name, role, pg_role FROM rolloy.users ORDER BY email;
SQL

log "reference photos of the walker (expanded, folded, both)"
run -f scripts/demo/reference_images.sql

log "Mia and Leo create projects; rolloy names them"
run <<'SQL'
\pset footer off
SET ROLE demo_mia;
SELECT generated_name, title FROM rolloy.create_project('OUT', 'PARK', 'WALK', 'JOY', 'UGC', 'Park walk, joyful UGC');
SELECT generated_name, title FROM rolloy.create_project('OUT', 'PARK', 'WALK', 'JOY', 'UGC', 'Same idea, second take');
SELECT generated_name, title FROM rolloy.create_project('TRVL', 'CAR', 'LOAD', 'FREE', 'STORY', 'Into the car boot');
RESET ROLE;
SET ROLE demo_leo;
SELECT generated_name, title FROM rolloy.create_project('URB', 'CAFE', 'REST', 'CONN', 'LIFE', 'Coffee with friends');
SELECT generated_name, title FROM rolloy.create_project('HOME', 'HALL', 'FOLD', 'STYLE', 'HERO', 'One-hand fold');
RESET ROLE;

\echo
\echo 'Each project is offered only the reference photos matching the product state of its action:'
SET ROLE demo_mia;
SELECT p.generated_name AS project, a.product_state AS action_state,
       string_agg(r.file_name || ' (' || r.product_state || ')', ', ' ORDER BY r.file_name) AS usable_reference_images
  FROM rolloy.creative_projects p
  JOIN rolloy.actions a ON a.id = p.action_id
  CROSS JOIN LATERAL rolloy.reference_images_for(p.id) r
 GROUP BY p.generated_name, a.product_state ORDER BY 1;
\echo 'Mia sees her own projects only:'
SELECT generated_name, owner_name FROM rolloy.project_overview ORDER BY 1;
RESET ROLE;
SET ROLE demo_leo;
SELECT p.generated_name AS project, a.product_state AS action_state,
       string_agg(r.file_name || ' (' || r.product_state || ')', ', ' ORDER BY r.file_name) AS usable_reference_images
  FROM rolloy.creative_projects p
  JOIN rolloy.actions a ON a.id = p.action_id
  CROSS JOIN LATERAL rolloy.reference_images_for(p.id) r
 GROUP BY p.generated_name, a.product_state ORDER BY 1;
RESET ROLE;
SET ROLE demo_ada;
\echo 'Ada (admin) sees all projects:'
SELECT generated_name, owner_name FROM rolloy.project_overview ORDER BY 1;
RESET ROLE;
SQL

if [ "$KEEP" = "--keep" ]; then
    log "cluster left running: psql -h 127.0.0.1 -p $PORT -U postgres rolloy_demo  (stop: scripts/demo.sh is rerunnable)"
else
    log "done; the throwaway cluster is removed (run with --keep to explore it in psql)"
fi
