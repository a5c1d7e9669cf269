"""What both benchmarks share: a dedicated PostgreSQL database, provisioned and migrated.

A benchmark empties tables, so it only ever runs against a database whose name
contains "bench" and connects as roles with their own prefix: it cannot touch a
development, test or production store by accident.
"""

from __future__ import annotations

import os
import platform
import secrets
import sys
import zlib
from urllib.parse import urlsplit

DEFAULT_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
DEFAULT_ROLE_PREFIX = "shop_bench"


def add_database_options(parser, *, default_url: str) -> None:
    parser.add_argument("--database-url", default=default_url, help="default: %(default)s")
    parser.add_argument("--role-prefix", default=DEFAULT_ROLE_PREFIX, help="default: %(default)s")
    parser.add_argument(
        "--admin-url",
        default=os.environ.get("SHOP_DATABASE_ADMIN_URL", DEFAULT_ADMIN_URL),
        help="a superuser URL, to provision the database (default: %(default)s)",
    )


def shop_env(args) -> dict[str, str]:
    """The environment a shop process needs to run on the benchmark database."""
    dbname = urlsplit(args.database_url).path.lstrip("/")
    if "bench" not in dbname or "bench" not in args.role_prefix:
        raise SystemExit(
            f"refusing to benchmark on database {dbname!r} with roles {args.role_prefix}_*: "
            "both names must contain 'bench', since the benchmark empties tables"
        )
    return {
        "DJANGO_SETTINGS_MODULE": "shop.site.settings",
        "SHOP_SECRET_KEY": os.environ.get("SHOP_SECRET_KEY") or secrets.token_urlsafe(32),
        "SHOP_DATABASE_URL": args.database_url,
        "SHOP_DB_ROLE_PREFIX": args.role_prefix,
        "SHOP_DATABASE_ADMIN_URL": args.admin_url,
        "SHOP_DATA_DIR": os.environ.get("SHOP_DATA_DIR", "var/bench"),
        "SHOP_LOG_LEVEL": os.environ.get("SHOP_LOG_LEVEL", "WARNING"),
        "SHOP_EVENT_TRANSPORT": "inline",
        # Production settings over plain HTTP on this machine, as `make run-prod` serves.
        "SHOP_HTTPS": "0",
    }


def setup_django(env: dict[str, str]) -> None:
    os.environ.update(env)
    import django

    django.setup()


def provision_and_migrate(admin_url: str, *, fresh: bool = False) -> None:
    """Create the database, a schema and role per alias, then migrate every alias."""
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connections

    from shop.platform.db.config import postgres_targets
    from shop.platform.db.provisioning import drop_database, provision

    targets = postgres_targets(settings.SHOP_CONTEXTS, os.environ["SHOP_DATABASE_URL"], os.environ)
    connections.close_all()
    if fresh:
        for dbname in sorted({t.dbname for t in targets}):
            drop_database(admin_url, dbname)
    provision(admin_url, targets)
    for alias in connections:
        call_command("migrate", database=alias, interactive=False, verbosity=0)


def run_alone(admin_url: str, database_url: str) -> None:
    """Refuse to run while another benchmark uses the same database (it would empty ours).

    Holds a session advisory lock, in the admin database and named after the benchmark
    database, until the process exits; taken before the database is (re)created.
    """
    from shop.platform.db.provisioning import admin_connect

    global _alone
    dbname = urlsplit(database_url).path.lstrip("/")
    _alone = admin_connect(admin_url)
    key = zlib.crc32(f"shop bench {dbname}".encode())
    if not _alone.execute("SELECT pg_try_advisory_lock(%s)", [key]).fetchone()[0]:
        raise SystemExit(f"another benchmark is running on database {dbname}; try again later")


_alone = None


def empty_message_tables() -> None:
    """Truncate every context's outbox, inbox and event sequences."""
    from django.db import connections

    from shop.platform.events import bus

    for store in bus.stores.values():
        tables = [model._meta.db_table for model in (store.outbox, store.inbox, store.sequences)]
        with connections[store.alias].cursor() as cursor:
            cursor.execute(f"TRUNCATE {', '.join(tables)}")


def machine() -> str:
    return f"{os.cpu_count()} CPUs, {platform.processor() or platform.machine()}, Python {platform.python_version()}"


def postgres_version() -> str:
    from django.db import connections

    with connections["default"].cursor() as cursor:
        cursor.execute("SHOW server_version")
        return f"PostgreSQL {cursor.fetchone()[0]}"


def postgres_version_of(admin_url: str) -> str:
    """The server's version, asked over the admin connection (the store may not exist yet)."""
    from shop.platform.db.provisioning import admin_connect

    with admin_connect(admin_url) as connection:
        return f"PostgreSQL {connection.execute('SHOW server_version').fetchone()[0]}"


def say(line: str = "") -> None:
    """Print a line of the report (and flush, so a long run shows progress)."""
    sys.stdout.write(line + "\n")
    sys.stdout.flush()
