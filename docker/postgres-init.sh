#!/usr/bin/env bash
# First start of the primary (docker-compose.yml): let the hot standby replicate, and set per
# database what PgBouncer cannot pass as startup options.
set -euo pipefail
echo "host replication ${POSTGRES_USER} all scram-sha-256" >> "$PGDATA/pg_hba.conf"
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" <<SQL
ALTER DATABASE "$POSTGRES_DB" SET jit = off;
ALTER DATABASE "$POSTGRES_DB" SET timezone = 'UTC';
SQL
