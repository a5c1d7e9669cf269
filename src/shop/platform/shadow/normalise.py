"""What of an answer is compared: everything but the values that differ by nature.

Two services reading the same store answer the same GET with the same body, except for
values made at answer time or per process. Timestamps and UUIDs are replaced by
placeholders wherever they appear (keys and nesting are kept, so a field that is missing,
renamed or of another type still differs); every other value is compared as it is.
"""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any

TIMESTAMP = "<timestamp>"
UUID = "<uuid>"
_TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$")
_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
# A UUID inside a longer string: a URL's path or query, a problem's detail.
_UUID_INSIDE = re.compile(
    r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
)


def normalised(value: Any) -> Any:
    """`value` (decoded JSON) with its volatile values replaced by placeholders."""
    if isinstance(value, dict):
        return {key: normalised(item) for key, item in value.items()}
    if isinstance(value, list):
        return [normalised(item) for item in value]
    if isinstance(value, str):
        if _TIMESTAMP.match(value):
            return TIMESTAMP
        if _UUID.match(value):
            return UUID
        return _UUID_INSIDE.sub(UUID, value)
    return value


def body_of(content: bytes, content_type: str) -> Any:
    """The body as compared: normalised JSON when it is JSON, else its text."""
    text = content.decode("utf-8", errors="replace")
    if "json" in content_type:
        try:
            return normalised(json.loads(text))
        except ValueError:
            pass
    return text


def digest(status: int, body: Any) -> str:
    """One hash of what is compared: the status and the normalised body."""
    canonical = json.dumps([status, body], sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()
