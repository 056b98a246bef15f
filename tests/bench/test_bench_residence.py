"""Benchmark: the months-of-continuous-residence criterion over a million residents.

Builds the demo city's areas and addresses and loads BENCH_PERSONS synthetic persons (default
1,000,000) with residents.bulk (moves give some of them several registrations), then times the
`residents.residence_months` criterion (one streamed query of every current resident's
registrations and restarts, portal.periods.continuous_since in memory, the ids back as one
array) for 6, 12 and 24 months, once with the permit policy's gap allowance at 0 days and once at
90, and the audience count staff see before publishing a policy with it.

The 12-month run of the criterion (at each gap) is recorded beside its floor, measured in the
same run: one query of the same registrations (every registration begun by the day, in person
order, fetched), which any way of applying the rule has to read.

Prints the figures; asserts only that the criterion agrees with the per-person selector
(residents.selectors.continuous_residence_months, the same rule) on a sample of 500 residents.
Runs with real commits (a transactional test), as the Celery job does.
"""

from __future__ import annotations

import os
import random
import time

import pytest
from django.db import connection
from django.utils import timezone

from portal.areas import demo as areas_demo
from portal.areas.models import Address
from portal.demo import SeedContext
from portal.notices import services as notice_services
from residents import bulk, criteria, selectors
from residents.models import PermitPolicy, Person
from tests.bench import floors

SAMPLE = 500
RECORDED_MONTHS = 12
REGISTRATIONS_SQL = (
    "SELECT person_id, start_date, end_date, counted_from FROM residents_registration "
    "WHERE start_date <= %s ORDER BY person_id"
)


def say(text: str) -> None:
    print(f"bench residence: {text}")  # noqa: T201


def chosen_ids(months: int, on) -> set[int]:
    built = criteria.build_residence_months({"months": months}, on)
    with connection.cursor() as cursor:
        cursor.execute(built.text, list(built.params))
        return {row[0] for row in cursor.fetchall()}


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_bench_residence_months_criterion():
    count = int(os.environ.get("BENCH_PERSONS", "1000000"))
    areas_demo.seed(SeedContext(rng=random.Random(2026), options={}, write=lambda line: None))
    today = timezone.localdate()
    address_ids = list(Address.objects.order_by("grid__code", "text").values_list("pk", flat=True))
    started = time.perf_counter()
    bulk.load_persons(
        count=count, seed=2026, address_ids=address_ids, today=today, write=lambda line: None
    )
    say(f"{count:,} persons loaded in {time.perf_counter() - started:.1f} s")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE areas_area")
        cursor.execute("ANALYZE areas_address")
        cursor.execute("SELECT count(*) FROM residents_registration")
        (registrations,) = cursor.fetchone()
    say(f"{registrations:,} registrations")

    results: dict[tuple[int, int], set[int]] = {}
    for gap_days in (0, 90):
        PermitPolicy.objects.update(continuity_gap_days=gap_days)
        for months in (6, 12, 24):
            with floors.measured() as figures:
                results[gap_days, months] = chosen_ids(months, today)
            elapsed = figures["seconds"]
            if months == RECORDED_MONTHS:
                floors.record(
                    f"residence >= {months} months, gap {gap_days} days",
                    rows=registrations,
                    figures=figures,
                    floor={
                        "one query of the registrations": floors.join_floor(
                            REGISTRATIONS_SQL, [today]
                        )
                    },
                )
            say(
                f"gap {gap_days} days, >= {months} months: "
                f"{len(results[gap_days, months]):,} residents in {elapsed:.2f} s "
                f"({count / elapsed:,.0f} persons/s)"
            )
        started = time.perf_counter()
        audience = notice_services.count_audience(
            target=[{"criterion": "residents.residence_months", "params": {"months": 12}}]
        )
        say(
            f"gap {gap_days} days: policy audience count (>= 12 months) {audience:,} "
            f"in {time.perf_counter() - started:.2f} s"
        )
        assert audience == len(results[gap_days, 12])

    # The same rule, one person at a time, on a sample (gap 90 days, in force now).
    sample = list(Person.objects.order_by("?").values_list("pk", flat=True)[:SAMPLE])
    started = time.perf_counter()
    for person in Person.objects.filter(pk__in=sample):
        held = selectors.continuous_residence_months(person, on=today)
        has_current = selectors.current_registration(person) is not None
        assert (person.pk in results[90, 12]) == (has_current and held >= 12)
    say(
        f"per-person selector agrees on {len(sample)} residents "
        f"({(time.perf_counter() - started) / len(sample) * 1000:.1f} ms each)"
    )
