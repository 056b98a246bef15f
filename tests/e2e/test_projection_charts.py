"""The projection pages in a real browser: the analyst's menu entry, the vendored ECharts charts
drawn under the content-security policy, and the report's print button."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import expect

from portal.projection import services
from tests import factories
from tests.e2e.test_permit_flow import sign_in
from tests.projection.conftest import BASE_DATE, ensure_baseline, make_person, register


@pytest.mark.e2e
def test_analyst_sees_the_projection_charts_drawn(page, console_errors, departments):
    city = factories.build_area_tree()
    address = factories.AddressFactory(grid=city["grids"][0][0])
    for year in (1980, 1990, 2000, 2020):
        register(make_person(birth=dt.date(year, 5, 1)), address, start=dt.date(2021, 1, 1))
        register(
            make_person(birth=dt.date(year, 6, 1), female=True), address, start=dt.date(2021, 1, 1)
        )
    ensure_baseline()
    services.build_base(on=BASE_DATE)
    factories.UserFactory(username="analyst_e2e", roles=["analyst"])

    sign_in(page, "analyst_e2e")
    page.get_by_role("navigation", name="主菜单").get_by_role("link", name="人口预测").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("人口预测")
    expect(page.locator(".chart canvas")).to_have_count(2)  # the trend and the pyramid
    page.get_by_role("link", name="人口预测报告").click()
    expect(page.get_by_role("button", name="打印")).to_be_visible()
    assert console_errors == []
