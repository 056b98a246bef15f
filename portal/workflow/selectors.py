"""Who sees which applications. The one place that decides visibility of cases."""

from __future__ import annotations

from django.db.models import QuerySet

from portal.accounts.models import Role, User
from portal.workflow.models import Case


def cases_reviewable_by(user: User) -> QuerySet[Case]:
    """Cases of the reviewer's department in the districts they review; nothing for anyone else."""
    if not user.is_authenticated or not user.has_role(Role.REVIEWER) or user.department_id is None:
        return Case.objects.none()
    return Case.objects.filter(
        department_id=user.department_id,
        district__in=user.districts.all(),
    ).select_related("department", "district", "applicant", "reviewer")


def cases_of_applicant(user: User) -> QuerySet[Case]:
    """The applications a user filed (for themselves or for a dependant)."""
    if not user.is_authenticated:
        return Case.objects.none()
    return Case.objects.filter(applicant=user).select_related("department", "district")


def case_timeline(case: Case) -> list:
    """The case's history, oldest first, with the actors loaded."""
    return list(case.transitions.select_related("actor").order_by("at", "id"))
