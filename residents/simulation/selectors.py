"""Reads of the simulator's results: the latest finished run and its days, for analysts."""

from __future__ import annotations

from django.http import Http404
from django.utils.translation import gettext as _

from portal.accounts.models import Role, User
from residents.models import SimulationDay, SimulationRun

VIEWER_ROLES = (Role.ANALYST, Role.LEADER, Role.ADMINISTRATOR)


def may_see_simulations(user: User) -> bool:
    return user.is_authenticated and (
        user.is_superuser or any(user.has_role(role) for role in VIEWER_ROLES)
    )


def latest_simulation_for(user: User) -> SimulationRun | None:
    """The newest finished run, for analysts, leaders and administrators (404 for others)."""
    if not may_see_simulations(user):
        raise Http404
    return (
        SimulationRun.objects.filter(finished_at__isnull=False)
        .order_by("-finished_at", "-id")
        .first()
    )


def simulation_chart(run: SimulationRun | None) -> dict:
    """The curve of a run: accuracy and the errors by kind per day, ready for the chart."""
    if run is None:
        return {}
    days = list(SimulationDay.objects.filter(run=run).order_by("day"))
    return {
        "days": [d.day for d in days],
        "series": [
            {
                "name": _("Accuracy (%)"),
                "axis": 0,
                "values": [round(d.accuracy * 100, 3) for d in days],
            },
            {"name": _("Missed arrivals"), "axis": 1, "values": [d.missed_arrivals for d in days]},
            {"name": _("Stale residents"), "axis": 1, "values": [d.stale_residents for d in days]},
            {"name": _("Wrong addresses"), "axis": 1, "values": [d.wrong_addresses for d in days]},
            {"name": _("Open tasks"), "axis": 1, "values": [d.open_tasks for d in days]},
        ],
        "labels": {
            "day": _("Simulated day"),
            "share": _("Accuracy (%)"),
            "count": _("Persons or tasks"),
            "save": _("Save as picture"),
        },
    }


def simulation_days(run: SimulationRun | None) -> list[SimulationDay]:
    if run is None:
        return []
    return list(SimulationDay.objects.filter(run=run).order_by("day"))
