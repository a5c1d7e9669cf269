"""The OpenAPI document's error half: every operation lists the problems it can answer.

`AutoSchema` (DRF's DEFAULT_SCHEMA_CLASS) adds to each operation's success response the
problem responses its view can produce, all `application/problem+json` with one shared
`Problem` component, from what the view is made of:

- 400 `validation-error` / `malformed-request`: it reads a body, or query or header parameters;
- 401 `not-authenticated`: it has authenticators (a bad token is refused even where
  anonymous reads are allowed);
- 403 `forbidden`: a permission may refuse it (an unsafe method under a permission beyond
  IsAuthenticated, or under session authentication, whose CSRF check answers 403);
- 404 `not-found`: its path names a resource;
- 415 `unsupported-media-type`: it reads a body;
- 429 `throttled`, with Retry-After: it has throttles.

What only the view's rules know (a 409 conflict, a 422 business refusal, a 401 of its own)
it declares with `@raises(status, *problem_types)` on the handler method.

It also writes the `minItems`/`maxItems` of a nested list serializer (`many=True`,
`allow_empty=False`, `max_length=`), which drf-spectacular leaves out.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from drf_spectacular import openapi
from drf_spectacular.plumbing import ResolvedComponent, is_list_serializer
from rest_framework import serializers
from rest_framework.authentication import SessionAuthentication
from rest_framework.permissions import SAFE_METHODS, AllowAny, IsAuthenticated

from shop.platform.http.problems import CONTENT_TYPE, TYPE_PREFIX

PROBLEM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": (
        "RFC 9457 problem details. `type` is a stable URN, one of those listed in "
        "docs/api/problems.md; clients branch on it, never on `detail`. Some types add "
        "members (`errors`, `skus`, ...)."
    ),
    "required": ["type", "title", "status", "detail"],
    "properties": {
        "type": {
            "type": "string",
            "pattern": f"^{TYPE_PREFIX}[a-z][a-z-]*$",
            "example": f"{TYPE_PREFIX}not-found",
        },
        "title": {"type": "string"},
        "status": {"type": "integer", "minimum": 400, "maximum": 599},
        "detail": {"type": "string"},
        "errors": {
            "type": "array",
            "description": "validation-error: each failure, with a JSON Pointer into the "
            "body (or naming the query parameter).",
            "items": {
                "type": "object",
                "required": ["pointer", "detail"],
                "properties": {"pointer": {"type": "string"}, "detail": {"type": "string"}},
            },
        },
        "skus": {"type": "array", "items": {"type": "string"}},
    },
    "additionalProperties": True,
}

TITLES = {
    400: "Bad request",
    401: "Not authenticated",
    403: "Not allowed",
    404: "Not found",
    409: "Conflict",
    415: "Unsupported media type",
    422: "Refused by a business rule",
    429: "Too many requests",
}

HEADERS = {
    401: {
        "WWW-Authenticate": {
            "description": "The scheme to authenticate with: `Token`.",
            "schema": {"type": "string"},
        }
    },
    429: {
        "Retry-After": {
            "description": "Seconds to wait before trying again.",
            "schema": {"type": "integer", "minimum": 1},
        }
    },
}

_DECLARED = "_shop_problem_responses"


def raises(status: int, *problem_types: str) -> Callable:
    """Declare on a handler method that it answers `status` with these problem types."""

    def mark(handler: Callable) -> Callable:
        declared = dict(getattr(handler, _DECLARED, {}))
        declared[status] = [*declared.get(status, []), *problem_types]
        setattr(handler, _DECLARED, declared)
        return handler

    return mark


def _text_pattern(field: serializers.CharField, prop: dict) -> None:
    """What DRF refuses in any text field, said in the schema: NUL, and blank after trimming."""
    if prop.get("type") != "string" or "pattern" in prop or "enum" in prop:
        return
    if field.trim_whitespace and not field.allow_blank:
        prop["pattern"] = "^[^\\u0000]*[^\\s\\u0000][^\\u0000]*$"
    else:
        prop["pattern"] = "^[^\\u0000]*$"


class AutoSchema(openapi.AutoSchema):
    def _get_response_bodies(self, direction: str = "response") -> dict:
        responses = super()._get_response_bodies(direction)
        if direction != "response":
            return responses
        for status, problem_types in sorted(self.problem_responses().items()):
            responses.setdefault(str(status), self._problem_response(status, problem_types))
        return responses

    def problem_responses(self) -> dict[int, list[str]]:
        """Status -> problem types this operation can answer."""
        found: dict[int, list[str]] = {}

        def add(status: int, *types: str) -> None:
            found[status] = [
                *found.get(status, []),
                *(t for t in types if t not in found.get(status, [])),
            ]

        parameters = self._get_parameters()
        reads_body = self.method in ("POST", "PUT", "PATCH") and bool(self.get_request_serializer())
        if reads_body:
            add(400, "validation-error", "malformed-request")
            add(415, "unsupported-media-type")
        if any(p["in"] in ("query", "header") for p in parameters):
            add(400, "validation-error")
        if any(p["in"] == "header" and p["name"] == "Idempotency-Key" for p in parameters):
            add(400, "invalid-idempotency-key")
        authenticators = self.view.get_authenticators()
        if authenticators:
            add(401, "not-authenticated")
        if self._may_forbid(authenticators):
            add(403, "forbidden")
        if any(p["in"] == "path" for p in parameters):
            add(404, "not-found")
        if self.view.get_throttles():
            add(429, "throttled")
        handler = getattr(self.view, self.method.lower(), None)
        for status, types in getattr(handler, _DECLARED, {}).items():
            add(status, *types)
        return found

    def _may_forbid(self, authenticators) -> bool:
        unsafe = self.method not in SAFE_METHODS
        if unsafe and any(isinstance(a, SessionAuthentication) for a in authenticators):
            return True  # a session client without its CSRF token
        for permission in self.view.get_permissions():
            if isinstance(permission, (AllowAny, IsAuthenticated)):  # DRF: `|` means OR
                continue  # refuses nobody, or only the anonymous (401)
            if not unsafe and getattr(permission, "reads_allowed", False):
                continue
            return True
        return False

    def _problem_response(self, status: int, problem_types: list[str]) -> dict:
        component = ResolvedComponent(
            name="Problem", type=ResolvedComponent.SCHEMA, object="Problem", schema=PROBLEM_SCHEMA
        )
        self.registry.register_on_missing(component)
        types = ", ".join(f"`{t}`" for t in problem_types)
        response = {
            "description": f"{TITLES.get(status, 'Problem')}: {types}.",
            "content": {CONTENT_TYPE: {"schema": component.ref}},
        }
        if status in HEADERS:
            response["headers"] = HEADERS[status]
        return response

    def get_auth(self) -> list[dict]:
        """Mark reads that anonymous callers may make (`{}`: no credentials needed)."""
        auth = super().get_auth()
        if auth and {} not in auth and self.method in SAFE_METHODS:
            permissions = self.view.get_permissions()
            if permissions and all(getattr(p, "reads_allowed", False) for p in permissions):
                auth.append({})
        return auth

    def _map_basic_serializer(self, serializer, direction):
        schema = super()._map_basic_serializer(serializer, direction)
        if getattr(serializer, "rejects_unknown_fields", False):
            schema["additionalProperties"] = False
        if direction == "request":
            for name, field in serializer.fields.items():
                prop = schema.get("properties", {}).get(name)
                if isinstance(field, serializers.CharField) and prop:
                    _text_pattern(field, prop)
        return schema

    def _map_serializer_field(self, field, direction, bypass_extensions=False):
        schema = super()._map_serializer_field(field, direction, bypass_extensions)
        if schema and is_list_serializer(field) and schema.get("type") == "array":
            if not field.allow_empty:
                schema["minItems"] = max(1, field.min_length or 0)
            elif field.min_length:
                schema["minItems"] = field.min_length
            if field.max_length is not None:
                schema["maxItems"] = field.max_length
        return schema
