"""Signing in to the API and the caller's own profile."""

from __future__ import annotations

from django.core.exceptions import ObjectDoesNotExist
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_field
from knox.auth import TokenAuthentication
from knox.models import AuthToken
from rest_framework import serializers
from rest_framework.generics import ListAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from portal import throttling
from portal.accounts import selectors, services
from portal.accounts.models import Role, User
from portal.api import error_responses


class DepartmentRef(serializers.Serializer):
    """A department as other objects point at it."""

    code = serializers.CharField()
    name = serializers.CharField(source="display_name")


class TokenView(APIView):
    """Sign in to the API: exchange a username and password for a new token with an expiry."""

    class TokenInput(serializers.Serializer):
        username = serializers.CharField(label=_("Username"))
        password = serializers.CharField(label=_("Password"), trim_whitespace=False)

    class TokenOutput(serializers.Serializer):
        token = serializers.CharField(
            help_text="Send it as `Authorization: Token <token>` on every request. Shown once."
        )
        key = serializers.CharField(help_text="The token's public key, to list or revoke it.")
        expiry = serializers.DateTimeField(allow_null=True)

    authentication_classes = ()
    permission_classes = ()
    throttle_classes = (throttling.TokenLoginThrottle,)

    @extend_schema(
        operation_id="auth_token_create",
        summary="Sign in: get an API token",
        description=(
            "Exchanges a username and password for a new API token. Only its hash is stored; "
            "it expires at `expiry` (24 hours by default), ends when its owner signs out "
            "(here or on the web) or changes the password, and can be revoked. Wrong "
            "credentials give 400 with code `invalid`. After three wrong passwords for one "
            "account each attempt waits (1 s, doubling, at most 30 s: 429 `too_soon` with "
            "Retry-After); more than ten requests a minute from one address give 429 "
            "`throttled`."
        ),
        request=TokenInput,
        responses={200: TokenOutput, **error_responses(400, 429)},
        auth=[],
        tags=["auth"],
    )
    def post(self, request: Request) -> Response:
        data = self.TokenInput(data=request.data)
        data.is_valid(raise_exception=True)
        user = services.authenticate_with_password(
            request=request,
            username=data.validated_data["username"],
            password=data.validated_data["password"],
        )
        instance, token = services.issue_api_token(user=user)
        body = {"token": token, "key": instance.token_key, "expiry": instance.expiry}
        return Response(self.TokenOutput(body).data)


class TokenOut(serializers.Serializer):
    """One of the caller's API tokens (never the token itself)."""

    key = serializers.CharField(source="token_key")
    created = serializers.DateTimeField()
    expiry = serializers.DateTimeField(allow_null=True)
    current = serializers.SerializerMethodField(help_text="The token this request was made with.")

    def get_current(self, token: AuthToken) -> bool:
        used = self.context.get("used")
        return used is not None and used.digest == token.digest


class TokenListApi(ListAPIView):
    """The caller's own API tokens that have not expired."""

    serializer_class = TokenOut

    def get_queryset(self):
        return selectors.api_tokens_of(self.request.user)

    def get_serializer_context(self) -> dict:
        auth = self.request.auth
        return {
            **super().get_serializer_context(),
            "used": auth if isinstance(auth, AuthToken) else None,
        }

    @extend_schema(operation_id="auth_tokens_list", tags=["auth"])
    def get(self, request: Request, *args, **kwargs) -> Response:
        return super().get(request, *args, **kwargs)


class TokenRevokeApi(APIView):
    @extend_schema(
        operation_id="auth_token_revoke",
        summary="Revoke one of the caller's tokens",
        request=None,
        responses={204: None, **error_responses(403, 404)},
        tags=["auth"],
    )
    def delete(self, request: Request, key: str) -> Response:
        services.revoke_api_token(user=request.user, token_key=key)
        return Response(status=204)


class LogoutApi(APIView):
    authentication_classes = (TokenAuthentication,)

    @extend_schema(
        operation_id="auth_logout",
        summary="Sign out: revoke the token this request was made with",
        request=None,
        responses={204: None, **error_responses(403)},
        tags=["auth"],
    )
    def post(self, request: Request) -> Response:
        services.revoke_api_token(user=request.user, token_key=request.auth.token_key)
        return Response(status=204)


class LogoutAllApi(APIView):
    @extend_schema(
        operation_id="auth_logout_all",
        summary="Sign out everywhere: revoke every token of the caller",
        request=None,
        responses={204: None, **error_responses(403)},
        tags=["auth"],
    )
    def post(self, request: Request) -> Response:
        services.revoke_api_tokens(user=request.user)
        return Response(status=204)


class MeView(APIView):
    """Who the caller is: roles, department and the areas they serve."""

    class MeOutput(serializers.ModelSerializer):
        roles = serializers.ListField(child=serializers.ChoiceField(choices=Role.choices))
        department = DepartmentRef(allow_null=True)
        districts = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
        grids = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
        person_id = serializers.SerializerMethodField(
            help_text="The caller's person record in the residents registry, if any."
        )

        class Meta:
            model = User
            fields = ["id", "username", "roles", "department", "districts", "grids", "person_id"]

        @extend_schema_field(serializers.IntegerField(allow_null=True))
        def get_person_id(self, user: User) -> int | None:
            try:
                return user.person.pk  # the residents app's one-to-one back to the user
            except ObjectDoesNotExist:
                return None

    @extend_schema(
        operation_id="me_retrieve",
        summary="The signed-in user",
        responses={200: MeOutput, **error_responses(403)},
        tags=["auth"],
    )
    def get(self, request: Request) -> Response:
        return Response(self.MeOutput(request.user).data)
