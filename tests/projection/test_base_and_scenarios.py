"""The base read from the registry, and scenarios as data edited by analysts."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from django.utils import timezone

from portal.errors import InvalidInput, NotAllowed
from portal.projection import compute, services
from portal.projection.models import Base, Scenario, ScenarioChange
from tests import factories
from tests.projection.conftest import BASE_DATE, make_person, register


@pytest.fixture
def registered(addresses):
    """District 1: a man born 1990 and a girl born 2022; district 2: a woman born 1995.

    Within the 12 months before the base date: the woman arrived from outside the city, a man
    moved from district 1 to district 2, a man moved inside district 1, a man left the city.
    """
    (a1, a1b), (a2, _a2b) = addresses
    man = make_person(birth=dt.date(1990, 3, 1))
    register(man, a1, start=dt.date(2020, 1, 1))
    girl = make_person(birth=dt.date(2022, 9, 1), female=True)
    register(girl, a1, start=dt.date(2022, 9, 10))
    woman = make_person(birth=dt.date(1995, 6, 1), female=True)
    register(woman, a2, start=dt.date(2026, 3, 1))
    mover = make_person(birth=dt.date(1988, 1, 1))
    register(mover, a1, start=dt.date(2019, 1, 1), end=dt.date(2026, 5, 1))
    register(mover, a2, start=dt.date(2026, 5, 1), end=dt.date(2026, 5, 2))
    register(mover, a2, start=dt.date(2026, 5, 2), end=dt.date(2026, 6, 1))
    local = make_person(birth=dt.date(1980, 1, 1))
    register(local, a1, start=dt.date(2019, 1, 1), end=dt.date(2026, 4, 1))
    register(local, a1b, start=dt.date(2026, 4, 1), end=dt.date(2026, 7, 1))
    return {"man": man, "girl": girl, "woman": woman}


def test_base_counts_persons_by_district_sex_and_age_on_its_date(
    registered, district_a, district_b
):
    base = services.build_base(on=BASE_DATE)

    population = np.asarray(base.population)
    one = base.district_ids.index(district_a.pk)
    two = base.district_ids.index(district_b.pk)
    assert population[one, 0, 36] == 1  # the man, 36 on 31 August 2026
    assert population[one, 1, 3] == 1  # the girl, 3
    assert population[two, 1, 31] == 1  # the woman, 31
    assert population.sum() == 3  # the mover and the local man left before the base date


def test_flows_count_moves_between_districts_and_leaving_but_not_moves_inside_one(
    registered, district_a, district_b
):
    base = services.build_base(on=BASE_DATE)

    arrivals = np.asarray(base.arrivals)[0]
    departures = np.asarray(base.departures)[0]
    one = base.district_ids.index(district_a.pk)
    two = base.district_ids.index(district_b.pk)
    assert arrivals[two].sum() == 2  # the woman from outside, the mover from district 1
    assert arrivals[two, 1, 30] == 1  # she was 30 when she arrived
    assert departures[one].sum() == 2  # the mover to district 2, the local man leaving the city
    assert departures[two].sum() == 1  # the mover leaving the city from district 2
    assert arrivals[one].sum() == 0  # the move inside district 1 is no arrival
    assert np.asarray(base.arrivals)[1:].sum() == 0


def test_building_a_base_twice_replaces_it(registered):
    first = services.build_base(on=BASE_DATE)
    second = services.build_base(on=BASE_DATE)

    assert first.pk == second.pk
    assert np.asarray(second.population).sum() == 3


def test_base_date_is_the_last_31_august():
    assert services.base_date_for(dt.date(2026, 12, 7)) == dt.date(2026, 8, 31)
    assert services.base_date_for(dt.date(2026, 8, 30)) == dt.date(2025, 8, 31)
    assert services.base_date_for(dt.date(2026, 8, 31)) == dt.date(2026, 8, 31)


def test_baseline_projects_every_district_for_its_horizon(registered, baseline):
    base = services.build_base(on=BASE_DATE)

    projection = compute.run(base, baseline.assumptions, [])

    assert projection.population.shape == (16, 2, 2, 101)
    assert projection.years[0] == 2026
    assert projection.years[-1] == 2041
    assert projection.totals()[0].sum() == pytest.approx(3)


def test_new_jobs_bring_people_to_their_district_from_their_year(
    registered, baseline, district_a, district_b
):
    base = services.build_base(on=BASE_DATE)
    decision = {"kind": "jobs", "district": district_b.pk, "from_year": 2029, "jobs": 1000}

    without = compute.run(base, baseline.assumptions, [])
    with_jobs = compute.run(base, baseline.assumptions, [decision])

    diff = with_jobs.totals() - without.totals()
    two = base.district_ids.index(district_b.pk)
    one = base.district_ids.index(district_a.pk)
    assert diff[:3, two].tolist() == pytest.approx([0, 0, 0])  # 2026, 2027, 2028
    assert diff[3, two] == pytest.approx(1000 * baseline.assumptions["persons_per_job"])
    assert abs(diff[:, one]).max() == pytest.approx(0)


def test_invalid_scenario_names_every_problem_at_once_and_writes_nothing(analyst, baseline):
    wrong = dict(baseline.assumptions, tfr=[[2030, 9.0]], horizon=20, sex_ratio_at_birth="x")

    with pytest.raises(InvalidInput) as refused:
        services.create_scenario(actor=analyst, name=" ", assumptions=wrong)

    assert set(refused.value.fields) == {"tfr", "horizon", "sex_ratio_at_birth", "name"}
    assert Scenario.objects.count() == 1


def test_analyst_saves_a_scenario_and_each_change_is_recorded(analyst, baseline):
    scenario = services.create_scenario(
        actor=analyst, name="低生育", assumptions=dict(baseline.assumptions, tfr=[[2030, 1.0]])
    )
    services.update_scenario(
        actor=analyst,
        scenario_id=scenario.pk,
        name="低生育",
        assumptions=dict(baseline.assumptions, tfr=[[2030, 0.9]]),
    )

    changes = list(ScenarioChange.objects.filter(scenario=scenario).order_by("at", "id"))
    assert len(changes) == 2
    assert changes[1].before["assumptions"]["tfr"] == [[2030, 1.0]]
    assert changes[1].after["assumptions"]["tfr"] == [[2030, 0.9]]
    assert changes[1].actor == analyst


def test_duplicate_scenario_name_is_refused(analyst, baseline):
    with pytest.raises(InvalidInput) as refused:
        services.create_scenario(actor=analyst, name="基准方案", assumptions=baseline.assumptions)

    assert "name" in refused.value.fields


def test_only_analysts_edit_scenarios(db, baseline):
    resident = factories.UserFactory(username="someone")

    with pytest.raises(NotAllowed):
        services.create_scenario(actor=resident, name="x", assumptions=baseline.assumptions)


def test_decisions_are_checked_together(analyst, baseline):
    decisions = [
        {"kind": "jobs", "district": 999999, "from_year": 1800, "jobs": -3},
        {"kind": "points_threshold", "threshold": -1},
        {"kind": "flood"},
    ]

    with pytest.raises(InvalidInput) as refused:
        services.create_scenario(
            actor=analyst, name="决策", assumptions=baseline.assumptions, decisions=decisions
        )

    assert len(refused.value.fields["decisions"]) == 5
    assert not Scenario.objects.filter(name="决策").exists()


def test_demo_step_reads_the_base_and_says_so(registered):
    import random

    from portal.demo import SeedContext
    from portal.projection import demo

    lines: list[str] = []
    demo.seed(SeedContext(rng=random.Random(1), options={}, write=lines.append))

    assert services.base_date_for(timezone.localdate()).isoformat() in lines[0]
    assert Base.objects.count() == 1


def test_flows_are_kept_by_12_month_span_back_from_the_base_date(addresses, district_a):
    (a1, _), _ = addresses
    register(make_person(birth=dt.date(1991, 1, 1)), a1, start=dt.date(2025, 3, 1))
    register(make_person(birth=dt.date(1992, 1, 1)), a1, start=dt.date(2024, 6, 1))
    register(make_person(birth=dt.date(1993, 1, 1)), a1, start=dt.date(2023, 6, 1))

    base = services.build_base(on=BASE_DATE)

    one = base.district_ids.index(district_a.pk)
    arrivals = np.asarray(base.arrivals)[:, one].sum(axis=(-1, -2))
    assert arrivals.tolist() == [0, 1, 1]  # the 2023 arrival is over 36 months before
