"""Query parameters checked like a body, by a serializer of their own."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers


def validated_query(serializer_class: type[serializers.Serializer], request) -> dict[str, Any]:
    """The query string validated by `serializer_class`; a bad value is a 400 naming it.

    DRF reads a QueryDict like an HTML form, where an empty value of an optional field means
    "not given": `?order=` would silently drop the filter. A plain dict keeps it a value,
    which must then be valid like any other (the last one wins when a name repeats).
    """
    query = serializer_class(data=request.query_params.dict())
    query.is_valid(raise_exception=True)
    return query.validated_data
