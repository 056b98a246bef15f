"""Benchmark: the first-round draw of an enrolment round at city scale.

100,000 approved applicants with 5 preferences each over 300 schools (sizes from
BENCH_SCHOOL_APPLICANTS and BENCH_SCHOOLS). Prints two figures: the matching itself
(schooling.allocation.allocate, in memory) and the whole job (services.run_first_round: read
the applications and preferences, match, write ranks and lottery numbers, offers and cutoffs
with COPY and bulk writes). Asserts only that the result arrived; not a pass/fail timing test.

The whole job is recorded beside its floor, measured in the same run: reading the same
applications with their cases and preferences (one plain SELECT of the joined rows: each
preference with its application's id, points and reference, what the matching needs), the
matching in memory (the best of three above), and a COPY of the draw entries and of the offers
written into tables of the same width without indexes.

The population is loaded in bulk (residents.bulk for the persons, COPY for the cases,
applications and preferences); that setup is not timed.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import time

from django.db import connection
from django.utils import timezone

from portal.accounts.models import Department
from portal.areas.models import Area, Level
from portal.workflow.models import Status
from residents import bulk
from schooling import allocation, services
from schooling.models import (
    DrawEntry,
    EnrolmentRound,
    Offer,
    PriorityCategory,
    RoundSchool,
    RoundStatus,
    School,
    Stage,
    Tenure,
    TenureRule,
)
from schooling.services import draw
from schooling.services.draw import read_applicants
from tests import factories
from tests.bench import floors

COMMUNITIES_PER_DISTRICT = 25
APPLICATIONS_SQL = (
    "SELECT a.id, a.points::float8, c.reference, p.school_id, p.category "
    "FROM schooling_enrolmentapplication a "
    "JOIN workflow_case c ON c.id = a.case_id "
    "JOIN schooling_preference p ON p.application_id = a.id "
    "WHERE a.round_id = %s"
)


def _areas() -> tuple[list[Area], list[Area]]:
    tree = factories.build_area_tree(districts=4)
    communities = []
    for d, district in enumerate(tree["districts"]):
        street = Area.objects.get(parent=district, level=Level.STREET)
        for c in range(COMMUNITIES_PER_DISTRICT):
            lon, lat = 121.0 + d * 0.1 + (c % 5) * 0.02, 28.0 + (c // 5) * 0.02
            community, _ = Area.objects.get_or_create(
                code=f"{street.code[:9]}{c + 101:03d}",
                defaults={
                    "name": f"社区{d}-{c}",
                    "level": Level.COMMUNITY,
                    "parent": street,
                    "district": district,
                    "boundary": {
                        "type": "Polygon",
                        "coordinates": [
                            [[lon, lat], [lon + 0.02, lat], [lon + 0.02, lat + 0.02], [lon, lat]]
                        ],
                    },
                },
            )
            communities.append(community)
    return tree["districts"], communities


def _population(count: int, grid: Area) -> list[int]:
    addresses = [factories.AddressFactory(grid=grid) for _ in range(20)]
    bulk.load_persons(
        count=count,
        seed=7,
        address_ids=[a.pk for a in addresses],
        today=timezone.localdate(),
        write=lambda _line: None,
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT id FROM residents_person ORDER BY id")
        return [row[0] for row in cursor.fetchall()]


def _copy(cursor, table: str, columns: str, rows) -> None:
    with cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def test_bench_first_round_draw(db):
    applicants = int(os.environ.get("BENCH_SCHOOL_APPLICANTS", "100000"))
    n_schools = int(os.environ.get("BENCH_SCHOOLS", "300"))
    rng = random.Random(2026)
    setup_started = time.perf_counter()
    _districts, communities = _areas()
    grid = Area.objects.filter(level=Level.GRID).first()
    person_ids = _population(2 * applicants, grid)
    guardians, children = person_ids[:applicants], person_ids[applicants : 2 * applicants]

    schools = School.objects.bulk_create(
        School(
            code=f"S{i:04d}",
            name=f"第{i + 1}小学",
            stage=Stage.PRIMARY,
            district_id=communities[i * 37 % len(communities)].district_id,
            community=communities[i * 37 % len(communities)],
        )
        for i in range(n_schools)
    )
    School.catchment.through.objects.bulk_create(
        School.catchment.through(school_id=s.pk, area_id=s.community_id) for s in schools
    )
    today = timezone.localdate()
    enrolment_round = EnrolmentRound.objects.create(
        name="基准测试",
        year=today.year,
        stage=Stage.PRIMARY,
        min_age=6,
        age_reference_date=dt.date(today.year, 8, 31),
        application_opens=today - dt.timedelta(days=60),
        application_closes=today - dt.timedelta(days=30),
        preference_opens=today - dt.timedelta(days=30),
        preference_closes=today - dt.timedelta(days=1),
        offer_deadline=today + dt.timedelta(days=14),
        tie_breaks=["sub:quality", "permit_months", "submitted_at"],
        status=RoundStatus.OPEN,
        lottery_seed="bench-seed",
        lottery_seed_sha256=allocation.seed_hash("bench-seed"),
        seed_committed_at=timezone.now() - dt.timedelta(days=2),
    )
    PriorityCategory.objects.bulk_create(
        [
            PriorityCategory(round=enrolment_round, rank=1, label="自有", tenure=TenureRule.OWNED),
            PriorityCategory(round=enrolment_round, rank=2, label="租赁", tenure=TenureRule.RENTED),
        ]
    )
    total_seats = int(applicants * 0.9)
    RoundSchool.objects.bulk_create(
        RoundSchool(round=enrolment_round, school=s, seats=total_seats // n_schools)
        for s in schools
    )

    education = Department.objects.get(code="education")
    applicant_user = factories.UserFactory(username="bench_family")
    by_district: dict[int, list[School]] = {}
    for s in schools:
        by_district.setdefault(s.district_id, []).append(s)
    now = timezone.now()
    with connection.cursor() as cursor:
        _copy(
            cursor,
            "workflow_case",
            "kind, reference, status, department_id, district_id, applicant_id, subject, "
            "created_at, submitted_at, due_date, decided_at, last_reason",
            (
                (
                    services.KIND,
                    f"RX-B-{i:07d}",
                    Status.APPROVED,
                    education.pk,
                    communities[i % len(communities)].district_id,
                    applicant_user.pk,
                    "",
                    now,
                    now - dt.timedelta(seconds=i),
                    today,
                    now,
                    "",
                )
                for i in range(applicants)
            ),
        )
        cursor.execute(
            "SELECT reference, id FROM workflow_case WHERE reference LIKE 'RX-B-%%' ORDER BY id"
        )
        case_ids = [row[1] for row in cursor.fetchall()]
        homes = [communities[i % len(communities)] for i in range(applicants)]
        tenures = [rng.choice((Tenure.OWNED, Tenure.RENTED, Tenure.OTHER)) for _ in homes]
        _copy(
            cursor,
            "schooling_enrolmentapplication",
            "case_id, round_id, child_id, guardian_id, home_community_id, tenure, points, "
            "sub_scores, permit_months, residence_months, active, created_at",
            (
                (
                    case_ids[i],
                    enrolment_round.pk,
                    children[i],
                    guardians[i],
                    homes[i].pk,
                    tenures[i],
                    round(rng.uniform(30, 150), 1),
                    f'{{"quality": {rng.choice((20, 30, 60, 80))}}}',
                    rng.randint(12, 120),
                    rng.randint(12, 160),
                    True,
                    now,
                )
                for i in range(applicants)
            ),
        )
        cursor.execute(
            "SELECT id, home_community_id, tenure FROM schooling_enrolmentapplication "
            "WHERE round_id = %s ORDER BY id",
            [enrolment_round.pk],
        )
        rows = cursor.fetchall()

        def preferences():
            for app_id, home, tenure in rows:
                nearby = by_district[communities_by_id[home].district_id]
                picked = rng.sample(nearby, 4) + rng.sample(schools, 1)
                seen = set()
                rank = 0
                for school in picked:
                    if school.pk in seen:
                        continue
                    seen.add(school.pk)
                    rank += 1
                    in_catchment = school.community_id == home
                    category = (
                        (1 if tenure == Tenure.OWNED else 2 if tenure == Tenure.RENTED else 3)
                        if in_catchment
                        else 3
                    )
                    yield (app_id, rank, school.pk, category)

        communities_by_id = {c.pk: c for c in communities}
        _copy(
            cursor,
            "schooling_preference",
            "application_id, rank, school_id, category",
            preferences(),
        )
        cursor.execute("ANALYZE")
    setup_seconds = time.perf_counter() - setup_started

    # The matching alone, on the same input the job reads: best of three (wall and CPU time).
    engine_input, _points = read_applicants(enrolment_round)
    capacities = dict(
        RoundSchool.objects.filter(round=enrolment_round).values_list("school_id", "seats")
    )
    timings = []
    for _ in range(3):
        wall, cpu = time.perf_counter(), time.process_time()
        result = draw._allocate(engine_input, capacities, seed="bench-seed")
        timings.append((time.perf_counter() - wall, time.process_time() - cpu))
    match_wall, match_cpu = min(timings)

    superuser = factories.UserFactory(username="bench_admin", is_superuser=True)
    cpu = time.process_time()
    with floors.measured() as figures:
        run = services.run_first_round(actor=superuser, round_id=enrolment_round.pk)
    job_wall, job_cpu = figures["seconds"], time.process_time() - cpu
    floors.record(
        "schooling first-round draw",
        rows=len(engine_input),
        figures=figures,
        floor={
            "reading the applications and preferences": floors.join_floor(
                APPLICATIONS_SQL, [enrolment_round.pk]
            ),
            "the matching in memory": match_wall,
            "COPY of the draw entries": floors.copy_floor(
                "SELECT * FROM schooling_drawentry WHERE round_id = %s", [enrolment_round.pk]
            ),
            "COPY of the offers": floors.copy_floor(
                "SELECT * FROM schooling_offer WHERE round_id = %s", [enrolment_round.pk]
            ),
        },
    )

    placed = sum(1 for school in result.placed.values() if school is not None)
    preference_count = sum(len(a.choices) for a in engine_input)
    print(  # noqa: T201
        f"\nbench schooling: {len(engine_input):,} applicants, {preference_count:,} preferences, "
        f"{len(capacities)} schools, {sum(capacities.values()):,} seats "
        f"(setup {setup_seconds:.1f} s; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)"
        f"\n  matching (deferred acceptance, in memory, best of 3): {match_wall:.2f} s "
        f"wall, {match_cpu:.2f} s CPU"
        f"\n  whole job (read, match, write ranks, offers, cutoffs): {job_wall:.2f} s wall, "
        f"{job_cpu:.2f} s CPU in Python (matching inside it {run.match_seconds:.2f} s); "
        f"{run.placed:,} placed"
    )
    assert run.placed == placed
    assert Offer.objects.filter(round=enrolment_round).count() == placed
    assert DrawEntry.objects.filter(round=enrolment_round).count() == len(engine_input)
