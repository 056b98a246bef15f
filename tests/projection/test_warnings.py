"""Early warnings: rules in data over the dashboard's monthly facts, each firing notified once."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from portal.dashboard import services as dashboard_services
from portal.notices.models import Notification
from portal.projection import tasks, warnings
from portal.projection.models import Comparison, WarningFiring, WarningRule
from tests import factories
from tests.projection.conftest import make_person, register

TODAY = dt.date(2026, 12, 7)  # the last whole month is November 2026


def departures(address, *, count: int, on: dt.date) -> None:
    for _ in range(count):
        register(make_person(birth=dt.date(1990, 1, 1)), address, start=dt.date(2024, 1, 1), end=on)


@pytest.fixture
def facts(addresses):
    """Grid A: 5 departures in October, 8 in November (+60%); grid B: 5 and 6 (+20%)."""
    (a1, _), (b1, _) = addresses
    departures(a1, count=5, on=dt.date(2026, 10, 15))
    departures(a1, count=8, on=dt.date(2026, 11, 15))
    departures(b1, count=5, on=dt.date(2026, 10, 15))
    departures(b1, count=6, on=dt.date(2026, 11, 15))
    dashboard_services.rebuild_facts(today=TODAY)


@pytest.fixture
def rule(db):
    WarningRule.objects.all().delete()  # only the rule under test is in force
    return WarningRule.objects.create(
        name="迁出环比上升",
        metric="residents.departures",
        level="grid",
        comparison=Comparison.RISE_OVER,
        threshold=30,
        window_months=1,
        minimum_base=5,
        effective_from=dt.date(2026, 1, 1),
    )


@pytest.fixture
def audience(city, grid_a, grid_b, district_a, district_b):
    city_analyst = factories.UserFactory(username="analyst_city_w", roles=["analyst"])
    analyst_a = factories.UserFactory(username="analyst_a_w", roles=["analyst"])
    analyst_a.districts.set([district_a])
    analyst_b = factories.UserFactory(username="analyst_b_w", roles=["analyst"])
    analyst_b.districts.set([district_b])
    return {
        "city": city_analyst,
        "a": analyst_a,
        "b": analyst_b,
        "officer_a": factories.officer(grids=[grid_a], username="officer_a_w"),
        "officer_b": factories.officer(grids=[grid_b], username="officer_b_w"),
    }


def test_departures_up_over_30_percent_fire_for_that_grid_only(facts, rule, grid_a):
    found = warnings.findings(rule, dt.date(2026, 11, 1))

    assert [(f.area_id, f.value, f.compared_with) for f in found] == [(grid_a.pk, 8.0, 5.0)]


def test_a_firing_notifies_the_areas_analysts_and_officers_once(
    facts, rule, audience, grid_a, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        first = warnings.evaluate_warnings(today=TODAY)
    with django_capture_on_commit_callbacks(execute=True):
        second = warnings.evaluate_warnings(today=TODAY)

    assert (first, second) == (1, 0)
    firing = WarningFiring.objects.get()
    assert (firing.area, firing.period, firing.value, firing.compared_with) == (
        grid_a,
        dt.date(2026, 11, 1),
        8,
        5,
    )
    told = set(Notification.objects.values_list("recipient__username", flat=True))
    assert told == {"analyst_city_w", "analyst_a_w", "officer_a_w"}
    assert Notification.objects.count() == 3
    assert firing.notified == 3
    assert "迁出环比上升" in Notification.objects.first().title


def test_rules_out_of_force_do_not_fire(facts, rule):
    rule.effective_until = dt.date(2026, 10, 31)
    rule.save()

    assert warnings.evaluate_warnings(today=TODAY) == 0


def test_above_rule_compares_the_window_with_the_threshold(facts, district_a, district_b):
    # October and November: district A 5 + 8 = 13, district B 5 + 6 = 11
    rule = WarningRule.objects.create(
        name="区迁出过多",
        metric="residents.departures",
        level="district",
        comparison=Comparison.ABOVE,
        threshold=12,
        window_months=2,
        effective_from=dt.date(2026, 1, 1),
    )

    found = warnings.findings(rule, dt.date(2026, 11, 1))

    assert [(f.area_id, f.value) for f in found] == [(district_a.pk, 13.0)]


def test_the_beat_task_evaluates_the_rules(facts, rule, time_machine):
    time_machine.move_to(dt.datetime(2026, 12, 7, 9, tzinfo=dt.UTC))

    assert tasks.evaluate_warnings() == 1


def test_warnings_page_lists_rules_and_firings(facts, rule, as_analyst):
    warnings.evaluate_warnings(today=TODAY)

    page = as_analyst.get(reverse("projection:warnings"))

    html = page.content.decode()
    assert page.status_code == 200
    assert "迁出环比上升" in html
    assert "2026-11" in html


def test_warnings_page_query_budget_does_not_grow_with_firings(
    rule, as_analyst, city, django_assert_max_num_queries
):
    grids = [g for row in city["grids"] for g in row]
    for month in range(1, 11):
        for grid in grids:
            WarningFiring.objects.create(
                rule=rule,
                area=grid,
                period=dt.date(2026, month, 1),
                value=10,
                fired_at=dt.datetime(2026, month, 2, tzinfo=dt.UTC),
            )

    with django_assert_max_num_queries(10):
        page = as_analyst.get(reverse("projection:warnings"))

    assert len(page.context["page"].object_list) == 40
