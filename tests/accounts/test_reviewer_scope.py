"""The one test of a reviewer's scope: department, and district when one is named."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser

from portal.accounts.models import DepartmentCode, Role
from portal.accounts.selectors import is_reviewer_of
from tests import factories


def test_a_reviewer_is_a_reviewer_of_their_department_only(district_a):
    housing = factories.reviewer(department="housing", districts=[district_a], username="h1")
    assert is_reviewer_of(housing)
    assert is_reviewer_of(housing, DepartmentCode.HOUSING)
    assert is_reviewer_of(housing, DepartmentCode.EDUCATION, DepartmentCode.HOUSING)
    assert not is_reviewer_of(housing, DepartmentCode.PUBLIC_SECURITY)


def test_a_named_district_must_be_one_the_reviewer_reviews(district_a, district_b):
    housing = factories.reviewer(department="housing", districts=[district_a], username="h1")
    assert is_reviewer_of(housing, DepartmentCode.HOUSING, district_id=district_a.pk)
    assert not is_reviewer_of(housing, DepartmentCode.HOUSING, district_id=district_b.pk)
    assert not is_reviewer_of(housing, DepartmentCode.EDUCATION, district_id=district_a.pk)


def test_nobody_without_the_reviewer_role_is_a_reviewer(resident, district_a):
    analyst = factories.UserFactory(username="a1", roles=[Role.ANALYST])
    analyst.districts.set([district_a])
    assert not is_reviewer_of(AnonymousUser())
    assert not is_reviewer_of(resident)
    assert not is_reviewer_of(analyst, district_id=district_a.pk)
