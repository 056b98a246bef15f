"""Every caller of a shared rule gives the same answer over the same random histories.

Continuous residence (portal.periods) is read by permits (residents.selectors), schooling (the
same selector), notices (the residents.residence_months criterion) and points (the registry
facts scored by the engine); continuous social insurance (the human-resources feed's months,
points.facts.insurance_months) counts the same way over the same histories. "Holds a valid
permit on day D" (Permit.state_on and PermitQuerySet.valid_on) is read by selectors, the notice
criteria, the API filter, the points facts and the school and housing eligibility checks.
"""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from points import engine
from points import facts as points_facts
from portal import periods
from portal.workflow import services as workflow
from residents import criteria, selectors
from residents.filters import PermitFilter
from residents.models import (
    Basis,
    Permit,
    PermitApplication,
    PermitPolicy,
    PermitState,
    PermitStatus,
    Reason,
    Registration,
    Source,
)
from schooling import eligibility as school_eligibility
from tests.points.seeds import FACT_TYPES
from tests.residents.conftest import make_person

D = dt.date
BASE = D(2020, 1, 1)

days = st.integers(min_value=0, max_value=6 * 365)


@st.composite
def histories(draw):
    """Registrations that never overlap (as the registry keeps them), the last maybe current."""
    cursor = BASE + dt.timedelta(days=draw(st.integers(0, 60)))
    spans: list[tuple[dt.date, dt.date | None]] = []
    for _ in range(draw(st.integers(1, 4))):
        start = cursor + dt.timedelta(days=draw(st.sampled_from([0, 0, 1, 20, 40, 95, 200])))
        length = draw(st.integers(1, 500))
        spans.append((start, start + dt.timedelta(days=length)))
        cursor = spans[-1][1]
    if draw(st.booleans()):
        spans[-1] = (spans[-1][0], None)
    return spans


@st.composite
def permits(draw):
    issued = BASE + dt.timedelta(days=draw(days))
    valid_until = issued + dt.timedelta(days=draw(st.integers(0, 800)))
    cancelled = draw(st.booleans())
    cancelled_on = issued + dt.timedelta(days=draw(st.integers(0, 900))) if cancelled else None
    restarted = (
        issued + dt.timedelta(days=draw(st.integers(0, 700))) if draw(st.booleans()) else None
    )
    return issued, valid_until, cancelled_on, restarted


def _residence_spec(gap_days: int) -> dict:
    family = {"code": "residence", "label": "r", "part": "base", "combine": "sum"}
    return {
        "scheme": "agreement",
        "version": 1,
        "name": "agreement",
        "entry": [],
        "families": [family],
        "indicators": [
            {
                "code": "residence",
                "family": "residence",
                "fact": "residence_periods",
                "kind": "rate",
                "params": {
                    "per": 1,
                    "points": 1,
                    "gap_days": gap_days,
                    "restart_fact": "residence_restart",
                },
            }
        ],
        "services": [{"service": "all", "parts": ["base"], "threshold": 0}],
    }


@pytest.fixture
def person(resident):
    return make_person(resident, seq=41)


def _write(person, spans, permit, address, gap_days):
    PermitPolicy.objects.update(continuity_gap_days=gap_days)
    PermitPolicy.objects.create(
        effective_from=D(2000, 1, 1), min_residence_months=6, continuity_gap_days=gap_days
    )
    rows = [
        Registration.objects.create(
            person=person,
            address=address,
            start_date=start,
            end_date=end,
            reason=Reason.WORK,
            source=Source.SELF,
        )
        for start, end in spans
    ]
    if permit is None:
        return None
    issued, valid_until, cancelled_on, restarted = permit
    case = workflow.create_case(
        kind="residence_permit",
        applicant=person.user,
        district=address.grid.district,
        actor=person.user,
    )
    application = PermitApplication.objects.create(
        case=case, person=person, registration=rows[0], basis=Basis.EMPLOYMENT
    )
    return Permit.objects.create(
        number=f"A{person.pk:08d}",
        person=person,
        application=application,
        district=address.grid.district,
        address=address,
        issued_on=issued,
        valid_until=valid_until,
        status=PermitStatus.CANCELLED if cancelled_on else PermitStatus.VALID,
        cancelled_on=cancelled_on,
        cancel_reason="departed" if cancelled_on else "",
        clock_restarted_on=restarted,
    )


def _ids(built) -> set[int]:
    from django.db import connection

    if isinstance(built, criteria.Sql):
        with connection.cursor() as cursor:
            cursor.execute(built.text, list(built.params))
            return {row[0] for row in cursor.fetchall()}
    return set(built.values_list("person_id", flat=True))


@settings(
    max_examples=60,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    spans=histories(),
    permit=st.none() | permits(),
    offset=days,
    gap_days=st.sampled_from([0, 30, 90]),
    months=st.sampled_from([1, 6, 12, 24]),
)
@pytest.mark.django_db
def test_every_caller_of_continuous_residence_agrees(
    person, address_a, spans, permit, offset, gap_days, months
):
    on = BASE + dt.timedelta(days=offset)
    with transaction.atomic():
        row = _write(person, spans, permit, address_a, gap_days)
        restart = row.clock_restarted_on if row else None
        expected = periods.continuous_months(spans, on=on, gap_days=gap_days, restart=restart)

        # permits and schooling
        assert selectors.continuous_residence_months(person, on=on) == expected
        since = selectors.continuous_residence_since(person, on=on)
        assert (since is not None and periods.add_months(since, months) <= on) == (
            expected >= months
        )
        eligible_from = selectors.residence_eligible_from(person, on=on)
        assert (eligible_from is not None and eligible_from <= on) == (expected >= 6)

        # notices: current residents only
        current = any(start <= on and end is None for start, end in spans)
        chosen = person.pk in _ids(criteria.build_residence_months({"months": months}, on))
        assert chosen == (current and expected >= months)

        # points: the registry facts, scored by the engine
        raw = points_facts.registry_facts(person, on=on)
        rules = engine.compile_rules(_residence_spec(gap_days), FACT_TYPES)
        scored = engine.score(rules, engine.decode_facts(raw, FACT_TYPES), on=on)
        lines = {item.indicator: item for item in scored.items}
        points_months = lines["residence"].value if "residence" in lines else 0
        assert points_months == expected
        transaction.set_rollback(True)


@settings(
    max_examples=60,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(permit=permits(), offset=days)
@pytest.mark.django_db
def test_every_caller_of_valid_permit_agrees(person, address_a, permit, offset):
    on = BASE + dt.timedelta(days=offset)
    with transaction.atomic():
        row = _write(person, [(BASE, None)], permit, address_a, 0)
        state = row.state_on(on)
        valid = state == PermitState.VALID

        assert Permit.objects.valid_on(on).filter(pk=row.pk).exists() == valid
        for each in PermitState.values:
            selected = Permit.objects.in_state_on(each, on).filter(pk=row.pk).exists()
            assert selected == (each == state)
        assert selectors.has_valid_permit(person, on=on) == valid
        assert (selectors.permit_valid_on(person, on=on) is not None) == valid
        assert (person.pk in _ids(criteria.build_valid_permit({}, on))) == valid
        assert points_facts.registry_facts(person, on=on).get("has_permit", False) == valid
        assert (school_eligibility.permit_months_of(person, on=on) is not None) == valid
        with time_machine.travel(
            dt.datetime(on.year, on.month, on.day, 4, tzinfo=dt.UTC), tick=False
        ):
            listed = PermitFilter({"state": state}, queryset=Permit.objects.all()).qs
            assert list(listed.values_list("pk", flat=True)) == [row.pk]
        transaction.set_rollback(True)


def _continuity_spec(gap_months: int) -> dict:
    """Residence scored with a gap allowance, and years of insurance without one of their own:
    the set's allowance (its residence indicator's) is theirs too."""
    families = [
        {"code": "residence", "label": "r", "part": "base", "combine": "sum"},
        {"code": "insurance", "label": "i", "part": "base", "combine": "sum"},
    ]
    return {
        "scheme": "agreement",
        "version": 1,
        "name": "agreement",
        "entry": [],
        "families": families,
        "indicators": [
            {
                "code": "residence",
                "family": "residence",
                "fact": "residence_periods",
                "kind": "rate",
                "params": {"per": 1, "points": 1, "gap_months": gap_months},
            },
            {
                "code": "insurance",
                "family": "insurance",
                "fact": "insurance_years",
                "kind": "rate",
                "params": {"per": 1, "points": 3},
            },
        ],
        "services": [{"service": "all", "parts": ["base"], "threshold": 0}],
    }


@pytest.fixture
def insurance_run(db):
    from django.utils import timezone

    from residents.models import FeedUpload, ReconciliationRun

    feed = FeedUpload.objects.create(
        kind="social_insurance",
        format="csv",
        encoding="utf-8",
        channel="command",
        original_name="si.csv",
        path="feeds/agreement-si.csv",
        size=1,
        sha256="0" * 64,
        received_at=timezone.now(),
    )
    return ReconciliationRun.objects.create(
        feed=feed,
        status="finished",
        step="written",
        run_on=BASE,
        progress=100,
        created_at=timezone.now(),
        finished_at=timezone.now(),
    )


@settings(
    max_examples=60,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    paid=st.lists(st.booleans(), min_size=1, max_size=60),
    offset=st.integers(min_value=0, max_value=70),
    gap_months=st.sampled_from([0, 3]),
)
@pytest.mark.django_db
def test_insurance_and_residence_count_continuity_alike(
    person, address_a, insurance_run, paid, offset, gap_months
):
    """Months paid to social insurance and months registered, the same history for both: the
    insurance caller (points.facts.insurance_months, from the feed's months) and the residence
    caller (the engine over the registry facts) give the same months."""
    from residents.models import InsuranceMonth

    on = periods.add_months(BASE, offset) + dt.timedelta(days=offset % 28)
    months = [periods.add_months(BASE, i) for i, was_paid in enumerate(paid) if was_paid]
    spans = periods.merge([(m, periods.add_months(m, 1)) for m in months])
    with transaction.atomic():
        InsuranceMonth.objects.bulk_create(
            InsuranceMonth(
                person=person, month=periods.add_months(BASE, i), paid=p, run=insurance_run
            )
            for i, p in enumerate(paid)
        )
        for start, end in spans:
            Registration.objects.create(
                person=person,
                address=address_a,
                start_date=start,
                end_date=end,
                reason=Reason.WORK,
                source=Source.SELF,
            )
        rules = engine.compile_rules(_continuity_spec(gap_months), FACT_TYPES)
        expected = periods.continuous_months(
            [s for s in spans if s[0] <= on], on=on, gap_months=gap_months
        )
        found = points_facts.insurance_months(person, on=on, rules=rules)
        insurance = found[0] if found is not None else 0
        raw = points_facts.registry_facts(person, on=on)
        scored = engine.score(rules, engine.decode_facts(raw, FACT_TYPES), on=on)
        lines = {item.indicator: item for item in scored.items}
        residence = lines["residence"].value if "residence" in lines else 0
        assert insurance == residence == expected
        transaction.set_rollback(True)
