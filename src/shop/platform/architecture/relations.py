"""No relation field crosses a context boundary (docs/design.md §3).

Each context lives in its own store, so a ForeignKey, OneToOne or ManyToMany from one
context to another (or to Django's ``auth`` users, which live on ``default``) could be
enforced by neither database and would break on extraction. Across contexts, refer by
id. A GenericForeignKey can point anywhere, so a context model may not have one.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db import models
from django.db.models import ForeignObjectRel

DEFAULT_OWNER = "default"


def owner_of(model: type[models.Model], contexts: Iterable[str]) -> str:
    """The context a model belongs to: its app label, or ``default`` for Django's own apps."""
    label = model._meta.app_label
    return label if label in set(contexts) else DEFAULT_OWNER


@dataclass(frozen=True)
class CrossContextRelation:
    """A forward relation field of `model` whose target lives in another store.

    `target` is the target model's label, or None for a generic relation (which may
    point anywhere)."""

    model: type[models.Model]
    field: str
    target: str | None

    def __str__(self) -> str:
        name = f"{self.model._meta.label}.{self.field}"
        if self.target is None:
            return f"{name}: generic relation, may point into any context"
        return f"{name} -> {self.target}"


def cross_context_relations(
    all_models: Iterable[type[models.Model]], *, contexts: Iterable[str]
) -> list[CrossContextRelation]:
    """Every forward relation field whose target belongs to another context.

    Reverse relations are skipped: each is the mirror of a forward field that is
    checked on its own model. ``all_models`` should include auto-created models (the
    through tables of ManyToMany fields) unless their ManyToMany fields are checked.
    """
    contexts = frozenset(contexts)
    found = []
    for model in all_models:
        source = owner_of(model, contexts)
        for field in model._meta.get_fields(include_hidden=True):
            if not field.is_relation or isinstance(field, ForeignObjectRel):
                continue
            target = field.related_model
            if target is None:
                if source != DEFAULT_OWNER:
                    found.append(CrossContextRelation(model, field.name, None))
                continue
            if owner_of(target, contexts) != source:
                found.append(CrossContextRelation(model, field.name, target._meta.label))
    return found


def find_cross_context_relations(
    all_models: Iterable[type[models.Model]], *, contexts: Iterable[str]
) -> list[str]:
    """Describe every forward relation field whose target belongs to another context."""
    return sorted(str(found) for found in cross_context_relations(all_models, contexts=contexts))
