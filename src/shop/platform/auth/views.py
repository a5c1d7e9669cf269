from django.contrib.auth import authenticate
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.authtoken.models import Token
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from shop.platform.auth.throttles import SignInByAddress, SignInByUsername
from shop.platform.http.fields import StrictText
from shop.platform.http.problems import Problem
from shop.platform.http.schema import raises


class Credentials(serializers.Serializer):
    username = StrictText(max_length=150)
    password = StrictText(max_length=128, trim_whitespace=False)


class ObtainToken(APIView):
    """Exchange a username and password for the API token to send as `Authorization: Token ...`.

    Failed attempts are throttled by client address and by username (429 with Retry-After).
    """

    permission_classes = [AllowAny]
    authentication_classes: list = []
    throttle_classes = [SignInByAddress, SignInByUsername]

    @extend_schema(
        request=Credentials,
        responses={200: inline_serializer("TokenResponse", {"token": serializers.CharField()})},
        tags=["auth"],
    )
    @raises(401, "invalid-credentials")
    def post(self, request):
        credentials = Credentials(data=request.data)
        credentials.is_valid(raise_exception=True)
        user = authenticate(request=request, **credentials.validated_data)
        if user is None:
            for throttle in self.get_throttles():
                throttle.record_failure(request, self)
            raise Problem(
                status=401,
                slug="invalid-credentials",
                title="Invalid credentials",
                detail="The username or password is wrong, or the account is disabled.",
            )
        token, _ = Token.objects.get_or_create(user=user)
        return Response({"token": token.key})

    def get_authenticate_header(self, request):
        return "Token"
