"""The staff workbench page and the applicant's progress pages."""

from __future__ import annotations

import pytest
from django.urls import reverse

from portal.workflow import services
from portal.workflow.models import Status
from tests.portal.kinds import TEST_KIND


@pytest.fixture
def submitted(resident, district_a):
    case = services.create_case(
        kind=TEST_KIND.code, applicant=resident, district=district_a, subject="张三", actor=resident
    )
    return services.submit_case(case_id=case.pk, actor=resident)


def test_reviewer_sees_the_cases_of_their_district(client, police_a, submitted):
    client.force_login(police_a)
    response = client.get(reverse("workflow:workbench"))
    assert response.status_code == 200
    assert submitted.reference in response.content.decode()


def test_reviewer_of_another_district_does_not_see_them(client, police_b, submitted):
    client.force_login(police_b)
    response = client.get(reverse("workflow:workbench"))
    assert submitted.reference not in response.content.decode()
    assert client.get(reverse("workflow:case_detail", args=[submitted.pk])).status_code == 404


def test_reviewer_of_another_department_gets_not_found(client, housing_a, submitted):
    client.force_login(housing_a)
    assert client.get(reverse("workflow:case_detail", args=[submitted.pk])).status_code == 404
    response = client.post(reverse("workflow:case_decide", args=[submitted.pk, "approve"]))
    assert response.status_code == 404
    submitted.refresh_from_db()
    assert submitted.status == Status.SUBMITTED


def test_a_resident_is_refused_the_workbench(client, resident):
    client.force_login(resident)
    assert client.get(reverse("workflow:workbench")).status_code == 403


def test_htmx_filter_returns_only_the_list(client, police_a, submitted):
    client.force_login(police_a)
    response = client.get(
        reverse("workflow:workbench"), {"q": "TST"}, headers={"HX-Request": "true"}
    )
    body = response.content.decode()
    assert submitted.reference in body
    assert "<html" not in body
    response = client.get(
        reverse("workflow:workbench"), {"q": "NOPE"}, headers={"HX-Request": "true"}
    )
    assert submitted.reference not in response.content.decode()


def test_reviewer_approves_from_the_detail_page(client, police_a, submitted):
    client.force_login(police_a)
    response = client.post(reverse("workflow:case_decide", args=[submitted.pk, "approve"]))
    assert response.status_code == 302
    submitted.refresh_from_db()
    assert submitted.status == Status.APPROVED


def test_returning_without_a_reason_shows_an_error_and_changes_nothing(client, police_a, submitted):
    client.force_login(police_a)
    response = client.post(
        reverse("workflow:case_decide", args=[submitted.pk, "return"]), {"reason": ""}, follow=True
    )
    assert "请" in response.content.decode() or "reason" in response.content.decode()
    submitted.refresh_from_db()
    assert submitted.status == Status.SUBMITTED


def test_applicant_follows_progress_and_sees_the_return_reason(
    client, resident, police_a, submitted
):
    services.return_case(case_id=submitted.pk, actor=police_a, reason="请补充劳动合同")
    client.force_login(resident)
    listing = client.get(reverse("workflow:my_cases")).content.decode()
    assert submitted.reference in listing
    assert "请补充劳动合同" in listing
    detail = client.get(reverse("workflow:my_case", args=[submitted.pk])).content.decode()
    assert "请补充劳动合同" in detail


def test_another_resident_cannot_see_the_progress_page(client, other_resident, submitted):
    client.force_login(other_resident)
    assert client.get(reverse("workflow:my_case", args=[submitted.pk])).status_code == 404
    assert submitted.reference not in client.get(reverse("workflow:my_cases")).content.decode()
