"""The demo's part of the city's view: table 1 of the population plan (人口发展规划 2016-2030,
表1 人口预期发展目标) as indicators, and the monthly facts rebuilt from the seeded city."""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from portal.dashboard import services
from portal.dashboard.models import Direction, Indicator, IndicatorTarget
from portal.demo import SeedContext

PLAN_SOURCE = "营口市人口发展规划（2016—2030年）表1"

# code, category, name, English name, unit, direction, 2015, 2020, 2030, tolerance
PLAN_TABLE_1 = (
    ("population", "人口数量", "常住总人口", "Resident population", "万人", Direction.UP,
     "244.3", "245", "260", "1"),
    ("tfr", "人口数量", "总和生育率", "Total fertility rate", "", Direction.UP,
     "0.71", "1.2", "1.8", "0.05"),
    ("srb", "人口结构", "出生人口性别比", "Sex ratio at birth", "女=100", Direction.STEADY,
     "107", "107", "107", "2"),
    ("life_expectancy", "人口素质", "人均预期寿命", "Life expectancy at birth", "岁",
     Direction.UP, "78.75", "79.75", "81", "0.2"),
    ("schooling_years", "人口素质", "劳动年龄人口平均受教育年限",
     "Average years of schooling of the working-age population", "年", Direction.UP,
     "10.5", "11", "12", "0.1"),
    ("urbanisation", "人口分布", "常住人口城镇化率", "Urbanisation rate of the resident population",
     "%", Direction.UP, "64.17", "67", "72", "0.5"),
)  # fmt: skip


@transaction.atomic
def put_plan_indicators() -> list[Indicator]:
    """Table 1's indicators with their 2015 baselines and 2020/2030 targets (by code; rerun
    brings them back to the plan's figures)."""
    indicators = []
    for order, row in enumerate(PLAN_TABLE_1, start=1):
        code, category, name, name_en, unit, direction, base, t2020, t2030, tolerance = row
        indicator, _created = Indicator.objects.update_or_create(
            code=code,
            defaults={
                "category": category,
                "name": name,
                "name_en": name_en,
                "unit": unit,
                "direction": direction,
                "baseline_year": 2015,
                "baseline_value": Decimal(base),
                "tolerance": Decimal(tolerance),
                "source": PLAN_SOURCE,
                "order": order,
            },
        )
        for year, value in ((2020, t2020), (2030, t2030)):
            IndicatorTarget.objects.update_or_create(
                indicator=indicator, year=year, defaults={"value": Decimal(value)}
            )
        indicators.append(indicator)
    return indicators


def seed(ctx: SeedContext) -> None:
    indicators = put_plan_indicators()
    run = services.rebuild_facts()
    ctx.write(
        _("City view: %(indicators)d plan indicators; %(rows)d monthly facts in %(seconds).1f s.")
        % {"indicators": len(indicators), "rows": run.rows, "seconds": run.seconds}
    )
