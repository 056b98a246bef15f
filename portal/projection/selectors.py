"""Reads of the projection for a user: who may see scenarios, bases, reports and warnings.

Projections are city statistics, not personal data: analysts and administrators see all of
them; everyone else sees none (a 404, as for anything outside a user's scope).
"""

from __future__ import annotations

from django.db.models import QuerySet

from portal.accounts.models import Role, User
from portal.projection.models import Base, Scenario, WarningFiring, WarningRule


def can_use_projection(user: User) -> bool:
    return bool(
        user.is_authenticated
        and (user.is_superuser or user.has_role(Role.ANALYST) or user.has_role(Role.ADMINISTRATOR))
    )


def scenarios_visible_to(user: User) -> QuerySet[Scenario]:
    if not can_use_projection(user):
        return Scenario.objects.none()
    return Scenario.objects.select_related("compared_with").order_by("-is_baseline", "name")


def baseline() -> Scenario | None:
    return Scenario.objects.filter(is_baseline=True).first()


def latest_base() -> Base | None:
    return Base.objects.order_by("-on").first()


def warning_rules_visible_to(user: User) -> QuerySet[WarningRule]:
    if not can_use_projection(user):
        return WarningRule.objects.none()
    return WarningRule.objects.order_by("name")


def warnings_visible_to(user: User) -> QuerySet[WarningFiring]:
    if not can_use_projection(user):
        return WarningFiring.objects.none()
    return WarningFiring.objects.select_related("rule", "area").order_by("-period", "-id")
