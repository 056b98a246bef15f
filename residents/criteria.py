"""The targeting criteria the residents registry offers to policy push (portal.notices).

Each criterion turns its parameters into one set-based query of person ids; `register()` adds
them to the platform's registry from ResidentsConfig.ready(). Criteria about where and how
long someone lives, and their age, select persons with a current residence registration: a
person who has left is no longer the city's resident. Permit criteria read the permits.

- residents.district, residents.grid: the current registration's district or grid.
- residents.age: age in whole years on the day, from the birth date.
- residents.valid_permit: holds a permit valid on the day (PermitQuerySet.valid_on).
- residents.residence_months: months of continuous registration by the one rule
  (portal.periods.continuous_since, runs joined across gaps of up to the policy's allowed
  days; a late endorsement restarts the clock), applied in memory over one query.
- residents.school_age_child: a guardian of a child who turns 6 by 31 August of the entry year
  and did not a year earlier (primary grade 1).
- residents.permit_expiring: a valid permit whose endorsement falls due within N days.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from typing import Any

from django import forms
from django.db import connection
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal import periods
from portal.areas.models import Area, Level
from portal.notices.criteria import Sql, register_criterion
from portal.periods import add_months
from residents import selectors
from residents.models import Dependant, Permit, Registration, Relation, counted_period

SCHOOL_ENTRY_AGE = 6


def _current() -> Any:
    return Registration.objects.filter(end_date__isnull=True)


def _names(ids: list[int]) -> str:
    areas = Area.objects.filter(pk__in=ids).order_by("code")
    return "、".join(area.display_name for area in areas) or "-"


# --- district and grid ---------------------------------------------------------------------------


def district_fields() -> dict[str, forms.Field]:
    return {
        "districts": forms.TypedMultipleChoiceField(
            label=gettext_lazy("Districts"),
            coerce=int,
            choices=lambda: [
                (a.pk, a.display_name) for a in Area.objects.filter(level=Level.DISTRICT)
            ],
        )
    }


def build_district(params: Mapping[str, Any], on: dt.date) -> Any:
    return _current().filter(address__grid__district_id__in=params["districts"]).values("person_id")


def grid_fields() -> dict[str, forms.Field]:
    def choices() -> list:
        grids = Area.objects.filter(level=Level.GRID).select_related("district", "parent")
        grouped: dict[str, list[tuple[int, str]]] = {}
        for grid in grids.order_by("code"):
            district = grid.district.display_name if grid.district_id else ""
            grouped.setdefault(district, []).append(
                (
                    grid.pk,
                    f"{grid.parent.display_name if grid.parent_id else ''} {grid.display_name}",
                )
            )
        return list(grouped.items())

    return {
        "grids": forms.TypedMultipleChoiceField(
            label=gettext_lazy("Grids"), coerce=int, choices=choices
        )
    }


def build_grid(params: Mapping[str, Any], on: dt.date) -> Any:
    return _current().filter(address__grid_id__in=params["grids"]).values("person_id")


# --- age -----------------------------------------------------------------------------------------


def _years_before(day: dt.date, years: int) -> dt.date:
    return add_months(day, -12 * years)


def age_fields() -> dict[str, forms.Field]:
    return {
        "min_age": forms.IntegerField(
            label=gettext_lazy("From age"), min_value=0, max_value=150, initial=18
        ),
        "max_age": forms.IntegerField(
            label=gettext_lazy("To age (inclusive)"), min_value=0, max_value=150, initial=60
        ),
    }


def build_age(params: Mapping[str, Any], on: dt.date) -> Any:
    """Aged min..max on `on`: born on or before `on` minus min years, and after `on` minus
    (max + 1) years (a birthday on 29 February counts on 28 February)."""
    low, high = sorted((int(params["min_age"]), int(params["max_age"])))
    return (
        _current()
        .filter(
            person__birth_date__lte=_years_before(on, low),
            person__birth_date__gt=_years_before(on, high + 1),
        )
        .values("person_id")
    )


def describe_age(params: Mapping[str, Any]) -> str:
    return _("%(low)s to %(high)s years") % {"low": params["min_age"], "high": params["max_age"]}


# --- permits -------------------------------------------------------------------------------------


def no_fields() -> dict[str, forms.Field]:
    return {}


def build_valid_permit(params: Mapping[str, Any], on: dt.date) -> Any:
    return Permit.objects.valid_on(on).values("person_id")


def expiring_fields() -> dict[str, forms.Field]:
    return {
        "days": forms.IntegerField(
            label=gettext_lazy("Within (days)"), min_value=1, max_value=366, initial=30
        )
    }


def build_permit_expiring(params: Mapping[str, Any], on: dt.date) -> Any:
    return (
        Permit.objects.valid_on(on)
        .filter(valid_until__lte=on + dt.timedelta(days=int(params["days"])))
        .values("person_id")
    )


def describe_expiring(params: Mapping[str, Any]) -> str:
    return _("within %(days)s days") % {"days": params["days"]}


# --- continuous residence ----------------------------------------------------------------------


def months_fields() -> dict[str, forms.Field]:
    return {
        "months": forms.IntegerField(
            label=gettext_lazy("At least (months)"), min_value=1, max_value=600, initial=6
        )
    }


def build_residence_months(params: Mapping[str, Any], on: dt.date) -> Sql:
    """Persons with a current registration whose run of registration has lasted at least N
    whole months on `on`.

    The one rule (portal.periods.continuous_since, as residents.selectors applies it to one
    person) over every current resident at once: one query reads their registrations and
    restarts in person order, an in-memory loop applies the rule, and the ids come back as
    one array parameter.
    """
    months = int(params["months"])
    gap = selectors.permit_policy_on(on).continuity_gap_days
    chosen: list[int] = []
    for person_id, spans, restart in _residence_histories(on):
        since = periods.continuous_since(spans, on=on, gap_days=gap, restart=restart)
        if since is not None and periods.add_months(since, months) <= on:
            chosen.append(person_id)
    return Sql("SELECT unnest(%s::bigint[])", [chosen])


def _residence_histories(
    on: dt.date,
) -> Iterator[tuple[int, list[periods.Period], dt.date | None]]:
    """(person id, registration periods, latest clock restart) of every person registered on
    `on`, from one streamed query; periods as continuity counts them (counted_period)."""
    sql = f"""
        SELECT r.person_id, r.start_date, r.end_date, r.counted_from, rs.restarted
        FROM {Registration._meta.db_table} r
        LEFT JOIN (
            SELECT person_id, max(clock_restarted_on) AS restarted
            FROM {Permit._meta.db_table} WHERE clock_restarted_on IS NOT NULL
            GROUP BY person_id
        ) rs ON rs.person_id = r.person_id
        WHERE r.start_date <= %s AND r.person_id IN (
            SELECT person_id FROM {Registration._meta.db_table}
            WHERE end_date IS NULL AND start_date <= %s
        )
        ORDER BY r.person_id
    """  # noqa: S608 - table names from the models, values as parameters
    with connection.cursor() as cursor:
        cursor.execute(sql, [on, on])
        current: int | None = None
        spans: list[periods.Period] = []
        restart: dt.date | None = None
        while rows := cursor.fetchmany(10_000):
            for person_id, start, end, counted_from, restarted in rows:
                if person_id != current:
                    if current is not None:
                        yield current, spans, restart
                    current, spans, restart = person_id, [], restarted
                period = counted_period(start, end, counted_from)
                if period is not None:
                    spans.append(period)
        if current is not None:
            yield current, spans, restart


def describe_months(params: Mapping[str, Any]) -> str:
    return _("at least %(months)s months") % {"months": params["months"]}


# --- children of school-entry age --------------------------------------------------------------


def school_year_starting_after(on: dt.date) -> int:
    """The entry year of the next school year to begin: this year until 31 August, then next."""
    return on.year if on <= dt.date(on.year, 8, 31) else on.year + 1


def child_fields() -> dict[str, forms.Field]:
    return {
        "year": forms.IntegerField(
            label=gettext_lazy("School year starting in"),
            min_value=2000,
            max_value=2100,
            required=False,
            help_text=gettext_lazy("Leave empty for the next school year to begin."),
        )
    }


def build_school_age_child(params: Mapping[str, Any], on: dt.date) -> Any:
    """Guardians with a current registration whose child turns 6 by 31 August of the entry
    year and did not by 31 August a year earlier."""
    year = params.get("year") or school_year_starting_after(on)
    year = int(year)
    return (
        Dependant.objects.filter(
            relation=Relation.CHILD,
            dependant__birth_date__gt=dt.date(year - SCHOOL_ENTRY_AGE - 1, 8, 31),
            dependant__birth_date__lte=dt.date(year - SCHOOL_ENTRY_AGE, 8, 31),
            guardian__in=_current().values("person_id"),
        )
        .values("guardian_id")
        .distinct()
    )


def describe_child(params: Mapping[str, Any]) -> str:
    if params.get("year"):
        return _("entering primary school in %(year)s") % {"year": params["year"]}
    return _("entering primary school next")


def register() -> None:
    register_criterion(
        "residents.district",
        gettext_lazy("Lives in a district"),
        district_fields,
        build_district,
        describe=lambda params: _names(params["districts"]),
        help_text=gettext_lazy("Where the current residence registration is."),
        order=10,
    )
    register_criterion(
        "residents.grid",
        gettext_lazy("Lives in a grid"),
        grid_fields,
        build_grid,
        describe=lambda params: _names(params["grids"]),
        help_text=gettext_lazy("Where the current residence registration is."),
        order=20,
    )
    register_criterion(
        "residents.age",
        gettext_lazy("Age"),
        age_fields,
        build_age,
        describe=describe_age,
        help_text=gettext_lazy("Age in whole years on the day of sending, from the birth date."),
        order=30,
    )
    register_criterion(
        "residents.valid_permit",
        gettext_lazy("Holds a valid residence permit"),
        no_fields,
        build_valid_permit,
        order=40,
    )
    register_criterion(
        "residents.residence_months",
        gettext_lazy("Months of continuous residence"),
        months_fields,
        build_residence_months,
        describe=describe_months,
        help_text=gettext_lazy("Continuous residence registration in this city."),
        order=50,
    )
    register_criterion(
        "residents.school_age_child",
        gettext_lazy("Has a child of school-entry age"),
        child_fields,
        build_school_age_child,
        describe=describe_child,
        help_text=gettext_lazy("A child who is 6 by 31 August of the school year."),
        order=60,
    )
    register_criterion(
        "residents.permit_expiring",
        gettext_lazy("Residence permit due for endorsement"),
        expiring_fields,
        build_permit_expiring,
        describe=describe_expiring,
        help_text=gettext_lazy("A valid permit whose endorsement falls due within the days given."),
        order=70,
    )
