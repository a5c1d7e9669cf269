"""SQL statements sent to each store, counted by alias and kind (opt-in).

`SHOP_DB_STATEMENT_METRICS=1` puts an execute wrapper on every database connection of the
process: `shop_db_statements_total{alias, kind}` counts each statement Django sends
(ORM or raw cursor, savepoints included; the driver's own BEGIN and COMMIT are not
statements Django sends). The benchmarks read it to print statements per order and per
context; an operator may turn it on to see which store a change made chattier. Off by
default: it costs a few microseconds per statement.
"""

from __future__ import annotations

import functools
from typing import Any

from django.db.backends.signals import connection_created
from prometheus_client import Counter

STATEMENTS = Counter(
    "shop_db_statements_total",
    "SQL statements sent to a store, by database alias and statement kind.",
    ["alias", "kind"],
)

KINDS = {"select", "insert", "update", "delete", "savepoint", "release", "rollback", "set", "with"}


def kind_of(sql: str) -> str:
    word = sql.lstrip()[:12].split(None, 1)
    first = word[0].lower() if word else ""
    return first if first in KINDS else "other"


@functools.cache
def _counter(alias: str, kind: str):
    return STATEMENTS.labels(alias=alias, kind=kind)


def count(execute, sql: str, params: Any, many: bool, context: dict[str, Any]):
    try:
        _counter(context["connection"].alias, kind_of(sql)).inc()
    except OSError:  # multiprocess mode could not write its sample file: the count is lost,
        pass  # never the statement
    return execute(sql, params, many, context)


def _wrap(sender, connection, **kwargs) -> None:
    if count not in connection.execute_wrappers:
        connection.execute_wrappers.append(count)


def install() -> None:
    """Count every statement of every connection this process opens from now on."""
    connection_created.connect(_wrap, dispatch_uid="shop.db.statement_metrics")
