"""Early warnings: rules in data evaluated over the dashboard's monthly facts.

For each rule in force, for the last whole month (the period): the metric's monthly values per
area of the rule's level are summed over the `window_months` ending with the period, and over
the window before it; the rule fires where the comparison holds. Each firing is one row,
unique per rule, area and period, written with INSERT ... ON CONFLICT DO NOTHING RETURNING:
only the run that wrote the row notifies, so a rerun (or two runs at once) notifies nobody
twice. Notices go, after commit, to the analysts whose districts cover the area (or who cover
the whole city) and the grid officers of grids inside the area.

Values are read with `portal.dashboard.metrics.monthly_values`, the dashboard's one public
way to its facts; the facts are rebuilt nightly before the warnings are evaluated.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from portal.accounts.models import Role, User
from portal.areas.models import Area, Level
from portal.dashboard import metrics as dashboard_metrics
from portal.notices import services as notice_services
from portal.periods import add_months
from portal.projection.models import Comparison, WarningFiring, WarningRule


@dataclass(frozen=True)
class Finding:
    area_id: int
    value: float
    compared_with: float | None


def last_whole_month(today: dt.date) -> dt.date:
    """The first day of the month before `today`'s."""
    return add_months(today.replace(day=1), -1)


def rules_in_force(period: dt.date) -> list[WarningRule]:
    return list(
        WarningRule.objects.filter(effective_from__lte=period)
        .filter(Q(effective_until__isnull=True) | Q(effective_until__gte=period))
        .order_by("pk")
    )


def findings(rule: WarningRule, period: dt.date) -> list[Finding]:
    """The areas where the rule holds for the period, with the values compared."""
    window = rule.window_months
    current_from = add_months(period, -(window - 1))
    previous_from = add_months(period, -(2 * window - 1))
    areas = list(Area.objects.filter(level=rule.level).values_list("pk", flat=True))
    current: dict[int, float] = dict.fromkeys(areas, 0.0)
    previous: dict[int, float] = dict.fromkeys(areas, 0.0)
    for row in dashboard_metrics.monthly_values(
        rule.metric, areas=areas, since=previous_from, until=period
    ):
        target = current if row.month >= current_from else previous
        target[row.area_id] += float(row.value)
    threshold = float(rule.threshold)
    out = []
    for area_id in areas:
        value, before = current[area_id], previous[area_id]
        if rule.comparison == Comparison.RISE_OVER:
            rose = before > 0 and (value - before) / before * 100 > threshold
            if rose and before >= float(rule.minimum_base):
                out.append(Finding(area_id, value, before))
        elif rule.comparison == Comparison.ABOVE:
            if value > threshold:
                out.append(Finding(area_id, value, None))
        elif value < threshold:
            out.append(Finding(area_id, value, None))
    return out


def recipients_for(area: Area) -> list[User]:
    """Analysts covering the area's district (or the whole city) and officers of its grids."""
    analysts = User.objects.filter(roles__contains=[Role.ANALYST], is_active=True)
    if area.level != Level.CITY:
        analysts = analysts.filter(Q(districts=area.district_id) | Q(districts__isnull=True))
    officers = User.objects.filter(roles__contains=[Role.GRID_OFFICER], is_active=True)
    inside = {
        Level.CITY: Q(),
        Level.DISTRICT: Q(grids__district=area),
        Level.STREET: Q(grids__parent__parent=area),
        Level.COMMUNITY: Q(grids__parent=area),
        Level.GRID: Q(grids=area),
    }[Level(area.level)]
    officers = officers.filter(inside)
    found = {u.pk: u for u in analysts.distinct()}
    found.update({u.pk: u for u in officers.distinct()})
    return sorted(found.values(), key=lambda u: u.pk)


_INSERT = """
INSERT INTO projection_warningfiring (rule_id, area_id, period, value, compared_with, notified, fired_at)
VALUES (%s, %s, %s, %s, %s, 0, %s)
ON CONFLICT (rule_id, area_id, period) DO NOTHING
RETURNING id
"""


def _message(rule: WarningRule, area: Area, finding: Finding, period: dt.date) -> tuple[str, str]:
    metric = dashboard_metrics.get_metric(rule.metric)
    title = _("Early warning: %(rule)s in %(area)s") % {"rule": rule.name, "area": area.name}
    if finding.compared_with is None:
        body = _("%(metric)s: %(value)s in the months to %(month)s.") % {
            "metric": metric.label,
            "value": f"{finding.value:g}",
            "month": period.strftime("%Y-%m"),
        }
    else:
        body = _("%(metric)s: %(value)s in the months to %(month)s, against %(before)s before.") % {
            "metric": metric.label,
            "value": f"{finding.value:g}",
            "month": period.strftime("%Y-%m"),
            "before": f"{finding.compared_with:g}",
        }
    return title, body


def _notify_all(users: list[User], title: str, body: str, link: str) -> None:
    for user in users:
        notice_services.notify(user=user, title=title, body=body, link=link)


def evaluate_warnings(*, today: dt.date | None = None) -> int:
    """Evaluate every rule in force for the last whole month; return the new firings.

    Safe to run twice: a firing exists once per rule, area and period, and only the run that
    wrote it sends its notices (after commit).
    """
    period = last_whole_month(today or timezone.localdate())
    fired = 0
    link = reverse("projection:warnings")
    for rule in rules_in_force(period):
        found = findings(rule, period)
        if not found:
            continue
        areas = Area.objects.in_bulk([f.area_id for f in found])
        with transaction.atomic(), connection.cursor() as cursor:
            for finding in found:
                cursor.execute(
                    _INSERT,
                    [
                        rule.pk,
                        finding.area_id,
                        period,
                        Decimal(str(round(finding.value, 2))),
                        None
                        if finding.compared_with is None
                        else Decimal(str(round(finding.compared_with, 2))),
                        timezone.now(),
                    ],
                )
                row = cursor.fetchone()
                if row is None:
                    continue
                fired += 1
                area = areas[finding.area_id]
                users = recipients_for(area)
                with translation.override("zh-hans"):
                    title, body = _message(rule, area, finding, period)
                WarningFiring.objects.filter(pk=row[0]).update(notified=len(users))
                transaction.on_commit(
                    lambda users=users, title=title, body=body: _notify_all(
                        users, title, body, link
                    )
                )
    return fired
