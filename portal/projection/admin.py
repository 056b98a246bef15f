"""Configuration screens: early-warning rules (editable data); scenarios are edited on the pages."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from portal.areas.models import Level
from portal.dashboard import metrics as dashboard_metrics
from portal.projection.models import WarningFiring, WarningRule


class WarningRuleForm(forms.ModelForm):
    class Meta:
        model = WarningRule
        fields = [
            "name",
            "metric",
            "level",
            "comparison",
            "threshold",
            "window_months",
            "minimum_base",
            "effective_from",
            "effective_until",
        ]

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["metric"] = forms.ChoiceField(
            label=_("metric"),
            choices=[(m.code, m.label) for m in dashboard_metrics.all_metrics()],
        )
        self.fields["level"] = forms.ChoiceField(label=_("area level"), choices=Level.choices)


@admin.register(WarningRule)
class WarningRuleAdmin(admin.ModelAdmin):
    form = WarningRuleForm
    list_display = ("name", "metric", "level", "comparison", "threshold", "window_months")
    list_filter = ("level", "comparison")


@admin.register(WarningFiring)
class WarningFiringAdmin(admin.ModelAdmin):
    list_display = ("period", "rule", "area", "value", "compared_with", "notified")
    list_filter = ("rule",)
    list_select_related = ("rule", "area")

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False
