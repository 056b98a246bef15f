"""Benchmark: the synthetic-population loader (residents.bulk) at a million persons.

Prints the time and rows per second beside the floor measured in the same run (making the same
number of rows with the generator in memory, which one random sequence keeps on one thread,
plus a COPY of the persons and registrations written into tables of the same width); asserts
only that the rows arrived. The size comes from
BENCH_PERSONS (default 1,000,000).
"""

from __future__ import annotations

import collections
import os
import random
from io import StringIO

from django.core.management import call_command
from django.utils import timezone

from portal.areas.models import Address
from residents import bulk
from residents.models import Person, Registration
from tests.bench import floors

SAMPLE = 200_000


def generation_floor(count: int, address_ids: list[int]) -> float:
    """Seconds to make `count` rows with the loader's generator in memory, on one thread (the
    rows come from one random sequence, which only one thread can walk); above SAMPLE rows a
    sample is timed and scaled."""
    rows = bulk.generate(
        random.Random(1),
        count=min(count, SAMPLE),
        address_ids=address_ids,
        today=timezone.localdate(),
    )
    seconds = floors.cpu_floor(lambda: collections.deque(rows, maxlen=0))
    return seconds * count / min(count, SAMPLE)


def test_bench_load_synthetic_persons(db, settings):
    count = int(os.environ.get("BENCH_PERSONS", "1000000"))
    settings.DEMO_MODE = True
    call_command("seed_demo", stdout=StringIO())
    persons_before = Person.objects.count()
    address_ids = list(Address.objects.order_by("grid__code", "text").values_list("pk", flat=True))

    with floors.measured() as figures:
        persons, registrations = bulk.load_persons(
            count=count,
            seed=2026,
            address_ids=address_ids,
            today=timezone.localdate(),
            write=print,
        )
    elapsed = figures["seconds"]
    first = Person.objects.order_by("-pk").values_list("pk", flat=True)[count - 1]
    floor = {
        "making the rows in memory (one random sequence)": generation_floor(count, address_ids),
        "COPY of the persons": floors.copy_floor(
            "SELECT * FROM residents_person WHERE id >= %s", [first]
        ),
        "COPY of the registrations": floors.copy_floor(
            "SELECT * FROM residents_registration WHERE person_id >= %s", [first]
        ),
    }
    floors.record("seed persons", rows=persons + registrations, figures=figures, floor=floor)

    print(  # noqa: T201
        f"\nbench seed: {persons:,} persons and {registrations:,} registrations "
        f"in {elapsed:.1f} s = {persons / elapsed:,.0f} persons/s, "
        f"{(persons + registrations) / elapsed:,.0f} rows/s"
    )
    assert persons == count
    assert Person.objects.count() == persons_before + count
    assert Registration.objects.filter(end_date__isnull=True).count() >= count
