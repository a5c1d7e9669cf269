#!/bin/sh
# Start the shop the way production runs it: wait for PostgreSQL, provision it, migrate
# every alias, then hand over to the process supervisor (or to the one process asked for).
# The image's ENTRYPOINT and `make run-prod` both run this file, so they share one path.
#
#   entrypoint.sh [all]               web, worker and beat under supervisord
#                                     (docker/supervisord.conf), each restarted when it exits
#   entrypoint.sh web|worker|beat     that Procfile line alone, exec'd (no supervisor)
#   entrypoint.sh ctl ARGS...         supervisorctl ARGS against the running supervisord
#                                     (`ctl status`, `ctl restart worker`, `ctl tail -f web`)
#   entrypoint.sh manage ARGS...      manage.py ARGS (waits for the database, migrates nothing)
#   entrypoint.sh process NAME        the Procfile line NAME, exec'd as is: what supervisord runs
#   entrypoint.sh COMMAND ARGS...     anything else is exec'd as given (a shell, say)
#
# Environment: SHOP_DATABASE_URL (unset: the SQLite stores under SHOP_DATA_DIR),
# SHOP_DATABASE_ADMIN_URL (set: run provision_postgres first), SHOP_DB_WAIT_SECONDS
# (default 60), SHOP_MIGRATE_ON_START=0 to skip provisioning and migrating (when a release
# job already did), PROMETHEUS_MULTIPROC_DIR (emptied before the processes start),
# SHOP_DATA_DIR (default var: also where supervisord keeps its control socket and pid file,
# and beat its schedule).
# SHOP_PROCESSES (default "web worker beat"): which of them supervisord starts; the others
# stay STOPPED until `ctl start NAME` (a service being shadowed runs "web" alone, so it
# answers mirrored reads and consumes nothing: docs/extracting-a-context.md).
#
# One service of a topology (docs/topology.md): SHOP_TOPOLOGY names the file, SHOP_SERVICE
# this service. Its web serves only its contexts, its worker consumes only its queues, its
# beat sends only its jobs, and it provisions and migrates only the stores it hosts (only
# the service hosting identity touches `default`). With SHOP_SERVICE set, its state goes to
# SHOP_DATA_DIR/<service> and its samples to PROMETHEUS_MULTIPROC_DIR/<service>, so two
# services on one machine never share a control socket, a beat schedule or a metrics
# directory (`SHOP_SERVICE=billing entrypoint.sh ctl status` finds billing's supervisord).
# `python` and `supervisord` come from PATH: the image's, or the virtualenv's bin outside Docker.
set -eu

# Paths are the repository's (or /app in the image): Procfile and manage.py live there.
cd "$(dirname "$0")/.."

say() { printf 'entrypoint%s: %s\n' "${SHOP_SERVICE:+ ($SHOP_SERVICE)}" "$*" >&2; }
die() {
    say "$*"
    exit 1
}

command -v python >/dev/null 2>&1 || die "no python on PATH (outside Docker, put .venv/bin first)"

# This service's own directories (see above). Not for `process`: supervisord's programs
# inherit the directories their supervisord was given.
scope_to_service() {
    [ -n "${SHOP_SERVICE:-}" ] || return 0
    case "$SHOP_SERVICE" in
    *[!A-Za-z0-9_-]*) die "SHOP_SERVICE=$SHOP_SERVICE: a service name is letters, digits, - and _" ;;
    esac
    SHOP_DATA_DIR="${SHOP_DATA_DIR:-var}/$SHOP_SERVICE"
    export SHOP_DATA_DIR
    if [ -n "${PROMETHEUS_MULTIPROC_DIR:-}" ]; then
        PROMETHEUS_MULTIPROC_DIR="$PROMETHEUS_MULTIPROC_DIR/$SHOP_SERVICE"
        export PROMETHEUS_MULTIPROC_DIR
    fi
}

# Block until PostgreSQL accepts a connection, or fail naming the server and the last error.
# With an admin URL it connects as the superuser (the shop's roles may not exist yet);
# without one, as the role of the first store this service hosts (`default` where identity
# is hosted), which must then exist already.
wait_for_postgres() {
    [ -n "${SHOP_DATABASE_URL:-}" ] || return 0
    python - "${SHOP_DB_WAIT_SECONDS:-60}" <<'PY'
import os
import sys
import time

import psycopg

timeout = float(sys.argv[1])
admin_url = os.environ.get("SHOP_DATABASE_ADMIN_URL", "").strip()
if admin_url:
    connect = {"conninfo": admin_url}
    what = "the admin URL (SHOP_DATABASE_ADMIN_URL)"
else:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shop.site.settings")
    from django.conf import settings

    store = next(
        (db for db in settings.DATABASES.values() if db["ENGINE"].endswith(".postgresql")), None
    )
    if store is None:  # every store this service hosts is SQLite
        sys.exit(0)
    connect = {
        "host": store["HOST"],
        "port": store["PORT"],
        "dbname": store["NAME"],
        "user": store["USER"],
        "password": store["PASSWORD"] or None,
    }
    what = f"role {store['USER']} on {store['HOST']}:{store['PORT']}/{store['NAME']}"
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

# The command of one Procfile process: what supervisord runs, and what `web` alone runs.
procfile_line() {
    line=$(sed -n "s/^$1:[[:space:]]*//p" Procfile)
    [ -n "$line" ] || die "the Procfile has no '$1' process"
    printf '%s\n' "$line"
}

# supervisord.conf reads SHOP_DATA_DIR for its control socket and pid file: made absolute
# here (the settings resolve it from this same directory), so supervisorctl finds the socket
# from anywhere. A Unix socket's path holds at most 107 bytes.
supervisor_dir() {
    dir=${SHOP_DATA_DIR:-var}
    if [ "$1" = "create" ]; then
        mkdir -p "$dir"
    elif [ ! -S "$dir/supervisord.sock" ]; then
        die "no supervisord is running for SHOP_DATA_DIR=$dir (no $dir/supervisord.sock)"
    fi
    SHOP_DATA_DIR=$(cd "$dir" && pwd -P)
    export SHOP_DATA_DIR
    socket="$SHOP_DATA_DIR/supervisord.sock"
    [ "${#socket}" -le 107 ] || die "SHOP_DATA_DIR is too long for a Unix socket ($socket): use a shorter one"
}

# SHOP_AUTOSTART_WEB, _WORKER, _BEAT for supervisord.conf, from SHOP_PROCESSES.
autostart_from_processes() {
    processes=${SHOP_PROCESSES:-web worker beat}
    for name in $processes; do
        case "$name" in
        web | worker | beat) ;;
        *) die "SHOP_PROCESSES=$processes: '$name' is not a process (web, worker, beat)" ;;
        esac
    done
    [ -n "$(printf '%s' "$processes" | tr -d ' ')" ] || die "SHOP_PROCESSES is empty: name web, worker or beat"
    for name in web worker beat; do
        case " $processes " in
        *" $name "*) value=true ;;
        *) value=false ;;
        esac
        export "SHOP_AUTOSTART_$(printf '%s' "$name" | tr '[:lower:]' '[:upper:]')=$value"
    done
}

what="${1:-all}"
[ "$#" -gt 0 ] && shift
[ "$what" = "process" ] || scope_to_service

case "$what" in
all)
    [ "$#" -eq 0 ] || die "'all' takes no arguments (got: $*)"
    autostart_from_processes
    metrics_dir keep  # provisioning and migrating may write samples too: the directory first
    prepare_database
    metrics_dir reset
    command -v supervisord >/dev/null 2>&1 || die "no supervisord on PATH"
    supervisor_dir create
    rm -f "$SHOP_DATA_DIR/supervisord.fatal"
    # Not exec'd: supervisord exits 0 however it was stopped, and a program gone FATAL
    # (stop_on_fatal.py leaves its name in supervisord.fatal) must make this exit 1.
    # SIGTERM, SIGINT and SIGHUP are passed on, so `docker stop` and Ctrl-C stop it gracefully.
    supervisord --configuration docker/supervisord.conf &
    child=$!
    trap 'kill -TERM "$child" 2>/dev/null || :' TERM INT HUP
    while :; do
        wait "$child" && status=0 || status=$?
        # A trapped signal ends `wait` early; the child is gone only once it was reaped.
        kill -0 "$child" 2>/dev/null || break
    done
    trap - TERM INT HUP
    if [ -s "$SHOP_DATA_DIR/supervisord.fatal" ]; then
        die "$(cat "$SHOP_DATA_DIR/supervisord.fatal") kept exiting at start (FATAL): stopped web, worker and beat"
    fi
    exit "$status"
    ;;
web | worker | beat)
    metrics_dir keep
    prepare_database
    metrics_dir reset
    line=$(procfile_line "$what")
    exec sh -c "exec $line"
    ;;
process)
    [ "$#" -eq 1 ] || die "usage: entrypoint.sh process web|worker|beat"
    line=$(procfile_line "$1")
    exec sh -c "exec $line"
    ;;
ctl)
    command -v supervisorctl >/dev/null 2>&1 || die "no supervisorctl on PATH"
    autostart_from_processes  # supervisorctl reads the same file
    supervisor_dir find
    exec supervisorctl --configuration docker/supervisord.conf "$@"
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
