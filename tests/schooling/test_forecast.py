"""School-seat demand per catchment in a small city, from the platform's projection."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from portal.areas.models import Address
from portal.projection import compute, services, tables
from schooling import forecast
from tests import factories
from tests.projection.conftest import BASE_DATE, ensure_baseline, make_person, register
from tests.schooling.conftest import build_round


def children(address, *, born: dt.date, count: int) -> None:
    for _ in range(count):
        register(make_person(birth=born), address, start=born)


@pytest.fixture
def small_city(schools, education_all, address_a, district_a):
    """District A: X's catchment has 3 children aged 6, 2 aged 5 and 1 aged 0 on 31 August 2026;
    Y's has 1 aged 6 and 4 aged 3; 20 women aged 30 live in X's catchment. Seats: X 2, Y 5."""
    far_grid = schools["Y"].catchment.get().children.get()
    far = factories.AddressFactory(grid=far_grid)
    children(address_a, born=dt.date(2020, 1, 1), count=3)
    children(address_a, born=dt.date(2021, 1, 1), count=2)
    children(address_a, born=dt.date(2026, 1, 1), count=1)
    children(far, born=dt.date(2020, 2, 1), count=1)
    children(far, born=dt.date(2023, 2, 1), count=4)
    for _ in range(20):
        register(
            make_person(birth=dt.date(1996, 1, 1), female=True),
            address_a,
            start=dt.date(2015, 1, 1),
        )
    build_round(schools=schools, seats={"X": 2, "Y": 5, "Z": 0}, actor=education_all)
    return schools


def run(decisions=()):
    baseline = ensure_baseline()
    assumptions = dict(baseline.assumptions, migration_factor=0.0)
    base = services.build_base(on=BASE_DATE)
    return compute.run(base, assumptions, list(decisions))


def rows_by_label(projection):
    return {row.label: row for row in projection.forecasts[forecast.KEY].rows}


def test_this_years_entrants_are_the_catchment_children_aged_six(small_city):
    rows = rows_by_label(run())

    assert rows["X小学"].demand[0] == pytest.approx(3)
    assert rows["Y小学"].demand[0] == pytest.approx(1)
    assert rows["Z小学"].demand[0] == pytest.approx(0)


def test_children_already_born_reach_school_age_in_their_year(small_city):
    rows = rows_by_label(run())

    # 2027: X's two children aged 5 (survival only: migration is off)
    assert rows["X小学"].demand[1] == pytest.approx(2, rel=1e-3)
    # 2029: the cohort aged 3 lives in Y's catchment only
    assert rows["X小学"].demand[3] == pytest.approx(0)
    assert rows["Y小学"].demand[3] == pytest.approx(4, rel=1e-3)
    # 2032: X's child born in 2026
    assert rows["X小学"].demand[6] == pytest.approx(1, rel=5e-3)


def test_children_not_yet_born_are_shared_by_the_catchments_share_of_young_children(small_city):
    rows = rows_by_label(run())

    # under 6 on the base date: X has 3 (2 aged 5, 1 aged 0), Y has 4 (aged 3)
    assert rows["X小学"].demand[8] > 0
    assert rows["X小学"].demand[8] / rows["Y小学"].demand[8] == pytest.approx(3 / 4)


def test_warning_names_the_catchment_and_first_year_demand_exceeds_seats(small_city, district_a):
    projection = run()
    names = tables.district_names(projection.district_ids)

    shortfalls = tables.first_shortfalls(projection.forecasts[forecast.KEY], names)

    assert {"label": "X小学", "year": 2026, "gap": 1} in shortfalls
    assert not any(s["label"] == "Y小学" and s["year"] < 2029 for s in shortfalls)
    assert rows_by_label(projection)["X小学"].capacity == [2.0] * 16


def test_a_new_school_adds_its_seats_to_its_district_from_its_year(small_city, district_a):
    decision = {"kind": "school", "district": district_a.pk, "from_year": 2028, "seats": 40}

    projection = run([decision])

    by_district = projection.forecasts[forecast.KEY].by_district()
    capacity = by_district[district_a.pk][1]
    assert capacity[:2] == [7.0, 7.0]  # 2026, 2027: X 2 + Y 5
    assert capacity[2] == 47.0


def test_collect_reads_catchment_children_in_one_query(small_city, django_assert_max_num_queries):
    Address.objects.count()
    with django_assert_max_num_queries(4):
        inputs = forecast.collect(BASE_DATE)

    x = next(s for s in inputs["schools"] if s["name"] == "X小学")
    assert inputs["children"][str(x["id"])] == [1, 0, 0, 0, 0, 2, 3]
    assert x["seats"] == 2
    assert inputs["entry_age"] == 6


def test_scenario_page_warns_where_demand_exceeds_seats(small_city, client):
    baseline = ensure_baseline()
    services.build_base(on=BASE_DATE)
    client.force_login(factories.UserFactory(username="analyst_s", roles=["analyst"]))

    page = client.get(reverse("projection:scenario", args=[baseline.pk]))

    html = page.content.decode()
    assert page.status_code == 200
    assert "warning-box" in html
    assert "X小学" in html
