"""The mistakes an operator makes before any command can run, each said in one line.

`manage.py` catches what escapes a command and asks `explain` about it: a setting the
environment gets wrong (`ImproperlyConfigured`, such as no `SHOP_SECRET_KEY` with
`SHOP_DEBUG` off) and a store that was never provisioned or migrated become one line on
stderr and exit status 1. Anything else is a bug and keeps its traceback, and
`--traceback` shows the trace of these too.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable

from django.core.exceptions import ImproperlyConfigured
from django.db.utils import DatabaseError

MIGRATE = "run `python manage.py migrate_all` (or `make migrate`)"
PROVISION = "run `python manage.py provision_postgres`, then `migrate_all` (or `make migrate`)"

# SQLite says "no such table: x"; PostgreSQL says 'relation "x" does not exist' (42P01).
_SQLITE_NO_TABLE = re.compile(r"no such table: (?P<table>\S+)")
_POSTGRES_NO_TABLE = re.compile(r'relation "(?P<table>[^"]+)" does not exist')
# A connection to a database or as a role that provision_postgres never created.
_POSTGRES_NOT_PROVISIONED = re.compile(
    r'FATAL:\s+(?P<what>database|role) "(?P<name>[^"]+)" does not exist'
)


def explain(error: BaseException) -> str | None:
    """One line saying what to do about `error`, or None when it is not an operator's mistake."""
    if isinstance(error, ImproperlyConfigured):
        return str(error)
    if isinstance(error, DatabaseError):
        return _missing_store(error)
    return None


def _missing_store(error: DatabaseError) -> str | None:
    text = str(error)
    sqlstate = getattr(error.__cause__, "sqlstate", None)
    match = _SQLITE_NO_TABLE.search(text) or (
        _POSTGRES_NO_TABLE.search(text) if sqlstate in (None, "42P01") else None
    )
    if match:
        table = match["table"]
        return f"{_store_of(table)} has no table {table}: it is not migrated; {MIGRATE}"
    match = _POSTGRES_NOT_PROVISIONED.search(text)
    if match:
        return (
            f"PostgreSQL has no {match['what']} {match['name']}: it is not provisioned; {PROVISION}"
        )
    return None


def _store_of(table: str) -> str:
    """'the catalog store (var/catalog.sqlite3)': the alias that owns `table`, if one does."""
    try:
        from django.apps import apps
        from django.db import connections, router

        for model in apps.get_models(include_auto_created=True):
            if model._meta.db_table == table:
                alias = router.db_for_read(model)
                return f"the {alias} store ({connections[alias].settings_dict['NAME']})"
    except Exception:  # noqa: BLE001, S110 - the line is still useful without the store
        pass
    return "the store"


def run(command: Callable[[list[str]], None], argv: list[str]) -> None:
    """Run `command(argv)`; an operator's mistake ends in one line and exit status 1."""
    try:
        command(argv)
    except Exception as error:
        message = explain(error)
        if message is None or "--traceback" in argv:
            raise
        sys.stderr.write(f"shop: {message}\n")
        sys.exit(1)
