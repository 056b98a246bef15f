"""Who sees which applications. The one place that decides visibility of cases."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from portal.accounts.models import Role, User
from portal.workflow.models import Case, Status, Transition


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
    waiting = [Status.SUBMITTED, Status.IN_REVIEW]
    return cases_reviewable_by(user).aggregate(
        submitted=Count("id", filter=Q(status=Status.SUBMITTED)),
        in_review=Count("id", filter=Q(status=Status.IN_REVIEW)),
        overdue=Count("id", filter=Q(status__in=waiting, due_date__lt=timezone.localdate())),
    )
