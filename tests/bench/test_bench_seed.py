"""Benchmark: the synthetic-population loader (residents.bulk) at a million persons.

Prints the time and rows per second; asserts only that the rows arrived. The size comes from
BENCH_PERSONS (default 1,000,000).
"""

from __future__ import annotations

import os
import time
from io import StringIO

from django.core.management import call_command
from django.utils import timezone

from portal.areas.models import Address
from residents import bulk
from residents.models import Person, Registration


def test_bench_load_synthetic_persons(db, settings):
    count = int(os.environ.get("BENCH_PERSONS", "1000000"))
    settings.DEMO_MODE = True
    call_command("seed_demo", stdout=StringIO())
    persons_before = Person.objects.count()
    address_ids = list(Address.objects.order_by("grid__code", "text").values_list("pk", flat=True))

    started = time.perf_counter()
    persons, registrations = bulk.load_persons(
        count=count,
        seed=2026,
        address_ids=address_ids,
        today=timezone.localdate(),
        write=print,
    )
    elapsed = time.perf_counter() - started

    print(  # noqa: T201
        f"\nbench seed: {persons:,} persons and {registrations:,} registrations "
        f"in {elapsed:.1f} s = {persons / elapsed:,.0f} persons/s, "
        f"{(persons + registrations) / elapsed:,.0f} rows/s"
    )
    assert persons == count
    assert Person.objects.count() == persons_before + count
    assert Registration.objects.filter(end_date__isnull=True).count() >= count
