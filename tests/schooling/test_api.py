"""The schooling API: the family's path, the reviewer's, the draw, offers, results; scoping; budgets."""

from __future__ import annotations

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from schooling import allocation
from schooling.models import EnrolmentApplication, MaterialKind, Offer, OfferStatus, Tenure
from tests.reasons import assert_api_wants_a_reason
from tests.schooling.conftest import PDF, after, attach_materials, enter, make_guardian, upload


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def assert_error(body: dict, code: str) -> None:
    assert set(body) == {"code", "message", "fields"}
    assert body["code"] == code


def test_a_family_applies_uploads_submits_and_ranks_schools(enrolment_round, family, schools):
    user, _guardian, child = family
    api = client_for(user)

    created = api.post(
        "/api/v1/school-applications/",
        {"round": enrolment_round.pk, "child": child.pk, "tenure": Tenure.RENTED},
        format="json",
    )
    assert created.status_code == 201, created.json()
    pk = created.json()["id"]
    assert created.json()["status"] == "draft"
    assert created.json()["reference"].startswith("RX-")

    refused = api.post(f"/api/v1/school-applications/{pk}/submit/")
    assert refused.status_code == 400
    assert_error(refused.json(), "incomplete")
    assert "materials" in refused.json()["fields"]

    for kind in (MaterialKind.VACCINATION, MaterialKind.HOUSEHOLD, MaterialKind.HOUSING):
        response = api.post(
            f"/api/v1/school-applications/{pk}/materials/",
            {"kind": kind, "file": upload(f"{kind}.pdf", PDF)},
            format="multipart",
        )
        assert response.status_code == 201
    submitted = api.post(f"/api/v1/school-applications/{pk}/submit/")
    assert submitted.status_code == 200
    assert submitted.json()["status"] == "submitted"
    assert submitted.json()["points"] == "80.00"

    ranked = api.put(
        f"/api/v1/school-applications/{pk}/preferences/",
        {"schools": [schools["X"].pk, schools["Y"].pk]},
        format="json",
    )
    assert ranked.status_code == 200
    assert [(p["rank"], p["category"]) for p in ranked.json()] == [(1, 2), (2, 3)]

    too_many = api.put(
        f"/api/v1/school-applications/{pk}/preferences/",
        {"schools": [schools["X"].pk] * 6},
        format="json",
    )
    assert too_many.status_code == 400
    assert_error(too_many.json(), "invalid")


def test_a_child_too_young_is_refused_with_the_age_code(enrolment_round, address_a, police_a):
    reference = enrolment_round.age_reference_date
    user, _guardian, child = make_guardian(
        username="baby",
        address=address_a,
        police=police_a,
        child_birth=reference.replace(year=reference.year - 5),
    )

    response = client_for(user).post(
        "/api/v1/school-applications/",
        {"round": enrolment_round.pk, "child": child.pk, "tenure": Tenure.OTHER},
        format="json",
    )

    assert response.status_code == 400
    assert_error(response.json(), "age")


def test_another_family_and_another_district_get_not_found(
    enrolment_round, family, other_resident, education_b
):
    user, _guardian, child = family
    api = client_for(user)
    pk = api.post(
        "/api/v1/school-applications/",
        {"round": enrolment_round.pk, "child": child.pk, "tenure": Tenure.OTHER},
        format="json",
    ).json()["id"]

    assert client_for(other_resident).get(f"/api/v1/school-applications/{pk}/").status_code == 404
    assert (
        client_for(other_resident)
        .put(f"/api/v1/school-applications/{pk}/preferences/", {"schools": []}, format="json")
        .status_code
        == 404
    )
    assert (
        client_for(education_b).post(f"/api/v1/school-applications/{pk}/approve/").status_code
        == 404
    )


def submitted_through_api(user, enrolment_round, child) -> int:
    """A rented-home application made, documented and submitted by the family through the API."""
    api = client_for(user)
    pk = api.post(
        "/api/v1/school-applications/",
        {"round": enrolment_round.pk, "child": child.pk, "tenure": Tenure.RENTED},
        format="json",
    ).json()["id"]
    attach_materials(user, EnrolmentApplication.objects.get(pk=pk))
    api.post(f"/api/v1/school-applications/{pk}/submit/")
    return pk


def test_the_reviewer_decides_through_the_api(enrolment_round, family, education_a):
    user, _guardian, child = family
    pk = submitted_through_api(user, enrolment_round, child)
    reviewer = client_for(education_a)

    listed = reviewer.get("/api/v1/school-applications/?status=submitted").json()
    assert [a["id"] for a in listed["results"]] == [pk]
    no_reason = reviewer.post(f"/api/v1/school-applications/{pk}/return/", {}, format="json")
    assert no_reason.status_code == 400
    approved = reviewer.post(f"/api/v1/school-applications/{pk}/approve/", {}, format="json")
    assert approved.json()["status"] == "approved"
    again = reviewer.post(
        f"/api/v1/school-applications/{pk}/reject/", {"reason": "x"}, format="json"
    )
    assert again.status_code == 409
    assert_error(again.json(), "conflict")


@pytest.fixture
def drawn_api(enrolment_round, schools, address_a, police_a, education_a, education_all):
    common = {"address": address_a, "police": police_a, "reviewer": education_a}
    rented = enter(
        enrolment_round, username="rented", choices=[schools["X"], schools["Y"]], **common
    )
    top = enter(
        enrolment_round,
        username="top",
        choices=[schools["X"], schools["Y"]],
        tenure=Tenure.OTHER,
        points={"insurance_years": 10},
        **common,
    )
    manager = client_for(education_all)
    committed = manager.post(
        f"/api/v1/school-rounds/{enrolment_round.pk}/commit-seed/",
        {"seed": "api-seed"},
        format="json",
    )
    assert committed.status_code == 200
    assert committed.json()["lottery_seed_sha256"] == allocation.seed_hash("api-seed")
    assert committed.json()["lottery_seed"] == ""
    with time_machine.travel(after(enrolment_round.preference_closes), tick=False):
        run = manager.post(f"/api/v1/school-rounds/{enrolment_round.pk}/draw/")
        assert run.status_code == 200, run.json()
        assert run.json()["placed"] == 2
        yield {"rented": rented, "top": top, "manager": manager}


def test_the_round_shows_cutoffs_seed_and_placement_after_the_draw(drawn_api, enrolment_round):
    user = drawn_api["top"][0]

    body = client_for(user).get(f"/api/v1/school-rounds/{enrolment_round.pk}/").json()

    assert body["lottery_seed"] == "api-seed"
    assert body["placement"]["rate"] == 1.0
    cutoffs = {s["code"]: s["cutoff"] for s in body["schools"]}
    assert cutoffs["X"]["category"] == 2
    assert cutoffs["Z"] is None
    assert [c["rank"] for c in body["categories"]] == [1, 2]


def test_the_family_reads_why_and_answers_the_offer(drawn_api):
    user, application = drawn_api["top"]
    api = client_for(user)

    detail = api.get(f"/api/v1/school-applications/{application.pk}/").json()
    assert [c["outcome"] for c in detail["result"]] == ["below_cutoff", "placed"]
    assert detail["result"][0]["cutoff"] == [2, detail["result"][0]["cutoff"][1]]
    assert detail["order_rank"] == 1
    offers = api.get("/api/v1/school-offers/").json()["results"]
    assert [o["school_name"] for o in offers] == ["Y小学"]

    accepted = api.post(f"/api/v1/school-offers/{offers[0]['id']}/accept/")

    assert accepted.status_code == 200
    assert accepted.json()["status"] == OfferStatus.ACCEPTED
    other = drawn_api["rented"][0]
    assert (
        client_for(other).post(f"/api/v1/school-offers/{offers[0]['id']}/decline/").status_code
        == 404
    )


def test_reviewer_results_per_school(drawn_api, enrolment_round, education_b):
    rows = drawn_api["manager"].get(f"/api/v1/school-rounds/{enrolment_round.pk}/results/").json()
    by_code = {r["code"]: r for r in rows}
    assert (by_code["X"]["seats"], by_code["X"]["applicants"], by_code["X"]["admitted"]) == (
        1,
        2,
        1,
    )
    assert by_code["X"]["held"] == 1
    outside = (
        client_for(education_b).get(f"/api/v1/school-rounds/{enrolment_round.pk}/results/").json()
    )
    assert [r["code"] for r in outside] == ["Z"]


def test_a_second_draw_is_a_conflict(drawn_api, enrolment_round):
    again = drawn_api["manager"].post(f"/api/v1/school-rounds/{enrolment_round.pk}/draw/")
    assert again.status_code == 409
    assert Offer.objects.filter(round=enrolment_round).count() == 2


def test_lists_keep_to_a_query_budget(drawn_api, enrolment_round):
    user = drawn_api["top"][0]
    api = client_for(user)
    manager = drawn_api["manager"]

    budgets = [
        (api, "/api/v1/school-rounds/", 6),
        (api, "/api/v1/schools/", 6),
        (api, "/api/v1/school-applications/", 6),
        (api, "/api/v1/school-offers/", 6),
        (manager, "/api/v1/school-applications/", 6),
        (manager, f"/api/v1/school-rounds/{enrolment_round.pk}/results/", 6),
    ]
    for client, url, budget in budgets:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200, url
        assert len(queries) <= budget, (url, len(queries))


# Enum names for SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"] in portal/settings.py: other apps
# also have fields named `status` and `tenure`, with other values.


@pytest.mark.parametrize("body", [{}, {"reason": ""}, {"reason": "  "}])
@pytest.mark.parametrize("action", ["reject", "return"])
def test_the_api_does_not_reject_or_return_without_a_reason(
    enrolment_round, family, education_a, action, body
):
    user, _guardian, child = family
    pk = submitted_through_api(user, enrolment_round, child)
    response = client_for(education_a).post(
        f"/api/v1/school-applications/{pk}/{action}/", body, format="json"
    )
    assert_api_wants_a_reason(response)
