"""The city's view in a real browser: the dashboard's charts and the map are drawn (non-empty
canvases) with the right labels, and clicking an area on the map drills down."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone
from playwright.sync_api import expect

from portal.areas.models import Address
from portal.dashboard import services
from residents import bulk
from tests import factories

INK = """el => {
  const canvas = el.querySelector('canvas');
  if (!canvas) return 0;
  const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
  let inked = 0;
  for (let i = 3; i < data.length; i += 4) { if (data[i] > 0) inked++; }
  return inked;
}"""


def square(west: float, south: float) -> dict:
    east, north = west + 0.1, south + 0.1
    ring = [[west, south], [east, south], [east, north], [west, north], [west, south]]
    return {"type": "Polygon", "coordinates": [ring]}


@pytest.fixture
def city_with_facts(city):
    for index, district in enumerate(city["districts"]):
        district.boundary = square(121.0 + 0.1 * index, 28.0)
        district.save(update_fields=["boundary"])
        street = district.children.get()
        street.boundary = district.boundary
        street.save(update_fields=["boundary"])
    for grids in city["grids"]:
        for grid in grids:
            factories.AddressFactory(grid=grid)
    bulk.load_persons(
        count=300,
        seed=11,
        address_ids=list(Address.objects.values_list("pk", flat=True)),
        today=timezone.localdate(),
        write=lambda line: None,
    )
    services.rebuild_facts()
    return city


def sign_in(page, live_server, user):
    client = Client()
    client.force_login(user)
    name = settings.SESSION_COOKIE_NAME
    page.context.add_cookies(
        [{"name": name, "value": client.cookies[name].value, "url": live_server.url}]
    )


@pytest.mark.e2e
def test_dashboard_draws_its_charts(page, live_server, city_with_facts, console_errors):
    analyst = factories.UserFactory(username="analyst_e2e", roles=["analyst"])
    sign_in(page, live_server, analyst)

    page.goto("/dashboard/")

    expect(page.get_by_role("heading", level=1)).to_contain_text("新居民")
    for name, caption in (
        ("trend", "月度趋势"),
        ("pyramid", "年龄性别结构"),
        ("origin", "户籍省份"),
        ("reason", "居住事由"),
        ("tenure", "住所类型"),
    ):
        chart = page.locator(f"[data-chart={name}]")
        expect(chart).to_have_attribute("data-drawn", "true")
        figure = page.locator("figure", has=chart)
        expect(figure.locator("figcaption")).to_have_text(caption)
        assert chart.evaluate(INK) > 500, name
    # ECharts' own accessible description names the series it drew.
    trend_label = page.locator("[data-chart=trend]").get_attribute("aria-label")
    assert "登记新居民" in trend_label
    pyramid_label = page.locator("[data-chart=pyramid]").get_attribute("aria-label")
    assert "男" in pyramid_label
    assert "女" in pyramid_label
    # Every chart downloads as a PNG through ECharts' own save-as-picture tool.
    saved = page.locator("[data-chart=origin]").evaluate(
        """el => {
          const chart = echarts.getInstanceByDom(el);
          return [chart.getOption().toolbox[0].feature.saveAsImage.title,
                  chart.getDataURL({type: 'png'}).slice(0, 22)];
        }"""
    )
    assert saved == ["保存为图片", "data:image/png;base64,"]
    assert console_errors == []


@pytest.mark.e2e
def test_map_draws_the_areas_and_drills_down_on_click(
    page, live_server, city_with_facts, console_errors
):
    analyst = factories.UserFactory(username="analyst_map", roles=["analyst"])
    sign_in(page, live_server, analyst)
    first = city_with_facts["districts"][0]

    page.goto("/dashboard/map/")

    chart = page.locator("[data-chart=map]")
    expect(chart).to_have_attribute("data-drawn", "true")
    assert chart.evaluate(INK) > 500
    expect(page.locator("figure figcaption").first).to_contain_text("登记新居民")
    assert first.code in chart.get_attribute("aria-label")
    chart.scroll_into_view_if_needed()
    point = chart.evaluate(
        """(el, lnglat) => echarts.getInstanceByDom(el)
              .convertToPixel({seriesIndex: 0}, lnglat)""",
        [121.05, 28.05],
    )
    box = chart.bounding_box()
    page.mouse.click(box["x"] + point[0], box["y"] + point[1])

    expect(page).to_have_url(f"{live_server.url}/dashboard/map/?area={first.code}", timeout=10_000)
    expect(page.get_by_role("heading", level=1)).to_contain_text(first.name)
    expect(page.locator("[data-chart=map]")).to_have_attribute("data-drawn", "true")
    assert console_errors == []


@pytest.mark.e2e
def test_map_of_areas_without_boundaries_says_so(
    page, live_server, city_with_facts, console_errors
):
    analyst = factories.UserFactory(username="analyst_nomap", roles=["analyst"])
    sign_in(page, live_server, analyst)
    community = city_with_facts["grids"][0][0].parent

    page.goto(f"/dashboard/map/?area={community.code}")

    expect(page.locator("[data-chart=map]")).to_have_text("无边界数据")
    assert console_errors == []
