"""Signing in to the API and the caller's own profile."""

from __future__ import annotations

from django.core.exceptions import ObjectDoesNotExist
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.authtoken.models import Token
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from portal import throttling
from portal.accounts import services
from portal.accounts.models import Role, User
from portal.api import error_responses


class DepartmentRef(serializers.Serializer):
    """A department as other objects point at it."""

    code = serializers.CharField()
    name = serializers.CharField(source="display_name")


class TokenView(APIView):
    """Exchange a username and password for the caller's API token."""

    class TokenInput(serializers.Serializer):
        username = serializers.CharField(label=_("Username"))
        password = serializers.CharField(label=_("Password"), trim_whitespace=False)

    class TokenOutput(serializers.Serializer):
        token = serializers.CharField(
            help_text="Send it as `Authorization: Token <token>` on every request."
        )

    authentication_classes = ()
    permission_classes = ()
    throttle_classes = (throttling.TokenLoginThrottle,)

    @extend_schema(
        operation_id="auth_token_create",
        summary="Get an API token",
        description=(
            "Exchanges a username and password for the user's API token (the same token each "
            "time until it is revoked). Wrong credentials give 400 with code `invalid`. After "
            "three wrong passwords for one account each attempt waits (1 s, doubling, at most "
            "30 s: 429 `too_soon` with Retry-After); more than ten requests a minute from one "
            "address give 429 `throttled`."
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
        token, _created = Token.objects.get_or_create(user=user)
        return Response(self.TokenOutput({"token": token.key}).data)


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
