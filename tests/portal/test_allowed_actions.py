"""What a user may do to a case now, from the transition table and who they are."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

import tests.portal.kinds  # noqa: F401  (registers test_kind)
from portal.workflow import services
from portal.workflow.selectors import allowed_actions


def _case_in(status, *, applicant, reviewer):
    """A test_kind case of district A moved to `status` through the services."""
    case = services.create_case(
        kind="test_kind", applicant=applicant, district=reviewer.districts.get(), actor=applicant
    )
    if status == "draft":
        return case
    if status == "withdrawn":
        return services.withdraw_case(case_id=case.pk, actor=applicant)
    case = services.submit_case(case_id=case.pk, actor=applicant)
    if status == "submitted":
        return case
    if status == "in_review":
        return services.start_review(case_id=case.pk, actor=reviewer)
    if status == "approved":
        return services.approve_case(case_id=case.pk, actor=reviewer)
    if status == "rejected":
        return services.reject_case(case_id=case.pk, actor=reviewer, reason="no")
    assert status == "returned"
    return services.return_case(case_id=case.pk, actor=reviewer, reason="add the lease")


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        ("draft", {"submit", "withdraw"}),
        ("submitted", {"withdraw"}),
        ("in_review", set()),
        ("returned", {"submit", "withdraw"}),
        ("approved", set()),
        ("rejected", set()),
        ("withdrawn", set()),
    ],
)
def test_the_applicant_submits_and_withdraws(status, expected, resident, police_a):
    case = _case_in(status, applicant=resident, reviewer=police_a)

    assert allowed_actions(case, resident) == expected


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        ("draft", set()),
        ("submitted", {"accept", "approve", "reject", "return"}),
        ("in_review", {"approve", "reject", "return"}),
        ("returned", set()),
        ("approved", set()),
        ("rejected", set()),
        ("withdrawn", set()),
    ],
)
def test_a_reviewer_of_the_department_and_district_decides(status, expected, resident, police_a):
    case = _case_in(status, applicant=resident, reviewer=police_a)

    assert allowed_actions(case, police_a) == expected


@pytest.mark.parametrize("status", ["submitted", "in_review"])
def test_a_reviewer_of_another_department_may_do_nothing(status, resident, police_a, housing_a):
    case = _case_in(status, applicant=resident, reviewer=police_a)

    assert allowed_actions(case, housing_a) == set()


@pytest.mark.parametrize("status", ["submitted", "in_review"])
def test_a_reviewer_of_another_district_may_do_nothing(status, resident, police_a, police_b):
    case = _case_in(status, applicant=resident, reviewer=police_a)

    assert allowed_actions(case, police_b) == set()


@pytest.mark.parametrize("status", ["draft", "submitted", "returned"])
def test_another_resident_or_nobody_may_do_nothing(status, resident, other_resident, police_a):
    case = _case_in(status, applicant=resident, reviewer=police_a)

    assert allowed_actions(case, other_resident) == set()
    assert allowed_actions(case, AnonymousUser()) == set()
