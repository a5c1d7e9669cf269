"""RFC 9457 problem details for every error the API returns.

Each problem has a stable `type` (``urn:shop:problem:<slug>``, listed in
docs/api/problems.md), a `title` that never varies for that type, a `detail`
for this occurrence, and for validation failures an `errors` list whose
`pointer` is a JSON Pointer into the request body (RFC 9457 §3 example style).
"""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse, JsonResponse
from django.views.csrf import csrf_failure as django_csrf_failure
from django.views.decorators.csrf import csrf_exempt
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

CONTENT_TYPE = "application/problem+json"
TYPE_PREFIX = "urn:shop:problem:"

_SLUGS = {
    exceptions.ParseError: ("malformed-request", "Malformed request"),
    exceptions.AuthenticationFailed: ("not-authenticated", "Not authenticated"),
    exceptions.NotAuthenticated: ("not-authenticated", "Not authenticated"),
    exceptions.PermissionDenied: ("forbidden", "Not allowed"),
    exceptions.NotFound: ("not-found", "Not found"),
    exceptions.MethodNotAllowed: ("method-not-allowed", "Method not allowed"),
    exceptions.NotAcceptable: ("not-acceptable", "Not acceptable"),
    exceptions.UnsupportedMediaType: ("unsupported-media-type", "Unsupported media type"),
    exceptions.Throttled: ("throttled", "Too many requests"),
}


class Problem(exceptions.APIException):
    """A business-rule or request error with its own stable problem type.

    Raised by a context's `rest` layer after translating a domain or application error,
    so the domain never needs to know about HTTP.
    """

    def __init__(self, *, status: int, slug: str, title: str, detail: str, **extensions: Any):
        super().__init__(detail=detail)
        self.status_code = status
        self.slug = slug
        self.title = title
        self.extensions = extensions


def problem_body(*, status: int, slug: str, title: str, detail: str, **extensions: Any) -> dict:
    return {
        "type": TYPE_PREFIX + slug,
        "title": title,
        "status": status,
        "detail": detail,
        **extensions,
    }


def problem_response(
    *, status: int, slug: str, title: str, detail: str, **extensions: Any
) -> JsonResponse:
    """A problem outside DRF (Django's own 404/500 handlers, health checks)."""
    body = problem_body(status=status, slug=slug, title=title, detail=detail, **extensions)
    return JsonResponse(body, status=status, content_type=CONTENT_TYPE)


def exception_handler(exc: Exception, context: dict) -> Response | None:
    """DRF's EXCEPTION_HANDLER: let DRF pick status and headers, then speak problem+json."""
    response = drf_exception_handler(exc, context)
    if response is None:
        return None  # an unexpected error: Django's handler500 answers with a problem too
    if isinstance(exc, Problem):
        body = problem_body(
            status=exc.status_code,
            slug=exc.slug,
            title=exc.title,
            detail=str(exc.detail),
            **exc.extensions,
        )
    elif isinstance(exc, exceptions.ValidationError):
        errors = list(_flatten(exc.detail, ""))
        body = problem_body(
            status=status.HTTP_400_BAD_REQUEST,
            slug="validation-error",
            title="Invalid request",
            detail=_summary(errors),
            errors=errors,
        )
    else:
        slug, title = _slug_for(exc, response.status_code)
        detail = exc.detail if isinstance(exc, exceptions.APIException) else str(exc)
        body = problem_body(status=response.status_code, slug=slug, title=title, detail=str(detail))
    response.data = body
    response.content_type = CONTENT_TYPE
    if response.status_code == 401 and "WWW-Authenticate" not in response:
        response["WWW-Authenticate"] = "Token"  # RFC 9110 §15.5.2, as DRF's TokenAuthentication
    return response


def _slug_for(exc: Exception, status_code: int) -> tuple[str, str]:
    for cls in type(exc).__mro__:
        if cls in _SLUGS:
            return _SLUGS[cls]
    if status_code == 404:
        return _SLUGS[exceptions.NotFound]
    if status_code == 403:
        return _SLUGS[exceptions.PermissionDenied]
    return "request-error", "Request error"


def _flatten(detail: Any, pointer: str):
    """Yield {"pointer", "detail"} for every message in DRF's nested error structure."""
    if isinstance(detail, dict):
        for key, value in detail.items():
            if key == "non_field_errors":
                yield from _flatten(value, pointer)
            else:
                yield from _flatten(value, f"{pointer}/{_escape(str(key))}")
    elif isinstance(detail, list):
        if all(not isinstance(item, dict | list) for item in detail):
            for message in detail:
                yield {"pointer": "#" + pointer, "detail": str(message)}
        else:
            for index, item in enumerate(detail):
                yield from _flatten(item, f"{pointer}/{index}")
    elif detail:
        yield {"pointer": "#" + pointer, "detail": str(detail)}


def _escape(token: str) -> str:
    return token.replace("~", "~0").replace("/", "~1")


def _summary(errors: list[dict]) -> str:
    if len(errors) == 1:
        where = errors[0]["pointer"].lstrip("#/") or "request"
        return f"{where}: {errors[0]['detail']}"
    return f"{len(errors)} fields are invalid; see errors."


API_PREFIX = "/api/"


@csrf_exempt  # it changes nothing: a POST to an unrouted API path is a 404, not a CSRF 403
def not_found_view(request, exception=None) -> JsonResponse:
    return problem_response(
        status=404, slug="not-found", title="Not found", detail=f"No resource at {request.path}."
    )


def csrf_failure_view(request, reason: str = "") -> HttpResponse:
    """CSRF_FAILURE_VIEW: a problem under /api/ (never Django's HTML page), the usual page elsewhere.

    API views are exempt from Django's CSRF middleware (DRF checks CSRF itself, for session
    clients only, and answers a `forbidden` problem); this covers anything that slips past.
    """
    if request.path.startswith(API_PREFIX):
        return problem_response(
            status=403,
            slug="forbidden",
            title="Not allowed",
            detail=f"CSRF verification failed: {reason or 'no reason given'}.",
        )
    return django_csrf_failure(request, reason=reason)


def server_error_view(request) -> JsonResponse:
    return problem_response(
        status=500,
        slug="internal-error",
        title="Internal error",
        detail="The server failed to handle this request; it has been logged.",
    )
