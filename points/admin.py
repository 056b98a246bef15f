"""Admin screens of the points app: rule sets are configuration, edited as drafts.

A draft rule set is edited with its families, indicators, area multipliers and service
formulas inline; each indicator's parameters are checked by the engine as it is saved, and
the whole rule set's problems are listed after every save. A published version is read-only:
"copy as a new draft version" is the way to change it. Any version can be previewed against
a sample profile; a draft's impact (who would cross each threshold) runs as a job. The ledger,
applications and rankings are read-only here.
"""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from points import engine, explain, selectors, spec
from points.models import (
    AreaMultiplier,
    FactType,
    Family,
    Indicator,
    PointsApplication,
    RankingList,
    RecomputeRun,
    RuleSet,
    RuleSetStatus,
    Scheme,
    Score,
    ServiceRule,
    Zone,
)
from points.services import rules as rule_services
from portal.admin_base import ReadOnlyAdmin
from portal.errors import ApplicationError


@admin.register(Scheme)
class SchemeAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "is_active"]
    readonly_fields = ["is_active"]
    actions = ["activate"]

    @admin.action(description=gettext_lazy("Run this scheme on the portal"))
    def activate(self, request: HttpRequest, queryset: Any) -> None:
        if queryset.count() != 1:
            self.message_user(request, _("Choose exactly one scheme."), messages.ERROR)
            return
        rule_services.activate_scheme(actor=request.user, scheme_id=queryset.get().pk)
        self.message_user(request, _("The portal now runs this scheme."))


@admin.register(FactType)
class FactTypeAdmin(admin.ModelAdmin):
    list_display = ["code", "label", "value_type", "source", "department", "mandatory", "order"]
    list_filter = ["source", "value_type", "department"]
    search_fields = ["code", "label", "label_en"]


@admin.register(Zone)
class ZoneAdmin(admin.ModelAdmin):
    list_display = ["code", "name"]
    filter_horizontal = ["areas"]

    def formfield_for_manytomany(self, db_field: Any, request: HttpRequest, **kwargs: Any):
        if db_field.name == "areas":
            from portal.areas.models import Area, Level

            kwargs["queryset"] = Area.objects.filter(
                level__in=[Level.DISTRICT, Level.STREET, Level.COMMUNITY]
            )
        return super().formfield_for_manytomany(db_field, request, **kwargs)


# --- rule sets -----------------------------------------------------------------------------------


class DraftOnlyInline:
    """Lines of a published rule set are shown, never changed."""

    def _editable(self, obj: RuleSet | None) -> bool:
        return obj is None or obj.status == RuleSetStatus.DRAFT

    def has_add_permission(self, request: HttpRequest, obj: RuleSet | None = None) -> bool:
        return self._editable(obj) and super().has_add_permission(request, obj)  # type: ignore[misc]

    def has_change_permission(self, request: HttpRequest, obj: RuleSet | None = None) -> bool:
        return self._editable(obj) and super().has_change_permission(request, obj)  # type: ignore[misc]

    def has_delete_permission(self, request: HttpRequest, obj: RuleSet | None = None) -> bool:
        return self._editable(obj) and super().has_delete_permission(request, obj)  # type: ignore[misc]


class FamilyInline(DraftOnlyInline, admin.TabularInline):
    model = Family
    extra = 0
    fields = [
        "order",
        "code",
        "label",
        "label_en",
        "part",
        "combine",
        "cap",
        "exclusive_group",
        "subscore",
    ]


class IndicatorForm(forms.ModelForm):
    class Meta:
        model = Indicator
        fields = [
            "order",
            "code",
            "label",
            "label_en",
            "family",
            "fact",
            "kind",
            "params",
            "cap",
            "lookback_years",
            "source",
        ]

    def clean(self) -> dict[str, Any]:
        """Check this line with the engine: its kind, the fact it reads and its parameters."""
        data = super().clean()
        family, fact = data.get("family"), data.get("fact")
        if family is None or fact is None:
            return data
        probe = {
            "families": [{"code": family.code, "part": family.part, "combine": family.combine}],
            "indicators": [
                {
                    "code": data.get("code") or "line",
                    "family": family.code,
                    "fact": fact.code,
                    "kind": data.get("kind"),
                    "params": data.get("params") or {},
                    "cap": data.get("cap"),
                    "lookback_years": data.get("lookback_years"),
                }
            ],
            "services": [{"service": "probe", "parts": [family.part]}],
        }
        problems = engine.validate_spec(probe, spec.fact_types())
        if problems:
            raise ValidationError(problems)
        return data


class IndicatorInline(DraftOnlyInline, admin.StackedInline):
    model = Indicator
    form = IndicatorForm
    extra = 0

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any):
        if db_field.name == "family":
            rule_set_id = (
                request.resolver_match.kwargs.get("object_id") if request.resolver_match else None
            )
            kwargs["queryset"] = Family.objects.filter(rule_set_id=rule_set_id)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class AreaMultiplierInline(DraftOnlyInline, admin.TabularInline):
    model = AreaMultiplier
    extra = 0


class ServiceRuleInline(DraftOnlyInline, admin.StackedInline):
    model = ServiceRule
    extra = 0


class PreviewForm(forms.Form):
    facts = forms.JSONField(
        label=gettext_lazy("Sample profile (facts as JSON)"),
        initial={
            "birth_date": "1990-05-12",
            "has_permit": True,
            "work_years_city": 3,
            "education": ["junior_college"],
            "residence_periods": [["2021-01-01", None]],
        },
        widget=forms.Textarea(attrs={"rows": 10, "cols": 80}),
    )
    on = forms.DateField(label=gettext_lazy("Reference day"), initial=timezone.localdate)


@admin.register(RuleSet)
class RuleSetAdmin(admin.ModelAdmin):
    list_display = [
        "__str__",
        "scheme",
        "version",
        "status",
        "effective_from",
        "effective_until",
        "published_at",
    ]
    list_filter = ["scheme", "status"]
    readonly_fields = ["status", "published_at", "published_by", "created_at", "preview_link"]
    inlines = [FamilyInline, IndicatorInline, AreaMultiplierInline, ServiceRuleInline]
    actions = ["copy_as_new_version", "publish", "preview_impact"]

    @admin.display(description=gettext_lazy("preview"))
    def preview_link(self, rule_set: RuleSet) -> str:
        if rule_set.pk is None:
            return "-"
        return format_html(
            '<a href="{}">{}</a>',
            reverse("admin:points_ruleset_preview", args=[rule_set.pk]),
            _("Score a sample profile under these rules"),
        )

    def has_change_permission(self, request: HttpRequest, obj: RuleSet | None = None) -> bool:
        if obj is not None and obj.status == RuleSetStatus.PUBLISHED:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: RuleSet | None = None) -> bool:
        if obj is not None and obj.status == RuleSetStatus.PUBLISHED:
            return False
        return super().has_delete_permission(request, obj)

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        problems = rule_services.spec_problems(form.instance)
        if problems:
            self.message_user(
                request,
                _("This draft cannot be published yet: %(problems)s")
                % {"problems": "; ".join(problems)},
                messages.WARNING,
            )

    def get_urls(self) -> list:
        return [
            path(
                "<int:pk>/preview/",
                self.admin_site.admin_view(self.preview_view),
                name="points_ruleset_preview",
            ),
            *super().get_urls(),
        ]

    def preview_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        """Score a sample profile under this version (draft or published); nothing is stored."""
        rule_set = get_object_or_404(RuleSet, pk=pk)
        form = PreviewForm(request.POST or None)
        explanation = None
        problems = rule_services.spec_problems(rule_set)
        if request.method == "POST" and form.is_valid() and not problems:
            rules = spec.compiled(rule_set)
            try:
                facts = engine.decode_facts(form.cleaned_data["facts"], rules.fact_types)
            except engine.FactError as exc:
                for code, why in exc.errors.items():
                    form.add_error("facts", f"{code}: {why}")
            else:
                result = engine.score(rules, facts, on=form.cleaned_data["on"])
                explanation = explain.Explainer(rules).explain(result)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": rule_set,
            "title": _("Preview %(rule_set)s") % {"rule_set": rule_set},
            "form": form,
            "explanation": explanation,
            "problems": problems,
            "runs": selectors.runs_of(rule_set)[:5],
        }
        return TemplateResponse(request, "admin/points/ruleset/preview.html", context)

    @admin.action(description=gettext_lazy("Copy as a new draft version"))
    def copy_as_new_version(self, request: HttpRequest, queryset: Any) -> HttpResponse | None:
        for rule_set in queryset:
            draft = rule_services.new_version(actor=request.user, rule_set_id=rule_set.pk)
            self.message_user(request, _("Draft %(draft)s created.") % {"draft": draft})
        if queryset.count() == 1:
            return redirect(reverse("admin:points_ruleset_change", args=[draft.pk]))
        return None

    @admin.action(description=gettext_lazy("Publish (recomputes every score)"))
    def publish(self, request: HttpRequest, queryset: Any) -> None:
        for rule_set in queryset:
            try:
                run = rule_services.publish_rule_set(actor=request.user, rule_set_id=rule_set.pk)
            except ApplicationError as exc:
                self.message_user(request, f"{rule_set}: {exc.message}", messages.ERROR)
                continue
            if run is None:
                self.message_user(request, _("%(rule_set)s is published.") % {"rule_set": rule_set})
            else:
                self.message_user(
                    request,
                    _("%(rule_set)s is published; every score is being recomputed (run %(run)s).")
                    % {"rule_set": rule_set, "run": run.pk},
                )

    @admin.action(description=gettext_lazy("Preview the impact (who crosses each threshold)"))
    def preview_impact(self, request: HttpRequest, queryset: Any) -> None:
        for rule_set in queryset:
            try:
                run = rule_services.start_preview(actor=request.user, rule_set_id=rule_set.pk)
            except ApplicationError as exc:
                self.message_user(request, f"{rule_set}: {exc.message}", messages.ERROR)
            else:
                self.message_user(
                    request,
                    _("Impact preview started (run %(run)s); see Recompute runs.")
                    % {"run": run.pk},
                )


@admin.register(RecomputeRun)
class RecomputeRunAdmin(ReadOnlyAdmin):
    list_display = [
        "pk",
        "rule_set",
        "kind",
        "status",
        "done",
        "total",
        "written",
        "created_at",
        "finished_at",
    ]
    list_filter = ["kind", "status"]
    readonly_fields = ["result_text"]
    fields = [
        "rule_set",
        "kind",
        "status",
        "total",
        "done",
        "written",
        "result_text",
        "error",
        "started_at",
        "finished_at",
    ]

    @admin.display(description=gettext_lazy("result"))
    def result_text(self, run: RecomputeRun) -> str:
        return json.dumps(run.result, ensure_ascii=False, indent=2)


@admin.register(PointsApplication)
class PointsApplicationAdmin(ReadOnlyAdmin):
    list_display = [
        "reference",
        "person",
        "service",
        "status",
        "created_at",
        "submitted_at",
        "completed_at",
    ]
    list_filter = ["service", "status"]
    list_select_related = ["person"]
    search_fields = ["reference"]


@admin.register(Score)
class ScoreAdmin(ReadOnlyAdmin):
    list_display = [
        "pk",
        "person",
        "rule_set",
        "reference_date",
        "valid_until",
        "is_current",
        "computed_at",
    ]
    list_filter = ["rule_set", "is_current"]
    list_select_related = ["person", "rule_set"]
    show_full_result_count = False


@admin.register(RankingList)
class RankingListAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "rule_set", "status", "published_at", "objection_until"]
    list_filter = ["service", "status"]
