"""The housing API from the outside: landlords, tenants, applicants and reviewers, each scoped."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.utils import timezone
from rest_framework.test import APIClient

from housing import services
from housing.models import Offer, OfferStatus
from residents import services as resident_services
from residents.models import Registration, Source
from tests import factories
from tests.housing.conftest import apply, approve_home, declare, give_points, make_home, tenant_id
from tests.reasons import assert_api_wants_a_reason

TODAY = timezone.localdate


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


HOME = {
    "road": "学院路",
    "number": "8",
    "building": "2",
    "unit": "1",
    "room": "101",
    "owner_name": "陈建国",
    "property_certificate": "浙(2020)温州市不动产权第0012345号",
    "rooms": 2,
    "floor_area": "56.50",
    "max_occupants": 2,
}


def test_a_landlord_registers_submits_and_lists_a_home(api, landlord, grid_a):
    client = as_user(api, landlord)
    created = client.post("/api/v1/housing/homes/", {**HOME, "grid": grid_a.pk}, format="json")
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["status"] == "draft"
    assert body["address_text"] == "学院路8号2幢1单元101室"
    submitted = client.post(f"/api/v1/housing/homes/{body['id']}/submit/")
    assert submitted.status_code == 200
    assert submitted.json()["status"] == "submitted"
    listed = client.get("/api/v1/housing/homes/?status=submitted").json()
    assert [h["id"] for h in listed["results"]] == [body["id"]]


def test_bad_home_details_come_back_field_by_field(api, landlord, grid_a):
    response = as_user(api, landlord).post(
        "/api/v1/housing/homes/", {**HOME, "grid": grid_a.pk, "rooms": 0}, format="json"
    )
    assert_error(response, status=400, field="rooms")


def test_another_landlord_gets_404_for_the_home_and_its_tenancies(
    api, home, landlord, other_landlord
):
    declare(landlord, home, seq=51)
    client = as_user(api, other_landlord)
    assert client.get(f"/api/v1/housing/homes/{home.pk}/").status_code == 404
    assert client.get(f"/api/v1/housing/homes/{home.pk}/tenancies/").status_code == 404
    response = client.post(
        f"/api/v1/housing/homes/{home.pk}/tenancies/",
        {"name": "赵磊", "id_number": tenant_id(53), "start_date": TODAY().isoformat()},
        format="json",
    )
    assert_error(response, status=404)
    assert client.get("/api/v1/housing/homes/").json()["results"] == []


def test_a_landlord_declares_a_tenant_who_is_then_in_the_registry(api, home, landlord):
    response = as_user(api, landlord).post(
        f"/api/v1/housing/homes/{home.pk}/tenancies/",
        {
            "name": "赵磊",
            "id_number": tenant_id(51),
            "phone": "13800138111",
            "start_date": (TODAY() - dt.timedelta(days=2)).isoformat(),
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["registration_source"] == "landlord"
    assert body["id_number"].count("*") == 10
    assert body["phone"] == "138****8111"  # what the task needs, not the whole number
    registration = Registration.objects.get(pk=body["registration"])
    assert registration.source == Source.LANDLORD
    assert registration.address_id == home.address_id


def test_declaring_in_a_home_not_approved_or_beyond_its_maximum_is_refused(
    api, draft_home, landlord, grid_a, housing_a
):
    client = as_user(api, landlord)
    tenant = {"name": "赵磊", "id_number": tenant_id(51), "start_date": TODAY().isoformat()}
    assert_error(
        client.post(f"/api/v1/housing/homes/{draft_home.pk}/tenancies/", tenant, format="json"),
        status=400,
        code="home_not_registered",
    )
    small = approve_home(
        make_home(landlord, grid_a, room="909", rooms=1, floor_area="9"), landlord, housing_a
    )
    declare(landlord, small, seq=53, name="钱多")
    assert_error(
        client.post(f"/api/v1/housing/homes/{small.pk}/tenancies/", tenant, format="json"),
        status=400,
        code="over_capacity",
    )
    assert not Registration.objects.filter(person__name="赵磊").exists()


def test_ending_a_tenancy_twice_is_a_conflict(api, home, landlord):
    tenancy = declare(landlord, home, seq=51)
    client = as_user(api, landlord)
    url = f"/api/v1/housing/tenancies/{tenancy.pk}/end/"
    assert client.post(url, {"end_date": TODAY().isoformat()}, format="json").status_code == 200
    assert_error(client.post(url, {"end_date": TODAY().isoformat()}, format="json"), status=409)


def test_the_tenant_sees_and_confirms_only_their_own_tenancy(
    api, home, landlord, resident, other_resident
):
    resident_services.create_own_person(
        actor=resident, name="赵磊", id_number=tenant_id(51), phone=""
    )
    tenancy = declare(landlord, home, seq=51)
    outsider = as_user(APIClient(), other_resident)
    assert outsider.get("/api/v1/housing/my-tenancies/").json()["results"] == []
    assert_error(outsider.post(f"/api/v1/housing/my-tenancies/{tenancy.pk}/confirm/"), status=404)
    client = as_user(api, resident)
    assert [t["id"] for t in client.get("/api/v1/housing/my-tenancies/").json()["results"]] == [
        tenancy.pk
    ]
    confirmed = client.post(f"/api/v1/housing/my-tenancies/{tenancy.pk}/confirm/")
    assert confirmed.status_code == 200
    assert confirmed.json()["confirmed_at"] is not None


def test_tenancy_list_query_count_does_not_grow_with_tenants(
    api, landlord, grid_a, housing_a, django_assert_max_num_queries
):
    home = approve_home(
        make_home(landlord, grid_a, rooms=10, floor_area="200"), landlord, housing_a
    )
    for seq in range(101, 121, 2):
        declare(landlord, home, seq=seq, name=f"租客{seq}")
    client = as_user(api, landlord)
    with django_assert_max_num_queries(6):
        response = client.get(f"/api/v1/housing/homes/{home.pk}/tenancies/")
    assert response.json()["count"] == 10
    with django_assert_max_num_queries(5):
        assert client.get("/api/v1/housing/homes/").json()["count"] == 1


def test_an_application_without_a_valid_permit_is_a_400_naming_the_permit(
    api, other_resident, housing_round
):
    resident_services.create_own_person(
        actor=other_resident, name="王芳", id_number=tenant_id(71), phone=""
    )
    response = as_user(api, other_resident).post(
        "/api/v1/housing/applications/",
        {
            "round": housing_round.pk,
            "unit_type": "one_bedroom",
            "household_size": 1,
            "owns_home_in_city": False,
        },
        format="json",
    )
    assert_error(response, status=400, code="not_eligible", field="permit")


def test_an_applicant_applies_and_submits_and_the_reviewer_approves(
    api, resident, applicant, housing_round, housing_a, housing_b
):
    client = as_user(api, resident)
    created = client.post(
        "/api/v1/housing/applications/",
        {
            "round": housing_round.pk,
            "unit_type": "one_bedroom",
            "household_size": 2,
            "owns_home_in_city": False,
        },
        format="json",
    )
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    assert client.post(f"/api/v1/housing/applications/{pk}/submit/").json()["status"] == "submitted"
    outsider = as_user(APIClient(), housing_b)
    assert_error(outsider.post(f"/api/v1/housing/applications/{pk}/approve/"), status=404)
    assert outsider.get(f"/api/v1/housing/applications/{pk}/").status_code == 404
    reviewer = as_user(APIClient(), housing_a)
    approved = reviewer.post(f"/api/v1/housing/applications/{pk}/approve/", {"reason": ""})
    assert approved.json()["status"] == "approved"


def test_the_ranking_is_public_and_empty_before_the_round_is_ranked(api, housing_round):
    response = api.get(f"/api/v1/housing/rounds/{housing_round.pk}/ranking/")
    assert response.status_code == 200
    assert response.json()["results"] == []
    rounds = as_user(APIClient(), factories.UserFactory(username="someone")).get(
        "/api/v1/housing/rounds/"
    )
    body = rounds.json()["results"][0]
    assert body["seed"] == ""
    assert len(body["seed_hash"]) == 64


def test_a_household_accepts_its_offer_once_through_the_api(
    api, resident, applicant, housing_round, housing_a, rules_in_force
):
    give_points(applicant, rules_in_force, "40")
    application = apply(resident, housing_round)
    services.submit_housing_application(actor=resident, application_id=application.pk)
    services.approve_housing_application(actor=housing_a, application_id=application.pk)
    reviewer = as_user(APIClient(), housing_a)
    assert_error(reviewer.post(f"/api/v1/housing/rounds/{housing_round.pk}/rank/"), status=409)
    ranked = services.rank_round(
        actor=housing_a, round_id=housing_round.pk, now=timezone.now() + dt.timedelta(days=40)
    )
    allocate = f"/api/v1/housing/rounds/{housing_round.pk}/allocate/"
    assert_error(reviewer.post(allocate), status=409)  # published for objections first
    with time_machine.travel(ranked.objection_until + dt.timedelta(days=1)):
        assert reviewer.post(allocate).json() == {"offered": 1}
    client = as_user(api, resident)
    offers = client.get("/api/v1/housing/offers/").json()["results"]
    assert len(offers) == 1
    url = f"/api/v1/housing/offers/{offers[0]['id']}/accept/"
    assert client.post(url).json()["status"] == "accepted"
    assert_error(client.post(url), status=409)
    assert Offer.objects.get().status == OfferStatus.ACCEPTED
    lines = api.get(f"/api/v1/housing/rounds/{housing_round.pk}/ranking/").json()["results"]
    assert lines[0]["name_masked"] == "孙*"


@pytest.mark.parametrize("body", [{}, {"reason": ""}, {"reason": "  "}])
@pytest.mark.parametrize("action", ["reject", "return"])
def test_the_api_does_not_reject_or_return_without_a_reason(
    api, resident, applicant, housing_round, housing_a, draft_home, landlord, action, body
):
    application = apply(resident, housing_round)
    services.submit_housing_application(actor=resident, application_id=application.pk)
    services.submit_rental_home(actor=landlord, home_id=draft_home.pk)
    reviewer = as_user(api, housing_a)
    for url in (
        f"/api/v1/housing/applications/{application.pk}/{action}/",
        f"/api/v1/housing/review/homes/{draft_home.pk}/{action}/",
    ):
        assert_api_wants_a_reason(reviewer.post(url, body, format="json"))
