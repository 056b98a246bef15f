"""Configuration screens of the permit beyond the counter: peer cities and the transfer rule;
card deliveries and recognised transfers read-only (services move them)."""

from __future__ import annotations

from django.contrib import admin

from portal.admin_base import ReadOnlyAdmin
from residents.models import CardDelivery, PeerCity, PermitTransfer, TransferPolicy


@admin.register(PeerCity)
class PeerCityAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "verify_url", "active"]
    list_filter = ["active"]
    fields = ["code", "name", "verify_url", "api_token", "active"]


@admin.register(TransferPolicy)
class TransferPolicyAdmin(admin.ModelAdmin):
    list_display = ["effective_from", "months_recognised", "source"]


@admin.register(CardDelivery)
class CardDeliveryAdmin(ReadOnlyAdmin):
    list_display = ["permit", "status", "waybill", "updated_at"]
    list_filter = ["status"]


@admin.register(PermitTransfer)
class PermitTransferAdmin(ReadOnlyAdmin):
    list_display = ["person", "peer", "peer_permit_number", "months_recognised", "recognised_at"]
