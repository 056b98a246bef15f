"""The work queue's figures for the city's view: applications per service and time to decide.

Cases are counted in their district (the area the reviewing department serves).
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from portal.dashboard.metrics import Kind, Window, register_dimension, register_metric
from portal.notices.criteria import Sql
from portal.workflow.models import Status
from portal.workflow.registry import all_kinds

DECIDED_WHERE = f"status IN ('{Status.APPROVED.value}', '{Status.REJECTED.value}')"


def _by_month_and_kind(window: Window, *, column: str, value: str, where: str) -> Sql:
    """Totals and a breakdown by kind per district and month of `column` (a timestamp)."""
    text = f"""
        SELECT district_id, month,
               CASE WHEN GROUPING(kind) = 0 THEN 'kind' ELSE '' END,
               CASE WHEN GROUPING(kind) = 0 THEN kind ELSE '' END,
               {value}
        FROM (
            SELECT district_id, kind, submitted_at, decided_at,
                   date_trunc('month', {column} AT TIME ZONE %s)::date AS month
            FROM workflow_case
            WHERE {column} IS NOT NULL AND {where}
        ) AS c
        WHERE month BETWEEN %s AND %s
        GROUP BY GROUPING SETS ((district_id, month), (district_id, month, kind))
    """  # noqa: S608
    return Sql(text, [window.tz, window.first, window.last])


def submitted(window: Window) -> Sql:
    """Applications first submitted in each month, by kind."""
    return _by_month_and_kind(window, column="submitted_at", value="COUNT(*)", where="true")


def decided(window: Window) -> Sql:
    """Applications approved or rejected in each month, by kind."""
    return _by_month_and_kind(window, column="decided_at", value="COUNT(*)", where=DECIDED_WHERE)


def days_to_decide(window: Window) -> Sql:
    """Days from submission to decision, summed over the applications decided in each month
    (divided by `workflow.decided` this is the average time to decide)."""
    return _by_month_and_kind(
        window,
        column="decided_at",
        value="ROUND(SUM(EXTRACT(EPOCH FROM decided_at - submitted_at)) / 86400)::bigint",
        where=f"{DECIDED_WHERE} AND submitted_at IS NOT NULL",
    )


def register() -> None:
    register_dimension(
        "kind", _("Service"), lambda: {k.code: str(k.label) for k in all_kinds()}, order=50
    )
    register_metric(
        "workflow.submitted",
        _("Applications submitted"),
        submitted,
        unit=_("applications"),
        kind=Kind.FLOW,
        dimensions=("kind",),
        order=80,
    )
    register_metric(
        "workflow.decided",
        _("Applications decided"),
        decided,
        unit=_("applications"),
        kind=Kind.FLOW,
        dimensions=("kind",),
        order=90,
    )
    register_metric(
        "workflow.days_to_decide",
        _("Days to decide (sum)"),
        days_to_decide,
        unit=_("days"),
        kind=Kind.FLOW,
        dimensions=("kind",),
        order=100,
    )
