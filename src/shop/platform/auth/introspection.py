"""Token introspection: a service that does not host identity asks the one that does.

The identity-hosting service answers `POST /_internal/identity/introspect`, signed like
every internal call (shop.platform.openhost.signing; unsigned or stale: 401), with body
`{"token": "<key>"}`:

    {"result": {"active": true, "user": {"id": 7, "username": "alice",
                                         "is_staff": false, "is_superuser": false}}}
    {"result": {"active": false}}

Active means what DRF's TokenAuthentication accepts: the token exists and its user is
active. Nothing else about the user leaves identity (never the password hash).

Any other service keeps each answer in Django's cache for
`SHOP_TOKEN_INTROSPECTION_SECONDS` (a "no" for `SHOP_TOKEN_INTROSPECTION_NEGATIVE_SECONDS`),
keyed by a SHA-256 of the token, never the token itself. That time is how long a token
revoked in identity may still work elsewhere (docs/adr/0021). When identity cannot be
asked, `lookup` raises RemoteUnavailable: the caller answers 503, never "not valid".
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

import structlog
from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, JsonResponse

from shop.platform import topology
from shop.platform.http.problems import problem_response
from shop.platform.openhost import RemoteUnavailable
from shop.platform.openhost.client import client
from shop.platform.openhost.views import internal
from shop.platform.topology import IDENTITY

log = structlog.get_logger("shop.auth")

PATH = "/_internal/identity/introspect"
CACHE_PREFIX = "shop:introspect:"
# DRF's tokens are 40 characters; anything longer is not one, and is not looked up.
MAX_KEY_LENGTH = 40


# --- the identity-hosting side ------------------------------------------------------


def introspect(key: str) -> dict:
    """What identity says of a token key: active, and if so whose (id, name, flags)."""
    from rest_framework.authtoken.models import Token

    if not key or len(key) > MAX_KEY_LENGTH:
        return {"active": False}
    token = Token.objects.select_related("user").filter(key=key).first()
    if token is None or not token.user.is_active:
        return {"active": False}
    user = token.user
    return {
        "active": True,
        "user": {
            "id": user.pk,
            "username": user.get_username(),
            "is_staff": bool(user.is_staff),
            "is_superuser": bool(user.is_superuser),
        },
    }


@internal
def introspect_view(request: HttpRequest) -> JsonResponse:
    if not topology.current().hosts(IDENTITY):
        return problem_response(
            status=404,
            slug="not-found",
            title="Not found",
            detail="This service does not host identity.",
        )
    try:
        key = json.loads(request.body or b"{}")["token"]
        if not isinstance(key, str):
            raise TypeError
    except (ValueError, KeyError, TypeError):
        return problem_response(
            status=400,
            slug="invalid-request",
            title="Invalid call",
            detail='The body must be {"token": "<key>"}.',
        )
    response = JsonResponse({"result": introspect(key)})
    response["Cache-Control"] = "no-store"
    return response


# --- every other service ------------------------------------------------------------


@dataclass(frozen=True)
class RemoteUser:
    """The user behind a token, as identity described it: no row of this process's.

    Enough for the views and permissions (`request.user.id`, `is_staff`); model
    permissions and groups do not travel, so `has_perm` is true for superusers only.
    """

    id: int
    username: str
    is_staff: bool
    is_superuser: bool

    is_active = True
    is_authenticated = True
    is_anonymous = False

    @property
    def pk(self) -> int:
        return self.id

    def get_username(self) -> str:
        return self.username

    def has_perm(self, perm: str, obj: object = None) -> bool:
        return self.is_superuser

    def has_perms(self, perms, obj: object = None) -> bool:
        return self.is_superuser

    def has_module_perms(self, app_label: str) -> bool:
        return self.is_superuser

    def __str__(self) -> str:
        return self.username


def cache_key(key: str) -> str:
    """Where an answer about `key` is cached: a hash of it, never the token itself."""
    return CACHE_PREFIX + hashlib.sha256(key.encode()).hexdigest()


def lookup(key: str) -> RemoteUser | None:
    """The user a token belongs to (None: not a valid token), from the cache or identity.

    Raises RemoteUnavailable when identity cannot be asked: never read it as "not valid".
    """
    where = cache_key(key)
    try:
        answer = cache.get(where)
    except Exception as error:  # the cache is down: ask identity every time, loudly
        log.warning("introspection cache unavailable", error=repr(error))
        answer = None
    if answer is None:
        answer = ask_identity(key)
        seconds = (
            settings.SHOP_TOKEN_INTROSPECTION_SECONDS
            if answer["active"]
            else settings.SHOP_TOKEN_INTROSPECTION_NEGATIVE_SECONDS
        )
        if seconds > 0:
            try:
                cache.set(where, answer, seconds)
            except Exception as error:
                log.warning("introspection cache unavailable", error=repr(error))
    if not answer["active"]:
        return None
    return RemoteUser(**answer["user"])


def ask_identity(key: str) -> dict:
    """Identity's answer about `key`, checked field by field (RemoteUnavailable if none)."""
    service = topology.current().host_of(IDENTITY)
    if service is None:
        raise RemoteUnavailable("no service hosts identity")
    body = json.dumps({"token": key}).encode()
    answer = client().call(service, PATH, body, safe=True)
    result = answer.payload.get("result") if answer.status == 200 else None
    if _well_formed(result):
        return result
    raise RemoteUnavailable(
        f"service {service.name!r} answered {PATH} with something that is not an introspection"
    )


def _well_formed(result: object) -> bool:
    if not isinstance(result, dict) or not isinstance(result.get("active"), bool):
        return False
    if not result["active"]:
        return set(result) == {"active"}
    user = result.get("user")
    return (
        set(result) == {"active", "user"}
        and isinstance(user, dict)
        and set(user) == {"id", "username", "is_staff", "is_superuser"}
        and type(user["id"]) is int
        and isinstance(user["username"], str)
        and all(isinstance(user[flag], bool) for flag in ("is_staff", "is_superuser"))
    )
