#!/usr/bin/env bash
# Load the national-scale synthetic data set into a fresh database and report time and memory.
#
#   benchmarks/seed_scale.sh [--drop] [seed_scale options...]
#
# Recreates the database $SCALE_DB (default r2cc_scale) on $PGHOST:$PGPORT, migrates it, runs
# `manage.py seed_scale` (at its defaults unless options are given) under /usr/bin/time -v and prints
# the wall time, the peak memory (max RSS of the Python process; the PostgreSQL server is not
# included) and the row counts. The database is left in place for later benchmarks unless --drop
# is given.
set -euo pipefail

cd "$(dirname "$0")/.."

PGHOST=${PGHOST:-127.0.0.1}
PGPORT=${PGPORT:-5432}
PGUSER=${PGUSER:-postgres}
SCALE_DB=${SCALE_DB:-r2cc_scale}
PYTHON=${PYTHON:-.venv/bin/python}
export PGHOST PGPORT PGUSER

drop=0
seed_args=()
for arg in "$@"; do
    case "$arg" in
        --drop) drop=1 ;;
        *) seed_args+=("$arg") ;;
    esac
done

if [[ ! -x /usr/bin/time ]]; then
    echo "/usr/bin/time is missing: install it with 'apt-get install -y time'." >&2
    exit 1
fi

export DATABASE_URL="postgres://${PGUSER}@${PGHOST}:${PGPORT}/${SCALE_DB}"
export DJANGO_SETTINGS_MODULE=${DJANGO_SETTINGS_MODULE:-r2cc_portal.settings.development}

echo "== Recreating database ${SCALE_DB}"
dropdb --if-exists "$SCALE_DB"
createdb "$SCALE_DB"

echo "== Migrating"
"$PYTHON" manage.py migrate --noinput -v 0

echo "== seed_scale ${seed_args[*]:-(defaults)}"
time_log=$(mktemp)
trap 'rm -f "$time_log"' EXIT
# System checks are not what is measured, and must not trip over half-finished work elsewhere.
/usr/bin/time -v -o "$time_log" "$PYTHON" manage.py seed_scale --skip-checks "${seed_args[@]}"

# "Elapsed (wall clock) time (h:mm:ss or m:ss): 2:31.45" -> seconds
elapsed=$(awk -F': ' '/Elapsed \(wall clock\)/ {
    n = split($2, part, ":"); s = 0
    for (i = 1; i <= n; i++) s = s * 60 + part[i]
    printf "%.1f", s
}' "$time_log")
max_rss_kb=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$time_log")
cpu_percent=$(awk -F': ' '/Percent of CPU this job got/ {print $2}' "$time_log")

echo "== Rows in ${SCALE_DB}"
count_sql=$(psql -d "$SCALE_DB" -X -A -t -c "
    SELECT string_agg(format('SELECT %L AS table_name, count(*) AS row_count FROM %I', relname, relname),
                      ' UNION ALL ' ORDER BY relname)
    FROM pg_stat_user_tables
    WHERE relname NOT LIKE 'django\_%' AND relname NOT LIKE 'auth\_%'")
psql -d "$SCALE_DB" -X -q -P footer=off -c "SELECT * FROM (${count_sql}) AS counts WHERE row_count > 0 ORDER BY table_name"
db_size=$(psql -d "$SCALE_DB" -X -A -t -c "SELECT pg_size_pretty(pg_database_size(current_database()))")

echo "== Result"
echo "elapsed_seconds=${elapsed}"
echo "max_rss_kb=${max_rss_kb} (max_rss_mb=$((max_rss_kb / 1024)))"
echo "cpu=${cpu_percent}"
echo "database_size=${db_size}"

if [[ $drop == 1 ]]; then
    echo "== Dropping ${SCALE_DB}"
    dropdb "$SCALE_DB"
else
    echo "Database ${SCALE_DB} kept: DATABASE_URL=${DATABASE_URL}"
fi
