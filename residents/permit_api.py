"""The permit's API beyond the counter: the e-permit's public keys and courier callbacks."""

from __future__ import annotations

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import permissions, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from portal.errors import NotAllowed
from residents import courier_signing, permit_keys
from residents.api import _errors
from residents.services import delivery


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


class DeliveryOut(serializers.Serializer):
    id = serializers.IntegerField()
    permit = serializers.IntegerField(source="permit_id")
    status = serializers.CharField()
    waybill = serializers.CharField()


class DeliveryChoiceApi(APIView):
    class ChoiceIn(serializers.Serializer):
        method = serializers.CharField(max_length=10)
        address = serializers.CharField(max_length=200, required=False, allow_blank=True)
        phone = serializers.CharField(max_length=20, required=False, allow_blank=True)

    @extend_schema(
        request=ChoiceIn,
        responses={200: ChoiceIn, **_errors(400, 404, 409)},
        description=(
            "How the applicant receives the card: `pickup`, or `courier` with `address` and "
            "`phone`. Changeable while the application is a draft or returned."
        ),
    )
    def put(self, request: Request, pk: int) -> Response:
        data = self.ChoiceIn(data=request.data)
        data.is_valid(raise_exception=True)
        choice = delivery.choose_delivery(
            actor=request.user, application_id=pk, **data.validated_data
        )
        return Response(self.ChoiceIn(choice).data)


class DeliveryStartApi(APIView):
    @extend_schema(
        request=None,
        responses={201: DeliveryOut, **_errors(400, 404, 409)},
        description="Public security of the permit's district: the card is printed for the courier.",
    )
    def post(self, request: Request, pk: int) -> Response:
        started = delivery.start_card_delivery(actor=request.user, permit_id=pk)
        return Response(DeliveryOut(started).data, status=status.HTTP_201_CREATED)


class DeliveryMoveApi(APIView):
    class MoveIn(serializers.Serializer):
        status = serializers.CharField(max_length=12)
        waybill = serializers.CharField(max_length=40, required=False, allow_blank=True)
        reason = serializers.CharField(max_length=500, required=False, allow_blank=True)

    @extend_schema(
        request=MoveIn,
        responses={200: DeliveryOut, **_errors(400, 404, 409)},
        description=(
            "Public security of the permit's district moves the delivery one step: "
            "`handed_over` (with `waybill`), then `delivered` or `returned` (with `reason`)."
        ),
    )
    def post(self, request: Request, pk: int) -> Response:
        data = self.MoveIn(data=request.data)
        data.is_valid(raise_exception=True)
        moved = delivery.move_card_delivery(
            actor=request.user,
            delivery_id=pk,
            to_status=data.validated_data["status"],
            waybill=data.validated_data.get("waybill", ""),
            reason=data.validated_data.get("reason", ""),
        )
        return Response(DeliveryOut(moved).data)


class CourierCallbackApi(APIView):
    permission_classes = [permissions.AllowAny]
    authentication_classes: list = []

    class CallbackIn(serializers.Serializer):
        waybill = serializers.CharField(max_length=40)
        status = serializers.CharField(max_length=12)
        reason = serializers.CharField(max_length=500, required=False, allow_blank=True)

    @extend_schema(
        request=CallbackIn,
        responses={200: DeliveryOut, **_errors(400, 403, 404, 409)},
        description=(
            "The courier company reports a card `delivered` or `returned` (with `reason`). "
            "Signed with the shared secret: headers X-Courier-Timestamp, X-Courier-Nonce and "
            "X-Courier-Signature = hex HMAC-SHA256(secret, '<timestamp>.<nonce>.' + body). A "
            "bad signature or a stale timestamp is a 403; a nonce used before is a 409 `replay`."
        ),
    )
    def post(self, request: Request) -> Response:
        body = request.body
        try:
            courier_signing.check(
                settings.COURIER_CALLBACK_SECRET,
                body=body,
                timestamp=request.headers.get("X-Courier-Timestamp", ""),
                nonce=request.headers.get("X-Courier-Nonce", ""),
                signature=request.headers.get("X-Courier-Signature", ""),
                now=int(timezone.now().timestamp()),
                max_skew=settings.COURIER_CALLBACK_MAX_SKEW_SECONDS,
            )
        except courier_signing.CallbackRefused as refused:
            raise NotAllowed(
                _("The callback's signature is missing, wrong or too old."), code=refused.reason
            ) from None
        data = self.CallbackIn(data=request.data)
        data.is_valid(raise_exception=True)
        moved = delivery.record_courier_update(
            waybill=data.validated_data["waybill"],
            to_status=data.validated_data["status"],
            reason=data.validated_data.get("reason", ""),
            nonce=request.headers["X-Courier-Nonce"],
        )
        return Response(DeliveryOut(moved).data)
