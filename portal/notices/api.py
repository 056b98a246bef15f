"""The notices API: a resident's inbox and channels; staff policies, targets and their reach.

One view per use case; input serializers check shape only and the services decide. Every
refusal comes back in the one error format {"code", "message", "fields"}.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import generics, permissions, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from portal.api import error_responses
from portal.notices import criteria, selectors, services
from portal.notices.models import (
    OPTIONAL_CHANNELS,
    Channel,
    Grant,
    Notification,
    Policy,
    PolicyNotice,
)

# --- residents -------------------------------------------------------------------------------------


class GrantOutput(serializers.Serializer):
    name = serializers.CharField()
    amount = serializers.DecimalField(max_digits=10, decimal_places=2, allow_null=True)
    granted_at = serializers.DateTimeField()


class InboxItemOutput(serializers.Serializer):
    kind = serializers.CharField(
        help_text="`message` (to the account) or `policy` (a policy notice)"
    )
    id = serializers.IntegerField()
    title = serializers.CharField()
    body = serializers.CharField(help_text="Plain text: show it escaped.")
    link = serializers.CharField(allow_blank=True)
    department = serializers.CharField(allow_blank=True)
    created_at = serializers.DateTimeField()
    read_at = serializers.DateTimeField(allow_null=True)
    grant = GrantOutput(allow_null=True)


def _grant(policy: Policy, grant: Grant | None) -> dict[str, Any] | None:
    if grant is None:
        return None
    return {"name": policy.display_grant, "amount": grant.amount, "granted_at": grant.granted_at}


def _message_item(notice: Notification) -> dict[str, Any]:
    return {
        "kind": "message",
        "id": notice.pk,
        "title": notice.title,
        "body": notice.body,
        "link": notice.link,
        "department": "",
        "created_at": notice.created_at,
        "read_at": notice.read_at,
        "grant": None,
    }


def _policy_item(notice: PolicyNotice, grant: Grant | None) -> dict[str, Any]:
    policy = notice.policy
    return {
        "kind": "policy",
        "id": notice.pk,
        "title": policy.display_title,
        "body": policy.display_body,
        "link": policy.link,
        "department": policy.department.display_name,
        "created_at": notice.created_at,
        "read_at": notice.read_at,
        "grant": _grant(policy, grant),
    }


class InboxView(APIView):
    """The caller's messages and policy notices, newest first, with the unread count."""

    @extend_schema(
        responses={
            200: inline_serializer(
                name="InboxPage",
                fields={
                    "count": serializers.IntegerField(),
                    "page": serializers.IntegerField(),
                    "pages": serializers.IntegerField(),
                    "unread": serializers.IntegerField(),
                    "results": InboxItemOutput(many=True),
                },
            ),
            **error_responses(401, 403),
        }
    )
    def get(self, request: Request) -> Response:
        page, entries = selectors.inbox_page(request.user, request.query_params.get("page"))
        results = [
            _message_item(e.item) if e.kind == "message" else _policy_item(e.item, e.grant)
            for e in entries
        ]
        return Response(
            {
                "count": page.paginator.count,
                "page": page.number,
                "pages": page.paginator.num_pages,
                "unread": selectors.unread_count(request.user),
                "results": InboxItemOutput(results, many=True).data,
            }
        )


class PolicyNoticeOpenView(APIView):
    """Open one of the caller's policy notices (it counts as opened); another's is a 404."""

    @extend_schema(request=None, responses={200: InboxItemOutput, **error_responses(401, 404)})
    def post(self, request: Request, pk: int) -> Response:
        notice = services.open_policy_notice(notice_id=pk, actor=request.user)
        return Response(InboxItemOutput(_policy_item(notice, selectors.grant_for(notice))).data)


class PolicyNoticeDismissView(APIView):
    """Take one of the caller's policy notices out of their inbox."""

    @extend_schema(request=None, responses={204: None, **error_responses(401, 404)})
    def post(self, request: Request, pk: int) -> Response:
        services.dismiss_policy_notice(notice_id=pk, actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class PreferencesSerializer(serializers.Serializer):
    inbox = serializers.BooleanField(
        required=False, help_text="Always true: the inbox cannot be switched off."
    )
    sms = serializers.BooleanField()
    email = serializers.BooleanField()


class PreferencesView(APIView):
    """The channels the caller receives policy notices by (the inbox always)."""

    def _current(self, request: Request) -> dict[str, bool]:
        off = selectors.opted_out_channels(request.user)
        return {"inbox": True, **{str(c): str(c) not in off for c in OPTIONAL_CHANNELS}}

    @extend_schema(responses={200: PreferencesSerializer, **error_responses(401)})
    def get(self, request: Request) -> Response:
        return Response(self._current(request))

    @extend_schema(
        request=PreferencesSerializer,
        responses={200: PreferencesSerializer, **error_responses(400, 401)},
    )
    def put(self, request: Request) -> Response:
        data = PreferencesSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        if data.validated_data.get("inbox") is False:
            services.set_channel(actor=request.user, channel=Channel.INBOX, enabled=False)
        for channel in OPTIONAL_CHANNELS:
            services.set_channel(
                actor=request.user, channel=channel, enabled=data.validated_data[str(channel)]
            )
        return Response(self._current(request))


# --- staff -------------------------------------------------------------------------------------


class ManagesPolicies(permissions.BasePermission):
    message = _("Only department staff publish policies.")

    def has_permission(self, request: Request, view: APIView) -> bool:
        return selectors.can_manage_policies(request.user)


class ParamOutput(serializers.Serializer):
    name = serializers.CharField()
    label = serializers.CharField()
    type = serializers.CharField(help_text="integer, decimal, choice, multiple_choice or text")
    required = serializers.BooleanField()
    choices = serializers.ListField(child=serializers.ListField(), required=False)


class CriterionOutput(serializers.Serializer):
    code = serializers.CharField()
    label = serializers.CharField()
    help_text = serializers.CharField(allow_blank=True)
    params = ParamOutput(many=True)


def _param(name: str, field: forms.Field) -> dict[str, Any]:
    kind = "text"
    if isinstance(field, forms.MultipleChoiceField):
        kind = "multiple_choice"
    elif isinstance(field, forms.ChoiceField):
        kind = "choice"
    elif isinstance(field, forms.IntegerField):
        kind = "integer"
    elif isinstance(field, forms.DecimalField):
        kind = "decimal"
    out: dict[str, Any] = {
        "name": name,
        "label": str(field.label or name),
        "type": kind,
        "required": field.required,
    }
    if isinstance(field, forms.ChoiceField):
        flat = []
        for value, label in field.choices:
            if isinstance(label, list | tuple):
                flat.extend([v, str(lbl)] for v, lbl in label)
            else:
                flat.append([value, str(label)])
        out["choices"] = flat
    return out


class CriteriaView(APIView):
    """Every criterion a target can use, with its parameters."""

    permission_classes = [permissions.IsAuthenticated, ManagesPolicies]

    @extend_schema(responses={200: CriterionOutput(many=True), **error_responses(401, 403)})
    def get(self, request: Request) -> Response:
        rows = [
            {
                "code": c.code,
                "label": str(c.label),
                "help_text": str(c.help_text or ""),
                "params": [_param(name, field) for name, field in c.fields().items()],
            }
            for c in criteria.all_criteria()
        ]
        return Response(CriterionOutput(rows, many=True).data)


class ConditionInput(serializers.Serializer):
    criterion = serializers.CharField()
    params = serializers.DictField(required=False, default=dict)


class TargetInput(serializers.Serializer):
    target = ConditionInput(many=True)


class PolicyInputSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    title_en = serializers.CharField(max_length=200, required=False, default="", allow_blank=True)
    body = serializers.CharField()
    body_en = serializers.CharField(required=False, default="", allow_blank=True)
    department = serializers.CharField(
        required=False, allow_null=True, default=None, help_text="Administrators only."
    )
    starts_on = serializers.DateField()
    ends_on = serializers.DateField(required=False, allow_null=True, default=None)
    link = serializers.CharField(max_length=300, required=False, default="", allow_blank=True)
    channels = serializers.ListField(
        child=serializers.ChoiceField(choices=[c.value for c in OPTIONAL_CHANNELS]),
        required=False,
        default=list,
    )
    grant_name = serializers.CharField(max_length=100, required=False, default="", allow_blank=True)
    grant_name_en = serializers.CharField(
        max_length=100, required=False, default="", allow_blank=True
    )
    grant_amount = serializers.DecimalField(
        max_digits=10, decimal_places=2, required=False, allow_null=True, default=None
    )
    target = ConditionInput(many=True)

    def to_input(self) -> services.PolicyInput:
        data = dict(self.validated_data)
        data["channels"] = tuple(data["channels"])
        data["target"] = [
            {"criterion": c["criterion"], "params": dict(c.get("params") or {})}
            for c in data["target"]
        ]
        return services.PolicyInput(**data)


class PolicyOutput(serializers.ModelSerializer):
    department = serializers.CharField(source="department.code")
    status = serializers.CharField(help_text="`draft`, `published` or `withdrawn`")
    channels = serializers.ListField(
        child=serializers.CharField(), help_text="Besides the inbox: `sms`, `email`."
    )
    status_label = serializers.CharField(source="get_status_display")
    conditions = serializers.SerializerMethodField()

    class Meta:
        model = Policy
        fields = [
            "id",
            "title",
            "title_en",
            "body",
            "body_en",
            "department",
            "starts_on",
            "ends_on",
            "link",
            "target",
            "conditions",
            "channels",
            "grant_name",
            "grant_name_en",
            "grant_amount",
            "status",
            "status_label",
            "created_at",
            "published_at",
            "withdrawn_at",
            "withdraw_reason",
        ]

    def get_conditions(self, policy: Policy) -> list[str]:
        return criteria.describe_target(policy.target)


class PolicyListOutput(PolicyOutput):
    """A policy in a list: its conditions in words are on the detail only (they read areas)."""

    audience = serializers.IntegerField()
    opened = serializers.IntegerField()

    class Meta(PolicyOutput.Meta):
        fields = [f for f in PolicyOutput.Meta.fields if f != "conditions"] + ["audience", "opened"]


class StatsOutput(serializers.Serializer):
    audience = serializers.IntegerField()
    with_account = serializers.IntegerField()
    opened = serializers.IntegerField()
    dismissed = serializers.IntegerField()
    delivered = serializers.IntegerField()
    failed = serializers.IntegerField()
    grants = serializers.IntegerField()
    channels = serializers.DictField(child=serializers.DictField(child=serializers.IntegerField()))


class PolicyListView(generics.ListAPIView):
    """The caller's department's policies (every policy for administrators), with their reach;
    POST drafts a new one."""

    permission_classes = [permissions.IsAuthenticated, ManagesPolicies]
    serializer_class = PolicyListOutput

    def get_queryset(self):
        return selectors.policies_with_counts(self.request.user)

    @extend_schema(
        request=PolicyInputSerializer,
        responses={201: PolicyOutput, **error_responses(400, 401, 403)},
    )
    def post(self, request: Request) -> Response:
        data = PolicyInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        policy = services.create_policy(actor=request.user, data=data.to_input())
        return Response(PolicyOutput(policy).data, status=status.HTTP_201_CREATED)


class PolicyDetailView(APIView):
    """One policy with its reach: audience, delivered, opened, failed."""

    permission_classes = [permissions.IsAuthenticated, ManagesPolicies]

    @extend_schema(
        responses={
            200: inline_serializer(
                name="PolicyWithStats",
                fields={"policy": PolicyOutput(), "stats": StatsOutput()},
            ),
            **error_responses(401, 403, 404),
        }
    )
    def get(self, request: Request, pk: int) -> Response:
        policy = selectors.policies_managed_by(request.user).filter(pk=pk).first()
        if policy is None:
            raise Http404
        stats = selectors.policy_stats(policy)
        return Response(
            {
                "policy": PolicyOutput(policy).data,
                "stats": StatsOutput(
                    {
                        "audience": stats.audience,
                        "with_account": stats.with_account,
                        "opened": stats.opened,
                        "dismissed": stats.dismissed,
                        "delivered": stats.delivered,
                        "failed": stats.failed,
                        "grants": stats.grants,
                        "channels": stats.channels,
                    }
                ).data,
            }
        )


class AudienceView(APIView):
    """How many residents a target reaches today, before publishing."""

    permission_classes = [permissions.IsAuthenticated, ManagesPolicies]

    @extend_schema(
        request=TargetInput,
        responses={
            200: inline_serializer(
                name="AudienceCount", fields={"count": serializers.IntegerField()}
            ),
            **error_responses(400, 401, 403),
        },
    )
    def post(self, request: Request) -> Response:
        data = TargetInput(data=request.data)
        data.is_valid(raise_exception=True)
        target = [
            {"criterion": c["criterion"], "params": dict(c.get("params") or {})}
            for c in data.validated_data["target"]
        ]
        return Response({"count": services.count_audience(target=target)})


class PublishView(APIView):
    """Publish a draft: it is pushed now (or on its start date). Refused for an ended window or
    a target that reaches nobody."""

    permission_classes = [permissions.IsAuthenticated, ManagesPolicies]

    @extend_schema(
        request=None, responses={200: PolicyOutput, **error_responses(400, 401, 403, 404, 409)}
    )
    def post(self, request: Request, pk: int) -> Response:
        policy = services.publish_policy(actor=request.user, policy_id=pk)
        return Response(PolicyOutput(policy).data)


class WithdrawInput(serializers.Serializer):
    reason = serializers.CharField()


class WithdrawView(APIView):
    """Withdraw a published policy, with a reason."""

    permission_classes = [permissions.IsAuthenticated, ManagesPolicies]

    @extend_schema(
        request=WithdrawInput,
        responses={200: PolicyOutput, **error_responses(400, 401, 403, 404, 409)},
    )
    def post(self, request: Request, pk: int) -> Response:
        data = WithdrawInput(data=request.data)
        data.is_valid(raise_exception=True)
        policy = services.withdraw_policy(
            actor=request.user, policy_id=pk, reason=data.validated_data["reason"]
        )
        return Response(PolicyOutput(policy).data)
