"""The analyst's registry-truth page: the latest run's curve, for analysts only."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from portal.accounts.models import Role
from residents.models import SimulationDay, SimulationRun
from tests import factories


@pytest.fixture
def run(db):
    now = timezone.now()
    run = SimulationRun.objects.create(
        persons=1000,
        days=2,
        seed=5,
        first_day=dt.date(2026, 11, 1),
        started_at=now,
        finished_at=now,
    )
    for day, accuracy in ((0, 0.955), (1, 0.9871)):
        SimulationDay.objects.create(
            run=run,
            day=day,
            on=dt.date(2026, 11, 1 + day),
            accuracy=accuracy,
            missed_arrivals=7,
            stale_residents=3,
            wrong_addresses=2,
            departures_without_evidence=0,
            median_days_to_correct=None if day == 0 else 1.5,
            tasks_per_officer_week=0 if day == 0 else 42.0,
            false_positive_share=None if day == 0 else 0.25,
            open_tasks=40,
        )
    return run


def test_an_analyst_sees_the_latest_runs_curve_and_table(client, run):
    client.force_login(factories.UserFactory(username="analyst_t", roles=[Role.ANALYST]))
    response = client.get(reverse("residents:registry_truth"))
    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="simulation-data"' in page
    assert "98.71" in page  # the accuracy curve in per cent
    assert "vendor/echarts/echarts.min.js" in page
    assert "0.9871" in page


def test_a_resident_or_officer_gets_not_found(client, run):
    for roles in ([Role.RESIDENT], [Role.GRID_OFFICER]):
        client.force_login(factories.UserFactory(roles=roles))
        assert client.get(reverse("residents:registry_truth")).status_code == 404


def test_before_any_run_the_page_says_how_to_make_one(client, db):
    client.force_login(factories.UserFactory(username="analyst_u", roles=[Role.ANALYST]))
    response = client.get(reverse("residents:registry_truth"))
    assert response.status_code == 200
    assert "simulate_city" in response.content.decode()
