"""JSON Schema (draft-07) for an event dataclass, from its fields and their type hints.

Events carry primitives only (docs/design.md §4), so the mapping is small: str, int, float,
bool, None, tuples (``tuple[X, ...]`` or fixed ``tuple[A, B]``), lists, dicts with string
keys, enums, literals, unions and nested dataclasses. Anything else is refused by name,
so an event that grows a type no consumer can read fails the docs rather than drifting
from them. Draft-07 because it is also AsyncAPI 3.0's default schema format.
"""

from __future__ import annotations

import dataclasses
import enum
import inspect
import types
import typing
from collections.abc import Mapping, Sequence
from typing import Any

DRAFT = "http://json-schema.org/draft-07/schema#"
SIMPLE = {str: "string", bool: "boolean", int: "integer", float: "number"}


class NoSchema(TypeError):
    """A field's type has no JSON form."""


def object_schema(cls: type) -> dict[str, Any]:
    """The schema of a dataclass's JSON form (``dataclasses.asdict`` then JSON)."""
    hints = typing.get_type_hints(cls)
    fields = dataclasses.fields(cls)
    schema: dict[str, Any] = {"title": cls.__name__}
    if description := docstring(cls):
        schema["description"] = description
    schema["type"] = "object"
    schema["properties"] = {
        f.name: type_schema(hints[f.name], f"{cls.__qualname__}.{f.name}") for f in fields
    }
    schema["required"] = [
        f.name
        for f in fields
        if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
    ]
    schema["additionalProperties"] = False
    return schema


def type_schema(hint: Any, where: str) -> dict[str, Any]:
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if hint in SIMPLE:
        return {"type": SIMPLE[hint]}
    if hint is None or hint is type(None):
        return {"type": "null"}
    if origin in (typing.Union, types.UnionType):
        return {"anyOf": [type_schema(arg, where) for arg in args]}
    if origin is typing.Literal:
        return {"enum": list(args)}
    if isinstance(hint, type) and issubclass(hint, enum.Enum):
        return {"enum": [member.value for member in hint]}
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        return object_schema(hint)
    if origin is tuple:
        return _tuple_schema(args, where)
    if origin in (list, Sequence, set, frozenset):
        items = type_schema(args[0], where) if args else {}
        unique = {"uniqueItems": True} if origin in (set, frozenset) else {}
        return {"type": "array", "items": items, **unique}
    if origin in (dict, Mapping) and args and args[0] is str:
        return {"type": "object", "additionalProperties": type_schema(args[1], where)}
    raise NoSchema(f"{where}: {hint!r} has no JSON Schema; events carry primitives only")


def _tuple_schema(args: tuple[Any, ...], where: str) -> dict[str, Any]:
    if len(args) == 2 and args[1] is Ellipsis:
        return {"type": "array", "items": type_schema(args[0], where)}
    return {
        "type": "array",
        "items": [type_schema(arg, where) for arg in args],
        "additionalItems": False,
        "minItems": len(args),
        "maxItems": len(args),
    }


def docstring(obj: Any) -> str:
    """The object's own docstring, cleaned; not the signature dataclasses make up."""
    text = obj.__dict__.get("__doc__") if isinstance(obj, type) else obj.__doc__
    if not text or (isinstance(obj, type) and text.startswith(f"{obj.__name__}(")):
        return ""
    return inspect.cleandoc(text)
