"""Reading notices and policies: the one place that decides who sees what.

- A user sees only their own messages, and the policy notices of the person they are in the
  registry (nothing of anyone else: another resident's notice is not found).
- Policy notices of a withdrawn policy leave the inbox; dismissed ones too.
- Staff who publish policies: reviewers see the policies of their own department,
  administrators every policy. Residents and other staff see none.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import Count, Q, QuerySet, Value
from django.utils import timezone

from portal.accounts import selectors as account_selectors
from portal.accounts.models import Role, User
from portal.notices.models import (
    OPTIONAL_CHANNELS,
    ChannelOptOut,
    Delivery,
    DeliveryStatus,
    Grant,
    Notification,
    Policy,
    PolicyNotice,
    PolicyStatus,
    PushRun,
)

# --- a user's own inbox --------------------------------------------------------------------------


def notifications_of(user: User) -> QuerySet[Notification]:
    """The user's messages, newest first, dismissed ones left out; nothing for an anonymous visitor."""
    if not user.is_authenticated:
        return Notification.objects.none()
    return Notification.objects.filter(recipient=user, dismissed_at__isnull=True).order_by(
        "-created_at", "-id"
    )


def policy_notices_of(user: User) -> QuerySet[PolicyNotice]:
    """The policy notices of the user's own person in the registry, newest first."""
    if not user.is_authenticated:
        return PolicyNotice.objects.none()
    return (
        PolicyNotice.objects.filter(
            person__user=user, dismissed_at__isnull=True, policy__status=PolicyStatus.PUBLISHED
        )
        .select_related("policy", "policy__department")
        .order_by("-created_at", "-id")
    )


def unread_count(user: User) -> int:
    """Unread messages and unopened policy notices together (the menu badge)."""
    if not user.is_authenticated:
        return 0
    return (
        notifications_of(user).filter(read_at__isnull=True).count()
        + policy_notices_of(user).filter(read_at__isnull=True).count()
    )


@dataclass(frozen=True)
class InboxEntry:
    kind: str  # "message" or "policy"
    item: Any  # a Notification or a PolicyNotice
    grant: Grant | None = None


def inbox_page(user: User, number: Any, *, per_page: int = 20) -> tuple[Page, list[InboxEntry]]:
    """One page of the user's inbox: messages and policy notices merged, newest first.

    One query pages over both tables (a UNION of ids and dates); the page's rows are then
    fetched with their policy and the grant the user received under it: four queries a page.
    """
    messages = (
        notifications_of(user)
        .annotate(kind=Value("message"))
        .values_list("kind", "id", "created_at")
    )
    policies = (
        policy_notices_of(user)
        .annotate(kind=Value("policy"))
        .values_list("kind", "id", "created_at")
    )
    merged = messages.union(policies, all=True).order_by("-created_at", "-id")
    page = Paginator(merged, per_page).get_page(number)
    keys = list(page.object_list)
    message_ids = [pk for kind, pk, _at in keys if kind == "message"]
    notice_ids = [pk for kind, pk, _at in keys if kind == "policy"]
    found_messages = Notification.objects.in_bulk(message_ids)
    found_notices = policy_notices_of(user).in_bulk(notice_ids)
    grants = {
        (g.policy_id, g.person_id): g
        for g in Grant.objects.filter(
            policy_id__in=[n.policy_id for n in found_notices.values()],
            person_id__in={n.person_id for n in found_notices.values()},
        )
    }
    entries = []
    for kind, pk, _at in keys:
        if kind == "message" and pk in found_messages:
            entries.append(InboxEntry("message", found_messages[pk]))
        elif kind == "policy" and pk in found_notices:
            notice = found_notices[pk]
            entries.append(
                InboxEntry("policy", notice, grants.get((notice.policy_id, notice.person_id)))
            )
    return page, entries


def grant_for(notice: PolicyNotice) -> Grant | None:
    """The benefit the notice's person received under its policy, if any."""
    return Grant.objects.filter(policy_id=notice.policy_id, person_id=notice.person_id).first()


def grants_of(user: User) -> QuerySet[Grant]:
    """The benefits granted to the user's own person, newest first."""
    if not user.is_authenticated:
        return Grant.objects.none()
    return (
        Grant.objects.filter(person__user=user, policy__status=PolicyStatus.PUBLISHED)
        .select_related("policy")
        .order_by("-granted_at", "-id")
    )


def opted_out_channels(user: User) -> set[str]:
    if not user.is_authenticated:
        return set()
    return set(ChannelOptOut.objects.filter(user=user).values_list("channel", flat=True))


# --- staff: policies ---------------------------------------------------------------------------


def can_manage_policies(user: User) -> bool:
    """Reviewers of a department publish their department's policies; administrators any."""
    if not user.is_authenticated:
        return False
    if user.is_superuser or user.has_role(Role.ADMINISTRATOR):
        return True
    return account_selectors.is_reviewer_of(user)


def policies_managed_by(user: User) -> QuerySet[Policy]:
    """The policies the user may see and act on, newest first."""
    if not can_manage_policies(user):
        return Policy.objects.none()
    queryset = Policy.objects.select_related("department", "created_by")
    if not (user.is_superuser or user.has_role(Role.ADMINISTRATOR)):
        queryset = queryset.filter(department_id=user.department_id)
    return queryset.order_by("-created_at", "-id")


def policies_with_counts(user: User) -> QuerySet[Policy]:
    """The user's policies, each with how many persons it reached and how many opened it."""
    return policies_managed_by(user).annotate(
        audience=Count("notices", distinct=False),
        opened=Count("notices", filter=Q(notices__read_at__isnull=False)),
    )


@dataclass(frozen=True)
class PolicyStats:
    audience: int  # persons notified (one inbox notice each)
    with_account: int  # of them, persons who can read it in the portal
    opened: int
    dismissed: int
    grants: int
    channels: dict[str, dict[str, int]]  # channel -> status -> count

    @property
    def delivered(self) -> int:
        """Copies sent by SMS or e-mail."""
        return sum(counts.get(DeliveryStatus.SENT, 0) for counts in self.channels.values())

    @property
    def failed(self) -> int:
        return sum(counts.get(DeliveryStatus.FAILED, 0) for counts in self.channels.values())


def policy_stats(policy: Policy) -> PolicyStats:
    """Audience, delivered, opened and failed for one policy: three aggregate queries."""
    notices = PolicyNotice.objects.filter(policy=policy).aggregate(
        audience=Count("id"),
        with_account=Count("id", filter=Q(person__user__isnull=False)),
        opened=Count("id", filter=Q(read_at__isnull=False)),
        dismissed=Count("id", filter=Q(dismissed_at__isnull=False)),
    )
    channels: dict[str, dict[str, int]] = {str(c): {} for c in policy.channels}
    for row in (
        Delivery.objects.filter(policy=policy)
        .values("channel", "status")
        .annotate(n=Count("id"))
        .order_by()
    ):
        channels.setdefault(row["channel"], {})[row["status"]] = row["n"]
    return PolicyStats(
        audience=notices["audience"],
        with_account=notices["with_account"],
        opened=notices["opened"],
        dismissed=notices["dismissed"],
        grants=Grant.objects.filter(policy=policy).count(),
        channels=channels,
    )


def runs_of(policy: Policy, *, limit: int = 10) -> list[PushRun]:
    return list(PushRun.objects.filter(policy=policy).order_by("-started_at", "-id")[:limit])


# --- jobs --------------------------------------------------------------------------------------


def running_policy_ids(*, on: dt.date | None = None) -> list[int]:
    """Published policies inside their window on `on` (today): the ones to push."""
    day = on or timezone.localdate()
    return list(
        Policy.objects.filter(status=PolicyStatus.PUBLISHED, starts_on__lte=day)
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=day))
        .order_by("id")
        .values_list("id", flat=True)
    )


def due_delivery_queues(*, now: dt.datetime | None = None) -> list[tuple[int, str]]:
    """(policy id, channel) pairs with deliveries due to be sent."""
    moment = now or timezone.now()
    return list(
        Delivery.objects.filter(
            status=DeliveryStatus.PENDING,
            next_attempt_at__lte=moment,
            channel__in=[str(c) for c in OPTIONAL_CHANNELS],
        )
        .values_list("policy_id", "channel")
        .distinct()
        .order_by("policy_id", "channel")
    )
