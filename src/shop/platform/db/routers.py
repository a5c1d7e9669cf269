"""Pin every context's models, queries and migrations to that context's own alias.

A context this process does not host has no alias here: reading or writing its models
raises NotHosted, naming the service that hosts it. Nothing ever falls back to `default`.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings

from shop.platform import topology
from shop.platform.db.config import DEFAULT_ALIAS, context_for


def alias_for_app(app_label: str) -> str:
    """A context's alias is its app label; everything else (auth, admin...) uses `default`."""
    return app_label if app_label in settings.SHOP_CONTEXTS else DEFAULT_ALIAS


def hosted_alias_for_app(app_label: str) -> str:
    alias = alias_for_app(app_label)
    topology.current().require(context_for(alias))
    return alias


class ContextRouter:
    def db_for_read(self, model: type, **hints: Any) -> str:
        return hosted_alias_for_app(model._meta.app_label)

    def db_for_write(self, model: type, **hints: Any) -> str:
        return hosted_alias_for_app(model._meta.app_label)

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool:
        # A relation across stores could never be enforced by either database.
        return alias_for_app(obj1._meta.app_label) == alias_for_app(obj2._meta.app_label)

    def allow_migrate(
        self, db: str, app_label: str, model_name: str | None = None, **hints: Any
    ) -> bool:
        alias = alias_for_app(app_label)
        return db == alias and topology.current().hosts(context_for(alias))
