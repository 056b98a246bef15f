"""School-seat demand per catchment, years ahead, from the platform's population projection.

The projection runs from 31 August, the day school age is reckoned on, so the children of
projection year k who have reached the entry age (6 for primary grade 1) are the school year's
entrants. For each active primary school:

- children already born: those registered in the school's catchment communities on the base
  date, of the age that reaches the entry age in year k, times what the projection expects of
  that cohort in the district (its projected number at entry age over its number now): births
  and deaths do not touch them, migration does;
- children not yet born: the district's projected entrants times the catchment's share of the
  district's children under the entry age on the base date.

Capacity is the school's seats for non-hukou children in its latest primary round. A decision
to open a school adds its seats to its district from its first year, as a row of its own.
Children are counted once per catchment they live in: where catchments overlap, each school
sees them.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import connection
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal.periods import add_years
from portal.projection import registry
from schooling.models import MIN_AGE, EnrolmentRound, RoundSchool, School, Stage

KEY = "school_seats"

_CHILDREN = """
SELECT sc.school_id, date_part('year', age(%(on)s, p.birth_date))::int AS age, count(*)
FROM residents_registration r
JOIN residents_person p ON p.id = r.person_id
JOIN areas_address a ON a.id = r.address_id
JOIN areas_area g ON g.id = a.grid_id
JOIN schooling_school_catchment sc ON sc.area_id = g.parent_id
JOIN schooling_school s ON s.id = sc.school_id
WHERE r.start_date <= %(on)s AND (r.end_date IS NULL OR r.end_date > %(on)s)
  AND p.birth_date <= %(on)s AND p.birth_date > %(born_after)s
  AND s.active AND s.stage = %(stage)s
GROUP BY 1, 2
"""


def entry_age() -> int:
    """The age of grade 1: the latest primary round's rule, else the stage's standard age."""
    latest = (
        EnrolmentRound.objects.filter(stage=Stage.PRIMARY, grade=1)
        .order_by("-year", "-id")
        .values_list("min_age", flat=True)
        .first()
    )
    return int(latest) if latest is not None else MIN_AGE[Stage.PRIMARY]


def collect(on: dt.date) -> dict[str, Any]:
    """Schools, their seats, and catchment children by age on `on` (one query for the children)."""
    age = entry_age()
    schools = list(
        School.objects.filter(active=True, stage=Stage.PRIMARY)
        .order_by("district__code", "code")
        .values("pk", "name", "district_id")
    )
    seats: dict[int, int] = {}
    for school_id, count in (
        RoundSchool.objects.filter(round__stage=Stage.PRIMARY, round__grade=1)
        .order_by("school_id", "-round__year", "-round_id")
        .distinct("school_id")
        .values_list("school_id", "seats")
    ):
        seats[school_id] = count
    children: dict[str, list[int]] = {str(s["pk"]): [0] * (age + 1) for s in schools}
    with connection.cursor() as cursor:
        cursor.execute(
            _CHILDREN,
            {
                "on": on,
                "born_after": add_years(on, -(age + 1)),
                "stage": Stage.PRIMARY,
            },
        )
        for school_id, child_age, count in cursor.fetchall():
            if 0 <= child_age <= age and str(school_id) in children:
                children[str(school_id)][child_age] += count
    return {
        "entry_age": age,
        "schools": [
            {
                "id": s["pk"],
                "name": s["name"],
                "district": s["district_id"],
                "seats": seats.get(s["pk"]),
            }
            for s in schools
        ],
        "children": children,
    }


def forecast(
    projection: Any, inputs: dict[str, Any], assumptions: dict[str, Any]
) -> registry.Forecast:
    """Entrants and seats per catchment for each projection year."""
    years = list(projection.years)
    result = registry.Forecast(
        key=KEY, title=gettext_lazy("School seats (primary grade 1)"), unit=_("seats"), years=years
    )
    age = int(inputs.get("entry_age", MIN_AGE[Stage.PRIMARY]))
    population = projection.population  # (year, district, sex, age)
    for school in inputs.get("schools", []):
        if school["district"] not in projection.district_ids:
            continue
        d = projection.index_of(school["district"])
        kids = inputs["children"].get(str(school["id"]), [0] * (age + 1))
        district_now = population[0, d, :, : age + 1].sum(axis=0)
        under_age = float(district_now[:age].sum())
        share = float(sum(kids[:age])) / under_age if under_age > 0 else 0.0
        demand = []
        for k in range(len(years)):
            entrants = float(population[k, d, :, age].sum())
            age_now = age - k
            if age_now >= 0 and district_now[age_now] > 0:
                demand.append(kids[age_now] * entrants / float(district_now[age_now]))
            else:
                demand.append(entrants * share)
        seats = school["seats"]
        result.rows.append(
            registry.ForecastRow(
                key=str(school["id"]),
                label=school["name"],
                district_id=school["district"],
                demand=demand,
                capacity=[None if seats is None else float(seats)] * len(years),
            )
        )
    for number, decision in enumerate(assumptions.get("decisions", []), start=1):
        if decision.get("kind") != "school" or decision["district"] not in projection.district_ids:
            continue
        result.rows.append(
            registry.ForecastRow(
                key=f"new-{number}",
                label=_("New school (planned)"),
                district_id=decision["district"],
                demand=[0.0] * len(years),
                capacity=[
                    float(decision["seats"]) if year >= int(decision["from_year"]) else 0.0
                    for year in years
                ],
            )
        )
    return result


def register() -> None:
    registry.register_demand(
        registry.Demand(
            key=KEY,
            label=gettext_lazy("School seats"),
            unit=gettext_lazy("seats"),
            collect=collect,
            forecast=forecast,
            order=10,
        )
    )
