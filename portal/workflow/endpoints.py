"""One shape for every API endpoint that moves an application along its lifecycle.

Submit, withdraw, accept (受理), approve, reject and return look the same in every app: a
POST to `<thing>/<pk>/<action>/`, at most a reason in the body, one service call with the
acting user, and the moved object back in the app's output shape. `transition_endpoint`
builds that view once, so each app names its endpoints in one line:

    PermitApplicationApproveApi = transition_endpoint(
        services.approve_permit_application, output=PermitApplicationOut, reason="optional"
    )

Whether a reason must be given is the workflow service's rule (a blank one is refused there
with the translated error naming `reason`); the endpoint only says whether it takes one.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Literal

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from portal.api import error_responses

ReasonMode = Literal["none", "optional", "required"]


class ReasonIn(serializers.Serializer):
    """The reason of a transition. Blank passes here: the service decides whether one is needed."""

    reason = serializers.CharField(max_length=2000, required=False, default="", allow_blank=True)


def transition_endpoint(
    service: Callable[..., Any],
    *,
    output: type[serializers.Serializer],
    lookup: str = "application_id",
    reason: ReasonMode = "none",
    description: str | None = None,
    errors: Sequence[int] = (400, 404, 409),
    scope: Callable[[Any], QuerySet] | None = None,
) -> type[APIView]:
    """An APIView whose POST calls `service(actor=user, <lookup>=pk[, reason=...])`.

    `reason`: "none" ignores the body; "optional" and "required" read it with ReasonIn and
    pass the reason on ("required" only documents that the service refuses a blank one).
    `scope`: a selector of the caller's view (`scope(user)`); when given, the answer is the
    object as that selector shows it, read again after the move, instead of the service's
    return value. `errors`: the error statuses the schema lists besides 200.
    """
    if reason not in ("none", "optional", "required"):
        raise ValueError(f"reason must be 'none', 'optional' or 'required', not {reason!r}")
    takes_reason = reason != "none"

    @extend_schema(
        request=ReasonIn if takes_reason else None,
        responses={200: output, **error_responses(*errors)},
        description=description,
    )
    def post(self: APIView, request: Request, pk: int) -> Response:
        kwargs: dict[str, Any] = {"actor": request.user, lookup: pk}
        if takes_reason:
            data = ReasonIn(data=request.data)
            data.is_valid(raise_exception=True)
            kwargs["reason"] = data.validated_data["reason"]
        moved = service(**kwargs)
        if scope is not None:
            moved = get_object_or_404(scope(request.user), pk=pk)
        return Response(output(moved).data)

    name = "".join(word.title() for word in service.__name__.split("_")) + "Api"
    return type(name, (APIView,), {"post": post, "__doc__": description})
