"""Admin screens of the schooling app.

Schools and enrolment rounds are configuration: a round is prepared here (windows, rules,
priority categories, the schools taking part and their seats) while its status is "being
prepared". Status, the lottery and results change only through the services: the actions
below call them, and the fields they own are read-only. Applications, offers and runs are
read-only records.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from portal.admin_base import ReadOnlyAdmin
from portal.errors import ApplicationError
from schooling import services
from schooling.models import (
    AllocationRun,
    EnrolmentApplication,
    EnrolmentRound,
    Offer,
    PriorityCategory,
    RoundSchool,
    RoundStatus,
    School,
    TieBreak,
    unknown_tie_breaks,
)


@admin.register(School)
class SchoolAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "stage", "district", "community", "active"]
    list_filter = ["stage", "active", "district"]
    search_fields = ["code", "name"]
    list_select_related = ["district", "community"]
    raw_id_fields = ["district", "community"]
    filter_horizontal = ["catchment"]


class PriorityCategoryInline(admin.TabularInline):
    model = PriorityCategory
    extra = 0


class RoundSchoolInline(admin.TabularInline):
    model = RoundSchool
    extra = 0
    raw_id_fields = ["school"]
    fields = [
        "school",
        "seats",
        "applicants",
        "admitted",
        "admitted_second",
        "cutoff_category",
        "cutoff_rank",
        "cutoff_points",
    ]
    readonly_fields = [
        "applicants",
        "admitted",
        "admitted_second",
        "cutoff_category",
        "cutoff_rank",
        "cutoff_points",
    ]


def _run(modeladmin, request, queryset, service, done):
    for enrolment_round in queryset:
        try:
            service(actor=request.user, round_id=enrolment_round.pk)
        except ApplicationError as exc:
            modeladmin.message_user(
                request, f"{enrolment_round}: {exc.message}", level=messages.ERROR
            )
        else:
            modeladmin.message_user(request, f"{enrolment_round}: {done}")


@admin.action(description=_("Publish the round"))
def open_rounds(modeladmin, request, queryset):
    _run(modeladmin, request, queryset, services.open_round, _("published"))


@admin.action(description=_("Commit a random lottery seed"))
def commit_seeds(modeladmin, request, queryset):
    _run(modeladmin, request, queryset, services.commit_lottery_seed, _("seed committed"))


@admin.action(description=_("Run the first round (the draw)"))
def draw_rounds(modeladmin, request, queryset):
    _run(modeladmin, request, queryset, services.run_first_round, _("drawn"))


@admin.action(description=_("Run the second round"))
def second_rounds(modeladmin, request, queryset):
    _run(modeladmin, request, queryset, services.run_second_round, _("second round done"))


class EnrolmentRoundForm(forms.ModelForm):
    class Meta:
        model = EnrolmentRound
        fields = [
            "name",
            "year",
            "stage",
            "grade",
            "min_age",
            "age_reference_date",
            "application_opens",
            "application_closes",
            "preference_opens",
            "preference_closes",
            "offer_deadline",
            "answer_days",
            "points_rule_set",
            "points_threshold",
            "min_permit_months",
            "max_preferences",
            "tie_breaks",
        ]

    def clean_tie_breaks(self) -> list[str]:
        names = self.cleaned_data["tie_breaks"]
        unknown = unknown_tie_breaks(names)
        if unknown:
            raise ValidationError(
                _("Unknown tie-breaks: %(names)s. Use %(known)s, or sub:<sub-score>.")
                % {"names": ", ".join(unknown), "known": ", ".join(TieBreak.values)}
            )
        return names


@admin.register(EnrolmentRound)
class EnrolmentRoundAdmin(admin.ModelAdmin):
    form = EnrolmentRoundForm
    list_display = ["name", "year", "stage", "status", "application_opens", "preference_closes"]
    list_filter = ["status", "stage", "year"]
    inlines = [PriorityCategoryInline, RoundSchoolInline]
    actions = [open_rounds, commit_seeds, draw_rounds, second_rounds]
    readonly_fields = [
        "status",
        "lottery_seed_sha256",
        "seed_committed_at",
        "seed_revealed_at",
        "allocated_at",
        "second_round_at",
    ]
    raw_id_fields = ["points_rule_set"]

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or obj.status == RoundStatus.SETUP)


@admin.register(EnrolmentApplication)
class EnrolmentApplicationAdmin(ReadOnlyAdmin):
    list_display = ["case", "round", "child", "tenure", "points", "active"]
    list_filter = ["round", "tenure", "active"]
    list_select_related = ["case", "round", "child"]
    search_fields = ["case__reference"]


@admin.register(Offer)
class OfferAdmin(ReadOnlyAdmin):
    list_display = ["place", "seat_no", "application", "phase", "status", "deadline"]
    list_filter = ["round", "phase", "status"]
    list_select_related = ["place__school", "application__case"]


@admin.register(AllocationRun)
class AllocationRunAdmin(ReadOnlyAdmin):
    list_display = [
        "round",
        "phase",
        "status",
        "checkpoint",
        "applicants",
        "placed",
        "match_seconds",
        "total_seconds",
        "started_at",
    ]
