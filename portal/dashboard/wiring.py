"""What the city's view registers with the platform: the origin dimension, the work queue's
metrics, and the analysts' and leaders' menu entries."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from portal import navigation
from portal.accounts.models import Role
from portal.dashboard import provinces
from portal.dashboard.metrics import register_dimension


def register() -> None:
    from portal.workflow import metrics as workflow_metrics

    register_dimension("origin", _("Province of origin"), provinces.labels, order=20)
    workflow_metrics.register()
    viewers = {Role.ANALYST, Role.LEADER, Role.ADMINISTRATOR}
    navigation.register(
        key="dashboard.home",
        label=_("City dashboard"),
        url_name="dashboard:home",
        roles=viewers,
        order=62,
    )
    navigation.register(
        key="dashboard.map",
        label=_("Population map"),
        url_name="dashboard:map",
        roles=viewers,
        order=64,
    )
    navigation.register(
        key="dashboard.indicators",
        label=_("Plan indicators"),
        url_name="dashboard:indicators",
        roles=viewers,
        order=66,
    )
    navigation.register(
        key="dashboard.open_statistics",
        label=_("Open statistics"),
        url_name="open_statistics",
        roles=viewers,
        order=68,
    )
