"""The residents API: persons, registrations, permit applications and permits, from the outside."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.cache import cache
from django.utils import timezone
from knox.models import AuthToken
from rest_framework.test import APIClient

from portal.workflow.models import Status
from residents.models import Permit, Person, Registration
from tests import factories
from tests.reasons import assert_api_wants_a_reason
from tests.residents.conftest import JPEG, PDF, months_ago, register, upload


@pytest.fixture(autouse=True)
def _fresh_throttle_counts():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def api():
    return APIClient()


def as_user(api, user):
    api.force_authenticate(user)
    return api


def assert_error(response, *, status: int, code: str | None = None, field: str | None = None):
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"code", "message", "fields"}
    if code:
        assert body["code"] == code
    if field:
        assert field in body["fields"]
    return body


# --- persons ---------------------------------------------------------------------------------------


def test_a_resident_enters_themselves_and_sees_the_number_masked(api, resident):
    response = as_user(api, resident).post(
        "/api/v1/persons/",
        {"name": "张伟", "id_number": "11010519491231002X", "phone": "13800138000"},
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["id_number"] == "1101**********002X"
    assert body["birth_date"] == "1949-12-31"
    assert body["sex"] == "F"


def test_an_invalid_id_number_is_a_400_on_the_id_number_field(api, resident):
    response = as_user(api, resident).post(
        "/api/v1/persons/", {"name": "张伟", "id_number": "110105194912310021"}, format="json"
    )
    body = assert_error(response, status=400, field="id_number")
    assert body["fields"]["id_number"]
    assert not Person.objects.exists()


def test_a_duplicate_id_number_is_a_400_on_the_id_number_field(api, resident, other_resident):
    as_user(api, resident).post(
        "/api/v1/persons/", {"name": "张伟", "id_number": "11010519491231002X"}, format="json"
    )
    response = as_user(api, other_resident).post(
        "/api/v1/persons/", {"name": "张伟", "id_number": "11010519491231002X"}, format="json"
    )
    assert_error(response, status=400, code="duplicate_id_number", field="id_number")


def test_a_guardian_adds_a_dependant_through_the_api(api, resident, me):
    response = as_user(api, resident).post(
        "/api/v1/persons/",
        {
            "entry": "dependant",
            "relation": "child",
            "name": "李小明",
            "id_number": factories.make_id_number(birth=dt.date(2018, 3, 2), seq=31),
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    listed = api.get("/api/v1/persons/").json()["results"]
    assert {p["name"] for p in listed} == {"李明", "李小明"}


def test_the_persons_list_is_scoped_and_has_a_query_budget(
    api,
    resident,
    other_resident,
    me,
    them,
    police_a,
    address_a,
    grid_a,
    django_assert_max_num_queries,
):
    register(resident, me, address_a)
    register(other_resident, them, factories.AddressFactory(grid=grid_a))
    assert [
        p["name"] for p in as_user(api, other_resident).get("/api/v1/persons/").json()["results"]
    ] == ["王芳"]
    as_user(api, police_a)
    with django_assert_max_num_queries(8):
        listed = api.get("/api/v1/persons/").json()["results"]
    assert {p["name"] for p in listed} == {"李明", "王芳"}
    assert api.get("/api/v1/persons/", {"id_number": me.id_number}).status_code == 400
    found = api.get("/api/v1/persons/", {"id_number": me.id_number, "reason": "核查"}).json()
    assert [p["id"] for p in found["results"]] == [me.pk]


# --- registrations -------------------------------------------------------------------------------


def test_register_then_depart_through_the_api(api, resident, me, address_a):
    as_user(api, resident)
    response = api.post(
        "/api/v1/registrations/",
        {
            "person": me.pk,
            "address": address_a.pk,
            "start_date": str(months_ago(3)),
            "reason": "work",
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    registration_id = response.json()["id"]
    again = api.post(
        "/api/v1/registrations/",
        {
            "person": me.pk,
            "address": address_a.pk,
            "start_date": str(months_ago(1)),
            "reason": "work",
        },
        format="json",
    )
    assert_error(again, status=400, code="already_registered")
    departed = api.post(
        f"/api/v1/registrations/{registration_id}/depart/",
        {"end_date": str(timezone.localdate())},
        format="json",
    )
    assert departed.status_code == 200
    assert departed.json()["is_current"] is False
    assert not Registration.objects.filter(end_date__isnull=True).exists()


def test_a_future_start_date_is_a_400(api, resident, me, address_a):
    response = as_user(api, resident).post(
        "/api/v1/registrations/",
        {
            "person": me.pk,
            "address": address_a.pk,
            "start_date": str(timezone.localdate() + dt.timedelta(days=2)),
            "reason": "work",
        },
        format="json",
    )
    assert_error(response, status=400, field="start_date")


def test_departing_someone_elses_registration_is_a_404(api, other_resident, registered):
    response = as_user(api, other_resident).post(
        f"/api/v1/registrations/{registered.pk}/depart/",
        {"end_date": str(timezone.localdate())},
        format="json",
    )
    assert_error(response, status=404)


def test_registrations_list_has_a_query_budget(
    api, resident, me, registered, django_assert_max_num_queries
):
    as_user(api, resident)
    with django_assert_max_num_queries(6):
        body = api.get("/api/v1/registrations/", {"current": "true"}).json()
    assert [r["id"] for r in body["results"]] == [registered.pk]


# --- permit applications ------------------------------------------------------------------------


def _apply(api, person):
    response = api.post(
        "/api/v1/permit-applications/",
        {"person": person.pk, "basis": "employment", "basis_detail": "某鞋厂"},
        format="json",
    )
    assert response.status_code == 201, response.content
    application_id = response.json()["id"]
    for kind, name, content in (("photo", "p.jpg", JPEG), ("proof", "c.pdf", PDF)):
        uploaded = api.post(
            f"/api/v1/permit-applications/{application_id}/materials/",
            {"kind": kind, "file": upload(name, content)},
            format="multipart",
        )
        assert uploaded.status_code == 201, uploaded.content
    return application_id


def test_the_whole_application_through_the_api(api, resident, me, registered, police_a):
    application_id = _apply(as_user(api, resident), me)
    submitted = api.post(f"/api/v1/permit-applications/{application_id}/submit/")
    assert submitted.status_code == 200, submitted.content
    assert submitted.json()["status"] == Status.SUBMITTED
    assert submitted.json()["due_date"]

    as_user(api, police_a)
    accepted = api.post(f"/api/v1/permit-applications/{application_id}/accept/")
    assert accepted.json()["status"] == Status.IN_REVIEW
    approved = api.post(f"/api/v1/permit-applications/{application_id}/approve/", {}, format="json")
    assert approved.status_code == 200, approved.content
    assert approved.json()["status"] == Status.APPROVED

    as_user(api, resident)
    detail = api.get(f"/api/v1/permit-applications/{application_id}/").json()
    assert [step["to_status"] for step in detail["timeline"]] == [
        "draft",
        "submitted",
        "in_review",
        "approved",
    ]
    assert len(detail["materials"]) == 2
    permits = api.get("/api/v1/permits/").json()["results"]
    assert len(permits) == 1
    assert permits[0]["state"] == "valid"
    assert permits[0]["id_number"] == me.id_masked


def test_applying_before_six_months_is_a_400(api, resident, me, address_a):
    register(resident, me, address_a, start=months_ago(5))
    response = as_user(api, resident).post(
        "/api/v1/permit-applications/", {"person": me.pk, "basis": "study"}, format="json"
    )
    assert_error(response, status=400, code="not_eligible", field="registration")


def test_an_incomplete_submission_lists_everything_missing(api, resident, me, registered):
    as_user(api, resident)
    created = api.post(
        "/api/v1/permit-applications/", {"person": me.pk, "basis": "study"}, format="json"
    ).json()
    response = api.post(f"/api/v1/permit-applications/{created['id']}/submit/")
    body = assert_error(response, status=400, code="incomplete")
    assert set(body["fields"]) == {"materials", "basis_detail"}


def test_a_wrong_upload_is_a_400_on_the_file_field(api, resident, draft):
    response = as_user(api, resident).post(
        f"/api/v1/permit-applications/{draft.pk}/materials/",
        {"kind": "photo", "file": upload("photo.jpg", b"not really a jpeg")},
        format="multipart",
    )
    assert_error(response, status=400, code="file_type", field="file")


@pytest.mark.parametrize("body", [{}, {"reason": ""}, {"reason": "  "}])
@pytest.mark.parametrize("action", ["reject", "return"])
def test_reject_and_return_need_a_reason(api, police_a, submitted, action, body):
    response = as_user(api, police_a).post(
        f"/api/v1/permit-applications/{submitted.pk}/{action}/", body, format="json"
    )
    assert_api_wants_a_reason(response)


def test_return_sends_the_reason_back(api, police_a, resident, submitted):
    as_user(api, police_a).post(
        f"/api/v1/permit-applications/{submitted.pk}/return/",
        {"reason": "1. 照片不清晰\n2. 缺少劳动合同"},
        format="json",
    )
    body = as_user(api, resident).get(f"/api/v1/permit-applications/{submitted.pk}/").json()
    assert body["status"] == Status.RETURNED
    assert "缺少劳动合同" in body["last_reason"]


def test_a_second_decision_is_a_409(api, police_a, permit):
    response = as_user(api, police_a).post(
        f"/api/v1/permit-applications/{permit.application_id}/reject/",
        {"reason": "改判"},
        format="json",
    )
    assert_error(response, status=409, code="conflict")


@pytest.mark.parametrize("outsider", ["other_resident", "police_b", "housing_a"])
def test_outsiders_get_404_for_an_application(api, request, submitted, outsider):
    user = request.getfixturevalue(outsider)
    as_user(api, user)
    assert api.get(f"/api/v1/permit-applications/{submitted.pk}/").status_code == 404
    for action in ("submit", "approve", "accept"):
        assert_error(api.post(f"/api/v1/permit-applications/{submitted.pk}/{action}/"), status=404)
    assert api.get("/api/v1/permit-applications/").json()["results"] == []


def test_applications_list_is_scoped_and_has_a_query_budget(
    api, police_a, resident, other_resident, them, grid_a, submitted, django_assert_max_num_queries
):
    from tests.residents.conftest import make_application

    register(other_resident, them, factories.AddressFactory(grid=grid_a))
    make_application(other_resident, them)
    as_user(api, police_a)
    with django_assert_max_num_queries(8):
        body = api.get("/api/v1/permit-applications/", {"status": "submitted"}).json()
    assert [a["id"] for a in body["results"]] == [submitted.pk]
    assert (
        len(as_user(api, other_resident).get("/api/v1/permit-applications/").json()["results"]) == 1
    )


# --- permits ---------------------------------------------------------------------------------------


def test_permits_list_for_reviewers_of_the_district_with_a_query_budget(
    api, police_a, police_b, permit, django_assert_max_num_queries
):
    as_user(api, police_a)
    with django_assert_max_num_queries(8):
        body = api.get("/api/v1/permits/", {"state": "valid"}).json()
    assert [p["number"] for p in body["results"]] == [permit.number]
    assert as_user(api, police_b).get("/api/v1/permits/").json()["results"] == []


def test_endorse_too_early_and_reissue_through_the_api(api, resident, permit):
    as_user(api, resident)
    assert_error(api.post(f"/api/v1/permits/{permit.pk}/endorse/"), status=400, code="too_early")
    response = api.post(f"/api/v1/permits/{permit.pk}/reissue/", {"reason": "遗失"}, format="json")
    assert response.status_code == 200
    assert response.json()["card_version"] == 2


def test_a_department_system_verifies_a_permit_with_a_token(api, permit, me, police_b):
    _instance, token = AuthToken.objects.create(user=police_b)
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    response = api.post(
        "/api/v1/permits/verify/",
        {"number": permit.number, "id_number": me.id_number},
        format="json",
    )
    assert response.status_code == 200
    assert response.json() == {
        "valid": True,
        "valid_until": permit.valid_until.isoformat(),
        "name_masked": "李*",
    }
    wrong = api.post(
        "/api/v1/permits/verify/",
        {"number": permit.number, "id_number": "11010519491231002X"},
        format="json",
    )
    assert wrong.json() == {"valid": False, "valid_until": None, "name_masked": ""}
    malformed = api.post(
        "/api/v1/permits/verify/", {"number": permit.number, "id_number": "123"}, format="json"
    )
    assert_error(malformed, status=400, field="id_number")


def test_a_cancelled_permit_does_not_verify(api, permit, me, resident, registered, police_a):
    from residents import services

    services.end_registration(
        actor=resident, registration_id=registered.pk, end_date=timezone.localdate()
    )
    response = as_user(api, police_a).post(
        "/api/v1/permits/verify/",
        {"number": permit.number, "id_number": me.id_number},
        format="json",
    )
    assert response.json()["valid"] is False
    assert Permit.objects.get().status == "cancelled"


def test_residents_and_anonymous_callers_cannot_use_the_verify_api(api, resident, permit, me):
    payload = {"number": permit.number, "id_number": me.id_number}
    anonymous = api.post("/api/v1/permits/verify/", payload, format="json")
    assert_error(anonymous, status=403, code="not_authenticated")
    as_resident = as_user(api, resident).post("/api/v1/permits/verify/", payload, format="json")
    assert_error(as_resident, status=403, code="permission_denied")
