"""API tokens on a service that does not host identity: asked of the service that does.

`Authorization: Token <key>` is read exactly as DRF's TokenAuthentication reads it (same
401s for a malformed header), but the key is looked up by introspection
(shop.platform.auth.introspection), cached for SHOP_TOKEN_INTROSPECTION_SECONDS, instead
of in the `default` alias this process does not have. `request.user` is a RemoteUser:
`id`, `is_staff` and `is_superuser` as identity knows them, so the views' "own orders and
invoices only" and the staff-only writes hold unchanged.

Identity unreachable (or its breaker open, or an answer that is not one): 503
`identity-unavailable`. Never 401, which would tell a client its good token is bad, and
never let through.
"""

from __future__ import annotations

import structlog
from rest_framework.authentication import TokenAuthentication
from rest_framework.exceptions import AuthenticationFailed

log = structlog.get_logger("shop.auth")


class IntrospectedTokenAuthentication(TokenAuthentication):
    """TokenAuthentication whose key is checked by the identity-hosting service."""

    def authenticate_credentials(self, key: str):
        # Imported here, not above: DRF imports this class while rest_framework.views
        # loads, and shop.platform.http.problems needs rest_framework.views.
        from shop.platform.auth.introspection import lookup
        from shop.platform.http.problems import Problem
        from shop.platform.openhost import RemoteUnavailable

        try:
            user = lookup(key)
        except RemoteUnavailable as error:
            log.warning("token introspection unavailable", error=str(error))
            raise Problem(
                status=503,
                slug="identity-unavailable",
                title="Identity unavailable",
                detail="The token could not be checked: the identity service cannot be "
                "reached. Try again shortly.",
            ) from None
        if user is None:
            raise AuthenticationFailed("Invalid token.")
        return user, key
