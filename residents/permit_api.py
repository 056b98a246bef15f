"""The permit's API beyond the counter: the e-permit's public keys and courier callbacks."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import permissions, serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from residents import permit_keys


class PermitKeysApi(APIView):
    permission_classes = [permissions.AllowAny]
    authentication_classes: list = []

    @extend_schema(
        responses={
            200: inline_serializer(
                "PermitKeysOut",
                {
                    "keys": inline_serializer(
                        "PermitKey",
                        {
                            "kid": serializers.CharField(),
                            "alg": serializers.CharField(),
                            "public_key": serializers.CharField(),
                            "current": serializers.BooleanField(),
                        },
                        many=True,
                    )
                },
            )
        },
        description=(
            "The public keys that sign the electronic permit's QR tokens (Ed25519, base64url of "
            "the 32 raw bytes), for departments that check tokens offline with "
            "residents/permit_tokens.py. Token format: docs/security.md."
        ),
    )
    def get(self, request: Request) -> Response:
        return Response({"keys": permit_keys.published_keys()})
