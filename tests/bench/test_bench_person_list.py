"""Benchmark: the police reviewer's person list (`GET /api/v1/persons/` as police1) at scale.

Seeds the demo city with BENCH_PERSONS synthetic persons (default 200,000; `seed_demo
--persons`, about 100 persons per standard address), then, as police1 (public security, the
first district), times the first page, walks 50 pages by their `next` links and times the page
after them, and prints the query plan of that deep page. Each page is measured beside its
floor: the same number of persons read along the primary key with no scope at all, and put
through the list's own serializer.

Prints the figures; asserts only that the pages are full and no person comes twice.
"""

from __future__ import annotations

import os
import time
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.models.functions import Length
from rest_framework.test import APIClient

from portal import throttling
from portal.accounts.models import User
from residents import selectors
from residents.api import PersonOut
from residents.models import Person
from residents.pagination import PAGE_SIZE
from tests.bench import floors

WALKED_PAGES = 50
DEMO_GRIDS = 200
PERSONS_PER_ADDRESS = 100
PAGE_FLOOR_SQL = "SELECT * FROM residents_person WHERE id > %s ORDER BY id LIMIT %s"


def say(text: str) -> None:
    print(f"bench person list: {text}")  # noqa: T201 - a benchmark prints its figures


def page_floor(after: int) -> dict[str, float]:
    persons = list(Person.objects.filter(id__gt=after).order_by("id")[:PAGE_SIZE])
    return {
        "the page by primary key, unscoped": floors.join_floor(
            PAGE_FLOOR_SQL, [after, PAGE_SIZE + 1]
        ),
        "serializing it": floors.cpu_floor(lambda: PersonOut(persons, many=True).data),
    }


@pytest.mark.django_db
def test_bench_police_person_list(settings, monkeypatch):
    count = int(os.environ.get("BENCH_PERSONS", "200000"))
    settings.DEMO_MODE = True
    per_grid = max(10, -(-count // (DEMO_GRIDS * PERSONS_PER_ADDRESS)))
    started = time.perf_counter()
    call_command(
        "seed_demo",
        "--persons",
        str(count),
        "--addresses-per-grid",
        str(per_grid),
        stdout=StringIO(),
    )
    with connection.cursor() as cursor:
        for table in ("residents_person", "residents_registration", "areas_address", "areas_area"):
            cursor.execute(f"ANALYZE {table}")
    say(f"{count:,} persons seeded in {time.perf_counter() - started:.1f} s")
    monkeypatch.setattr(throttling, "PERSON_LIST_THROTTLES", ())
    police = User.objects.get(username="police1")
    api = APIClient()
    api.force_authenticate(police)
    api.get("/api/v1/me/")  # the first request of a process loads what every later one reuses

    with floors.measured() as figures:
        body = api.get("/api/v1/persons/").json()
    assert len(body["results"]) == PAGE_SIZE
    floors.record(
        "person list, first page (police1)",
        rows=len(body["results"]),
        figures=figures,
        floor=page_floor(0),
    )

    seen = [row["id"] for row in body["results"]]
    started = time.perf_counter()
    for _ in range(WALKED_PAGES):
        body = api.get(body["next"]).json()
        seen += [row["id"] for row in body["results"]]
    walked = time.perf_counter() - started
    say(
        f"{WALKED_PAGES} pages walked by `next` in {walked:.2f} s "
        f"({walked / WALKED_PAGES * 1000:.0f} ms a page)"
    )
    assert len(seen) == len(set(seen)) == (WALKED_PAGES + 1) * PAGE_SIZE

    with floors.measured() as figures:
        deep = api.get(body["next"]).json()
    assert len(deep["results"]) == PAGE_SIZE
    assert not {row["id"] for row in deep["results"]} & set(seen)
    floors.record(
        f"person list, page {WALKED_PAGES + 2} (police1)",
        rows=len(deep["results"]),
        figures=figures,
        floor=page_floor(seen[-1]),
    )

    queryset = selectors.persons_visible_to(police).filter(id__gt=seen[-1])[: PAGE_SIZE + 1]
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}", params)
        plan = [line for (line,) in cursor.fetchall()]
    say(f"plan of page {WALKED_PAGES + 2}:\n" + "\n".join(plan))

    # A name search for a rare part: the last two characters of a three-character name, which
    # only the reversed-name index finds without walking the scope.
    rare = (
        Person.objects.alias(length=Length("name"))
        .filter(length=3, pk__in=seen)
        .values_list("name", flat=True)
        .first()
    )
    part = rare[1:]
    with floors.measured() as figures:
        found = api.get("/api/v1/persons/", {"name": part}).json()["results"]
    assert found
    assert all(part in row["name"] for row in found)
    ids = [row["id"] for row in found]
    matches = list(Person.objects.filter(pk__in=ids).order_by("id"))
    floors.record(
        f"person list, name search {part!r} (police1)",
        rows=len(found),
        figures=figures,
        floor={
            "the matching persons by primary key": floors.join_floor(
                "SELECT * FROM residents_person WHERE id = ANY(%s) ORDER BY id", [ids]
            ),
            "serializing them": floors.cpu_floor(lambda: PersonOut(matches, many=True).data),
        },
    )
