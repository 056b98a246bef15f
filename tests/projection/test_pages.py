"""The analysts' projection pages: reached from the menu, outside scope a 404, errors in full."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from portal.projection import services
from portal.projection.models import Scenario
from tests import factories
from tests.projection.conftest import BASE_DATE, make_person, register


@pytest.fixture
def base(addresses, baseline):
    (a1, _), (a2, _) = addresses
    for year in (1985, 1990, 2021):
        register(make_person(birth=dt.date(year, 1, 1)), a1, start=dt.date(2020, 1, 1))
    register(make_person(birth=dt.date(1992, 1, 1), female=True), a2, start=dt.date(2026, 1, 1))
    return services.build_base(on=BASE_DATE)


def test_analyst_reaches_the_projection_from_the_menu(as_analyst, base):
    page = as_analyst.get(reverse("home"))

    assert reverse("projection:home") in page.content.decode()


def test_home_shows_the_baseline_by_district_with_a_chart(as_analyst, base, district_a):
    page = as_analyst.get(reverse("projection:home"))

    html = page.content.decode()
    assert page.status_code == 200
    assert district_a.name in html
    assert 'id="chart-totals"' in html
    assert "vendor/echarts/echarts.min.js" in html


@pytest.mark.parametrize("name", ["projection:home", "projection:scenario_new"])
def test_others_get_not_found(client, db, name):
    client.force_login(factories.UserFactory(username="resident_x"))

    assert client.get(reverse(name)).status_code == 404


def test_home_query_budget_does_not_grow_with_scenarios(
    as_analyst, base, baseline, analyst, django_assert_max_num_queries
):
    for n in range(30):
        services.create_scenario(actor=analyst, name=f"方案{n}", assumptions=baseline.assumptions)

    with django_assert_max_num_queries(12):
        page = as_analyst.get(reverse("projection:home"))

    assert page.context["page"].paginator.per_page == 20


def test_scenario_form_lists_every_error_and_saves_nothing(as_analyst, baseline):
    data = {
        "name": "",
        "tfr": "2030=1.8",
        "life_expectancy": "2030:200",
        "life_expectancy_gap": "5",
        "sex_ratio_at_birth": "107",
        "migration_years": "2",
        "migration_factor": "1",
        "brass_beta": "1",
        "horizon": "15",
        "persons_per_job": "1.5",
        "housing_application_rate": "0.2",
    }

    page = as_analyst.post(reverse("projection:scenario_new"), data)

    html = page.content.decode()
    assert page.status_code == 200
    assert "error-summary" in html
    assert 'href="#id_name"' in html
    assert 'href="#id_tfr"' in html
    assert Scenario.objects.count() == 1


def test_analyst_creates_a_scenario_and_compares_it_with_the_baseline(
    as_analyst, base, baseline, district_a
):
    data = {
        "name": "高迁入",
        "tfr": "2020:1.2, 2030:1.8",
        "life_expectancy": "2030:81",
        "life_expectancy_gap": "5",
        "sex_ratio_at_birth": "107",
        "migration_years": "1",
        "migration_factor": "3",
        "brass_beta": "1",
        "horizon": "10",
        "persons_per_job": "1.5",
        "housing_application_rate": "0.2",
    }
    created = as_analyst.post(reverse("projection:scenario_new"), data)
    scenario = Scenario.objects.get(name="高迁入")
    assert created.status_code == 302

    page = as_analyst.get(reverse("projection:compare"), {"a": baseline.pk, "b": scenario.pk})

    html = page.content.decode()
    assert page.status_code == 200
    assert "高迁入" in html
    assert "基准方案" in html
    assert page.context["differences"][-1].values[1] > 0  # more migration, more people


def test_compare_outside_scope_is_not_found(client, baseline):
    client.force_login(factories.UserFactory(username="resident_y"))

    page = client.get(reverse("projection:compare"), {"a": baseline.pk, "b": baseline.pk})

    assert page.status_code == 404


def test_rebuild_queues_the_base_after_commit(as_analyst, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        page = as_analyst.post(reverse("projection:rebuild_base"))

    assert page.status_code == 302
    assert len(callbacks) == 1
