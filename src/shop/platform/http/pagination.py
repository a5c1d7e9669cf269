"""Cursor pagination with the API's envelope: {"results": [...], "next": url | null}.

`limit` and `cursor` are client input like a body: a value that is not a page size from 1
to `max_page_size`, or a cursor the server did not make, is a 400 `validation-error` naming
the parameter (`#/limit`, `#/cursor`), never a silent fallback or a 404.
"""

import re
from base64 import b64decode
from urllib import parse

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import Cursor as PageCursor
from rest_framework.pagination import CursorPagination
from rest_framework.response import Response

_DIGITS = re.compile(r"[0-9]{1,6}")


class Cursor(CursorPagination):
    page_size = 20
    page_size_query_param = "limit"
    max_page_size = 100
    invalid_cursor_message = "Invalid cursor: pass the `next` link of a previous page as it is."

    def paginate_queryset(self, queryset, request, view=None):
        self.model = queryset.model
        return super().paginate_queryset(queryset, request, view)

    def get_page_size(self, request) -> int:
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        if not _DIGITS.fullmatch(raw) or not 1 <= int(raw) <= self.max_page_size:
            raise ValidationError(
                {
                    self.page_size_query_param: [
                        f"Must be a whole number from 1 to {self.max_page_size}."
                    ]
                }
            )
        return int(raw)

    def decode_cursor(self, request):
        """A cursor is client input: only one this server could have made is accepted.

        DRF's own decoding forgives a lot (non-base64 characters are dropped, unknown keys
        ignored), so most garbage reads as "the first page". Here the cursor must be strict
        base64 of `o`/`r`/`p` keys, each at most once, and its position must be a valid value
        of the ordering's first column; anything else is a 400 naming `cursor`.
        """
        encoded = request.query_params.get(self.cursor_query_param)
        if encoded is None:
            return None
        try:
            querystring = b64decode(encoded.encode("ascii"), validate=True).decode("ascii")
            tokens = parse.parse_qs(querystring, keep_blank_values=True, strict_parsing=True)
        except (ValueError, UnicodeError):
            raise self._invalid_cursor() from None
        if not set(tokens) <= {"o", "r", "p"} or any(len(v) != 1 for v in tokens.values()):
            raise self._invalid_cursor()
        offset, reverse = tokens.get("o", ["0"])[0], tokens.get("r", ["0"])[0]
        if not _DIGITS.fullmatch(offset) or int(offset) > self.offset_cutoff:
            raise self._invalid_cursor()
        if reverse not in ("0", "1"):
            raise self._invalid_cursor()
        position = tokens.get("p", [None])[0]
        if position is not None:
            field = self.model._meta.get_field(self.ordering[0].lstrip("-"))
            try:
                if "\x00" in position:  # PostgreSQL text cannot hold NUL
                    raise DjangoValidationError("NUL in cursor position")
                field.clean(position, None)
            except DjangoValidationError:
                raise self._invalid_cursor() from None
        return PageCursor(offset=int(offset), reverse=reverse == "1", position=position)

    def _invalid_cursor(self) -> ValidationError:
        return ValidationError({self.cursor_query_param: [self.invalid_cursor_message]})

    def get_paginated_response(self, data):
        return Response({"results": data, "next": self.get_next_link()})

    def get_paginated_response_schema(self, schema):
        return {
            "type": "object",
            "required": ["results", "next"],
            "properties": {
                "results": schema,
                "next": {"type": "string", "format": "uri", "nullable": True},
            },
        }

    def get_schema_operation_parameters(self, view):
        return [
            {
                "name": self.cursor_query_param,
                "required": False,
                "in": "query",
                "description": "Opaque: the `next` link of the previous page carries it. "
                "Anything else is a 400.",
                "schema": {"type": "string"},
            },
            {
                "name": self.page_size_query_param,
                "required": False,
                "in": "query",
                "description": f"Results per page, {self.page_size} when absent.",
                "schema": {"type": "integer", "minimum": 1, "maximum": self.max_page_size},
            },
        ]


def cursor_ordered_by(*fields: str) -> type[Cursor]:
    """A Cursor paginator over a stable, unique ordering."""
    return type("Cursor", (Cursor,), {"ordering": fields})
