"""`POST /_internal/<context>/<function>`: another service calling a hosted api function.

Signed requests only (shop.platform.openhost.signing); the public proxy denies the whole
`/_internal/` prefix as well. The answer is `{"result": ...}` (200), or `{"error": {"type",
"message"}}` (422) for a typed error the function raised; anything else is a problem.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable

import structlog
from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from shop.platform import topology
from shop.platform.http.problems import problem_response
from shop.platform.openhost import signing
from shop.platform.openhost.codec import CodecError, encode
from shop.platform.openhost.functions import exposed

log = structlog.get_logger("shop.openhost")


def internal(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """An internal endpoint: POST only, no CSRF (a service's call, not a browser's), and
    only with a valid signature; anything else is a 401 problem."""

    @csrf_exempt
    @require_POST
    @functools.wraps(view)
    def guarded(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        secret = settings.SHOP_OPENHOST["secret"]
        header = request.headers.get(signing.HEADER, "")
        if not signing.verify(secret, header, request.method, request.path, request.body):
            return problem_response(
                status=401,
                slug="not-authenticated",
                title="Not authenticated",
                detail=f"Internal calls need a valid {signing.HEADER} header.",
            )
        return view(request, *args, **kwargs)

    return guarded


@internal
def internal_call(request: HttpRequest, context: str, function: str) -> JsonResponse:
    entry = exposed(context, function)
    if entry is None or not topology.current().hosts(context):
        return problem_response(
            status=404,
            slug="not-found",
            title="Not found",
            detail=f"This service does not serve {context}.{function}.",
        )
    try:
        arguments = entry.decode_arguments(json.loads(request.body or b"{}").get("arguments", {}))
    except (CodecError, ValueError, AttributeError) as error:
        return problem_response(
            status=400, slug="invalid-request", title="Invalid call", detail=str(error)
        )
    try:
        result = entry.function(**arguments)
    except Exception as error:
        # Sent as the nearest class the caller knows: exported by the module, or a builtin
        # (InvalidMoney travels as ValueError). Anything else is a 500, read as unavailable.
        known = next((c for c in type(error).__mro__ if entry.error_class(c.__name__) is c), None)
        if known is None:
            raise
        log.info("internal call raised", context=context, function=function, error=str(error))
        return JsonResponse({"error": {"type": known.__name__, "message": str(error)}}, status=422)
    return JsonResponse({"result": encode(result)})
