"""Every dashboard table downloads as .xlsx with its filters in the header rows."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from portal.dashboard import demo


def sheet_of(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    return load_workbook(io.BytesIO(response.content)).active


@pytest.mark.parametrize(
    "table", ["children", "trend", "services", "age_sex", "origin", "reason", "tenure"]
)
def test_each_table_exports_with_its_filters(client, analyst, built, district_a, table):
    client.force_login(analyst)
    month = built.last_month.strftime("%Y-%m")

    sheet = sheet_of(
        client.get(
            reverse("dashboard:export", args=[table]), {"area": district_a.code, "month": month}
        )
    )

    values = [list(row) for row in sheet.iter_rows(values_only=True)]
    header = {row[0]: row[1] for row in values[1:5] if row and row[0]}
    assert any(district_a.code in str(v) for v in header.values())
    if table != "trend":
        assert month in header.values()


def test_children_export_matches_the_page(client, analyst, built, city):
    client.force_login(analyst)
    page = client.get(reverse("dashboard:home")).context["children"]

    sheet = sheet_of(client.get(reverse("dashboard:export", args=["children"])))

    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    start = rows.index(list(page.columns))
    assert rows[start + 1 :] == page.rows


def test_indicators_export(client, analyst, built):
    demo.put_plan_indicators()
    client.force_login(analyst)

    sheet = sheet_of(client.get(reverse("dashboard:export", args=["indicators"])))

    names = [row[0] for row in sheet.iter_rows(values_only=True)]
    assert "常住总人口" in names or "Resident population" in names


def test_unknown_table_is_404(client, analyst, built):
    client.force_login(analyst)
    assert client.get(reverse("dashboard:export", args=["persons"])).status_code == 404
