"""Why a store must not move now. Each check runs before anything changes.

A context writes its store only from its consumers (its handlers, and the delivery of
events into its inbox), so a move needs them stopped; three kinds of evidence say so:

* the broker (Celery transport): no worker consumes the context's queue or the events
  queue of the service hosting it (whose sweeps run the context's handlers and relay its
  outbox), and none is running a task from them;
* the store itself, in any transport (the inline one runs consumers inside web processes,
  where no broker can be asked): no inbox row received or handled, no outbox row written,
  within the last `quiet_for` seconds;
* the copy's locks: a transaction still writing a table makes the move give up after a
  lock timeout instead of copying around it.

And its outbox must be empty of undispatched rows: an event not yet handed on would be
relayed again from the new store, or, from the old one, by a relay that may no longer
reach it.
"""

from __future__ import annotations

from datetime import datetime

import psycopg
from celery import current_app  # the configured app (shop.site's), without importing it
from psycopg import errors, sql

from shop.platform.db.moving.rows import checksum


class Refused(Exception):  # noqa: N818 - a verdict, said in one line
    """The move did not start; nothing changed anywhere."""


def refuse_busy_broker(queues: list[str], timeout: float = 1.0) -> None:
    """Ask every worker, through the broker, what it consumes and runs now."""
    try:
        with current_app.connection_for_read() as connection:
            connection.ensure_connection(max_retries=0)  # a broker that is down: said at once
            inspect = current_app.control.inspect(timeout=timeout, connection=connection)
            consuming = inspect.active_queues() or {}
            # No worker answered: none is alive, so none is running anything either.
            running = (inspect.active() or {}) if consuming else {}
    except Exception as exc:  # noqa: BLE001 - any broker failure means "could not ask"
        raise Refused(
            f"cannot ask the broker whether the consumers of {', '.join(queues)} are stopped: "
            f"{type(exc).__name__}: {exc}"
        ) from exc
    busy = [
        f"worker {worker} consumes queue {queue['name']}"
        for worker, consumed in sorted(consuming.items())
        for queue in consumed
        if queue.get("name") in queues
    ] + [
        f"worker {worker} is running {task.get('name')} from queue {queue}"
        for worker, tasks in sorted(running.items())
        for task in tasks
        if (queue := (task.get("delivery_info") or {}).get("routing_key")) in queues
    ]
    if busy:
        raise Refused(f"the consumers are still running ({'; '.join(busy)}): stop them first")


def refuse_nonempty_target(conn: psycopg.Connection, dbname: str, schema: str) -> None:
    """The target database may exist and hold the context's schema, but not a table in it."""
    relations = conn.execute(
        "SELECT c.relname, c.relkind::text FROM pg_class c JOIN pg_namespace n"
        " ON n.oid = c.relnamespace WHERE n.nspname = %s ORDER BY c.relname",
        [schema],
    ).fetchall()
    if not relations:
        return
    tables = [name for name, kind in relations if kind == "r"]
    rows = {name: checksum(conn, schema, name).rows for name in tables}
    held = ", ".join(f"{name} {count}" for name, count in rows.items() if count)
    raise Refused(
        f"the target {dbname} already holds schema {schema}: {len(relations)} relations "
        f"({len(tables)} tables), {sum(rows.values())} rows{f' ({held})' if held else ''}; "
        "move_store copies into an "
        "empty store only (drop that schema first if it is disposable)"
    )


def refuse_missing_tables(found: list[str], expected: list[str], where: str) -> None:
    missing = sorted(set(expected) - set(found))
    if missing:
        raise Refused(
            f"{where} lacks {', '.join(missing)}: it is not this context's migrated store "
            "(run migrate_all there, or check SHOP_DATABASE_URL and the topology's [stores])"
        )


def lock(conn: psycopg.Connection, schema: str, tables: list[str], timeout: float) -> None:
    """EXCLUSIVE locks: readers go on, writers wait for the move (and then find no store)."""
    conn.execute(sql.SQL("SET LOCAL lock_timeout = {}").format(sql.Literal(f"{timeout * 1000}ms")))
    for table in tables:
        try:
            conn.execute(
                sql.SQL("LOCK TABLE {} IN EXCLUSIVE MODE").format(sql.Identifier(schema, table))
            )
        except errors.LockNotAvailable as exc:
            raise Refused(
                f"{schema}.{table} is being written: a transaction held it for {timeout:g} s, "
                "so a consumer is still running; stop it first"
            ) from exc


def refuse_undispatched(conn: psycopg.Connection, schema: str, outbox: str, context: str) -> None:
    (count,) = conn.execute(
        sql.SQL("SELECT count(*) FROM {} WHERE dispatched_at IS NULL").format(
            sql.Identifier(schema, outbox)
        )
    ).fetchone()
    if count:
        raise Refused(
            f"{context}'s outbox holds {count} undispatched event{'s' if count != 1 else ''}: "
            f"let the relay hand {'them' if count != 1 else 'it'} on first "
            "(`manage.py events status` shows the outbox), then move"
        )


def refuse_recent_work(
    conn: psycopg.Connection, schema: str, inbox: str, outbox: str, quiet_for: float
) -> None:
    last, ago = conn.execute(
        sql.SQL(
            "SELECT last, extract(epoch FROM now() - last) FROM (SELECT greatest("
            "(SELECT max(received_at) FROM {inbox}), (SELECT max(done_at) FROM {inbox}),"
            " (SELECT max(created_at) FROM {outbox})) AS last) AS activity"
        ).format(inbox=sql.Identifier(schema, inbox), outbox=sql.Identifier(schema, outbox))
    ).fetchone()
    if last is not None and ago < quiet_for:
        raise Refused(
            f"the consumers were at work {max(float(ago), 0.0):.0f} s ago ({_when(last)}: the "
            f"last message received, handled or published in {schema}): stop them and wait "
            f"until {quiet_for:g} s have passed (--quiet-for)"
        )


def _when(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")
