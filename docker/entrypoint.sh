#!/bin/sh
# Start the shop the way production runs it: wait for PostgreSQL, provision it, migrate
# every alias, then hand over to the process manager (or to the one process asked for).
# The image's ENTRYPOINT and `make run-prod` both run this file, so they share one path.
#
#   entrypoint.sh [all]               web, worker and beat from the Procfile, under honcho
#   entrypoint.sh web|worker|beat     that Procfile line alone, exec'd (no process manager)
#   entrypoint.sh manage ARGS...      manage.py ARGS (waits for the database, migrates nothing)
#   entrypoint.sh COMMAND ARGS...     anything else is exec'd as given (a shell, say)
#
# Environment: SHOP_DATABASE_URL (unset: the SQLite stores under SHOP_DATA_DIR),
# SHOP_DATABASE_ADMIN_URL (set: run provision_postgres first), SHOP_DB_WAIT_SECONDS
# (default 60), SHOP_MIGRATE_ON_START=0 to skip provisioning and migrating (when a release
# job already did), PROMETHEUS_MULTIPROC_DIR (emptied before the processes start).
# `python` and `honcho` come from PATH: the image's, or the virtualenv's bin outside Docker.
set -eu

# Paths are the repository's (or /app in the image): Procfile and manage.py live there.
cd "$(dirname "$0")/.."

say() { printf 'entrypoint: %s\n' "$*" >&2; }
die() {
    say "$*"
    exit 1
}

command -v python >/dev/null 2>&1 || die "no python on PATH (outside Docker, put .venv/bin first)"

# Block until PostgreSQL accepts a connection, or fail naming the server and the last error.
# With an admin URL it connects as the superuser (the shop's roles may not exist yet);
# without one, as the role the shop's `default` alias uses, which must then exist already.
wait_for_postgres() {
    [ -n "${SHOP_DATABASE_URL:-}" ] || return 0
    python - "${SHOP_DB_WAIT_SECONDS:-60}" <<'PY'
import os
import sys
import time

import psycopg

from shop.platform.db.config import postgres_targets

timeout = float(sys.argv[1])
admin_url = os.environ.get("SHOP_DATABASE_ADMIN_URL", "").strip()
if admin_url:
    connect = {"conninfo": admin_url}
    what = "the admin URL (SHOP_DATABASE_ADMIN_URL)"
else:
    target = postgres_targets([], os.environ["SHOP_DATABASE_URL"], os.environ)[0]
    connect = {
        "host": target.host,
        "port": target.port,
        "dbname": target.dbname,
        "user": target.role,
        "password": target.password,
    }
    what = f"role {target.role} on {target.host}:{target.port}/{target.dbname}"
deadline = time.monotonic() + timeout
while True:
    try:
        psycopg.connect(**connect, connect_timeout=3).close()
        break
    except psycopg.OperationalError as exc:
        if time.monotonic() >= deadline:
            reason = str(exc).strip().splitlines()[0]
            sys.exit(f"entrypoint: PostgreSQL not reachable as {what} after {timeout:g}s: {reason}")
        time.sleep(1)
print(f"entrypoint: PostgreSQL is up ({what})", file=sys.stderr)
PY
}

prepare_database() {
    wait_for_postgres
    if [ "${SHOP_MIGRATE_ON_START:-1}" = "0" ]; then
        say "SHOP_MIGRATE_ON_START=0: not provisioning or migrating"
        return 0
    fi
    if [ -n "${SHOP_DATABASE_URL:-}" ] && [ -n "${SHOP_DATABASE_ADMIN_URL:-}" ]; then
        python manage.py provision_postgres
    fi
    python manage.py migrate_all --verbosity "${SHOP_MIGRATE_VERBOSITY:-1}"
}

# prometheus_client's multiprocess mode writes one file per process into this directory;
# it must exist, and files left by an earlier run would be summed with this run's samples.
metrics_dir() {
    [ -n "${PROMETHEUS_MULTIPROC_DIR:-}" ] || return 0
    mkdir -p "$PROMETHEUS_MULTIPROC_DIR"
    if [ "$1" = "reset" ]; then
        find "$PROMETHEUS_MULTIPROC_DIR" -maxdepth 1 -type f -name '*.db' -exec rm -f {} +
    fi
}

# The command of one Procfile process, so `web` alone runs exactly what honcho would run.
procfile_line() {
    line=$(sed -n "s/^$1:[[:space:]]*//p" Procfile)
    [ -n "$line" ] || die "the Procfile has no '$1' process"
    printf '%s\n' "$line"
}

what="${1:-all}"
[ "$#" -gt 0 ] && shift

case "$what" in
all)
    prepare_database
    metrics_dir reset
    command -v honcho >/dev/null 2>&1 || die "no honcho on PATH"
    # JSON log lines stay JSON for log shippers: honcho's "time name |" prefix only for people.
    prefix=--no-prefix
    [ "${SHOP_LOG_FORMAT:-json}" = "console" ] && prefix=
    # shellcheck disable=SC2086 # an empty $prefix must vanish, not become ""
    exec honcho start --procfile Procfile --app-root . --no-colour $prefix "$@"
    ;;
web | worker | beat)
    prepare_database
    metrics_dir reset
    line=$(procfile_line "$what")
    exec sh -c "exec $line"
    ;;
manage)
    wait_for_postgres
    metrics_dir keep
    exec python manage.py "$@"
    ;;
*)
    exec "$what" "$@"
    ;;
esac
