"""The city's view (一库一图): monthly facts, their rebuild runs, and the plan's indicators."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class Fact(models.Model):
    """One monthly figure: the value of one registered metric in one area for one month.

    `dimension` is empty for the area's total; otherwise the row is one `key` of that dimension
    (an age band and sex, an origin province, a reason...). Every level of the area tree has its
    own rows, summed from the areas below, so a page reads figures without adding anything up.
    Rows are derived and belong to the rebuild that wrote them (`run`): a rebuild writes a
    whole new set and deletes the older ones in the same transaction, and readers read the set
    of the newest finished run (`current_facts()`). Being derived, the rows carry no foreign-key
    checks: the rebuild takes its ids from the tables it joins.
    """

    run = models.ForeignKey(
        "FactRun", on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    metric = models.CharField(_("metric"), max_length=64)
    area = models.ForeignKey(
        "areas.Area", on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    month = models.DateField(_("month"))
    dimension = models.CharField(_("dimension"), max_length=32, blank=True)
    key = models.CharField(_("key"), max_length=64, blank=True)
    value = models.BigIntegerField(_("value"))

    class Meta:
        verbose_name = _("monthly fact")
        verbose_name_plural = _("monthly facts")
        constraints = [
            models.UniqueConstraint(
                fields=["run", "metric", "area", "month", "dimension", "key"], name="fact_once"
            ),
            models.CheckConstraint(condition=Q(month__day=1), name="fact_month_first_day"),
        ]

    def __str__(self) -> str:
        return f"{self.metric} {self.area_id} {self.month:%Y-%m} {self.dimension}:{self.key}"


def current_facts() -> models.QuerySet[Fact]:
    """The facts of the newest finished rebuild (one subquery, no extra round trip)."""
    newest = (
        FactRun.objects.filter(status=RunStatus.FINISHED)
        .order_by("-finished_at", "-id")
        .values("pk")[:1]
    )
    return Fact.objects.filter(run_id=models.Subquery(newest))


class RunStatus(models.TextChoices):
    RUNNING = "running", _("Running")
    FINISHED = "finished", _("Finished")
    FAILED = "failed", _("Failed")


class FactRun(models.Model):
    """One rebuild of the monthly facts: when, for which months, how many rows, how long."""

    status = models.CharField(
        _("status"), max_length=10, choices=RunStatus.choices, default=RunStatus.RUNNING
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    first_month = models.DateField(_("first month"))
    last_month = models.DateField(_("last month"))
    started_at = models.DateTimeField(_("started"))
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    rows = models.PositiveBigIntegerField(_("rows"), default=0)
    seconds = models.FloatField(_("seconds"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        verbose_name = _("facts rebuild")
        verbose_name_plural = _("facts rebuilds")
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=RunStatus.values), name="fact_run_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(first_month__lte=models.F("last_month")), name="fact_run_months"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.started_at:%Y-%m-%d %H:%M} {self.status}"


class Direction(models.TextChoices):
    UP = "up", _("Higher is better")
    DOWN = "down", _("Lower is better")
    STEADY = "steady", _("Hold at the target")


class Indicator(models.Model):
    """One indicator of the population plan (人口发展规划), with its baseline.

    A year's value is either entered by staff (IndicatorValue with its source) or, when
    `metric` names a registered metric, computed from the city's December fact of that year
    times `metric_scale` (e.g. persons to 10,000 persons).
    """

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100)
    name_en = models.CharField(_("name in English"), max_length=100, blank=True)
    category = models.CharField(_("category"), max_length=40, blank=True)
    unit = models.CharField(_("unit"), max_length=20, blank=True)
    baseline_year = models.PositiveSmallIntegerField(_("baseline year"))
    baseline_value = models.DecimalField(_("baseline value"), max_digits=14, decimal_places=4)
    direction = models.CharField(
        _("direction"), max_length=10, choices=Direction.choices, default=Direction.UP
    )
    tolerance = models.DecimalField(
        _("tolerance"),
        max_digits=14,
        decimal_places=4,
        default=Decimal(0),
        help_text=_("How far from the target path a value may be and still be on track."),
    )
    metric = models.CharField(_("computed from metric"), max_length=64, blank=True)
    metric_scale = models.DecimalField(
        _("metric scale"), max_digits=14, decimal_places=6, default=Decimal(1)
    )
    source = models.CharField(_("source"), max_length=200, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=100)

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        constraints = [
            models.CheckConstraint(
                condition=Q(direction__in=Direction.values), name="indicator_direction_valid"
            ),
            models.CheckConstraint(condition=Q(tolerance__gte=0), name="indicator_tolerance"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def display_name(self) -> str:
        if self.name_en and (get_language() or "").startswith("en"):
            return self.name_en
        return self.name


class IndicatorTarget(models.Model):
    """One target of an indicator: the value the plan sets for a year."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="targets")
    year = models.PositiveSmallIntegerField(_("year"))
    value = models.DecimalField(_("target value"), max_digits=14, decimal_places=4)

    class Meta:
        ordering = ["indicator", "year"]
        verbose_name = _("indicator target")
        verbose_name_plural = _("indicator targets")
        constraints = [
            models.UniqueConstraint(fields=["indicator", "year"], name="indicator_target_once")
        ]

    def __str__(self) -> str:
        return f"{self.indicator_id} {self.year}: {self.value}"


class IndicatorValue(models.Model):
    """One observed value of an indicator for a year, entered by staff with its source and date.

    Entering a year again replaces the value; the replaced one is kept (`superseded_at`), so
    every figure once shown can be traced to its source.
    """

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="values")
    year = models.PositiveSmallIntegerField(_("year"))
    value = models.DecimalField(_("value"), max_digits=14, decimal_places=4)
    source = models.CharField(_("source"), max_length=200)
    published_on = models.DateField(_("date of the source"))
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    entered_at = models.DateTimeField(_("entered at"))
    superseded_at = models.DateTimeField(_("superseded at"), null=True, blank=True)

    class Meta:
        ordering = ["indicator", "year", "-entered_at"]
        verbose_name = _("indicator value")
        verbose_name_plural = _("indicator values")
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "year"],
                condition=Q(superseded_at__isnull=True),
                name="indicator_value_one_current",
            ),
            models.CheckConstraint(condition=~Q(source=""), name="indicator_value_has_source"),
        ]

    def __str__(self) -> str:
        return f"{self.indicator_id} {self.year}: {self.value}"
