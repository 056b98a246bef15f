"""The reconciliation API: department systems send feeds with their token and read the report."""

from __future__ import annotations

import csv
import io

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from knox.models import AuthToken
from rest_framework.test import APIClient

from portal.accounts.models import Department, Role
from residents.models import FeedUpload, ReconciliationRun, RunStatus
from residents.reconciliation import feeds
from residents.reconciliation import services as reconciliation
from tests import factories
from tests.residents.test_reconciliation_runs import HERE, insurance

URL = "/api/v1/feeds/"


def csv_upload(
    kind: str, rows: list[list[object]], *, name: str = "feed.csv"
) -> SimpleUploadedFile:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([c.header for c in feeds.kind_of(kind).columns])
    writer.writerows(rows)
    return SimpleUploadedFile(name, out.getvalue().encode("utf-8"), content_type="text/csv")


def system_account(username: str, department: str) -> APIClient:
    """A department system's account with the permission to send feeds, signed in by token."""
    user = factories.UserFactory(
        username=username, roles=[], department=Department.objects.get(code=department)
    )
    user.user_permissions.add(Permission.objects.get(codename="add_feedupload"))
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {AuthToken.objects.create(user=user)[1]}")
    client.user = user
    return client


@pytest.fixture
def hr_system(departments):
    return system_account("hr_system", "human_resources")


@pytest.fixture
def police_system(departments):
    return system_account("police_system", "public_security")


@pytest.fixture
def tenant(other_resident, address_a):
    from tests.residents.conftest import make_person, register

    person = make_person(other_resident, seq=25, name="王芳")
    register(other_resident, person, address_a)
    return person


def test_a_department_system_sends_a_feed_and_its_run_is_queued(
    hr_system, tenant, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        response = hr_system.post(
            URL,
            {
                "kind": "social_insurance",
                "file": csv_upload("social_insurance", [insurance(tenant)]),
            },
            format="multipart",
        )

    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["kind"], body["channel"], body["encoding"]) == ("social_insurance", "api", "utf-8")
    assert body["run"]["status"] == RunStatus.QUEUED
    feed = FeedUpload.objects.get(pk=body["id"])
    assert feed.received_by == hr_system.user
    assert len(callbacks) == 1


def test_the_same_file_sent_again_answers_with_the_first_feed(hr_system, tenant):
    rows = [insurance(tenant)]
    first = hr_system.post(
        URL,
        {"kind": "social_insurance", "file": csv_upload("social_insurance", rows)},
        format="multipart",
    ).json()

    again = hr_system.post(
        URL,
        {"kind": "social_insurance", "file": csv_upload("social_insurance", rows, name="b.csv")},
        format="multipart",
    )

    assert again.status_code == 200
    assert again.json()["id"] == first["id"]
    assert again.json()["run"]["id"] == first["run"]["id"]
    assert ReconciliationRun.objects.count() == 1


def test_a_system_may_not_send_another_departments_kind_of_feed(police_system, tenant):
    response = police_system.post(
        URL,
        {"kind": "social_insurance", "file": csv_upload("social_insurance", [insurance(tenant)])},
        format="multipart",
    )

    assert response.status_code == 403
    assert response.json()["code"] == "not_allowed"
    assert not FeedUpload.objects.exists()


def test_a_kind_no_department_owns_may_be_sent_by_any_system(police_system, address_a):
    response = police_system.post(
        URL,
        {
            "kind": "utilities",
            "file": csv_upload("utilities", [[address_a.pk, "", "", "2026-10", 5]]),
        },
        format="multipart",
    )

    assert response.status_code == 201


def test_an_account_without_the_permission_is_refused(db, resident, tenant):
    client = APIClient()
    client.force_authenticate(resident)

    response = client.post(
        URL,
        {"kind": "utilities", "file": csv_upload("utilities", [])},
        format="multipart",
    )

    assert response.status_code == 403


def test_without_a_token_the_api_refuses(db):
    assert APIClient().post(URL, {}, format="multipart").status_code in (401, 403)


def test_a_feed_of_an_unknown_kind_or_without_a_file_is_invalid(hr_system):
    response = hr_system.post(URL, {"kind": "weather"}, format="multipart")

    assert response.status_code == 400
    assert set(response.json()["fields"]) == {"kind", "file"}


def test_the_sender_reads_the_report_of_its_feed_and_the_rejected_rows(hr_system, tenant):
    rows = [insurance(tenant, status="停保"), ["123", "王芳", "", "", HERE, "正常缴费", "2026-10"]]
    sent = hr_system.post(
        URL,
        {"kind": "social_insurance", "file": csv_upload("social_insurance", rows)},
        format="multipart",
    ).json()
    reconciliation.execute_run(run_id=sent["run"]["id"])

    feed = hr_system.get(f"{URL}{sent['id']}/").json()
    rejects = hr_system.get(
        f"/api/v1/reconciliation-runs/{sent['run']['id']}/rejected-rows/"
    ).json()

    assert feed["run"]["status"] == RunStatus.FINISHED
    assert (feed["run"]["rows_read"], feed["run"]["rows_rejected"]) == (2, 1)
    assert feed["run"]["discrepancies_by_kind"] == {"probably_departed": 1}
    assert [(r["row_no"], r["reason"], r["value"]) for r in rejects["results"]] == [
        (2, "bad_id_number", "123")
    ]


def test_another_system_does_not_see_the_feed(hr_system, police_system, tenant):
    sent = hr_system.post(
        URL,
        {"kind": "social_insurance", "file": csv_upload("social_insurance", [insurance(tenant)])},
        format="multipart",
    ).json()

    assert police_system.get(f"{URL}{sent['id']}/").status_code == 404
    assert (
        police_system.get(
            f"/api/v1/reconciliation-runs/{sent['run']['id']}/rejected-rows/"
        ).status_code
        == 404
    )
    assert police_system.get(URL).json()["results"] == []


def test_the_list_of_feeds_takes_a_fixed_number_of_queries(
    hr_system, address_a, django_assert_max_num_queries
):
    for period in ("2026-08", "2026-09", "2026-10"):
        hr_system.post(
            URL,
            {
                "kind": "utilities",
                "file": csv_upload("utilities", [[address_a.pk, "", "", period, 5]]),
            },
            format="multipart",
        )

    # knox's token check takes 2 queries: the token, then the user's expired tokens to clear
    with django_assert_max_num_queries(7):
        response = hr_system.get(URL)

    assert response.json()["count"] == 3
    assert all(feed["run"]["status"] == RunStatus.QUEUED for feed in response.json()["results"])


def test_grid_officers_cannot_send_feeds(officer_a, address_a):
    assert Role.GRID_OFFICER in officer_a.roles
    client = APIClient()
    client.force_authenticate(officer_a)

    response = client.post(
        URL,
        {
            "kind": "utilities",
            "file": csv_upload("utilities", [[address_a.pk, "", "", "2026-10", 5]]),
        },
        format="multipart",
    )

    assert response.status_code == 403


def test_the_reject_report_takes_a_fixed_number_of_queries(
    hr_system, tenant, django_assert_max_num_queries
):
    rows = [[f"12{n}", "王芳", "", "", HERE, "正常缴费", "2026-10"] for n in range(30)]
    sent = hr_system.post(
        URL,
        {"kind": "social_insurance", "file": csv_upload("social_insurance", rows)},
        format="multipart",
    ).json()
    reconciliation.execute_run(run_id=sent["run"]["id"])

    # knox's token check takes 2 queries: the token, then the user's expired tokens to clear
    with django_assert_max_num_queries(7):
        response = hr_system.get(f"/api/v1/reconciliation-runs/{sent['run']['id']}/rejected-rows/")

    assert response.json()["count"] == 30


def test_a_file_lacking_a_required_column_is_refused_at_once(hr_system):
    upload = SimpleUploadedFile("bad.csv", "身份证号,姓名\n110105194912310021,李四\n".encode())

    response = hr_system.post(URL, {"kind": "social_insurance", "file": upload}, format="multipart")

    assert response.status_code == 400
    assert response.json()["code"] == "feed_unreadable"
    assert "参保地" in response.json()["message"]
    assert not FeedUpload.objects.exists()
