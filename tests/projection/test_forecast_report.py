"""The yearly population forecast report (人口预测报告), printable and as PDF."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from portal.projection import services
from tests import factories
from tests.projection.conftest import BASE_DATE, make_person, register
from tests.projection.test_impact import inflated


@pytest.fixture
def base(addresses, baseline):
    (a1, _), (a2, _) = addresses
    for year in (1970, 1990, 1996, 2015, 2022):
        register(make_person(birth=dt.date(year, 1, 1)), a1, start=dt.date(2020, 1, 1))
        register(make_person(birth=dt.date(year, 3, 1), female=True), a2, start=dt.date(2020, 1, 1))
    return services.build_base(on=BASE_DATE)


def test_report_gives_the_baseline_by_district_age_group_and_year(as_analyst, base, district_a):
    page = as_analyst.get(reverse("projection:report"))

    html = page.content.decode()
    assert page.status_code == 200
    assert page.context["years"][0] == 2026
    assert page.context["years"][-1] == 2041
    summary = page.context["summary"]
    assert [s["year"] for s in summary] == [2026, 2031, 2036, 2041]
    assert summary[0]["total"] == 10
    assert district_a.name in html
    assert "2020:1.2, 2030:1.8" in html  # the plan's fertility, stated with the figures
    city = page.context["rows"][-1]
    assert city.values[0] == 10


def test_report_as_pdf(as_analyst, base):
    page = as_analyst.get(reverse("projection:report"), {"format": "pdf"})

    assert page["Content-Type"] == "application/pdf"
    assert b"WenQuanYi" in inflated(page.content)


def test_report_is_for_analysts_only(client, base):
    client.force_login(factories.UserFactory(username="resident_r"))

    assert client.get(reverse("projection:report")).status_code == 404
