"""What the projection registers with the platform: its menu entries for analysts."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from portal import navigation
from portal.accounts.models import Role


def register() -> None:
    analysts = {Role.ANALYST, Role.ADMINISTRATOR}
    navigation.register(
        key="projection.home",
        label=_("Population projection"),
        url_name="projection:home",
        roles=analysts,
        order=80,
    )
    navigation.register(
        key="projection.impact",
        label=_("Impact assessment"),
        url_name="projection:decision_new",
        roles=analysts,
        order=82,
    )
