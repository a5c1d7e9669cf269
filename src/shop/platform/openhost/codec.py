"""JSON for the values `api.py` functions take and return, rebuilt from type hints.

Encoding needs no hints: a dataclass becomes an object of its fields, Decimal a string,
dates ISO 8601, an enum its value, a mapping an object, any other iterable a list.
Decoding follows the hint (`OrderSummary | None`, `dict[str, ProductQuote]`, `Money`...),
so the other side gets back exactly the types it would have got from a local call.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any
from uuid import UUID


class CodecError(ValueError):
    """A value that the hint does not describe (a contract broken between two services)."""


def encode(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, Enum):
        return encode(value.value)
    if isinstance(value, Decimal | UUID):
        return str(value)
    if isinstance(value, date):  # datetime too
        return value.isoformat()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: encode(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Mapping):
        return {str(k): encode(v) for k, v in value.items()}
    if isinstance(value, Iterable):
        return [encode(v) for v in value]
    raise CodecError(f"cannot encode a {type(value).__name__}")


SEQUENCES = {list: list, tuple: tuple, set: set, frozenset: frozenset}
SCALARS = (bool, int, float, str)


def decode(hint: Any, data: Any, where: str = "value") -> Any:
    """`data` (decoded JSON) as an instance of `hint`; CodecError names the field."""
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if hint is Any:
        return data
    if origin in (typing.Union, types.UnionType):
        if data is None and type(None) in args:
            return None
        errors = []
        for option in (a for a in args if a is not type(None)):
            try:
                return decode(option, data, where)
            except CodecError as error:
                errors.append(str(error))
        raise CodecError("; ".join(errors) or f"{where}: null is not allowed")
    if data is None:
        raise CodecError(f"{where}: null where a {_name(hint)} is required")
    if dataclasses.is_dataclass(hint):
        return _dataclass(hint, data, where)
    if origin is not None:
        return _generic(origin, args, data, where)
    if hint in SCALARS:
        # JSON has one number type: a whole float stays a float, but a bool is no int.
        ok = isinstance(data, hint) and not (hint is not bool and isinstance(data, bool))
        if hint is float and isinstance(data, int) and not isinstance(data, bool):
            return float(data)
        if not ok:
            raise CodecError(f"{where}: {type(data).__name__} where a {hint.__name__} is required")
        return data
    try:
        if hint is Decimal:
            return Decimal(_text(data, where))
        if hint is datetime:
            return datetime.fromisoformat(_text(data, where))
        if hint is date:
            return date.fromisoformat(_text(data, where))
        if hint is UUID:
            return UUID(_text(data, where))
        if isinstance(hint, type) and issubclass(hint, Enum):
            return hint(data)
    except (ArithmeticError, ValueError) as error:
        raise CodecError(f"{where}: {error}") from None
    raise CodecError(f"{where}: cannot decode a {_name(hint)}")


def _dataclass(cls: type, data: Any, where: str) -> Any:
    if not isinstance(data, dict):
        raise CodecError(
            f"{where}: {type(data).__name__} where a {cls.__name__} object is required"
        )
    hints = typing.get_type_hints(cls)
    fields = {f.name for f in dataclasses.fields(cls) if f.init}
    unknown = sorted(data.keys() - fields)
    if unknown:
        raise CodecError(f"{where}: {cls.__name__} has no field {', '.join(unknown)}")
    missing = sorted(fields - data.keys())
    if missing:
        raise CodecError(f"{where}: {cls.__name__} is missing {', '.join(missing)}")
    values = {name: decode(hints[name], data[name], f"{where}.{name}") for name in fields}
    try:
        return cls(**values)
    except (TypeError, ValueError) as error:
        raise CodecError(f"{where}: {error}") from None


def _generic(origin: Any, args: tuple, data: Any, where: str) -> Any:
    if origin in (dict, Mapping) or (isinstance(origin, type) and issubclass(origin, Mapping)):
        if not isinstance(data, dict):
            raise CodecError(f"{where}: {type(data).__name__} where an object is required")
        key, value = args or (str, Any)
        return {decode(key, k, where): decode(value, v, f"{where}[{k!r}]") for k, v in data.items()}
    if not isinstance(data, list):
        raise CodecError(f"{where}: {type(data).__name__} where a list is required")
    if origin is tuple and args and not (len(args) == 2 and args[1] is Ellipsis):
        if len(args) != len(data):
            raise CodecError(f"{where}: {len(data)} items where {len(args)} are required")
        return tuple(
            decode(a, d, f"{where}[{i}]") for i, (a, d) in enumerate(zip(args, data, strict=True))
        )
    item = args[0] if args else Any
    items = [decode(item, d, f"{where}[{i}]") for i, d in enumerate(data)]
    return SEQUENCES.get(origin, list)(items)


def _text(data: Any, where: str) -> str:
    if not isinstance(data, str):
        raise CodecError(f"{where}: {type(data).__name__} where a string is required")
    return data


def _name(hint: Any) -> str:
    return getattr(hint, "__name__", str(hint))
