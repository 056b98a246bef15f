"""Admin screens of the city's view: the plan's indicators and targets are configuration;
values are entered through their page (with source and date), rebuild runs are records."""

from django.contrib import admin

from portal.dashboard.models import FactRun, Indicator, IndicatorTarget, IndicatorValue


class IndicatorTargetInline(admin.TabularInline):
    model = IndicatorTarget
    extra = 1


class IndicatorValueInline(admin.TabularInline):
    model = IndicatorValue
    extra = 0
    can_delete = False
    readonly_fields = [
        "year",
        "value",
        "source",
        "published_on",
        "entered_by",
        "entered_at",
        "superseded_at",
    ]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Indicator)
class IndicatorAdmin(admin.ModelAdmin):
    list_display = ["name", "category", "unit", "baseline_year", "baseline_value", "metric"]
    search_fields = ["name", "name_en", "code"]
    inlines = [IndicatorTargetInline, IndicatorValueInline]


@admin.register(FactRun)
class FactRunAdmin(admin.ModelAdmin):
    list_display = ["started_at", "status", "first_month", "last_month", "rows", "seconds"]
    list_filter = ["status"]
    readonly_fields = [
        "status",
        "requested_by",
        "first_month",
        "last_month",
        "started_at",
        "finished_at",
        "rows",
        "seconds",
        "error",
    ]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
