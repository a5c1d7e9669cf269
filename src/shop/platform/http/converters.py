"""Path converters for ids in API URLs.

`<key:...>` is Django's `<str:...>` minus NUL: PostgreSQL text cannot hold NUL, so a
segment with one names nothing and must be a 404, never reach a query and fail there.
"""

from django.urls import register_converter
from django.urls.converters import StringConverter, get_converters


class KeyConverter(StringConverter):
    regex = r"[^/\x00]+"


def register() -> None:
    """Called from the platform app's ready(), before any URLconf is loaded; safe to repeat."""
    if "key" not in get_converters():
        register_converter(KeyConverter, "key")
