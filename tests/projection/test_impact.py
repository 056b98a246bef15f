"""Impact assessment: a decision projected against the baseline, as a printable report and PDF."""

from __future__ import annotations

import contextlib
import datetime as dt
import re
import zlib

import pytest
from django.urls import reverse

from portal.projection import services
from portal.projection.models import Scenario, ScenarioKind
from tests.projection.conftest import BASE_DATE, make_person, register


def inflated(pdf: bytes) -> bytes:
    """The PDF's compressed streams and object streams, decompressed and joined."""
    out = b""
    for match in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.S):
        with contextlib.suppress(zlib.error):
            out += zlib.decompress(match.group(1))
    return out


@pytest.fixture
def base(addresses, baseline):
    (a1, _), (a2, _) = addresses
    for year in (1985, 1990, 1995, 2021):
        register(make_person(birth=dt.date(year, 1, 1)), a1, start=dt.date(2020, 1, 1))
        register(make_person(birth=dt.date(year, 2, 1), female=True), a2, start=dt.date(2020, 1, 1))
    return services.build_base(on=BASE_DATE)


@pytest.fixture
def decision(as_analyst, base, district_b):
    page = as_analyst.post(
        reverse("projection:decision_new"),
        {
            "name": "新区产业园",
            "description": "第2区新增产业园",
            "jobs_district": district_b.pk,
            "jobs_from_year": "2028",
            "jobs": "2000",
            "school_district": district_b.pk,
            "school_from_year": "2030",
            "school_seats": "45",
            "points_threshold": "",
        },
    )
    scenario = Scenario.objects.get(name="新区产业园")
    assert page.status_code == 302
    assert page["Location"] == reverse("projection:impact", args=[scenario.pk])
    return scenario


def test_a_decision_is_kept_as_a_delta_against_the_baseline(decision, baseline, district_b):
    assert decision.kind == ScenarioKind.DECISION
    assert decision.compared_with == baseline
    assert decision.decisions == [
        {"kind": "jobs", "district": district_b.pk, "from_year": 2028, "jobs": 2000},
        {"kind": "school", "district": district_b.pk, "from_year": 2030, "seats": 45},
    ]


def test_impact_report_shows_population_and_seat_differences_by_year_and_district(
    as_analyst, decision, district_a, district_b
):
    page = as_analyst.get(reverse("projection:impact", args=[decision.pk]))

    assert page.status_code == 200
    rows = {row.label: row.values for row in page.context["differences"]}
    years = page.context["years"]
    assert rows[district_a.name] == [0] * len(years)
    assert rows[district_b.name][: years.index(2028)] == [0, 0]
    assert rows[district_b.name][years.index(2028)] == 3000  # 2,000 jobs x 1.5 persons
    seats = next(s for s in page.context["forecast_differences"] if s["key"] == "school_seats")
    district_b_seats = next(r for r in seats["rows"] if r["label"] == district_b.name)
    assert district_b_seats["cells"][years.index(2029)]["capacity"] == 0
    assert district_b_seats["cells"][years.index(2030)]["capacity"] == 45
    housing = next(
        s for s in page.context["forecast_differences"] if s["key"] == "affordable_housing"
    )
    district_b_homes = next(r for r in housing["rows"] if r["label"] == district_b.name)
    assert district_b_homes["cells"][years.index(2028)]["demand"] > 0
    html = page.content.decode()
    assert "2000" in html or "2,000" in html
    assert "data-print" in html


def test_impact_report_as_pdf_embeds_a_chinese_font(as_analyst, decision):
    page = as_analyst.get(reverse("projection:impact", args=[decision.pk]), {"format": "pdf"})

    assert page.status_code == 200
    assert page["Content-Type"] == "application/pdf"
    assert page.content.startswith(b"%PDF")
    objects = inflated(page.content)
    assert b"/FontFile2" in objects  # the font program itself is in the file
    assert b"WenQuanYi" in objects


def test_decision_form_names_every_incomplete_group_at_once(as_analyst, base, district_b):
    page = as_analyst.post(
        reverse("projection:decision_new"),
        {
            "name": "不完整",
            "jobs_district": district_b.pk,
            "school_seats": "45",
        },
    )

    form = page.context["form"]
    assert page.status_code == 200
    assert set(form.errors) == {"jobs_from_year", "jobs", "school_district", "school_from_year"}
    assert not Scenario.objects.filter(name="不完整").exists()


def test_assumption_scenarios_have_no_impact_report(as_analyst, baseline, base):
    page = as_analyst.get(reverse("projection:impact", args=[baseline.pk]))

    assert page.status_code == 404
