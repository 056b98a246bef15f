"""Benchmark: the city's view at a million persons (一库一图).

Builds the demo city's areas, addresses and boundaries, loads BENCH_PERSONS synthetic persons
(default 1,000,000) with residents.bulk (as `seed_demo --persons` does), then times:
- the rebuild of the monthly facts (every registered metric, 13 months, every area level),
- a rebuild run again (the nightly job on an unchanged registry),
- BENCH_REQUESTS requests (default 200) each of the dashboard and the map, over the city, its
  districts, streets and communities, through the whole Django stack (session, middleware,
  templates), and prints their p50 and p95.
Prints the figures beside the targets (rebuild < 60 s, p95 < 150 ms), and records both
rebuilds beside their floor, measured in the same run: one GROUP BY over the registrations the
facts summarise (those overlapping the window, with their persons and addresses, by grid, sex
and birth year: one pass over the registry), plus one INSERT ... SELECT of the facts written
into a table of the same width without indexes. Asserts only that the facts add up.
"""

from __future__ import annotations

import os
import random
import statistics
import time

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from portal.areas import demo as areas_demo
from portal.areas.models import Address, Area, Level
from portal.dashboard import metrics, services
from portal.demo import SeedContext
from residents import bulk
from tests import factories
from tests.bench import floors

REBUILD_TARGET_S = 60
P95_TARGET_MS = 150


def say(text: str) -> None:
    print(f"bench dashboard: {text}")  # noqa: T201


def timed_requests(client: Client, url: str, areas: list[Area], count: int) -> list[float]:
    rng = random.Random(2026)
    times = []
    for _ in range(count):
        area = rng.choice(areas)
        started = time.perf_counter()
        response = client.get(url, {"area": area.code})
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200
    return times


def p95(times: list[float]) -> float:
    return statistics.quantiles(times, n=20)[-1]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_bench_dashboard(settings):
    count = int(os.environ.get("BENCH_PERSONS", "1000000"))
    requests = int(os.environ.get("BENCH_REQUESTS", "200"))
    areas_demo.seed(SeedContext(rng=random.Random(2026), options={}, write=lambda line: None))
    address_ids = list(Address.objects.order_by("grid__code", "text").values_list("pk", flat=True))
    started = time.perf_counter()
    bulk.load_persons(
        count=count,
        seed=2026,
        address_ids=address_ids,
        today=timezone.localdate(),
        write=lambda line: None,
    )
    say(f"{count:,} persons loaded in {time.perf_counter() - started:.1f} s")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE areas_area")
        cursor.execute("ANALYZE areas_address")

    with floors.measured() as figures:
        run = services.rebuild_facts()
    with floors.measured() as again_figures:
        again = services.rebuild_facts()
    floor = {
        "one GROUP BY over the registry": floors.registry_floor(
            run.first_month, timezone.localdate()
        ),
        "INSERT ... SELECT of the facts": floors.insert_select_floor(
            "SELECT run_id, metric, area_id, month, dimension, key, value FROM dashboard_fact "
            "WHERE run_id = %s",
            [again.pk],
        ),
    }
    floors.record("dashboard facts rebuild", rows=run.rows, figures=figures, floor=floor)
    floors.record(
        "dashboard facts rebuild, again", rows=again.rows, figures=again_figures, floor=floor
    )
    say(
        f"rebuild: {run.rows:,} facts for {run.first_month:%Y-%m}..{run.last_month:%Y-%m} "
        f"in {run.seconds:.1f} s (target < {REBUILD_TARGET_S} s); "
        f"again {again.seconds:.1f} s"
    )

    city = Area.objects.get(level=Level.CITY, code=areas_demo.CITY[0])
    registered = metrics.monthly_values(
        "residents.registered", areas=[city.pk], since=run.last_month
    )
    assert registered[0].value > count * 0.9

    analyst = factories.UserFactory(username="bench_analyst", roles=["analyst"])
    client = Client()
    client.force_login(analyst)
    areas = list(Area.objects.exclude(level=Level.GRID).filter(code__startswith="3310"))
    areas.append(city)
    for name, url in (("dashboard", "/dashboard/"), ("map", "/dashboard/map/")):
        timed_requests(client, url, areas, 5)  # warm the caches and the templates
        times = timed_requests(client, url, areas, requests)
        say(
            f"{name}: {requests} requests over {len(areas)} areas, "
            f"p50 {statistics.median(times):.0f} ms, p95 {p95(times):.0f} ms "
            f"(target < {P95_TARGET_MS} ms)"
        )
