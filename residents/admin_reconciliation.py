"""Admin screens of the nightly reconciliation: upload a department's feed, follow its run,
read the report.

A feed uploaded here is received by residents.reconciliation.services exactly as one sent
through the API, and its run is queued for a worker. A run's page shows a progress bar while
it runs (static/js/reconciliation.js asks the run's progress address) and its report when it
is done, with links to the rejected rows and the discrepancies. Runs, rejected rows and
discrepancies are read-only; an interrupted run can be handed back to a worker, and a feed
reconciled again against today's registry.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from portal.admin_base import ReadOnly, ReadOnlyAdmin
from portal.errors import ApplicationError
from residents.models import (
    Discrepancy,
    DiscrepancyKind,
    DiscrepancySettlement,
    FeedChannel,
    FeedEncoding,
    FeedKindCode,
    FeedUpload,
    ReconciliationRun,
    RejectedRow,
    SimulationRun,
)
from residents.reconciliation import feeds, selectors, services


class FeedUploadForm(forms.Form):
    kind = forms.ChoiceField(label=_("kind of feed"), choices=FeedKindCode.choices)
    file = forms.FileField(
        label=_("file"), help_text=_("CSV with a header row, or JSON lines (.jsonl).")
    )
    encoding = forms.ChoiceField(
        label=_("encoding"),
        choices=[("", _("Detect from the file")), *FeedEncoding.choices],
        required=False,
    )


@admin.register(FeedUpload)
class FeedUploadAdmin(admin.ModelAdmin):
    list_display = ["received_at", "kind", "original_name", "channel", "size", "latest_run"]
    list_filter = ["kind", "channel"]
    search_fields = ["original_name", "sha256"]
    date_hierarchy = "received_at"
    fields = [
        "kind",
        "original_name",
        "format",
        "encoding",
        "channel",
        "size",
        "sha256",
        "received_by",
        "received_at",
    ]
    readonly_fields = fields
    actions = ["reconcile_again"]

    def get_queryset(self, request):
        return selectors.feeds_visible_to(request.user)

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("latest run"))
    def latest_run(self, feed: FeedUpload) -> str:
        run = selectors.latest_run(feed)
        if run is None:
            return "-"
        url = reverse("admin:residents_reconciliationrun_change", args=[run.pk])
        return format_html('<a href="{}">{} ({}%)</a>', url, run.get_status_display(), run.progress)

    def add_view(self, request: HttpRequest, form_url: str = "", extra_context=None):
        """Upload a feed: received as through the API, its run queued, then its run's page."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = FeedUploadForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                with transaction.atomic():
                    feed, created = services.receive_feed(
                        kind=form.cleaned_data["kind"],
                        source=upload,
                        original_name=upload.name,
                        channel=FeedChannel.ADMIN,
                        actor=request.user,
                        encoding=form.cleaned_data["encoding"],
                    )
                    run = services.start_run(feed_id=feed.pk, actor=request.user)
            except ApplicationError as exc:
                form.add_error(None, str(exc.message))
                for field, errors in exc.fields.items():
                    for error in errors:
                        form.add_error(field if field in form.fields else None, str(error))
            else:
                if not created:
                    messages.info(request, _("This file was received before; its run is shown."))
                return HttpResponseRedirect(
                    reverse("admin:residents_reconciliationrun_change", args=[run.pk])
                )
        context = {
            **self.admin_site.each_context(request),
            "title": _("Upload a data feed"),
            "opts": self.model._meta,
            "form": form,
            "kinds": [(kind.label, kind.columns) for kind in feeds.KINDS.values()],
            **(extra_context or {}),
        }
        return TemplateResponse(request, "residents/reconciliation/feed_upload.html", context)

    @admin.action(description=_("Reconcile again against today's registry"))
    def reconcile_again(self, request, queryset):
        for feed in queryset:
            services.start_run(feed_id=feed.pk, actor=request.user, rerun=True)
        self.message_user(request, _("The runs are queued."), messages.SUCCESS)


@admin.register(ReconciliationRun)
class ReconciliationRunAdmin(ReadOnlyAdmin):
    list_display = [
        "created_at",
        "feed",
        "status",
        "progress",
        "rows_read",
        "rows_rejected",
        "rows_matched",
        "discrepancy_total",
        "tasks_raised",
        "seconds",
    ]
    list_filter = ["status", "feed__kind"]
    list_select_related = ["feed"]
    date_hierarchy = "created_at"
    change_form_template = "residents/reconciliation/run_change_form.html"
    fields = [
        "feed",
        "status",
        "step",
        "run_on",
        "attempts",
        "error",
        "requested_by",
        "created_at",
        "started_at",
        "finished_at",
    ]
    readonly_fields = fields
    actions = ["resume"]

    def get_queryset(self, request):
        return selectors.runs_visible_to(request.user)

    @admin.display(description=_("discrepancies"))
    def discrepancy_total(self, run: ReconciliationRun) -> int:
        return run.discrepancy_total

    def get_urls(self):
        return [
            path(
                "<int:pk>/progress/",
                self.admin_site.admin_view(self.progress_view),
                name="residents_reconciliationrun_progress",
            ),
            *super().get_urls(),
        ]

    def progress_view(self, request: HttpRequest, pk: int) -> JsonResponse:
        run = get_object_or_404(self.get_queryset(request), pk=pk)
        return JsonResponse(
            {
                "status": run.status,
                "progress": run.progress,
                "phase": run.phase_label,
                "active": run.is_active,
            }
        )

    def change_view(self, request, object_id, form_url="", extra_context=None):
        run = get_object_or_404(self.get_queryset(request), pk=object_id)
        kinds = [
            (kind.label, run.discrepancies_by_kind.get(kind.value, 0)) for kind in DiscrepancyKind
        ]
        extra = {
            "run": run,
            "discrepancy_kinds": kinds,
            "progress_url": reverse("admin:residents_reconciliationrun_progress", args=[run.pk]),
            "rejects_url": reverse("admin:residents_rejectedrow_changelist")
            + f"?run__id__exact={run.pk}",
            "discrepancies_url": reverse("admin:residents_discrepancy_changelist")
            + f"?run__id__exact={run.pk}",
            **(extra_context or {}),
        }
        return super().change_view(request, object_id, form_url, extra_context=extra)

    @admin.action(description=_("Resume the selected interrupted runs"))
    def resume(self, request, queryset):
        resumed = 0
        for run in queryset:
            try:
                services.resume_run(run_id=run.pk)
            except ApplicationError as exc:
                self.message_user(request, f"{run.pk}: {exc.message}", messages.WARNING)
            else:
                resumed += 1
        if resumed:
            self.message_user(request, _("The runs are handed back to a worker."), messages.SUCCESS)

    def get_actions(self, request):
        actions = super().get_actions(request)
        if not selectors.sees_every_feed(request.user):
            actions.pop("resume", None)
        return actions


@admin.register(RejectedRow)
class RejectedRowAdmin(ReadOnlyAdmin):
    list_display = ["row_no", "reason", "column", "value", "run"]
    list_filter = ["reason", "run"]
    list_select_related = ["run"]
    fields = ["run", "row_no", "reason", "column", "value", "raw"]
    readonly_fields = fields


class DiscrepancySettlementInline(ReadOnly, admin.TabularInline):
    model = DiscrepancySettlement
    fields = ["at", "disposition", "actor", "reason", "registration_ended"]
    readonly_fields = fields
    extra = 0


@admin.register(SimulationRun)
class SimulationRunAdmin(ReadOnlyAdmin):
    list_display = ["started_at", "persons", "days", "seed", "seconds", "finished_at"]
    fields = [
        "persons",
        "days",
        "seed",
        "first_day",
        "params",
        "started_at",
        "finished_at",
        "seconds",
    ]
    readonly_fields = fields


@admin.register(Discrepancy)
class DiscrepancyAdmin(ReadOnlyAdmin):
    list_display = [
        "kind",
        "address",
        "person",
        "observed_name",
        "rows",
        "task_status",
        "disposition",
        "run",
    ]
    list_filter = ["kind", "disposition", "run"]
    list_select_related = ["address", "person", "task", "run"]
    fields = [
        "run",
        "kind",
        "address",
        "person",
        "registered_address",
        "observed_name",
        "row_no",
        "rows",
        "task",
        "evidence",
        "disposition",
        "settled_by",
        "settled_at",
        "settle_reason",
    ]
    readonly_fields = fields
    inlines = [DiscrepancySettlementInline]

    @admin.display(description=_("task"))
    def task_status(self, discrepancy: Discrepancy) -> str:
        return discrepancy.task.get_status_display()
