"""Writes of the city's view: the facts rebuild, indicator values, area boundaries."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.accounts.models import User
from portal.areas.models import Area
from portal.dashboard import metrics
from portal.dashboard.models import FactRun, Indicator, IndicatorValue, RunStatus
from portal.errors import InvalidInput
from portal.periods import add_months

# One rebuild at a time: a second waits for the first, then rebuilds again from fresh data.
REBUILD_LOCK = 0x1B_0D_A5_B0


def fact_window(*, today: dt.date | None = None, months: int | None = None) -> metrics.Window:
    """The months the facts cover: the last `DASHBOARD_FACT_MONTHS` months up to this one."""
    today = today or timezone.localdate()
    months = months or settings.DASHBOARD_FACT_MONTHS
    last = today.replace(day=1)
    return metrics.Window(
        first=add_months(last, -(months - 1)), last=last, today=today, tz=settings.TIME_ZONE
    )


def rebuild_facts(
    *, actor: User | None = None, today: dt.date | None = None, months: int | None = None
) -> FactRun:
    """Replace every monthly fact with figures counted afresh from the registered metrics.

    One set-based INSERT ... SELECT per metric adds each of its rows into the area it names and
    every area above it (the area tree's closure, built once in a temporary table). The new
    facts carry the run's id; the run is marked finished and the older facts deleted in the
    same transaction, so a page reads either the old figures or the new ones, never a mix. Safe to run twice; concurrent runs queue on an
    advisory lock. The run row records the months, rows and time, or the error.
    """
    window = fact_window(today=today, months=months)
    run = FactRun.objects.create(
        requested_by=actor,
        first_month=window.first,
        last_month=window.last,
        started_at=timezone.now(),
    )
    started = time.perf_counter()
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [REBUILD_LOCK])
            # Plans here are simple hash joins and aggregates; compiling them costs more than
            # it saves, and the aggregates' hash tables want room.
            cursor.execute("SET LOCAL jit = off")
            cursor.execute("SET LOCAL work_mem = '256MB'")
            cursor.execute("DROP TABLE IF EXISTS pg_temp.dashboard_closure")
            cursor.execute(
                "CREATE TEMPORARY TABLE dashboard_closure ON COMMIT DROP AS "
                "WITH RECURSIVE up (area_id, ancestor_id, parent_id) AS ("
                "  SELECT id, id, parent_id FROM areas_area"
                "  UNION ALL"
                "  SELECT up.area_id, a.id, a.parent_id FROM up JOIN areas_area a"
                "  ON a.id = up.parent_id"
                ") SELECT area_id, ancestor_id FROM up"
            )
            cursor.execute("CREATE INDEX ON dashboard_closure (area_id)")
            cursor.execute("ANALYZE dashboard_closure")
            rows = 0
            for metric in metrics.all_metrics():
                built = metric.build(window)
                sql = f"""
                    INSERT INTO dashboard_fact (run_id, metric, area_id, month, dimension, key, value)
                    SELECT %s, %s, c.ancestor_id, m.month, m.dimension, m.key, SUM(m.value)
                    FROM ({built.text}) AS m (area_id, month, dimension, key, value)
                    JOIN dashboard_closure c ON c.area_id = m.area_id
                    GROUP BY c.ancestor_id, m.month, m.dimension, m.key
                    HAVING SUM(m.value) <> 0
                """  # noqa: S608
                cursor.execute(sql, [run.pk, metric.code, *built.params])
                rows += cursor.rowcount
            cursor.execute("DELETE FROM dashboard_fact WHERE run_id <> %s", [run.pk])
            FactRun.objects.filter(pk=run.pk).update(
                status=RunStatus.FINISHED,
                finished_at=timezone.now(),
                rows=rows,
                seconds=time.perf_counter() - started,
            )
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE dashboard_fact")
    except Exception as exc:
        FactRun.objects.filter(pk=run.pk).update(
            status=RunStatus.FAILED,
            finished_at=timezone.now(),
            seconds=time.perf_counter() - started,
            error=f"{type(exc).__name__}: {exc}"[:2000],
        )
        raise
    run.refresh_from_db()
    return run


def request_rebuild(*, actor: User) -> None:
    """Queue a rebuild of the facts on the worker (after the request's transaction commits)."""
    from portal.dashboard import tasks

    transaction.on_commit(lambda: tasks.rebuild_facts.delay(actor_id=actor.pk))


# --- indicators --------------------------------------------------------------------------------


def record_indicator_value(
    *,
    actor: User,
    indicator: Indicator,
    year: int,
    value: Decimal,
    source: str,
    published_on: dt.date,
) -> IndicatorValue:
    """Enter an indicator's value for a year, with the source it comes from and that source's date.

    A value already entered for the year is kept as superseded, so every published figure
    stays traceable. Two entries for one indicator at once queue on the indicator's row.
    """
    errors: dict[str, list[str]] = {}
    if not source.strip():
        errors["source"] = [_("Name the source of the value.")]
    if year < indicator.baseline_year:
        errors["year"] = [
            _("The year cannot be before the baseline year %(year)s.")
            % {"year": indicator.baseline_year}
        ]
    if published_on > timezone.localdate():
        errors["published_on"] = [_("The date of the source cannot be in the future.")]
    if errors:
        raise InvalidInput(fields=errors)
    now = timezone.now()
    with transaction.atomic():
        Indicator.objects.select_for_update().get(pk=indicator.pk)
        IndicatorValue.objects.filter(
            indicator=indicator, year=year, superseded_at__isnull=True
        ).update(superseded_at=now)
        return IndicatorValue.objects.create(
            indicator=indicator,
            year=year,
            value=value,
            source=source.strip(),
            published_on=published_on,
            entered_by=actor,
            entered_at=now,
        )


# --- boundaries --------------------------------------------------------------------------------

GEOMETRY_TYPES = ("Polygon", "MultiPolygon")


@dataclass
class BoundaryReport:
    matched: list[str] = field(default_factory=list)
    unmatched: list[str] = field(default_factory=list)  # codes in the file with no area
    invalid: list[str] = field(default_factory=list)  # features without a usable code/geometry
    missing: list[str] = field(default_factory=list)  # areas of the file's levels left without one


def import_boundaries(
    collection: Mapping[str, Any], *, code_property: str = "code", dry_run: bool = False
) -> BoundaryReport:
    """Set area boundaries from a GeoJSON FeatureCollection whose features carry the areas'
    division codes in `properties[code_property]` (12 digits; 15 for a grid; shorter codes
    such as 6-digit county codes are padded with zeros).

    Every matched area is updated in one bulk write; the report names the codes that matched
    no area, the features that could not be read, and the areas of the levels the file covers
    that still have no boundary. Nothing is written when `dry_run` is set.
    """
    if collection.get("type") != "FeatureCollection" or not isinstance(
        collection.get("features"), list
    ):
        raise InvalidInput(fields={"file": [_("The file must be a GeoJSON FeatureCollection.")]})
    report = BoundaryReport()
    geometries: dict[str, dict] = {}
    for index, feature in enumerate(collection["features"]):
        properties = (feature or {}).get("properties") or {}
        raw = str(properties.get(code_property, "")).strip()
        geometry = (feature or {}).get("geometry") or {}
        if not raw.isdigit() or geometry.get("type") not in GEOMETRY_TYPES:
            report.invalid.append(raw or f"#{index + 1}")
            continue
        code = raw.ljust(12, "0") if len(raw) < 12 else raw
        geometries[code] = {"type": geometry["type"], "coordinates": geometry.get("coordinates")}
    areas = {a.code: a for a in Area.objects.filter(code__in=list(geometries))}
    for code, geometry in sorted(geometries.items()):
        area = areas.get(code)
        if area is None:
            report.unmatched.append(code)
            continue
        area.boundary = geometry
        report.matched.append(code)
    levels = {a.level for a in areas.values()}
    report.missing = list(
        Area.objects.filter(level__in=levels, boundary__isnull=True)
        .exclude(code__in=report.matched)
        .values_list("code", flat=True)
    )
    if not dry_run:
        with transaction.atomic():
            Area.objects.bulk_update(list(areas.values()), ["boundary"], batch_size=500)
    return report
