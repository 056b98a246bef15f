"""Who sees which applications. The one place that decides visibility of cases."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db.models import Case as Switch
from django.db.models import Count, F, IntegerField, Q, QuerySet, Value, When
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from portal.accounts.models import Role, User
from portal.accounts.selectors import is_reviewer_of
from portal.workflow.models import Case, Status, Transition
from portal.workflow.registry import ApplicationKind, all_kinds


def cases_reviewable_by(user: User) -> QuerySet[Case]:
    """Submitted cases of the reviewer's department in the districts they review.

    Drafts stay private to the applicant until submitted; anyone who is not a reviewer sees nothing.
    """
    if not user.is_authenticated or not user.has_role(Role.REVIEWER) or user.department_id is None:
        return Case.objects.none()
    return Case.objects.filter(
        department_id=user.department_id,
        district__in=user.districts.all(),
        submitted_at__isnull=False,
    ).select_related("department", "district", "applicant", "reviewer")


def cases_of_applicant(user: User) -> QuerySet[Case]:
    """The applications a user filed (for themselves or for a dependant)."""
    if not user.is_authenticated:
        return Case.objects.none()
    return Case.objects.filter(applicant=user).select_related("department", "district")


def allowed_actions(case: Case, user: Any) -> frozenset[str]:
    """What `user` may do to `case` now, of submit, withdraw, accept, approve, reject, return:
    the applicant's actions when they filed it, a reviewer's when they review its department
    and district and it has been submitted, each only where the transition table allows the move.

    Pages ask this instead of testing status strings, so a button shows exactly when the
    service behind it would accept the move (the services still check, under a lock).
    """
    if not getattr(user, "is_authenticated", False):
        return frozenset()
    applicant = case.applicant_id == user.pk
    reviewer = case.submitted_at is not None and is_reviewer_of(
        user, case.department.code, district_id=case.district_id
    )
    return case.actions_open_to(applicant=applicant, reviewer=reviewer)


def kinds_reviewed_by(user: User) -> list[ApplicationKind]:
    """The application kinds of the reviewer's department, by label (police and housing staff
    never see school places, nor education staff residence permits)."""
    if not user.is_authenticated or not user.has_role(Role.REVIEWER) or user.department_id is None:
        return []
    code = user.department.code
    return sorted((k for k in all_kinds() if k.department == code), key=lambda k: str(k.label))


# Waiting for the department: a returned case waits for the applicant, a decided one for nobody.
WAITING = (Status.SUBMITTED, Status.IN_REVIEW)


def overdue_condition() -> Q:
    """Waiting for the department past its due date. The due date is set once, on submission,
    by the working-day calendar (`services._move` through `add_working_days`); the last day
    allowed is the due date itself, so a case is overdue from the day after it (portal time)."""
    return Q(status__in=WAITING, due_date__lt=timezone.localdate())


IN_PROGRESS = (Status.DRAFT, Status.SUBMITTED, Status.IN_REVIEW, Status.RETURNED)


def cases_in_progress_of(user: User) -> QuerySet[Case]:
    """The user's applications still open (draft, submitted, in review, returned), by the
    promised decision date."""
    return (
        cases_of_applicant(user)
        .filter(status__in=IN_PROGRESS)
        .order_by("due_date", "-created_at", "-id")
    )


def waiting_for(case: Case) -> str:
    """What the open case waits for, in the applicant's words: them, or the department by a day."""
    department = case.department.display_name
    if case.status == Status.DRAFT:
        return _("Waiting for you: check your answers and submit.")
    if case.status == Status.RETURNED:
        return _("Waiting for you: add what is missing and submit again.")
    due = date_format(case.due_date) if case.due_date else ""
    if case.status == Status.SUBMITTED:
        if due:
            return _("Waiting for %(department)s to take it up; decision promised by %(date)s.") % {
                "department": department,
                "date": due,
            }
        return _("Waiting for %(department)s to take it up.") % {"department": department}
    if due:
        return _("%(department)s is reviewing it; decision promised by %(date)s.") % {
            "department": department,
            "date": due,
        }
    return _("%(department)s is reviewing it.") % {"department": department}


def case_timeline(case: Case) -> list[Transition]:
    """The case's history, oldest first, with the actors loaded."""
    return list(case.transitions.select_related("actor").order_by("at", "id"))


def queue_counts(user: User) -> dict[str, int]:
    """How many cases wait in the reviewer's queue: new, in review, and overdue."""
    return cases_reviewable_by(user).aggregate(
        submitted=Count("id", filter=Q(status=Status.SUBMITTED)),
        in_review=Count("id", filter=Q(status=Status.IN_REVIEW)),
        overdue=Count("id", filter=overdue_condition()),
    )


# --- the work table ----------------------------------------------------------------------------


def _ranked(field: str, order: list[str]) -> Switch:
    """A number per value of `field`, in the given order (unknown values last)."""
    return Switch(
        *(When(**{field: value}, then=Value(i)) for i, value in enumerate(order)),
        default=Value(len(order)),
        output_field=IntegerField(),
    )


def _kind_order() -> list[Any]:
    """Kinds by their label in the page's language."""
    labels = sorted(all_kinds(), key=lambda k: str(k.label))
    return [_ranked("kind", [k.code for k in labels])]


# The columns the work table sorts by: key -> the expressions it orders by. Every order ends
# on the case id, so no row moves across a page boundary between two requests.
SORT_KEYS: dict[str, Callable[[], list[Any]]] = {
    "reference": lambda: [F("reference")],
    "kind": _kind_order,
    "area": lambda: [F("district__code")],
    "submitted": lambda: [F("submitted_at")],
    "due": lambda: [F("due_date"), F("submitted_at")],
    "status": lambda: [_ranked("status", list(Status.values))],
}
DEFAULT_SORT = "due"


def parse_sort(raw: str | None) -> tuple[str, bool]:
    """(key, descending) from `key` or `-key`; anything outside SORT_KEYS is the default."""
    raw = (raw or "").strip()
    descending = raw.startswith("-")
    key = raw[1:] if descending else raw
    if key not in SORT_KEYS:
        return DEFAULT_SORT, False
    return key, descending


def sorted_work_queue(queryset: QuerySet[Case], sort: str | None) -> QuerySet[Case]:
    """The queue in the order of a whitelisted sort key (empty values last), then by id."""
    key, descending = parse_sort(sort)
    terms = [
        term.desc(nulls_last=True) if descending else term.asc(nulls_last=True)
        for term in SORT_KEYS[key]()
    ]
    return queryset.order_by(*terms, F("id").desc() if descending else F("id").asc())


def with_applicant(queryset: QuerySet[Case]) -> QuerySet[Case]:
    """The applicant as staff may see them in a list: the registered name and the ID number as
    the registry stored it masked (`id_masked`); the full number is never read here."""
    return queryset.annotate(
        applicant_name=F("applicant__person__name"),
        applicant_id_masked=F("applicant__person__id_masked"),
    )
