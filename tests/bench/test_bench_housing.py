"""Benchmark: rank 36,000 approved affordable-housing applications and offer 14,000 units.

The scale of the county-level city in docs/domain.md "Figures from the source documents"
(14,000 affordable rental units built for 36,000 new residents). Persons come from residents.bulk (COPY); cases, applications and units
are bulk-created. Then the round is ranked (housing.services.rank_round: one bulk UPDATE) and
allocated (housing.services.allocate_round: the pure engine over plain tuples and one
INSERT ... SELECT), each timed. Prints the figures; asserts only that every unit was offered
once, each to a household of its type, with one bulk write.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import time
from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from housing import services
from housing.models import HousingApplication, HousingProject, HousingUnit, Offer, UnitType
from portal.accounts.models import Department
from portal.workflow.models import Case, Status
from residents import bulk
from residents.models import Person
from tests import factories

TYPES = ((UnitType.STUDIO, 40), (UnitType.ONE_BEDROOM, 45), (UnitType.TWO_BEDROOM, 15))


def _pick(rng: random.Random) -> str:
    values, weights = zip(*TYPES, strict=True)
    return rng.choices(values, weights=weights)[0]


@pytest.mark.django_db
def test_bench_allocate_affordable_housing():
    applicants = int(os.environ.get("BENCH_HOUSING_APPLICANTS", "36000"))
    unit_count = int(os.environ.get("BENCH_HOUSING_UNITS", "14000"))
    rng = random.Random(2026)
    today = timezone.localdate()
    now = timezone.now()

    city = factories.build_area_tree()
    district = city["districts"][0]
    addresses = [factories.AddressFactory(grid=city["grids"][0][0]) for _ in range(50)]
    started = time.perf_counter()
    bulk.load_persons(
        count=applicants,
        seed=2026,
        address_ids=[a.pk for a in addresses],
        today=today,
        write=lambda line: None,
    )
    reviewer = factories.reviewer(department="housing", districts=[district], username="bench_h")
    bench_user = factories.UserFactory(username="bench_applicant")
    project = HousingProject.objects.create(name="基准测试公寓", district=district, location="-")
    HousingUnit.objects.bulk_create(
        HousingUnit(
            project=project,
            label=f"{i // 100 + 1}幢{i % 100 + 101}",
            unit_type=_pick(rng),
            floor_area=Decimal("45.00"),
            monthly_rent=Decimal("1200.00"),
        )
        for i in range(unit_count)
    )
    application_round = services.create_round(
        actor=reviewer,
        project_id=project.pk,
        name="基准批次",
        opens_on=today - dt.timedelta(days=60),
        closes_on=today - dt.timedelta(days=1),
        unit_types=[(t, 1, 6) for t, _w in TYPES],
    )
    department = Department.objects.get(code="housing")
    cases = Case.objects.bulk_create(
        Case(
            kind="affordable_housing",
            reference=f"BZF-BENCH-{i:06d}",
            status=Status.APPROVED,
            department=department,
            district=district,
            applicant=bench_user,
            submitted_at=now - dt.timedelta(days=30),
            decided_at=now - dt.timedelta(days=5),
        )
        for i in range(applicants)
    )
    person_ids = list(Person.objects.order_by("pk").values_list("pk", flat=True)[:applicants])
    HousingApplication.objects.bulk_create(
        HousingApplication(
            case=case,
            round=application_round,
            person_id=person_id,
            unit_type=_pick(rng),
            household_size=rng.randint(1, 4),
            points=Decimal(rng.randint(3000, 12000)) / 100 if rng.random() < 0.9 else None,
            applied_at=now - dt.timedelta(days=59, seconds=rng.randrange(59 * 86400)),
        )
        for case, person_id in zip(cases, person_ids, strict=True)
    )
    print(  # noqa: T201
        f"\nbench housing: {applicants:,} approved applications and {unit_count:,} units "
        f"prepared in {time.perf_counter() - started:.1f} s"
    )

    started = time.perf_counter()
    services.rank_round(actor=reviewer, round_id=application_round.pk)
    ranked_in = time.perf_counter() - started
    print(f"bench housing: RANK of {applicants:,} applications in {ranked_in:.2f} s")  # noqa: T201

    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        offered = services.allocate_round(actor=reviewer, round_id=application_round.pk)
        elapsed = time.perf_counter() - started
    writes = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("INSERT")]
    print(  # noqa: T201
        f"bench housing: ALLOCATE {offered:,} units to {applicants:,} ranked applicants in "
        f"{elapsed:.2f} s ({len(writes)} bulk write, {len(queries.captured_queries)} queries)"
    )

    assert offered == unit_count
    assert len(writes) == 1
    assert Offer.objects.count() == unit_count
    assert Offer.objects.values("unit").distinct().count() == unit_count
    assert not Offer.objects.exclude(unit__unit_type=F("application__unit_type")).exists()
