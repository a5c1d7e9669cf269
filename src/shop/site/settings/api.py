import re

from django.core.exceptions import ImproperlyConfigured

from shop.platform.topology import IDENTITY
from shop.site.settings.env import number, text, whole
from shop.site.settings.topology import SHOP_TOPOLOGY


def _rate(name: str, default: str) -> str:
    """A DRF throttle rate, "<count>/<second|minute|hour|day>", checked at start-up."""
    rate = text(name, default).strip()
    if not re.fullmatch(r"[1-9][0-9]*/(s|sec|second|m|min|minute|h|hour|d|day)", rate):
        raise ImproperlyConfigured(f"{name} must look like 10/minute or 20/hour, not {rate!r}")
    return rate


# A CSRF rejection under /api/ is a problem+json 403, never Django's HTML page.
CSRF_FAILURE_VIEW = "shop.platform.http.problems.csrf_failure_view"


def _seconds(name: str, default: float) -> float:
    seconds = number(name, default)
    if seconds < 0:
        raise ImproperlyConfigured(f"{name} must be 0 or more seconds, not {seconds}")
    return seconds


# API tokens live with identity (`default`). Where this process hosts identity, tokens and
# sessions are checked there; anywhere else a token is asked of the identity-hosting
# service and its answer cached (shop.platform.auth.introspection, docs/adr/0021): a token
# revoked in identity stops working here within SHOP_TOKEN_INTROSPECTION_SECONDS.
_AUTHENTICATION = (
    [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ]
    if SHOP_TOPOLOGY.hosts(IDENTITY)
    else ["shop.platform.auth.authentication.IntrospectedTokenAuthentication"]
)
SHOP_TOKEN_INTROSPECTION_SECONDS = _seconds("SHOP_TOKEN_INTROSPECTION_SECONDS", 30)
# A "no such token" is kept for less, never longer than a "yes".
SHOP_TOKEN_INTROSPECTION_NEGATIVE_SECONDS = min(
    _seconds("SHOP_TOKEN_INTROSPECTION_NEGATIVE_SECONDS", 5), SHOP_TOKEN_INTROSPECTION_SECONDS
)

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": _AUTHENTICATION,
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PARSER_CLASSES": ["shop.platform.http.parsers.DecimalJSONParser"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_SCHEMA_CLASS": "shop.platform.http.schema.AutoSchema",
    "EXCEPTION_HANDLER": "shop.platform.http.problems.exception_handler",
    "COERCE_DECIMAL_TO_STRING": True,
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    # Failed sign-ins (POST /api/v1/auth/token) allowed per client address and per username
    # in a sliding window; then 429 until the oldest failure ages out (shop.platform.auth.throttles).
    "DEFAULT_THROTTLE_RATES": {
        "sign-in-address": _rate("SHOP_TOKEN_THROTTLE_ADDRESS", "20/minute"),
        "sign-in-username": _rate("SHOP_TOKEN_THROTTLE_USERNAME", "10/hour"),
    },
    # Proxies in front of the web process that append to X-Forwarded-For: the client address
    # is the one the outermost trusted proxy saw. 0: REMOTE_ADDR, X-Forwarded-For ignored
    # (a client could otherwise pick its own address and dodge the address throttle).
    "NUM_PROXIES": whole("SHOP_NUM_PROXIES", 0),
}

SPECTACULAR_SETTINGS = {
    "TITLE": "shop API",
    "DESCRIPTION": (
        "REST API v1 of shop, a modular monolith with four bounded contexts: catalog, "
        "inventory, ordering and billing. Errors are RFC 9457 application/problem+json."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
}
