"""Admin screens of the employment app: declaration deadlines are configuration; employers,
workers, postings and courses are read-only here (they change through the services only)."""

from __future__ import annotations

from django.contrib import admin

from employment.models import Course, Employer, Employment, JobPosting
from portal.admin_base import ReadOnlyAdmin


@admin.register(Employer)
class EmployerAdmin(ReadOnlyAdmin):
    list_display = ["name", "credit_code", "district", "trade", "is_active"]
    list_select_related = ["district"]
    search_fields = ["name", "credit_code"]


@admin.register(Employment)
class EmploymentAdmin(ReadOnlyAdmin):
    list_display = ["employer", "person", "start_date", "end_date", "start_late", "end_late"]
    list_select_related = ["employer", "person"]
    list_filter = ["start_late", "end_late"]
    raw_id_fields = ["person"]


@admin.register(JobPosting)
class JobPostingAdmin(ReadOnlyAdmin):
    list_display = ["title", "employer", "district", "trade", "pay_min", "pay_max"]
    list_select_related = ["employer", "district"]


@admin.register(Course)
class CourseAdmin(ReadOnlyAdmin):
    list_display = ["year", "title", "topic", "starts_on", "capacity", "seats_taken"]
    list_filter = ["year", "topic"]
