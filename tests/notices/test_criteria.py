"""Each targeting criterion selects exactly the residents it is for, as one set-based query."""

from __future__ import annotations

import datetime as dt
import json
import random
from decimal import Decimal

import pytest
from django.utils import timezone

from portal.errors import InvalidInput
from portal.notices import criteria
from portal.periods import add_months
from residents import selectors as resident_selectors
from residents.models import Permit, PermitPolicy
from tests.notices.conftest import (
    child_of,
    district_target,
    make_person,
    months_ago,
    register,
    resident_at,
)


def audience(target, *, on: dt.date | None = None) -> set[int]:
    cleaned = criteria.clean_target(target)
    sql, params = criteria.audience_sql(cleaned, on=on or timezone.localdate())
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {row[0] for row in cursor.fetchall()}


def one(code: str, **params) -> list[dict]:
    return [{"criterion": code, "params": params}]


# --- the registry ---------------------------------------------------------------------------------


def test_every_residents_criterion_is_registered_by_the_residents_app(db):
    codes = {c.code for c in criteria.all_criteria()}
    assert {
        "residents.district",
        "residents.grid",
        "residents.age",
        "residents.valid_permit",
        "residents.residence_months",
        "residents.school_age_child",
        "residents.permit_expiring",
    } <= codes


def test_an_empty_target_is_refused(db):
    with pytest.raises(InvalidInput) as refused:
        criteria.clean_target([])
    assert refused.value.code == "empty_target"


def test_an_unknown_criterion_and_bad_parameters_are_named(district_a):
    with pytest.raises(InvalidInput) as refused:
        criteria.clean_target(
            [
                {"criterion": "nobody.knows", "params": {}},
                {"criterion": "residents.age", "params": {"min_age": "x", "max_age": 200}},
            ]
        )
    fields = refused.value.fields
    assert "target.nobody.knows" in fields
    assert "target.residents.age.min_age" in fields
    assert "target.residents.age.max_age" in fields


def test_a_criterion_used_twice_is_refused(district_a):
    with pytest.raises(InvalidInput):
        criteria.clean_target(district_target(district_a) + district_target(district_a))


def test_conditions_combine_as_all_of_them(address_a, address_b, district_a):
    young_here = resident_at(address_a, birth=dt.date(2000, 1, 1))
    resident_at(address_a, birth=dt.date(1960, 1, 1))  # here, too old
    resident_at(address_b, birth=dt.date(2000, 1, 1))  # young, elsewhere
    target = district_target(district_a) + one("residents.age", min_age=18, max_age=30)
    assert audience(target, on=dt.date(2026, 6, 1)) == {young_here.pk}


def test_a_registered_criterion_may_build_raw_sql(address_a, district_a):
    person = resident_at(address_a)
    criteria.register_criterion(
        "test.exact",
        "exact",
        dict,
        lambda params, on: criteria.Sql("SELECT %s::bigint", [person.pk]),
    )
    assert audience([{"criterion": "test.exact", "params": {}}]) == {person.pk}


# --- residents ------------------------------------------------------------------------------------


def test_district_selects_the_current_registration_only(address_a, address_b, district_a):
    here = resident_at(address_a)
    resident_at(address_b)
    moved_away = make_person()
    register(moved_away, address_a, start=months_ago(30), end=months_ago(3))
    register(moved_away, address_b, start=months_ago(3))
    departed = make_person()
    register(departed, address_a, start=months_ago(30), end=months_ago(1))
    assert audience(district_target(district_a)) == {here.pk}


def test_grid_selects_the_grid_not_its_neighbour(address_a, address_a2, grid_a):
    here = resident_at(address_a)
    resident_at(address_a2)  # same district, the other grid
    assert audience(one("residents.grid", grids=[grid_a.pk])) == {here.pk}


def test_age_counts_whole_years_on_the_day(address_a):
    day = dt.date(2026, 6, 15)
    eighteen_today = resident_at(address_a, birth=dt.date(2008, 6, 15))
    resident_at(address_a, birth=dt.date(2008, 6, 16))  # 18 tomorrow
    thirty_until_tomorrow = resident_at(address_a, birth=dt.date(1995, 6, 16))
    resident_at(address_a, birth=dt.date(1995, 6, 15))  # 31 today
    assert audience(one("residents.age", min_age=18, max_age=30), on=day) == {
        eighteen_today.pk,
        thirty_until_tomorrow.pk,
    }


def test_valid_permit_leaves_out_expired_and_cancelled_permits(
    me, them, resident, other_resident, police_a, police_b, issue_permit
):
    from residents import services as resident_services

    mine = issue_permit(resident, me, police_a)
    issue_permit(other_resident, them, police_b)
    resident_services.cancel_permits_of(
        person=them, actor=police_b, on=timezone.localdate(), reason="离开本市"
    )
    assert audience(one("residents.valid_permit")) == {me.pk}
    assert audience(one("residents.valid_permit"), on=mine.valid_until) == {me.pk}
    assert audience(one("residents.valid_permit"), on=mine.valid_until + dt.timedelta(1)) == set()


def test_permit_expiring_within_n_days(me, resident, police_a, issue_permit):
    permit = issue_permit(resident, me, police_a)
    due = permit.valid_until
    target = one("residents.permit_expiring", days=30)
    assert audience(target, on=due - dt.timedelta(days=31)) == set()
    assert audience(target, on=due - dt.timedelta(days=30)) == {me.pk}
    assert audience(target, on=due) == {me.pk}
    assert audience(target, on=due + dt.timedelta(days=1)) == set()


def test_months_of_continuous_residence(address_a, address_b):
    day = dt.date(2026, 7, 15)
    exactly_six = make_person()
    register(exactly_six, address_a, start=dt.date(2026, 1, 15))
    one_day_short = make_person()
    register(one_day_short, address_a, start=dt.date(2026, 1, 16))
    moved_without_break = make_person()
    register(moved_without_break, address_a, start=dt.date(2025, 1, 1), end=dt.date(2026, 3, 1))
    register(moved_without_break, address_b, start=dt.date(2026, 3, 1))
    broke_off = make_person()
    register(broke_off, address_a, start=dt.date(2024, 1, 1), end=dt.date(2026, 3, 1))
    register(broke_off, address_b, start=dt.date(2026, 3, 2))
    assert audience(one("residents.residence_months", months=6), on=day) == {
        exactly_six.pk,
        moved_without_break.pk,
    }


def test_months_allow_the_gap_the_permit_policy_allows(address_a, address_b):
    day = dt.date(2026, 7, 15)
    PermitPolicy.objects.create(effective_from=dt.date(2020, 1, 1), continuity_gap_days=90)
    person = make_person()
    register(person, address_a, start=dt.date(2024, 1, 1), end=dt.date(2026, 3, 1))
    register(person, address_b, start=dt.date(2026, 5, 1))
    assert audience(one("residents.residence_months", months=12), on=day) == {person.pk}


def test_months_restart_after_a_late_endorsement(me, resident, police_a, issue_permit):
    permit = issue_permit(resident, me, police_a)
    target = one("residents.residence_months", months=12)
    assert audience(target) == {me.pk}
    Permit.objects.filter(pk=permit.pk).update(clock_restarted_on=months_ago(2))
    assert audience(target) == set()


def test_months_agree_with_the_registry_rule_for_every_history(address_a, address_b):
    """The set-based SQL and residents.continuity give the same months for random histories."""
    rng = random.Random(7)
    day = dt.date(2026, 8, 31)
    persons = []
    for _ in range(40):
        person = make_person()
        start = day - dt.timedelta(days=rng.randrange(30, 1500))
        periods = []
        for _ in range(rng.randrange(0, 3)):
            end = start + dt.timedelta(days=rng.randrange(10, 400))
            periods.append((start, end))
            start = end + dt.timedelta(days=rng.choice([0, 0, 1, 5, 40]))
        for begin, end in periods:
            if begin < day:
                register(person, address_a, start=begin, end=min(end, day))
        register(person, address_b, start=min(start, day))
        persons.append(person)
    for months in (1, 6, 12, 31):
        expected = {
            p.pk
            for p in persons
            if resident_selectors.continuous_residence_months(p, on=day) >= months
        }
        assert audience(one("residents.residence_months", months=months), on=day) == expected


def test_school_entry_age_is_six_by_31_august(address_a):
    day = dt.date(2026, 3, 1)  # the school year starting in September 2026
    parents = {}
    for label, birth in {
        "six_on_31_august": dt.date(2020, 8, 31),
        "six_on_1_september_last_year": dt.date(2019, 9, 1),
        "six_on_1_september": dt.date(2020, 9, 1),
        "already_started_last_year": dt.date(2019, 8, 31),
    }.items():
        parent = resident_at(address_a)
        child_of(parent, birth=birth)
        parents[label] = parent
    target = one("residents.school_age_child")
    assert audience(target, on=day) == {
        parents["six_on_31_august"].pk,
        parents["six_on_1_september_last_year"].pk,
    }
    next_year = one("residents.school_age_child", year=2027)
    assert audience(next_year, on=day) == {parents["six_on_1_september"].pk}


def test_school_age_reaches_the_guardian_not_the_child(address_a):
    parent = resident_at(address_a)
    child = child_of(parent, birth=dt.date(2020, 5, 1))
    register(child, address_a, start=months_ago(12))
    assert audience(one("residents.school_age_child", year=2026), on=dt.date(2026, 3, 1)) == {
        parent.pk
    }


# --- points and housing ----------------------------------------------------------------------------


def test_points_score_at_least_reads_the_current_ledger(address_a):
    from points import criteria as points_criteria
    from points.models import RuleSet, RuleSetStatus, Scheme, Score

    points_criteria.register()
    scheme, _ = Scheme.objects.get_or_create(
        code="test-scheme", defaults={"name": "测试", "is_active": True}
    )
    Scheme.objects.exclude(pk=scheme.pk).update(is_active=False)
    Scheme.objects.filter(pk=scheme.pk).update(is_active=True)
    rule_set = RuleSet.objects.create(
        scheme=scheme,
        version=99,
        name="测试",
        status=RuleSetStatus.PUBLISHED,
        effective_from=dt.date(2020, 1, 1),
        published_at=timezone.now(),
    )
    high, low, stale = (resident_at(address_a) for _ in range(3))
    now = timezone.now()
    for person, total, current in ((high, 45.5, True), (low, 20, True), (stale, 90, False)):
        Score.objects.create(
            person=person,
            rule_set=rule_set,
            reference_date=timezone.localdate(),
            valid_until=add_months(timezone.localdate(), 12),
            facts_digest="x",
            breakdown=json.dumps({"services": {"school": [total, total, 1, True, True, [], []]}}),
            passed=["school"],
            computed_at=now,
            is_current=current,
            superseded_at=None if current else now,
        )
    target = one("points.score_at_least", service="school", min_score="30")
    assert audience(target) == {high.pk}
    assert audience(one("points.score_at_least", service="school", min_score="45.5")) == {high.pk}


def test_points_criterion_reaches_nobody_without_rules_in_force(address_a):
    from points import criteria as points_criteria
    from points.models import Scheme

    Scheme.objects.update(is_active=False)
    points_criteria.register()
    resident_at(address_a)
    assert audience(one("points.score_at_least", service="school", min_score="0")) == set()


def test_points_criterion_checks_its_parameters(db):
    from points import criteria as points_criteria

    points_criteria.register()
    with pytest.raises(InvalidInput) as refused:
        criteria.clean_target(
            one("points.score_at_least", service="nonsense", min_score=Decimal("-1"))
        )
    assert set(refused.value.fields) == {
        "target.points.score_at_least.service",
        "target.points.score_at_least.min_score",
    }


def test_renting_selects_current_tenants_who_own_no_home(address_a, resident, district_a):
    from housing import criteria as housing_criteria
    from housing.models import RentalHome, Tenancy
    from points.models import FactSheet
    from portal.workflow import services as workflow

    housing_criteria.register()
    case = workflow.create_case(
        kind="rental_home", applicant=resident, district=district_a, actor=resident
    )
    home = RentalHome.objects.create(
        case=case,
        landlord=resident,
        address=address_a,
        owner_name="陈建国",
        property_certificate="浙(2020)001号",
        rooms=2,
        floor_area=Decimal("60"),
        max_occupants=4,
    )
    now = timezone.now()

    def tenant(*, ended: bool = False):
        person = make_person()
        registration = register(person, address_a, start=months_ago(6))
        Tenancy.objects.create(
            home=home,
            person=person,
            registration=registration,
            start_date=months_ago(6),
            end_date=timezone.localdate() if ended else None,
            declared_by=resident,
            declared_at=now,
            ended_by=resident if ended else None,
            ended_at=now if ended else None,
        )
        return person

    renting = tenant()
    tenant(ended=True)
    owner = tenant()
    FactSheet.objects.create(
        person=owner,
        facts={"owns_home": True},
        reference_date=timezone.localdate(),
        updated_at=now,
    )
    assert audience(one("housing.renting")) == {renting.pk}
