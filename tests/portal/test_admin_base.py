"""Admin screens of records with a lifecycle only show them: no add, change or delete."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.test import RequestFactory

from employment.models import Employer, JobPosting
from housing.models import HousingApplication, RentalHome
from points.models import PointsApplication, RecomputeRun
from portal.accounts.models import User
from portal.admin_base import ReadOnlyAdmin
from portal.catalogue.models import Rating
from portal.notices.models import Policy, PushRun
from portal.surveys.models import Response
from portal.workflow.models import Case
from residents.models import CardDelivery, Permit, PermitApplication, ReconciliationRun
from schooling.models import EnrolmentApplication


def test_read_only_admin_refuses_add_change_and_delete_even_to_a_superuser():
    # given a superuser on the screen of a read-only model
    request = RequestFactory().get("/admin/")
    request.user = User(username="root", is_staff=True, is_superuser=True)
    model_admin = ReadOnlyAdmin(Case, admin.site)
    # then each write is refused, for the list and for one row
    case = Case()
    assert model_admin.has_add_permission(request) is False
    assert model_admin.has_change_permission(request) is False
    assert model_admin.has_change_permission(request, case) is False
    assert model_admin.has_delete_permission(request) is False
    assert model_admin.has_delete_permission(request, case) is False


@pytest.mark.parametrize(
    "model",
    [
        Case,
        PermitApplication,
        Permit,
        CardDelivery,
        ReconciliationRun,
        PointsApplication,
        RecomputeRun,
        HousingApplication,
        RentalHome,
        EnrolmentApplication,
        Employer,
        JobPosting,
        Policy,
        PushRun,
        Rating,
        Response,
    ],
    ids=lambda model: model._meta.label,
)
def test_records_with_a_lifecycle_have_the_one_read_only_screen(model):
    assert isinstance(admin.site.get_model_admin(model), ReadOnlyAdmin)
