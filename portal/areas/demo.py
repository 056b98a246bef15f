"""The demo city's areas and addresses (docs/domain.md "The demo city").

A fictional city, 东瓯市, laid over a box around longitude 121.2, latitude 28.1: three districts
as west-to-east strips, each split into four streets or towns (south to north), each of those
into three or four communities or villages (west to east), each of those into five grids
(south to north). Every boundary is a rectangle, so children tile their parent exactly.

The layout does not depend on the seed: the city is the same for every run, and rerunning only
updates it in place (areas by division code, addresses by their unique key).
"""

from __future__ import annotations

import itertools
import random
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from portal.areas.models import Address, Area, Level
from portal.demo import SeedContext

ADDRESSES_PER_GRID = 10
GRIDS_PER_COMMUNITY = 5

CITY = ("331083000000", "东瓯市", "Dong'ou")

# Bounding box in millionths of a degree, so that shared edges are exactly equal.
WEST, EAST = 121_050_000, 121_350_000
SOUTH, NORTH = 28_000_000, 28_200_000


@dataclass(frozen=True)
class StreetPlan:
    name: str
    name_en: str
    town: bool
    roads: tuple[str, ...]
    communities: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class DistrictPlan:
    code: str
    name: str
    name_en: str
    streets: tuple[StreetPlan, ...]


DISTRICTS = (
    DistrictPlan(
        "331002",
        "滨海区",
        "Binhai District",
        (
            StreetPlan(
                "海门街道",
                "Haimen Subdistrict",
                False,
                ("海门路", "东海大道", "人民东路", "解放南街"),
                (("东门", "Dongmen"), ("西门", "Ximen"), ("府前", "Fuqian"), ("星光", "Xingguang")),
            ),
            StreetPlan(
                "白云街道",
                "Baiyun Subdistrict",
                False,
                ("白云山路", "市府大道", "青年路", "椒江南路"),
                (
                    ("白云", "Baiyun"),
                    ("望江", "Wangjiang"),
                    ("青年", "Qingnian"),
                    ("文化", "Wenhua"),
                ),
            ),
            StreetPlan(
                "东山街道",
                "Dongshan Subdistrict",
                False,
                ("东山路", "学院路", "健康路"),
                (("东山", "Dongshan"), ("学院", "Xueyuan"), ("健康", "Jiankang")),
            ),
            StreetPlan(
                "沙门镇",
                "Shamen Town",
                True,
                (),
                (("沙门", "Shamen"), ("前山", "Qianshan"), ("后洋", "Houyang")),
            ),
        ),
    ),
    DistrictPlan(
        "331003",
        "江南区",
        "Jiangnan District",
        (
            StreetPlan(
                "南城街道",
                "Nancheng Subdistrict",
                False,
                ("南城路", "劳动南路", "江滨西路", "环城南路"),
                (
                    ("南城", "Nancheng"),
                    ("锦绣", "Jinxiu"),
                    ("华景", "Huajing"),
                    ("枫南", "Fengnan"),
                ),
            ),
            StreetPlan(
                "新前街道",
                "Xinqian Subdistrict",
                False,
                ("新前路", "双江路", "北院大道"),
                (("新前", "Xinqian"), ("双江", "Shuangjiang"), ("朝阳", "Chaoyang")),
            ),
            StreetPlan(
                "江口街道",
                "Jiangkou Subdistrict",
                False,
                ("江口路", "永宁路", "太平街"),
                (("江口", "Jiangkou"), ("永宁", "Yongning"), ("太平", "Taiping")),
            ),
            StreetPlan(
                "头陀镇",
                "Toutuo Town",
                True,
                (),
                (("上洋", "Shangyang"), ("下岙", "Xia'ao"), ("石塘", "Shitang")),
            ),
        ),
    ),
    DistrictPlan(
        "331004",
        "新城区",
        "Xincheng District",
        (
            StreetPlan(
                "路北街道",
                "Lubei Subdistrict",
                False,
                ("银座街", "商城路", "中山路", "凤凰路"),
                (
                    ("银座", "Yinzuo"),
                    ("金桥", "Jinqiao"),
                    ("中山", "Zhongshan"),
                    ("凤凰", "Fenghuang"),
                ),
            ),
            StreetPlan(
                "螺洋街道",
                "Luoyang Subdistrict",
                False,
                ("螺洋路", "育才路", "花园路"),
                (("螺洋", "Luoyang"), ("育才", "Yucai"), ("花园", "Huayuan")),
            ),
            StreetPlan(
                "桐屿街道",
                "Tongyu Subdistrict",
                False,
                ("桐屿路", "和平路", "新华路"),
                (("桐屿", "Tongyu"), ("和平", "Heping"), ("新华", "Xinhua")),
            ),
            StreetPlan(
                "金清镇",
                "Jinqing Town",
                True,
                (),
                (("金清", "Jinqing"), ("新塘", "Xintang"), ("横街", "Hengjie")),
            ),
        ),
    ),
)


def rectangle(west: int, south: int, east: int, north: int) -> dict:
    """A GeoJSON Polygon for a box given in millionths of a degree (exterior ring anticlockwise)."""
    w, s, e, n = (v / 1_000_000 for v in (west, south, east, north))
    return {"type": "Polygon", "coordinates": [[[w, s], [e, s], [e, n], [w, n], [w, s]]]}


def split(low: int, high: int, parts: int) -> list[tuple[int, int]]:
    """Cut [low, high] into `parts` consecutive pieces whose edges meet exactly."""
    edges = [low + (high - low) * i // parts for i in range(parts + 1)]
    return list(itertools.pairwise(edges))


def _put(
    *,
    code: str,
    name: str,
    name_en: str,
    level: str,
    parent: Area | None,
    district: Area | None,
    box: tuple[int, int, int, int],
) -> Area:
    area, _created = Area.objects.update_or_create(
        code=code,
        defaults={
            "name": name,
            "name_en": name_en,
            "level": level,
            "parent": parent,
            "district": district,
            "boundary": rectangle(*box),
        },
    )
    return area


def build_areas() -> dict[str, Any]:
    """Create or update every area of the demo city: the city, and lists by level in code order."""
    made: dict[str, Any] = {"districts": [], "streets": [], "communities": [], "grids": []}
    city = _put(
        code=CITY[0],
        name=CITY[1],
        name_en=CITY[2],
        level=Level.CITY,
        parent=None,
        district=None,
        box=(WEST, SOUTH, EAST, NORTH),
    )
    made["city"] = city
    for plan, (dw, de) in zip(DISTRICTS, split(WEST, EAST, len(DISTRICTS)), strict=True):
        district = _put(
            code=f"{plan.code}000000",
            name=plan.name,
            name_en=plan.name_en,
            level=Level.DISTRICT,
            parent=city,
            district=None,
            box=(dw, SOUTH, de, NORTH),
        )
        if district.district_id != district.pk:
            district.district = district
            district.save(update_fields=["district"])
        made["districts"].append(district)
        bands = split(SOUTH, NORTH, len(plan.streets))
        for s, (street_plan, (ss, sn)) in enumerate(zip(plan.streets, bands, strict=True)):
            street = _put(
                code=f"{plan.code}{s + 1:03d}000",
                name=street_plan.name,
                name_en=street_plan.name_en,
                level=Level.STREET,
                parent=district,
                district=district,
                box=(dw, ss, de, sn),
            )
            made["streets"].append(street)
            columns = split(dw, de, len(street_plan.communities))
            for c, ((stem, stem_en), (cw, ce)) in enumerate(
                zip(street_plan.communities, columns, strict=True)
            ):
                if street_plan.town:
                    name, name_en = f"{stem}村", f"{stem_en} Village"
                else:
                    name, name_en = f"{stem}社区", f"{stem_en} Community"
                community = _put(
                    code=f"{street.code[:9]}{c + 1:03d}",
                    name=name,
                    name_en=name_en,
                    level=Level.COMMUNITY,
                    parent=street,
                    district=district,
                    box=(cw, ss, ce, sn),
                )
                made["communities"].append(community)
                for g, (gs, gn) in enumerate(split(ss, sn, GRIDS_PER_COMMUNITY)):
                    made["grids"].append(
                        _put(
                            code=f"{community.code}{g + 1:03d}",
                            name=f"{stem}第{g + 1}网格",
                            name_en=f"{stem_en} Grid {g + 1}",
                            level=Level.GRID,
                            parent=community,
                            district=district,
                            box=(cw, gs, ce, gn),
                        )
                    )
    return made


def plan_addresses(
    *, grid: Area, roads: tuple[str, ...], village: str | None, count: int
) -> list[Address]:
    """The first `count` addresses of a grid, the same on every run (a longer list extends it).

    A city grid holds one or two residential compounds (a door number on a road) with flats by
    building, unit and room; a village grid holds houses by door number.
    """
    rng = random.Random(grid.code)  # noqa: S311 - made-up demo data, not a secret
    if village:
        compounds = [(village, "")]
    else:
        road = roads[int(grid.code[-3:]) % len(roads)]
        first = rng.randrange(1, 200)
        compounds = [(road, str(first)), (road, str(first + 2 * rng.randrange(1, 20)))]
    seen: set[tuple[str, str, str, str, str]] = set()
    addresses: list[Address] = []
    while len(addresses) < count:
        road, number = compounds[rng.randrange(len(compounds))]
        if village:
            key = (road, str(rng.randrange(1, 300)), "", "", "")
        else:
            key = (
                road,
                number,
                str(rng.randrange(1, 16)),
                str(rng.randrange(1, 4)),
                f"{rng.randrange(1, 19)}{rng.randrange(1, 5):02d}",
            )
        if key in seen:
            continue
        seen.add(key)
        road, number, building, unit, room = key
        addresses.append(
            Address(
                grid=grid,
                road=road,
                number=number,
                building=building,
                unit=unit,
                room=room,
                text=Address.compose_text(
                    road=road, number=number, building=building, unit=unit, room=room
                ),
            )
        )
    return addresses


def build_addresses(
    *, communities: list[Area], grids: list[Area], per_grid: int
) -> dict[str, list[Address]]:
    """Create the standard addresses of every grid in bulk; return each grid's, by grid code."""
    plans = {
        f"{district.code[:6]}{s + 1:03d}000": street
        for district in DISTRICTS
        for s, street in enumerate(district.streets)
    }
    names = {community.pk: community.name for community in communities}
    planned: list[Address] = []
    for grid in grids:
        plan = plans[grid.code[:9] + "000"]
        village = names[grid.parent_id] if plan.town else None
        planned.extend(plan_addresses(grid=grid, roads=plan.roads, village=village, count=per_grid))
    Address.objects.bulk_create(planned, ignore_conflicts=True, batch_size=2000)
    wanted = {(a.grid_id, a.road, a.number, a.building, a.unit, a.room) for a in planned}
    by_grid: dict[str, list[Address]] = {grid.code: [] for grid in grids}
    codes = {grid.pk: grid.code for grid in grids}
    stored = Address.objects.filter(grid__in=grids).order_by("grid__code", "text", "pk")
    for a in stored:
        if (a.grid_id, a.road, a.number, a.building, a.unit, a.room) in wanted:
            by_grid[codes[a.grid_id]].append(a)
    return by_grid


@transaction.atomic
def seed(ctx: SeedContext) -> None:
    made = build_areas()
    ctx.made.update(made)
    ctx.write(
        _(
            "Areas: %(districts)d districts, %(streets)d streets and towns, "
            "%(communities)d communities and villages, %(grids)d grids."
        )
        % {
            "districts": len(made["districts"]),
            "streets": len(made["streets"]),
            "communities": len(made["communities"]),
            "grids": len(made["grids"]),
        }
    )
    per_grid = ctx.options.get("addresses_per_grid") or ADDRESSES_PER_GRID
    by_grid = build_addresses(
        communities=made["communities"], grids=made["grids"], per_grid=per_grid
    )
    ctx.made["addresses_by_grid"] = by_grid
    ctx.write(
        _("Standard addresses: %(count)d.") % {"count": sum(len(a) for a in by_grid.values())}
    )
