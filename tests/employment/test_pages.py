"""The employment pages, tested from the outside: an employer sees only its own enterprise,
workers, lists, postings and applicants (404 for another employer and for a resident); the
forms show refusals on their fields; lists are paginated within a query budget."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from employment import services
from employment.models import Employer, Employment, WorkerUpload
from residents import selectors as resident_selectors
from tests.employment.conftest import bad_id, credit_code, make_person, worker_id
from tests.employment.test_postings import approved, profile_for


@pytest.fixture
def owned(employer, employer_user, district_a, hr_a, resident):
    """The employer's worker, list, posting and applicant."""
    employment = services.declare_worker_start(
        actor=employer_user,
        employer_id=employer.pk,
        name="赵磊",
        id_number=worker_id(81),
        start_date=timezone.localdate() - dt.timedelta(days=1),
    )
    upload = services.upload_worker_list(
        actor=employer_user,
        employer_id=employer.pk,
        action="start",
        filename="w.csv",
        content=f"姓名,身份证号,入职日期\n钱芳,{worker_id(82)},2026-01-05".encode(),
    )
    posting = approved(employer_user, employer, district_a, hr_a)
    profile_for(resident, seq=83)
    services.apply_for_job(actor=resident, posting_id=posting.pk)
    return {
        "employer": reverse("employment:employer", args=[employer.pk]),
        "upload_form": reverse("employment:worker_upload", args=[employer.pk]),
        "posting_new": reverse("employment:posting_new", args=[employer.pk]),
        "report": reverse("employment:upload", args=[upload.pk]),
        "worker_end": reverse("employment:worker_end", args=[employment.pk]),
        "applicants": reverse("employment:posting_applicants", args=[posting.pk]),
    }


@pytest.mark.parametrize(
    "page", ["employer", "upload_form", "posting_new", "report", "worker_end", "applicants"]
)
def test_the_employer_s_pages_are_its_own(
    client, owned, employer_user, other_employer_user, other_employer, resident, page
):
    client.force_login(employer_user)
    assert client.get(owned[page]).status_code == 200
    for outsider in (other_employer_user, resident):
        client.force_login(outsider)
        assert client.get(owned[page]).status_code == 404
        if page != "report":  # the report is only read
            assert client.post(owned[page], {"action": "close"}).status_code == 404


def test_applicants_are_shown_with_a_masked_id(client, owned, employer_user, resident):
    client.force_login(employer_user)
    page = client.get(owned["applicants"]).content.decode()
    person = resident_selectors.person_of(resident)
    assert person.name in page
    assert person.id_masked in page
    assert person.id_number not in page


def test_registering_with_an_invalid_credit_code_shows_the_error_on_the_field(
    client, employer_user, district_a
):
    client.force_login(employer_user)
    response = client.post(
        reverse("employment:employer_new"),
        {
            "name": "温州某厂",
            "credit_code": credit_code(1)[:-1] + "A",
            "district": district_a.pk,
            "trade": "retail",
            "contact_name": "张三",
            "contact_phone": "13800000000",
        },
    )
    assert response.status_code == 200
    assert "校验码不符" in response.content.decode()
    assert not Employer.objects.exists()


def test_an_uploaded_list_redirects_to_its_report(client, employer, employer_user):
    client.force_login(employer_user)
    content = (
        f"姓名,身份证号,入职日期\n赵磊,{worker_id(84)},2026-01-05\n钱芳,{bad_id(85)},2026-01-06"
    )
    response = client.post(
        reverse("employment:worker_upload", args=[employer.pk]),
        {"action": "start", "file": SimpleUploadedFile("w.csv", content.encode())},
    )
    upload = WorkerUpload.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("employment:upload", args=[upload.pk])
    report = client.get(response["Location"]).content.decode()
    assert "<td>3</td>" in report  # the bad row, by its number in the file
    assert Employment.objects.count() == 1


def test_declaring_from_the_enterprise_page(client, employer, employer_user, dormitory):
    client.force_login(employer_user)
    response = client.post(
        reverse("employment:employer", args=[employer.pk]),
        {
            "action": "declare",
            "name": "孙伟",
            "id_number": worker_id(86),
            "start_date": timezone.localdate().isoformat(),
            "dormitory": dormitory.pk,
        },
    )
    assert response.status_code == 302
    assert Employment.objects.get().dormitory == dormitory


def test_the_workers_list_is_paginated_within_a_query_budget(
    client, employer, employer_user, django_assert_max_num_queries
):
    for seq in range(30):
        services.declare_worker_start(
            actor=employer_user,
            employer_id=employer.pk,
            name=f"工人{seq}",
            id_number=worker_id(100 + seq),
            start_date=timezone.localdate(),
        )
    client.force_login(employer_user)
    with django_assert_max_num_queries(25):
        page = client.get(reverse("employment:employer", args=[employer.pk])).content.decode()
    assert page.count("<tr><td>工人") == 25


def test_residents_search_jobs_and_the_plan_within_a_query_budget(
    client, employer, employer_user, district_a, hr_a, resident, django_assert_max_num_queries
):
    for n in range(12):
        approved(employer_user, employer, district_a, hr_a, title=f"岗位{n}")
    make_person(resident, seq=87)
    client.force_login(resident)
    with django_assert_max_num_queries(15):
        response = client.get(reverse("employment:jobs"), {"trade": "manufacturing"})
    assert response.content.decode().count("岗位") >= 12
    with django_assert_max_num_queries(15):
        assert client.get(reverse("employment:plan")).status_code == 200


def test_staff_pages_are_for_human_resources(client, resident, hr_a):
    client.force_login(resident)
    assert client.get(reverse("employment:wish_counts")).status_code == 403
    assert client.get(reverse("employment:course_new")).status_code == 403
    client.force_login(hr_a)
    assert client.get(reverse("employment:wish_counts")).status_code == 200
