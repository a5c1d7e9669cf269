"""A small, deterministic YAML writer for JSON-shaped data (dicts, lists, scalars).

The AsyncAPI document is YAML by convention; writing it here keeps the gate free of a
YAML dependency and makes the output byte-stable: keys in the order given, every string
double-quoted with JSON escapes (a valid YAML scalar), block style throughout.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

_PLAIN_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_.\-]*")
# Words YAML 1.1 readers turn into booleans or null when unquoted.
_RESERVED = frozenset({"y", "n", "yes", "no", "on", "off", "true", "false", "null"})


def dump(value: Any) -> str:
    if _inline(value):
        return _scalar(value) + "\n"
    return "\n".join(_block(value, 0)) + "\n"


def _block(value: Any, depth: int) -> Iterator[str]:
    pad = "  " * depth
    if isinstance(value, dict):
        for key, item in value.items():
            if _inline(item):
                yield f"{pad}{_key(key)}: {_scalar(item)}"
            else:
                yield f"{pad}{_key(key)}:"
                yield from _block(item, depth + 1)
        return
    for item in value:
        if _inline(item):
            yield f"{pad}- {_scalar(item)}"
            continue
        first, *rest = _block(item, depth + 1)
        yield f"{pad}- {first.lstrip()}"
        yield from rest


def _inline(value: Any) -> bool:
    return not isinstance(value, dict | list) or not value


def _key(key: Any) -> str:
    text = str(key)
    if _PLAIN_KEY.fullmatch(text) and text.lower() not in _RESERVED:
        return text
    return json.dumps(text, ensure_ascii=False)


def _scalar(value: Any) -> str:
    if isinstance(value, dict | list):
        return "{}" if isinstance(value, dict) else "[]"
    if isinstance(value, str | bool | int | float) or value is None:
        return json.dumps(value, ensure_ascii=False)
    raise TypeError(f"cannot write {type(value).__name__} as YAML")
