"""The plan's indicators as data: table 1 of the plan, values entered with source and date
(or computed from the facts), status against the path to the targets."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from portal.dashboard import demo, indicators, services
from portal.dashboard.models import Direction, Indicator, IndicatorValue
from portal.errors import InvalidInput


@pytest.fixture
def plan(db):
    return {i.code: i for i in demo.put_plan_indicators()}


def test_the_demo_holds_table_1_of_the_plan(plan):
    rows = {
        i.name: (
            i.unit,
            i.baseline_year,
            i.baseline_value,
            [(t.year, t.value) for t in i.targets.all()],
        )
        for i in Indicator.objects.prefetch_related("targets")
    }

    assert rows == {
        "常住总人口": (
            "万人",
            2015,
            Decimal("244.3"),
            [(2020, Decimal(245)), (2030, Decimal(260))],
        ),
        "总和生育率": ("", 2015, Decimal("0.71"), [(2020, Decimal("1.2")), (2030, Decimal("1.8"))]),
        "出生人口性别比": (
            "女=100",
            2015,
            Decimal(107),
            [(2020, Decimal(107)), (2030, Decimal(107))],
        ),
        "人均预期寿命": (
            "岁",
            2015,
            Decimal("78.75"),
            [(2020, Decimal("79.75")), (2030, Decimal(81))],
        ),
        "劳动年龄人口平均受教育年限": (
            "年",
            2015,
            Decimal("10.5"),
            [(2020, Decimal(11)), (2030, Decimal(12))],
        ),
        "常住人口城镇化率": (
            "%",
            2015,
            Decimal("64.17"),
            [(2020, Decimal(67)), (2030, Decimal(72))],
        ),
    }
    demo.put_plan_indicators()
    assert Indicator.objects.count() == 6


def test_plan_path_runs_straight_from_the_baseline_through_each_target(plan):
    tfr = plan["tfr"]
    targets = [(t.year, t.value) for t in tfr.targets.all()]

    assert indicators.path_value(tfr, targets, 2015) == Decimal("0.71")
    assert indicators.path_value(tfr, targets, 2020) == Decimal("1.2")
    assert indicators.path_value(tfr, targets, 2025) == Decimal("1.5")
    assert indicators.path_value(tfr, targets, 2035) == Decimal("1.8")


@pytest.mark.parametrize(
    ("code", "year", "value", "status"),
    [
        ("urbanisation", 2020, "67.2", indicators.Status.ON_TRACK),
        ("urbanisation", 2020, "66.6", indicators.Status.ON_TRACK),  # within the tolerance
        ("urbanisation", 2020, "65.0", indicators.Status.BEHIND),
        ("urbanisation", 2024, "72.5", indicators.Status.ACHIEVED),
        ("srb", 2020, "108.5", indicators.Status.ON_TRACK),
        ("srb", 2020, "110", indicators.Status.BEHIND),
    ],
)
def test_status_against_the_plan(plan, analyst, code, year, value, status):
    services.record_indicator_value(
        actor=analyst,
        indicator=plan[code],
        year=year,
        value=Decimal(value),
        source="统计年鉴",
        published_on=dt.date(2021, 3, 1),
    )

    view = indicators.view_of(
        Indicator.objects.prefetch_related("targets", "values").get(code=code), city_id=None
    )

    assert view.status == status
    assert view.latest.source == "统计年鉴"


def test_without_a_value_the_status_says_so(plan):
    view = indicators.view_of(plan["tfr"], city_id=None)
    assert view.status == indicators.Status.NO_DATA
    assert view.chart()["actual"][0] == 0.71


def test_entering_a_year_again_keeps_the_old_value_as_superseded(plan, analyst):
    for value in ("66", "66.5"):
        services.record_indicator_value(
            actor=analyst,
            indicator=plan["urbanisation"],
            year=2020,
            value=Decimal(value),
            source="统计公报",
            published_on=dt.date(2021, 4, 1),
        )

    rows = IndicatorValue.objects.filter(indicator=plan["urbanisation"]).order_by(
        "entered_at", "id"
    )
    assert [(r.value, r.superseded_at is None) for r in rows] == [
        (Decimal(66), False),
        (Decimal("66.5"), True),
    ]


def test_bad_values_are_named_all_at_once(plan, analyst):
    with pytest.raises(InvalidInput) as caught:
        services.record_indicator_value(
            actor=analyst,
            indicator=plan["tfr"],
            year=2010,
            value=Decimal(1),
            source=" ",
            published_on=dt.date(2999, 1, 1),
        )

    assert set(caught.value.fields) == {"source", "year", "published_on"}
    assert not IndicatorValue.objects.exists()


def test_an_indicator_computed_from_the_facts(built, city):
    indicator = Indicator.objects.create(
        code="new_residents",
        name="新居民登记人数",
        unit="万人",
        baseline_year=2020,
        baseline_value=Decimal(0),
        metric="residents.registered",
        metric_scale=Decimal("0.0001"),
        direction=Direction.UP,
    )

    view = indicators.view_of(indicator, city_id=city["city"].pk)

    assert view.latest.computed
    assert view.latest.year == built.last_month.year
    assert view.latest.value > 0


def test_indicator_page_and_value_entry(client, analyst, plan):
    client.force_login(analyst)

    page = client.get(reverse("dashboard:indicators"))
    response = client.post(
        reverse("dashboard:indicator_value", args=["tfr"]),
        {"year": 2020, "value": "1.1", "source": "卫健委年报", "published_on": "2021-05-01"},
    )

    assert page.status_code == 200
    assert 'id="indicator-data"' in page.content.decode()
    assert response.status_code == 302
    assert IndicatorValue.objects.get(indicator=plan["tfr"]).entered_by == analyst


def test_value_entry_shows_the_service_errors(client, analyst, plan):
    client.force_login(analyst)

    response = client.post(
        reverse("dashboard:indicator_value", args=["tfr"]),
        {"year": 2010, "value": "1.1", "source": "x", "published_on": "2021-05-01"},
    )

    assert response.status_code == 200
    assert response.context["form"].errors["year"]


def test_leaders_read_the_indicators_but_cannot_enter_values(client, leader_a, plan):
    client.force_login(leader_a)

    assert client.get(reverse("dashboard:indicators")).status_code == 200
    url = reverse("dashboard:indicator_value", args=["tfr"])
    assert client.get(url).status_code == 404
    assert (
        client.post(
            url, {"year": 2020, "value": "1", "source": "x", "published_on": "2021-01-01"}
        ).status_code
        == 404
    )
