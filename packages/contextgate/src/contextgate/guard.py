"""The runtime guard: at run time, each database alias touches only its own store's tables.

A reading of the source misses SQL built at run time, table names that come from
settings, and queries a library runs for us. This guard watches the queries themselves:
a Django execute wrapper on every connection, in every thread, reads the tables each
statement names (after FROM, JOIN, INTO, UPDATE, TABLE, TRUNCATE; quoted or not, with or
without a schema) and flags any table that a model of another alias owns, or any schema
named after another alias. It records the access *before* the statement runs, so a
query the store would refuse anyway (a missing table on SQLite, a denied schema on
PostgreSQL) is still reported as what it is. The pytest plugin (`pytest_plugin`)
installs it for a whole test run; in production the stores enforce their own boundary.

Ownership comes from the models: a model's ``db_table`` belongs to the alias Django's
router writes that model to (`router.db_for_write`), so each context's store is the
alias its models are routed to. ``django_migrations`` exists in every store and belongs
to all of them.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

# Tables every alias has: each store keeps its own migration history.
EVERY_ALIAS = frozenset({"django_migrations"})

_NAME = r'(?:"(?:[^"]|"")+"|`[^`]+`|\[[^\]]+\]|[A-Za-z_][\w$]*)'
_REFERENCE = re.compile(rf"\s*({_NAME})(?:\s*\.\s*({_NAME}))?")
# Another table of the same list: `FROM a, b` / `TRUNCATE a, b`, with an optional alias.
_NEXT_IN_LIST = re.compile(rf"\s*(?:(?:AS\s+)?{_NAME}\s*)?,", re.IGNORECASE)
_KEYWORD = re.compile(
    r"\b(?:FROM|JOIN|INTO|UPDATE|TABLE|TRUNCATE)\s+(?:ONLY\s+|IF\s+(?:NOT\s+)?EXISTS\s+)*",
    re.IGNORECASE,
)


class CrossContextQuery(Exception):  # noqa: N818 - reads as what happened, like Django's errors
    """An alias was about to query a table (or schema) that belongs to another alias's store."""


@dataclass(frozen=True)
class Access:
    """One statement on `alias` naming `table` (or ``schema <name>``), owned by `owner`."""

    alias: str
    table: str
    owner: str
    sql: str

    def __str__(self) -> str:
        return (
            f"alias {self.alias!r} touched {self.table}, which belongs to {self.owner!r}:\n"
            f"    {_shorten(self.sql)}"
        )


@lru_cache(maxsize=4096)
def tables_in(sql: str) -> tuple[tuple[str | None, str], ...]:
    """Every (schema or None, table) a statement names after a table keyword, lower case.

    A reading of the SQL, not a parser: enough for what Django and hand-written SQL send.
    A subquery in FROM is skipped here and read at its own FROM.
    """
    found: list[tuple[str | None, str]] = []
    for keyword in _KEYWORD.finditer(sql):
        position = keyword.end()
        while True:
            reference = _REFERENCE.match(sql, position)
            if reference is None:
                break
            first, second = reference.groups()
            schema, table = (first, second) if second else (None, first)
            found.append((_unquote(schema) if schema else None, _unquote(table)))
            position = reference.end()
            following = _NEXT_IN_LIST.match(sql, position)
            if following is None:
                break
            position = following.end()
    return tuple(dict.fromkeys(found))


def table_owners() -> dict[str, str]:
    """Each model table, lower case, and the alias that owns it (where its model is written)."""
    from django.apps import apps
    from django.db import router

    return {
        model._meta.db_table.lower(): router.db_for_write(model)
        for model in apps.get_models(include_auto_created=True)
    }


class TableGuard:
    """An execute wrapper that records (and, if `strict`, stops) cross-alias table access.

    Install it once with `install`; it then wraps every connection, existing ones of this
    thread and any opened later in any thread. `take` returns what was recorded since the
    last call; `allowed` lets a block through unrecorded (for tests of a store's own
    enforcement, whose statement must reach the database).
    """

    def __init__(self, owners: Mapping[str, str], *, strict: bool = True) -> None:
        self.owners = dict(owners)
        self.aliases = frozenset(self.owners.values())
        self.strict = strict
        self.installed = False
        self._accesses: list[Access] = []
        self._lock = threading.Lock()
        self._allowed = threading.local()

    @classmethod
    def from_models(cls, *, strict: bool = True) -> TableGuard:
        return cls(table_owners(), strict=strict)

    def __call__(
        self,
        execute: Callable[..., Any],
        sql: str,
        params: Any,
        many: bool,
        context: dict[str, Any],
    ) -> Any:
        if self.installed and not getattr(self._allowed, "depth", 0):
            found = self.foreign_tables(context["connection"].alias, sql)
            if found:
                with self._lock:
                    self._accesses += found
                if self.strict:
                    raise CrossContextQuery("\n".join(map(str, found)))
        return execute(sql, params, many, context)

    def foreign_tables(self, alias: str, sql: Any) -> list[Access]:
        """What `sql`, run on `alias`, names of another alias's tables or schemas."""
        text = sql if isinstance(sql, str) else str(sql)
        found = []
        for schema, table in tables_in(text):
            owner = self.owners.get(table)
            if owner is not None and owner != alias and table not in EVERY_ALIAS:
                found.append(Access(alias, table, owner, text))
            elif schema in self.aliases and schema != alias:
                found.append(Access(alias, f"schema {schema}", schema, text))
        return found

    def take(self) -> list[Access]:
        """Every access recorded since the last call, oldest first."""
        with self._lock:
            found, self._accesses = self._accesses, []
        return found

    @contextmanager
    def allowed(self) -> Iterator[None]:
        """Let this thread's queries through unrecorded: for a test that checks the store
        itself refuses a cross-alias query, so the statement must reach it."""
        self._allowed.depth = getattr(self._allowed, "depth", 0) + 1
        try:
            yield
        finally:
            self._allowed.depth -= 1

    def watch(self, connection: Any) -> None:
        if self not in connection.execute_wrappers:
            connection.execute_wrappers.append(self)

    def install(self) -> None:
        from django.db import connections
        from django.db.backends.signals import connection_created

        self.installed = True
        connection_created.connect(self._connected, dispatch_uid=self._uid, weak=False)
        for connection in connections.all():
            self.watch(connection)

    def uninstall(self) -> None:
        """Stop checking. Connections of other threads keep the wrapper, which passes through."""
        from django.db import connections
        from django.db.backends.signals import connection_created

        self.installed = False
        connection_created.disconnect(dispatch_uid=self._uid)
        for connection in connections.all():
            if self in connection.execute_wrappers:
                connection.execute_wrappers.remove(self)

    @property
    def _uid(self) -> str:
        return f"contextgate-guard-{id(self)}"

    def _connected(self, sender: Any, connection: Any, **kwargs: Any) -> None:
        self.watch(connection)


def _unquote(name: str) -> str:
    if name[:1] in {'"', "`", "["}:
        name = name[1:-1].replace('""', '"')
    return name.lower()


def _shorten(sql: str, limit: int = 500) -> str:
    flat = " ".join(sql.split())
    return flat if len(flat) <= limit else flat[: limit - 3] + "..."
