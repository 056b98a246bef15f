"""Reads of the reconciliation: who may send feeds, and the feeds and runs each user may see.

- A department system's account (a user holding the `residents.add_feedupload` permission)
  sends the kinds of its own department (social insurance: human resources; hukou and hotel
  stays: public security) and the kinds no department of the portal owns (utilities).
  Superusers send any kind.
- Superusers and staff allowed to view runs see every feed and run; any other user only the
  feeds they sent.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.db.models import Prefetch, Q, QuerySet

from portal.accounts.models import User
from residents.models import Discrepancy, FeedUpload, ReconciliationRun, RejectedRow
from residents.reconciliation import feeds

SEND_PERMISSION = "residents.add_feedupload"
VIEW_PERMISSION = "residents.view_reconciliationrun"


def may_send_feed(user: User | None, kind: str) -> bool:
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    if not user.has_perm(SEND_PERMISSION):
        return False
    department = feeds.kind_of(kind).department
    return department is None or (
        user.department_id is not None and user.department.code == department
    )


def sees_every_feed(user: User) -> bool:
    return user.is_authenticated and (user.is_superuser or user.has_perm(VIEW_PERMISSION))


def feeds_visible_to(user: User) -> QuerySet[FeedUpload]:
    """The feeds the user may see, newest first, each with its runs (newest first)."""
    if not user.is_authenticated:
        return FeedUpload.objects.none()
    queryset = FeedUpload.objects.all()
    if not sees_every_feed(user):
        queryset = queryset.filter(received_by=user)
    return queryset.prefetch_related(
        Prefetch("runs", queryset=ReconciliationRun.objects.order_by("-created_at", "-id"))
    ).order_by("-received_at", "-id")


def runs_visible_to(user: User) -> QuerySet[ReconciliationRun]:
    if not user.is_authenticated:
        return ReconciliationRun.objects.none()
    queryset = ReconciliationRun.objects.select_related("feed")
    if not sees_every_feed(user):
        queryset = queryset.filter(feed__received_by=user)
    return queryset.order_by("-created_at", "-id")


def rejected_rows_of(run: ReconciliationRun) -> QuerySet[RejectedRow]:
    return RejectedRow.objects.filter(run=run).order_by("row_no")


def latest_run(feed: FeedUpload) -> ReconciliationRun | None:
    """The feed's newest run, from the prefetched runs when there are any."""
    runs = list(feed.runs.all())
    return runs[0] if runs else None


def _settled_by(users: Sequence[User]) -> Q:
    """Who settles a discrepancy: an active grid officer, at the addresses of their grids."""
    return Q(
        address__grid__officers__in=[u.pk for u in users if u.is_authenticated and u.is_active]
    )


def discrepancies_settleable_by(user: User) -> QuerySet[Discrepancy]:
    """The discrepancies a user may settle: a grid officer's, at addresses in their grids."""
    return Discrepancy.objects.filter(_settled_by([user]))


def settleable_pairs(users: Sequence[User], discrepancy_ids: Iterable[int]) -> set[tuple[int, int]]:
    """Of the discrepancies `discrepancy_ids`, which each of `users` may settle, by
    discrepancies_settleable_by's rule: (user id, discrepancy id) pairs, one query for all."""
    return set(
        Discrepancy.objects.filter(_settled_by(users), pk__in=list(discrepancy_ids)).values_list(
            "address__grid__officers", "pk"
        )
    )
