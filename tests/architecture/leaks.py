"""The run-time half of the gate's public-names check: public functions hand out no ORM
objects.

An annotation can be missing or lie, so a test calls every public function of every
context and looks inside what comes back. `public_functions` finds them from the
declaration in importlinter.ini; `orm_objects_in` walks a result (dataclasses, mappings,
sequences) and names the path to every model instance, QuerySet or manager it meets.
"""

from __future__ import annotations

import dataclasses
import importlib
import importlib.util
import inspect
from collections.abc import Callable, Mapping
from typing import Any

from django.db.models import Manager, Model, QuerySet
from django.db.models.query import RawQuerySet

from contextgate.declaration import Declaration

ORM_TYPES = (Model, QuerySet, RawQuerySet, Manager)
API_MODULE = "api"


def public_functions(declaration: Declaration) -> dict[str, Callable[..., Any]]:
    """Every function other contexts may call: ``shop.catalog.api.quote`` -> the function.

    Searches each context's ``api`` module (events modules declare types, not calls) and
    only the names in its ``__all__``."""
    found = {}
    for context in declaration.contexts:
        name = f"{context.package}.{API_MODULE}"
        if importlib.util.find_spec(name) is None:
            continue
        module = importlib.import_module(name)
        for attribute in getattr(module, "__all__", ()):
            value = getattr(module, attribute)
            if inspect.isfunction(value):
                found[f"{name}.{attribute}"] = value
    return found


def orm_objects_in(value: Any, path: str = "result") -> list[str]:
    """Where `value` holds a model instance, QuerySet or manager, as paths like
    ``result['MUG'].product``; empty when it holds none."""
    if isinstance(value, ORM_TYPES):
        return [f"{path}: {type(value).__name__}"]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return [
            found
            for field in dataclasses.fields(value)
            for found in orm_objects_in(getattr(value, field.name), f"{path}.{field.name}")
        ]
    if isinstance(value, Mapping):
        return [
            found
            for key, item in value.items()
            for found in [
                *orm_objects_in(key, f"{path} key {key!r}"),
                *orm_objects_in(item, f"{path}[{key!r}]"),
            ]
        ]
    if isinstance(value, list | tuple | set | frozenset):
        return [
            found
            for index, item in enumerate(value)
            for found in orm_objects_in(item, f"{path}[{index}]")
        ]
    return []
