"""Benchmark: rank 36,000 approved affordable-housing applications and offer 14,000 units.

The scale of the county-level city in docs/domain.md "Figures from the source documents"
(14,000 affordable rental units built for 36,000 new residents). Persons come from residents.bulk (COPY); cases, applications and units
are bulk-created. Then the round is ranked (housing.services.rank_round: one bulk UPDATE) and
allocated (housing.services.allocate_round: the pure engine over plain tuples and one
INSERT ... SELECT), each timed. Prints the figures, and records each beside its floor measured
in the same run:
- ranking: reading the applications (one plain SELECT of the same rows), the lottery numbers
  and the sort in memory (points.ordering's key over the same candidates), and one
  INSERT ... SELECT of the ranks and lottery numbers into a table without indexes;
- allocation: reading the ranked applicants and the free units (one plain SELECT each), the
  pure pairing (housing.allocation.allocate) in memory, and a COPY of the offers written.
Asserts only that every unit was offered once, each to a household of its type, with one bulk
write of offers per chunk of ALLOCATION_CHUNK_SIZE.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import time
from decimal import Decimal

import pytest
from django.conf import settings
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from housing import allocation, services
from housing.models import (
    HousingApplication,
    HousingProject,
    HousingUnit,
    Offer,
    UnitType,
    lottery_key,
)
from portal.accounts.models import Department
from portal.workflow.models import Case, Status
from residents import bulk
from residents.models import Person
from tests import factories
from tests.bench import floors

TYPES = ((UnitType.STUDIO, 40), (UnitType.ONE_BEDROOM, 45), (UnitType.TWO_BEDROOM, 15))


def _pick(rng: random.Random) -> str:
    values, weights = zip(*TYPES, strict=True)
    return rng.choices(values, weights=weights)[0]


APPLICATIONS_SQL = (
    "SELECT id, person_id, points, applied_at FROM housing_housingapplication WHERE round_id = %s"
)
RANKED_SQL = (
    "SELECT id, unit_type FROM housing_housingapplication "
    "WHERE round_id = %s AND rank IS NOT NULL ORDER BY rank"
)
UNITS_SQL = "SELECT id, unit_type FROM housing_housingunit WHERE project_id = %s ORDER BY label, id"


def _rows(sql: str, params: list) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def rank_floor(application_round) -> dict[str, float]:
    application_round.refresh_from_db()
    seed = application_round.seed
    rows = _rows(APPLICATIONS_SQL, [application_round.pk])

    def rank_in_memory() -> None:
        allocation.rank(
            (pk, points, (), None, lottery_key(seed, pk)) for pk, _person, points, _at in rows
        )

    return {
        "reading the applications": floors.join_floor(APPLICATIONS_SQL, [application_round.pk]),
        "lottery numbers and the sort in memory": floors.cpu_floor(rank_in_memory),
        "INSERT ... SELECT of the ranks": floors.insert_select_floor(
            "SELECT id, rank, lottery_key FROM housing_housingapplication WHERE round_id = %s",
            [application_round.pk],
        ),
    }


def allocation_floor(application_round, project) -> dict[str, float]:
    applicants = _rows(RANKED_SQL, [application_round.pk])
    units = _rows(UNITS_SQL, [project.pk])
    return {
        "reading the applicants and units": floors.join_floor(RANKED_SQL, [application_round.pk])
        + floors.join_floor(UNITS_SQL, [project.pk]),
        "the pairing in memory": floors.cpu_floor(lambda: allocation.allocate(applicants, units)),
        "COPY of the offers": floors.copy_floor(
            "SELECT o.* FROM housing_offer o JOIN housing_housingunit u ON u.id = o.unit_id "
            "WHERE u.project_id = %s",
            [project.pk],
        ),
    }


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

    with floors.measured() as rank_figures:
        services.rank_round(actor=reviewer, round_id=application_round.pk)
    ranked_in = rank_figures["seconds"]
    print(f"bench housing: RANK of {applicants:,} applications in {ranked_in:.2f} s")  # noqa: T201
    floors.record(
        "housing rank",
        rows=applicants,
        figures=rank_figures,
        floor=rank_floor(application_round),
    )

    # Units are offered once the ranking's publication window (公示) has passed.
    after_publication = now + dt.timedelta(days=60)
    with CaptureQueriesContext(connection) as queries, floors.measured() as figures:
        offered = services.allocate_round(
            actor=reviewer, round_id=application_round.pk, now=after_publication
        )
    elapsed = figures["seconds"]
    floors.record(
        "housing allocation",
        rows=applicants + offered,
        figures=figures,
        floor=allocation_floor(application_round, project),
    )
    writes = [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].startswith(f"INSERT INTO {Offer._meta.db_table} ")
    ]
    print(  # noqa: T201
        f"bench housing: ALLOCATE {offered:,} units to {applicants:,} ranked applicants in "
        f"{elapsed:.2f} s ({len(writes)} bulk write, {len(queries.captured_queries)} queries)"
    )

    assert offered == unit_count
    assert len(writes) == -(-unit_count // settings.ALLOCATION_CHUNK_SIZE)
    assert Offer.objects.count() == unit_count
    assert Offer.objects.values("unit").distinct().count() == unit_count
    assert not Offer.objects.exclude(unit__unit_type=F("application__unit_type")).exists()
