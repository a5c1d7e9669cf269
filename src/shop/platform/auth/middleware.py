"""`request.user` on a process that does not host identity: anonymous, never a query.

Django's AuthenticationMiddleware loads the user from the session and the user table,
both on the `default` alias, which such a process does not have (every query there
raises NotHosted). Here it does exactly what Django's does when this process hosts
identity, and otherwise sets an AnonymousUser; the API's authentication
(IntrospectedTokenAuthentication) then replaces it for a request with a valid token.
"""

from __future__ import annotations

from django.contrib.auth.middleware import AuthenticationMiddleware as DjangoAuthentication
from django.contrib.auth.models import AnonymousUser

from shop.platform import topology
from shop.platform.topology import IDENTITY


class AuthenticationMiddleware(DjangoAuthentication):
    def process_request(self, request) -> None:
        if topology.current().hosts(IDENTITY):
            return super().process_request(request)
        anonymous = AnonymousUser()
        request.user = anonymous

        async def auser():
            return anonymous

        request.auser = auser
        return None
