from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class DayKind(models.TextChoices):
    HOLIDAY = "holiday", _("Statutory holiday (day off)")
    WORKDAY = "workday", _("Make-up working day (调休)")


class SpecialDay(models.Model):
    """One day that is not what its weekday says: a statutory holiday on a weekday, or a
    Saturday or Sunday made a working day (调休), as the State Council General Office announces
    each year. Every other day is a working day from Monday to Friday (docs/domain.md
    "Working days")."""

    day = models.DateField(_("day"), unique=True)
    kind = models.CharField(_("kind"), max_length=8, choices=DayKind.choices)
    name = models.CharField(_("holiday"), max_length=60, blank=True)
    source = models.CharField(_("source"), max_length=200, blank=True)

    class Meta:
        ordering = ["day"]
        verbose_name = _("holiday or make-up working day")
        verbose_name_plural = _("holidays and make-up working days")
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=DayKind.values), name="special_day_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.kind}"
