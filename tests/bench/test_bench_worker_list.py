"""Benchmark: an employer uploads a list of worker starts as long as one file may hold (500),
one row in 50 bad.

A worker list is declared row by row on purpose: each accepted row is its own transaction
through the same service as a single declaration (registry person found or created, the
employment written, a dormitory registration through residents' services), so a bad row
leaves nothing and the valid rows are kept. This prints how long a large list takes and the
rows per second; it asserts only the counts and that every bad row is reported.

The upload is recorded beside its floor, measured in the same run: the rows it wrote (the
persons, the employments and the dormitory registrations), each table one INSERT ... SELECT
into a table of the same width without indexes, plus one atomic block per accepted row (the
rule that each row stands alone; inside this test's transaction, as the upload's own blocks,
they are savepoints).
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from employment import services
from employment.models import Employment
from employment.services.uploads import MAX_ROWS
from tests import factories
from tests.bench import floors
from tests.employment.conftest import bad_id, credit_code, worker_id


@pytest.mark.django_db
def test_bench_upload_worker_list():
    rows = MAX_ROWS
    city = factories.build_area_tree()
    district = city["districts"][0]
    boss = factories.UserFactory(username="bench_boss", roles=["employer"])
    hr = factories.reviewer(department="human_resources", districts=[district], username="b_hr")
    employer = services.register_employer(
        actor=boss,
        name="温州基准鞋业有限公司",
        credit_code=credit_code(99),
        district_id=district.pk,
        trade="manufacturing",
        contact_name="陈经理",
        contact_phone="0577-88886666",
    )
    services.approve_employer(actor=hr, employer_id=employer.pk)
    dormitory = services.add_dormitory(
        actor=boss,
        employer_id=employer.pk,
        address_id=factories.AddressFactory(grid=city["grids"][0][0]).pk,
        capacity=rows,
    )
    started_on = (timezone.localdate() - dt.timedelta(days=3)).isoformat()
    lines = ["姓名,身份证号,入职日期,宿舍编号"]
    bad = 0
    for n in range(rows):
        birth = dt.date(1980, 1, 1) + dt.timedelta(days=n // 900)
        if n % 50 == 49:
            lines.append(f"工人{n},{bad_id(n % 900)},2026-02-30,")
            bad += 1
        else:
            housed = dormitory.pk if n % 3 == 0 else ""
            lines.append(f"工人{n},{worker_id(n % 900, birth=birth)},{started_on},{housed}")
    content = "\n".join(lines).encode("utf-8")

    with floors.measured() as figures:
        result = services.upload_worker_list(
            actor=boss, employer_id=employer.pk, action="start", filename="w.csv", content=content
        )
    seconds = figures["seconds"]
    floors.record(
        "worker list upload",
        rows=rows,
        figures=figures,
        floor={
            "INSERT ... SELECT of the persons": floors.insert_select_floor(
                "SELECT p.* FROM residents_person p JOIN employment_employment e "
                "ON e.person_id = p.id WHERE e.employer_id = %s",
                [employer.pk],
            ),
            "of the employments": floors.insert_select_floor(
                "SELECT * FROM employment_employment WHERE employer_id = %s", [employer.pk]
            ),
            "of the registrations": floors.insert_select_floor(
                "SELECT r.* FROM residents_registration r JOIN employment_employment e "
                "ON e.registration_id = r.id WHERE e.employer_id = %s",
                [employer.pk],
            ),
            "a transaction per accepted row": floors.transactions_floor(result.rows_accepted),
        },
    )

    print(  # noqa: T201 - a benchmark prints its figures
        f"\nworker list: {rows} rows ({bad} bad) in {seconds:.1f} s, "
        f"{rows / seconds:.0f} rows/s; accepted {result.rows_accepted}"
    )
    assert result.rows_accepted == rows - bad
    assert Employment.objects.filter(employer=employer).count() == rows - bad
    assert {p["row"] for p in result.problems} == {n + 2 for n in range(rows) if n % 50 == 49}
