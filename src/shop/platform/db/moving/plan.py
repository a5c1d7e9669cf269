"""What a move is about, worked out from this process's configuration before anything runs.

The source is where the context's alias connects now (SHOP_DATABASE_URL's schema, or the
store a topology's `[stores]` or SHOP_<ALIAS>_DATABASE_URL names); the target is where it
will connect once `[stores]` names the URL, as the same configuration code reads it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.apps import apps
from django.conf import settings

from shop.platform import topology
from shop.platform.db.config import PostgresTarget, alias_for, postgres_targets, store_env
from shop.platform.db.moving.checks import Refused
from shop.platform.events.bus import bus
from shop.platform.events.settings import event_settings
from shop.platform.topology.queues import events_queue


@dataclass(frozen=True)
class Plan:
    context: str
    url: str  # the target, as the topology's [stores] names it
    source: PostgresTarget
    target: PostgresTarget
    others: tuple[PostgresTarget, ...]  # every other alias: the roles that must not reach it
    tables: tuple[str, ...]  # what the context's models (and Django's migrations) keep there
    outbox: str
    inbox: str
    queues: tuple[str, ...]  # the broker queues whose workers consume for it (Celery only)

    @property
    def schema(self) -> str:
        return self.source.schema

    @property
    def role(self) -> str:
        return self.target.role

    @property
    def other_roles(self) -> list[str]:
        return [t.role for t in self.others]


def plan(context: str, url: str, env: Mapping[str, str]) -> Plan:
    database_url = env.get("SHOP_DATABASE_URL", "").strip()
    if not database_url:
        raise Refused(
            "SHOP_DATABASE_URL is not set: the shop is using its SQLite stores, and "
            "move_store moves PostgreSQL stores only"
        )
    contexts = list(settings.SHOP_CONTEXTS)
    if context not in contexts:
        raise Refused(f"unknown context {context!r}: the contexts are {', '.join(contexts)}")
    _check_url(url, context)
    alias = alias_for(context)
    stores = store_env(topology.current().stores, env)
    now = {t.alias: t for t in postgres_targets(contexts, database_url, stores)}
    moved_env = {**stores, f"SHOP_{alias.upper()}_DATABASE_URL": url}
    target = next(
        t for t in postgres_targets(contexts, database_url, moved_env) if t.alias == alias
    )
    source = now.pop(alias)
    if _where(target) == _where(source):
        raise Refused(f"--to names the database {context}'s store is in already ({source.dbname})")
    for other in now.values():
        if _where(other) == _where(target):
            raise Refused(
                f"--to names {other.alias}'s database ({other.dbname}): a moved store gets a "
                "database of its own"
            )
        if other.role == target.role:
            raise Refused(
                f"{context} and {other.alias} connect as one role ({target.role}): give "
                f"{context} a role of its own before moving it"
            )
    store = bus.store_of(context)
    models = apps.get_app_config(context).get_models(include_auto_created=True)
    return Plan(
        context=context,
        url=url,
        source=source,
        target=target,
        others=tuple(now.values()),
        tables=(*sorted(m._meta.db_table for m in models), "django_migrations"),
        outbox=store.outbox._meta.db_table,
        inbox=store.inbox._meta.db_table,
        queues=_queues(context),
    )


def _check_url(url: str, context: str) -> None:
    parts = urlsplit(url)
    if parts.scheme not in ("postgres", "postgresql"):
        raise Refused(f"--to {url!r} is not a PostgreSQL URL (postgresql://HOST:PORT/DBNAME)")
    try:
        parts.port  # noqa: B018 - raises on a port that is not a number
    except ValueError as exc:
        raise Refused(f"--to {url!r}: {exc}") from exc
    if not parts.path.lstrip("/") or "/" in parts.path.lstrip("/"):
        raise Refused(f"--to {url!r} names no database (postgresql://HOST:PORT/DBNAME)")
    if parts.password:
        raise Refused(
            f"--to: keep the password out of the URL, which goes into topology files; set "
            f"SHOP_{alias_for(context).upper()}_DATABASE_PASSWORD instead"
        )
    if parts.query or parts.fragment:
        raise Refused(f"--to {url!r}: query parameters are not read from a store's URL")


def _where(target: PostgresTarget) -> tuple[str, int, str]:
    return (target.host, target.port, target.dbname)


def _queues(context: str) -> tuple[str, ...]:
    """The context's own queue and the events queue of the service hosting it, whose
    sweeps run the context's handlers and relay its outbox."""
    if event_settings().transport != "celery":
        return ()
    here = topology.current()
    host = here.host_of(context)
    return (context, events_queue(here, host.name if host else None))
