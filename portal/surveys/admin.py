"""Surveys in the admin: read-only. Surveys are built and published on the staff pages
(the services keep a published survey unchanged); responses and answers are records."""

from __future__ import annotations

from django.contrib import admin

from portal.admin_base import ReadOnlyAdmin
from portal.surveys.models import Answer, Response, Survey


class AnswerInline(admin.TabularInline):
    model = Answer
    fields = ("question", "option", "value", "text")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Survey)
class SurveyAdmin(ReadOnlyAdmin):
    list_display = ("title", "version", "department", "status", "opens_on", "closes_on")
    list_filter = ("status", "department")
    search_fields = ("title",)


@admin.register(Response)
class ResponseAdmin(ReadOnlyAdmin):
    list_display = ("id", "survey", "channel", "submitted_at")
    list_filter = ("channel", "survey")
    list_select_related = ("survey",)
    # The person is left out: answers are read as the survey's, not as a person's.
    fields = ("survey", "channel", "submitted_at")
    inlines = [AnswerInline]
