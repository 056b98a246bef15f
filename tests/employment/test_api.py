"""The employment API: scoping (404 for another account), the one error body, query budgets."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from employment import services
from tests.employment.conftest import bad_id, credit_code, worker_id
from tests.employment.test_postings import approved


@pytest.fixture
def api():
    return APIClient()


def test_an_employer_registers_and_an_invalid_code_gets_the_error_body(
    api, employer_user, district_a
):
    api.force_authenticate(employer_user)
    body = {
        "name": "温州某厂",
        "credit_code": "91330302MA2A0001XA",
        "district": district_a.pk,
        "trade": "retail",
        "contact_name": "张三",
        "contact_phone": "13800000000",
    }
    refused = api.post(reverse("api-employment-employers"), body, format="json")
    assert refused.status_code == 400
    assert list(refused.json()["fields"]) == ["credit_code"]
    body["credit_code"] = credit_code(11)
    created = api.post(reverse("api-employment-employers"), body, format="json")
    assert created.status_code == 201
    assert created.json()["status"] == "submitted"


def test_workers_are_listed_for_their_employer_only(
    api, employer, employer_user, other_employer_user, resident, django_assert_max_num_queries
):
    for seq in range(5):
        services.declare_worker_start(
            actor=employer_user,
            employer_id=employer.pk,
            name=f"工人{seq}",
            id_number=worker_id(90 + seq),
            start_date=timezone.localdate() - dt.timedelta(days=seq),
        )
    url = reverse("api-employment-workers", args=[employer.pk])
    api.force_authenticate(employer_user)
    with django_assert_max_num_queries(6):
        listed = api.get(url, {"current": "true"})
    assert listed.json()["count"] == 5
    assert all("*" in row["id_masked"] for row in listed.json()["results"])
    for outsider in (other_employer_user, resident):
        api.force_authenticate(outsider)
        assert api.get(url).status_code == 404
        assert api.post(url, {}, format="json").status_code == 404


def test_a_list_uploaded_through_the_api_reports_the_bad_row(api, employer, employer_user):
    api.force_authenticate(employer_user)
    content = (
        f"姓名,身份证号,入职日期\n赵磊,{worker_id(95)},2026-01-05\n钱芳,{bad_id(96)},2026-13-01"
    )
    response = api.post(
        reverse("api-employment-worker-lists", args=[employer.pk]),
        {"action": "start", "file": SimpleUploadedFile("w.csv", content.encode())},
        format="multipart",
    )
    assert response.status_code == 201
    assert response.json()["rows_accepted"] == 1
    assert {(p["row"], p["field"]) for p in response.json()["problems"]} == {
        (3, "id_number"),
        (3, "start_date"),
    }


def test_job_search_filters_within_a_query_budget(
    api, employer, employer_user, district_a, hr_a, resident, django_assert_max_num_queries
):
    for n in range(8):
        approved(employer_user, employer, district_a, hr_a, title=f"岗位{n}", skills=["焊接"])
    approved(employer_user, employer, district_a, hr_a, title="司机", trade="logistics")
    api.force_authenticate(resident)
    with django_assert_max_num_queries(4):
        found = api.get(reverse("api-employment-jobs"), {"skill": "焊接", "pay": 6000})
    assert found.json()["count"] == 8
    assert api.get(reverse("api-employment-jobs"), {"trade": "logistics"}).json()["count"] == 1
