"""The city's view over the API: metrics and one area's facts, scoped (404 outside)."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

FACTS = "/api/v1/dashboard/facts/"


@pytest.fixture
def api():
    return APIClient()


def test_metrics_are_listed_for_analysts(api, analyst, built):
    api.force_authenticate(analyst)

    response = api.get("/api/v1/dashboard/metrics/")

    assert response.status_code == 200
    assert "residents.registered" in {m["code"] for m in response.json()}


def test_facts_of_one_area_by_month(api, analyst, built, district_a):
    api.force_authenticate(analyst)

    response = api.get(FACTS, {"metric": "residents.registered", "area": district_a.code})

    body = response.json()
    assert response.status_code == 200
    assert body["count"] == 13
    assert {row["area"] for row in body["results"]} == {district_a.code}
    assert all(row["key"] == "" for row in body["results"])


def test_facts_by_dimension_and_months(api, analyst, built, district_a):
    api.force_authenticate(analyst)
    month = built.last_month.strftime("%Y-%m")

    response = api.get(
        FACTS,
        {
            "metric": "residents.registered",
            "area": district_a.code,
            "dimension": "reason",
            "since": month,
            "until": month,
        },
    )

    rows = response.json()["results"]
    assert {row["month"] for row in rows} == {month}
    assert {row["key"] for row in rows} <= {"work", "study", "family", "other"}


def test_bad_input_is_named_all_at_once(api, analyst, built):
    api.force_authenticate(analyst)

    response = api.get(FACTS, {"metric": "nope", "since": "2026-1"})

    assert response.status_code == 400
    assert set(response.json()["fields"]) == {"metric", "since"}


def test_district_analyst_gets_404_outside_their_districts(
    api, analyst_a, built, district_a, district_b, city
):
    api.force_authenticate(analyst_a)

    assert api.get(FACTS, {"metric": "residents.registered"}).json()["results"][0]["area"] == (
        district_a.code
    )
    for area in (district_b, city["city"], city["grids"][1][0]):
        response = api.get(FACTS, {"metric": "residents.registered", "area": area.code})
        assert response.status_code == 404


def test_residents_get_404(api, resident, built):
    api.force_authenticate(resident)

    assert api.get(FACTS, {"metric": "residents.registered"}).status_code == 404
    assert api.get("/api/v1/dashboard/metrics/").status_code == 404


def test_facts_query_budget(api, analyst, built, django_assert_max_num_queries):
    api.force_authenticate(analyst)
    with django_assert_max_num_queries(4):
        assert (
            api.get(FACTS, {"metric": "residents.registered", "dimension": "age_sex"}).status_code
            == 200
        )
