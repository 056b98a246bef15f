"""Admin screens of the housing app: projects, units and rounds are configuration; homes,
tenancies, applications and offers are read-only (they change through the services only)."""

from __future__ import annotations

from django.contrib import admin

from housing.models import (
    ApplicationRound,
    HousingApplication,
    HousingProject,
    HousingUnit,
    OccupancyPolicy,
    Offer,
    RentalHome,
    RoundStatus,
    RoundUnitType,
    Tenancy,
)
from housing.services import applications
from portal.admin_base import ReadOnlyAdmin


class HousingUnitInline(admin.TabularInline):
    model = HousingUnit
    extra = 0
    fields = ["label", "unit_type", "floor_area", "monthly_rent"]


@admin.register(OccupancyPolicy)
class OccupancyPolicyAdmin(admin.ModelAdmin):
    list_display = ["effective_from", "min_area_per_person", "max_per_room", "source"]


@admin.register(HousingProject)
class HousingProjectAdmin(admin.ModelAdmin):
    list_display = ["name", "district", "location"]
    list_select_related = ["district"]
    search_fields = ["name", "location"]
    inlines = [HousingUnitInline]


class RoundUnitTypeInline(admin.TabularInline):
    model = RoundUnitType
    extra = 1


@admin.register(ApplicationRound)
class ApplicationRoundAdmin(admin.ModelAdmin):
    """A round opened here draws its lottery seed on save; only the seed's hash is shown."""

    list_display = ["name", "project", "opens_on", "closes_on", "min_points", "status"]
    list_filter = ["status"]
    list_select_related = ["project"]
    fields = [
        "project",
        "name",
        "opens_on",
        "closes_on",
        "min_points",
        "offer_days",
        "status",
        "seed_hash",
        "ranked_at",
    ]
    readonly_fields = ["status", "seed_hash", "ranked_at"]
    inlines = [RoundUnitTypeInline]

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.status != RoundStatus.OPEN:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        if not change:
            obj.seed, obj.seed_hash = applications.draw_seed()
        super().save_model(request, obj, form, change)


@admin.register(RentalHome)
class RentalHomeAdmin(ReadOnlyAdmin):
    list_display = ["address", "landlord", "max_occupants", "is_active", "overcrowded_since"]
    list_filter = ["is_active"]
    list_select_related = ["address", "landlord"]
    raw_id_fields = ["case", "landlord", "address"]


@admin.register(Tenancy)
class TenancyAdmin(ReadOnlyAdmin):
    list_display = ["home", "person", "start_date", "end_date", "confirmed_at"]
    list_select_related = ["home__address", "person"]
    raw_id_fields = ["home", "person", "registration", "declared_by", "ended_by"]
    exclude = ["phone"]


@admin.register(HousingApplication)
class HousingApplicationAdmin(ReadOnlyAdmin):
    list_display = ["case", "round", "person", "unit_type", "points", "rank"]
    list_filter = ["unit_type"]
    list_select_related = ["case", "round", "person"]
    raw_id_fields = ["case", "round", "person"]


@admin.register(Offer)
class OfferAdmin(ReadOnlyAdmin):
    list_display = ["unit", "application", "status", "offered_at", "deadline", "decided_at"]
    list_filter = ["status"]
    list_select_related = ["unit", "application"]
    raw_id_fields = ["unit", "application", "decided_by"]
