from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Base(models.Model):
    """The registry's figures on one base date, read once with set-based SQL for the projection.

    `population` is persons by district, sex and single year of age on the date
    (district x 2 x 101 numbers, in the order of `district_ids`); `arrivals` and `departures`
    the flows of each of the three 12-month spans before it (3 x district x 2 x 101), the most
    recent first; `inputs` what each registered demand collected (children by catchment and
    birth year, seats, homes). Pages and reports project from the latest base, never from the
    registry directly.
    """

    on = models.DateField(_("base date"), unique=True)
    district_ids = models.JSONField(default=list)
    population = models.JSONField(default=list)
    arrivals = models.JSONField(default=list)
    departures = models.JSONField(default=list)
    inputs = models.JSONField(default=dict)
    built_at = models.DateTimeField(_("built at"))

    class Meta:
        ordering = ["-on"]
        verbose_name = _("projection base")
        verbose_name_plural = _("projection bases")

    def __str__(self) -> str:
        return str(self.on)


class ScenarioKind(models.TextChoices):
    ASSUMPTIONS = "assumptions", _("Assumptions")
    DECISION = "decision", _("Decision (impact assessment)")


class Scenario(models.Model):
    """One named set of projection assumptions, editable by analysts; one is the baseline.

    `assumptions` holds the rates: total fertility rate and life expectancy at given years
    (interpolated between), the gap between women's and men's life expectancy, the sex ratio at
    birth, how many years of registry flows set migration and a factor on them, the Brass beta,
    the horizon in years, persons arriving per new job, and the share of eligible adults who
    apply for affordable housing. A decision scenario (impact assessment) also lists
    `decisions`: new jobs in a district from a year, a new school's seats, a changed points
    threshold; it is projected with the assumptions of `compared_with` plus those decisions.
    """

    name = models.CharField(_("name"), max_length=100, unique=True)
    description = models.TextField(_("description"), blank=True)
    kind = models.CharField(
        _("kind"), max_length=12, choices=ScenarioKind.choices, default=ScenarioKind.ASSUMPTIONS
    )
    is_baseline = models.BooleanField(_("baseline"), default=False)
    compared_with = models.ForeignKey(
        "self",
        verbose_name=_("compared with"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    assumptions = models.JSONField(_("assumptions"), default=dict)
    decisions = models.JSONField(_("decisions"), default=list, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created"))
    updated_at = models.DateTimeField(_("updated"))

    class Meta:
        ordering = ["-is_baseline", "name"]
        verbose_name = _("scenario")
        verbose_name_plural = _("scenarios")
        constraints = [
            models.UniqueConstraint(
                fields=["is_baseline"], condition=Q(is_baseline=True), name="one_baseline"
            ),
            models.CheckConstraint(
                condition=Q(kind__in=ScenarioKind.values), name="scenario_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(kind=ScenarioKind.ASSUMPTIONS) | Q(compared_with__isnull=False),
                name="decision_scenario_has_comparison",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class ScenarioChange(models.Model):
    """One change to a scenario: who, when, and the assumptions and decisions before and after."""

    scenario = models.ForeignKey(Scenario, on_delete=models.CASCADE, related_name="changes")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField(_("changed at"))
    before = models.JSONField(default=dict)
    after = models.JSONField(default=dict)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("scenario change")
        verbose_name_plural = _("scenario changes")

    def __str__(self) -> str:
        return f"{self.scenario_id} {self.at:%Y-%m-%d %H:%M}"


class Comparison(models.TextChoices):
    RISE_OVER = "rise_over", _("Up by more than the threshold (%) on the previous window")
    ABOVE = "above", _("Above the threshold")
    BELOW = "below", _("Below the threshold")


class WarningRule(models.Model):
    """One early-warning rule: a metric, an area level, a threshold and a comparison window.

    Evaluated for the last whole month: the metric over the `window_months` ending with it,
    compared with the threshold directly (above, below) or with the window before (a rise by
    more than the threshold per cent). Each firing notifies the analysts and grid officers of
    the area once per rule, area and month. In force between its effective dates.
    """

    name = models.CharField(_("name"), max_length=100)
    metric = models.CharField(_("metric"), max_length=40)
    level = models.CharField(_("area level"), max_length=16)
    comparison = models.CharField(_("comparison"), max_length=12, choices=Comparison.choices)
    threshold = models.DecimalField(_("threshold"), max_digits=12, decimal_places=2)
    window_months = models.PositiveSmallIntegerField(_("window (months)"), default=1)
    minimum_base = models.DecimalField(
        _("ignore areas whose previous value is below"),
        max_digits=12,
        decimal_places=2,
        default=0,
    )
    effective_from = models.DateField(_("in force from"))
    effective_until = models.DateField(_("in force until"), null=True, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("warning rule")
        verbose_name_plural = _("warning rules")
        constraints = [
            models.CheckConstraint(
                condition=Q(comparison__in=Comparison.values), name="warning_comparison_valid"
            ),
            models.CheckConstraint(
                condition=Q(window_months__gte=1) & Q(window_months__lte=12),
                name="warning_window_1_to_12",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class WarningFiring(models.Model):
    """One firing of a rule for one area and month: the value, the value compared with."""

    rule = models.ForeignKey(WarningRule, on_delete=models.PROTECT, related_name="firings")
    area = models.ForeignKey("areas.Area", on_delete=models.PROTECT, related_name="+")
    period = models.DateField(_("month"))
    value = models.DecimalField(_("value"), max_digits=14, decimal_places=2)
    compared_with = models.DecimalField(
        _("compared with"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    notified = models.PositiveIntegerField(_("users notified"), default=0)
    fired_at = models.DateTimeField(_("fired at"))

    class Meta:
        ordering = ["-period", "-id"]
        verbose_name = _("warning")
        verbose_name_plural = _("warnings")
        constraints = [
            models.UniqueConstraint(
                fields=["rule", "area", "period"], name="warning_once_per_area_and_period"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.rule_id} {self.area_id} {self.period}"
