"""The generic case page shows a decision exactly when the reviewer may take it."""

from __future__ import annotations

import pytest
from django.urls import reverse

import tests.portal.kinds  # noqa: F401  (registers test_kind)
from portal.workflow import services


def _shown(client, case) -> set[str]:
    html = client.get(reverse("workflow:case_detail", args=[case.pk])).content.decode()
    return {
        action
        for action in ("take", "approve", "reject", "return")
        if reverse("workflow:case_decide", args=[case.pk, action]) in html
    }


@pytest.fixture
def submitted(resident, district_a):
    case = services.create_case(
        kind="test_kind", applicant=resident, district=district_a, actor=resident
    )
    return services.submit_case(case_id=case.pk, actor=resident)


def test_a_submitted_case_can_be_taken_up_and_decided(client, police_a, submitted):
    client.force_login(police_a)

    assert _shown(client, submitted) == {"take", "approve", "reject", "return"}


def test_a_case_in_review_is_decided_but_not_taken_up_again(client, police_a, submitted):
    services.start_review(case_id=submitted.pk, actor=police_a)
    client.force_login(police_a)

    assert _shown(client, submitted) == {"approve", "reject", "return"}


def test_a_decided_case_offers_nothing(client, police_a, submitted):
    services.approve_case(case_id=submitted.pk, actor=police_a)
    client.force_login(police_a)

    assert _shown(client, submitted) == set()


def test_a_case_returned_to_the_applicant_offers_the_reviewer_nothing(client, police_a, submitted):
    services.return_case(case_id=submitted.pk, actor=police_a, reason="add the lease")
    client.force_login(police_a)

    assert _shown(client, submitted) == set()
