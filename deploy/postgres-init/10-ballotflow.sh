#!/usr/bin/env bash
# Creates Ballotflow's own database and role beside Temporal's databases (temporal, temporal_visibility) on the
# Postgres server of docker-compose.yml. The postgres image runs this once, when it initialises an empty data
# volume; on an existing volume, run the same statements by hand (docs/operations.md, "Docker Compose").
#
# Ballotflow gets its own login, not the superuser Temporal uses, so the API and worker can reach their
# database and nothing else. The tables themselves are created by the migrations the API and worker run at start.
set -euo pipefail

: "${BALLOTFLOW_DB_PASSWORD:?BALLOTFLOW_DB_PASSWORD must be set for the postgresql service}"

psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "${POSTGRES_DB:-$POSTGRES_USER}" \
  --set=pw="$BALLOTFLOW_DB_PASSWORD" <<'SQL'
CREATE ROLE ballotflow LOGIN PASSWORD :'pw';
CREATE DATABASE ballotflow OWNER ballotflow;
REVOKE ALL ON DATABASE ballotflow FROM PUBLIC;
SQL
