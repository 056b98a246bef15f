"""Open statistics: no published figure under k = 10, and no hidden figure can be worked out
by subtraction from any total, within a table or across the tables of the area tree."""

from __future__ import annotations

import random

import pytest
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st
from rest_framework.test import APIClient

from portal.areas.models import Area
from portal.dashboard.models import Fact, FactRun
from portal.dashboard.suppression import GRAND, Grid, leaks, suppress

K = 10
KEYS = ("work", "study", "family", "other")
URL = "/api/v1/open-statistics/"


# --- the pure suppression ------------------------------------------------------------------


def test_a_small_cell_hides_a_partner_in_its_row_and_column():
    grid = Grid(
        rows=["a", "b"],
        cols=["x", "y"],
        cells={("a", "x"): 3, ("a", "y"): 40, ("b", "x"): 30, ("b", "y"): 50},
    )

    hidden = suppress(grid, k=K)

    assert hidden == {
        ("cell", "a", "x"),
        ("cell", "a", "y"),
        ("cell", "b", "x"),
        ("cell", "b", "y"),
    }
    assert leaks(grid, hidden) == []


def test_fixed_totals_published_elsewhere_are_never_hidden_but_count_in_equations():
    grid = Grid(
        rows=["a", "b", "c"],
        cols=["x"],
        cells={("a", "x"): 4, ("b", "x"): 20, ("c", "x"): 30},
        with_row_totals=False,
        fixed={("col", "x"): False, GRAND: False},
    )

    hidden = suppress(grid, k=K)

    assert hidden == {("cell", "a", "x"), ("cell", "b", "x")}


@settings(max_examples=150, deadline=None)
@given(
    st.integers(1, 4).flatmap(
        lambda rows: st.integers(1, 4).flatmap(
            lambda cols: st.lists(
                st.integers(0, 30), min_size=rows * cols, max_size=rows * cols
            ).map(lambda values: (rows, cols, values))
        )
    )
)
def test_no_small_cell_is_shown_and_no_equation_gives_one_away(shape):
    rows, cols, values = shape
    grid = Grid(
        rows=list(range(rows)),
        cols=list(range(cols)),
        cells={(r, c): values[r * cols + c] for r in range(rows) for c in range(cols)},
    )

    hidden = suppress(grid, k=K)

    assert all(grid.value(e) >= K for e in grid.entries() if e not in hidden)
    assert leaks(grid, hidden) == []


# --- the public API over crafted small areas ------------------------------------------------


def craft_facts(city: dict, rng: random.Random) -> tuple[FactRun, dict]:
    """Facts of `residents.registered` by reason for every area of the test city, with small
    random counts in the grids summed upward; returns the run and {(area_id, key): value}."""
    month = timezone.localdate().replace(day=1)
    now = timezone.now()
    run = FactRun.objects.create(
        status="finished", first_month=month, last_month=month, started_at=now, finished_at=now
    )
    values: dict[tuple[int, str], int] = {}
    for grid in Area.objects.filter(level="grid"):
        for key in KEYS:
            count = rng.choice([0, 1, 2, 3, 5, 8, 12, 15, 20, 30])
            current = grid
            while current is not None:
                values[(current.pk, key)] = values.get((current.pk, key), 0) + count
                values[(current.pk, "")] = values.get((current.pk, ""), 0) + count
                current = current.parent
    Fact.objects.bulk_create(
        Fact(
            run=run,
            metric="residents.registered",
            area_id=area_id,
            month=month,
            dimension="reason" if key else "",
            key=key,
            value=value,
        )
        for (area_id, key), value in values.items()
    )
    return run, values


def published_values(client: APIClient, month: str) -> dict[tuple[str, str], int | None]:
    """Everything the API shows for every area with children, totals-only and by reason:
    {(area code, key or ""): value, or None where hidden}."""
    shown: dict[tuple[str, str], int | None] = {}

    def put(code: str, key: str, value: int | None) -> None:
        if value is not None:
            assert value >= K
            previous = shown.get((code, key))
            assert previous in (None, value)
            shown[(code, key)] = value
        else:
            shown.setdefault((code, key), None)

    for area in Area.objects.exclude(level="grid"):
        for dimension in ("", "reason"):
            response = client.get(URL, {"area": area.code, "month": month, "dimension": dimension})
            assert response.status_code == 200
            body = response.json()
            put(area.code, "", body["total"]["total"])
            for column, value in zip(body["columns"], body["total"]["cells"], strict=True):
                put(area.code, column["key"], value)
            for row in body["rows"]:
                put(row["area"]["code"], "", row["total"])
                for column, value in zip(body["columns"], row["cells"], strict=True):
                    put(row["area"]["code"], column["key"], value)
    return shown


def attack(known: dict[tuple[str, str], int], true: dict[tuple[str, str], int]) -> set:
    """Work out every figure an attacker can get by subtraction from the published ones: each
    area's total is the sum of its keys and of its children's totals; each key likewise."""
    areas = list(Area.objects.all())
    children: dict[str, list[str]] = {}
    for area in areas:
        if area.parent_id:
            parent = next(a for a in areas if a.pk == area.parent_id)
            children.setdefault(parent.code, []).append(area.code)
    equations = []
    codes = [a.code for a in areas]
    for code in codes:
        equations.append([(code, k) for k in KEYS] + [(code, "")])
        for key in ("", *KEYS):
            if code in children:
                equations.append([(c, key) for c in children[code]] + [(code, key)])
    known = dict(known)
    rebuilt = set()
    changed = True
    while changed:
        changed = False
        for equation in equations:
            unknown = [e for e in equation if e not in known]
            if len(unknown) == 1:
                known[unknown[0]] = true[unknown[0]]
                rebuilt.add(unknown[0])
                changed = True
    return rebuilt


@pytest.mark.parametrize("seed", range(6))
def test_no_hidden_figure_can_be_rebuilt_across_the_area_tree(city, seed):
    run, values = craft_facts(city, random.Random(seed))
    by_code = {a.pk: a.code for a in Area.objects.all()}
    true = {(by_code[area_id], key): value for (area_id, key), value in values.items()}
    for code in by_code.values():
        for key in ("", *KEYS):
            true.setdefault((code, key), 0)

    shown = published_values(APIClient(), run.last_month.strftime("%Y-%m"))

    known = {k: v for k, v in shown.items() if v is not None}
    hidden = {k for k, v in shown.items() if v is None}
    assert hidden, "the crafted counts include small cells"
    assert not (attack(known, true) & hidden)


def test_a_small_district_is_hidden_with_a_partner(city):
    district_a, district_b = city["districts"]
    month = timezone.localdate().replace(day=1)
    now = timezone.now()
    run = FactRun.objects.create(
        status="finished", first_month=month, last_month=month, started_at=now, finished_at=now
    )
    for area, value in ((city["city"], 47), (district_a, 4), (district_b, 43)):
        Fact.objects.create(
            run=run, metric="residents.registered", area=area, month=month, value=value
        )

    body = APIClient().get(URL).json()

    assert [row["total"] for row in body["rows"]] == [None, None]
    assert body["total"]["total"] == 47
    assert body["k"] == K


def test_the_public_page_shows_stars_for_hidden_figures(client, city):
    district_a, district_b = city["districts"]
    month = timezone.localdate().replace(day=1)
    now = timezone.now()
    run = FactRun.objects.create(
        status="finished", first_month=month, last_month=month, started_at=now, finished_at=now
    )
    for area, value in ((city["city"], 47), (district_a, 4), (district_b, 43)):
        Fact.objects.create(
            run=run, metric="residents.registered", area=area, month=month, value=value
        )

    response = client.get("/open-data/")

    content = response.content.decode()
    assert response.status_code == 200
    assert '<td class="num">*</td>' in content
    assert ">47<" in content
    assert ">43<" not in content


def test_bad_parameters_are_named_at_once(city):
    month = timezone.localdate().replace(day=1)
    now = timezone.now()
    FactRun.objects.create(
        status="finished", first_month=month, last_month=month, started_at=now, finished_at=now
    )

    response = APIClient().get(URL, {"month": "1999-01", "dimension": "income"})

    assert response.status_code == 400
    assert set(response.json()["fields"]) == {"month", "dimension"}


def test_the_public_table_downloads_as_excel_with_stars(client, city):
    import io

    from openpyxl import load_workbook

    district_a, district_b = city["districts"]
    month = timezone.localdate().replace(day=1)
    now = timezone.now()
    run = FactRun.objects.create(
        status="finished", first_month=month, last_month=month, started_at=now, finished_at=now
    )
    for area, value in ((city["city"], 47), (district_a, 4), (district_b, 43)):
        Fact.objects.create(
            run=run, metric="residents.registered", area=area, month=month, value=value
        )

    response = client.get("/open-data/export.xlsx")

    rows = [
        list(r)
        for r in load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True)
    ]
    assert [row[1:] for row in rows[-3:]] == [["*"], ["*"], [47]]
    assert any(month.strftime("%Y-%m") in row for row in rows[:6])
