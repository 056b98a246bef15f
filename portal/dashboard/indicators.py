"""Where each plan indicator stands against its targets: pure functions over the indicator's
baseline, targets and values (entered, or computed from the monthly facts)."""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from portal.dashboard import metrics
from portal.dashboard.models import Direction, Indicator


class Status:
    ACHIEVED = "achieved"
    ON_TRACK = "on_track"
    BEHIND = "behind"
    NO_DATA = "no_data"


STATUS_LABELS = {
    Status.ACHIEVED: _("Target reached"),
    Status.ON_TRACK: _("On track"),
    Status.BEHIND: _("Behind the plan"),
    Status.NO_DATA: _("No value yet"),
}


@dataclass(frozen=True)
class Observation:
    year: int
    value: Decimal
    source: str
    published_on: dt.date | None
    computed: bool = False


@dataclass
class IndicatorView:
    indicator: Indicator
    targets: list[tuple[int, Decimal]]
    observations: list[Observation]
    latest: Observation | None
    expected: Decimal | None
    status: str
    years: list[int] = field(default_factory=list)

    @property
    def status_label(self):
        return STATUS_LABELS[self.status]

    def chart(self) -> dict:
        by_year = {self.indicator.baseline_year: float(self.indicator.baseline_value)}
        by_year.update((o.year, float(o.value)) for o in self.observations)
        return {
            "years": [str(y) for y in self.years],
            "plan": [float(path_value(self.indicator, self.targets, y)) for y in self.years],
            "actual": [by_year.get(y) for y in self.years],
        }


def path_value(indicator: Indicator, targets: list[tuple[int, Decimal]], year: int) -> Decimal:
    """The value the plan's path expects in `year`: a straight line from the baseline through
    each target in turn; the last target holds after its year."""
    points = [(indicator.baseline_year, indicator.baseline_value), *sorted(targets)]
    if year <= points[0][0]:
        return points[0][1]
    for (y0, v0), (y1, v1) in itertools.pairwise(points):
        if y0 <= year <= y1:
            return v0 + (v1 - v0) * Decimal(year - y0) / Decimal(y1 - y0)
    return points[-1][1]


def status_of(indicator: Indicator, targets: list[tuple[int, Decimal]], latest: Observation | None):
    """The indicator's status from its latest value against the plan's path for that year."""
    if latest is None:
        return None, Status.NO_DATA
    expected = path_value(indicator, targets, latest.year)
    final = sorted(targets)[-1][1] if targets else expected
    value, tolerance = latest.value, indicator.tolerance
    if indicator.direction == Direction.STEADY:
        return expected, Status.ON_TRACK if abs(value - expected) <= tolerance else Status.BEHIND
    sign = 1 if indicator.direction == Direction.UP else -1
    if sign * (value - final) >= 0:
        return expected, Status.ACHIEVED
    if sign * (value - expected) >= -tolerance:
        return expected, Status.ON_TRACK
    return expected, Status.BEHIND


def computed_observations(indicator: Indicator, city_id: int | None) -> list[Observation]:
    """Yearly values from the monthly facts: the city's total in the last month of each year
    the facts cover, times the indicator's scale."""
    if not indicator.metric or city_id is None or not metrics.has_metric(indicator.metric):
        return []
    latest_by_year: dict[int, tuple[dt.date, int]] = {}
    for row in metrics.monthly_values(indicator.metric, areas=[city_id]):
        if row.month.year not in latest_by_year or row.month > latest_by_year[row.month.year][0]:
            latest_by_year[row.month.year] = (row.month, row.value)
    source = str(_("Computed from the registry's monthly facts"))
    return [
        Observation(
            year=year,
            value=(Decimal(value) * indicator.metric_scale).quantize(Decimal("0.01")),
            source=source,
            published_on=month,
            computed=True,
        )
        for year, (month, value) in sorted(latest_by_year.items())
    ]


def view_of(indicator: Indicator, *, city_id: int | None) -> IndicatorView:
    """One indicator with its targets, values (entered values win over computed ones for the
    same year), latest value, expected value and status. Reads prefetched targets/values."""
    targets = sorted((t.year, t.value) for t in indicator.targets.all())
    entered = {
        v.year: Observation(v.year, v.value, v.source, v.published_on)
        for v in indicator.values.all()
        if v.superseded_at is None
    }
    observations = {o.year: o for o in computed_observations(indicator, city_id)}
    observations.update(entered)
    ordered = [observations[y] for y in sorted(observations)]
    latest = ordered[-1] if ordered else None
    expected, status = status_of(indicator, targets, latest)
    last_year = max([indicator.baseline_year, *(y for y, _v in targets), *observations])
    return IndicatorView(
        indicator=indicator,
        targets=targets,
        observations=ordered,
        latest=latest,
        expected=expected,
        status=status,
        years=list(range(indicator.baseline_year, last_year + 1)),
    )
