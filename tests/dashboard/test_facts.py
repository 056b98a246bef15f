"""The monthly facts equal a direct count of the registry, at every level of the area tree,
for every month and dimension; the rebuild is safe to run twice and leaves the last facts in
place when it fails."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest
from django.utils import timezone

from portal.areas.models import Area
from portal.dashboard import metrics, services
from portal.dashboard.models import Fact, FactRun, current_facts
from portal.notices.criteria import Sql
from residents.models import Registration

TENURE = {"landlord": "rented", "employer": "dormitory"}


def month_end(month: dt.date) -> dt.date:
    return (month + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)


def direct_counts(months: list[dt.date], today: dt.date) -> Counter:
    """(area_id, month, dimension, key) -> persons registered on the month's last day (today in
    the current month), counted one registration at a time, in Python."""
    ancestors: dict[int, list[int]] = {}
    for area in Area.objects.all():
        chain, current = [], area
        while current is not None:
            chain.append(current.pk)
            current = current.parent
        ancestors[area.pk] = chain
    counts: Counter = Counter()
    for r in Registration.objects.select_related("person", "address"):
        person = r.person
        province = (person.origin_code or person.id_masked)[:2]
        for month in months:
            as_of = min(month_end(month), today)
            if not (r.start_date <= as_of and (r.end_date is None or r.end_date > as_of)):
                continue
            end = month_end(month)
            age = end.year - person.birth_date.year - (person.birth_date.month > end.month)
            band = min(85, max(0, age) // 5 * 5)
            keys = [
                ("", ""),
                ("age_sex", f"{person.sex}{band}"),
                ("origin", province),
                ("reason", r.reason),
                ("tenure", TENURE.get(r.source, "own_other")),
            ]
            for area_id in ancestors[r.address.grid_id]:
                for dimension, key in keys:
                    counts[(area_id, month, dimension, key)] += 1
    return counts


def test_registered_facts_equal_a_direct_count(built):
    months = sorted(set(Fact.objects.values_list("month", flat=True)))
    expected = direct_counts(months, timezone.localdate())
    found = Counter(
        {
            (f.area_id, f.month, f.dimension, f.key): f.value
            for f in current_facts().filter(metric="residents.registered")
        }
    )

    assert sum(expected.values()) > 0
    assert found == expected


def test_arrivals_and_departures_equal_a_direct_count(built, city):
    city_id = city["city"].pk
    today = timezone.localdate()
    since = built.first_month
    starts = Counter(
        r.start_date.replace(day=1)
        for r in Registration.objects.filter(start_date__gte=since, start_date__lte=today)
    )
    ends = Counter(
        r.end_date.replace(day=1)
        for r in Registration.objects.filter(end_date__gte=since, end_date__lte=today)
    )

    arrivals = {
        v.month: v.value for v in metrics.monthly_values("residents.arrivals", areas=[city_id])
    }
    departures = {
        v.month: v.value for v in metrics.monthly_values("residents.departures", areas=[city_id])
    }

    assert arrivals == dict(starts)
    assert departures == dict(ends)


def test_rebuilding_twice_gives_the_same_facts_and_keeps_one_set(built):
    before = sorted(
        current_facts().values_list("metric", "area_id", "month", "dimension", "key", "value")
    )

    second = services.rebuild_facts()

    after = sorted(
        current_facts().values_list("metric", "area_id", "month", "dimension", "key", "value")
    )
    assert after == before
    assert second.rows == len(after)
    assert set(Fact.objects.values_list("run_id", flat=True)) == {second.pk}


def test_a_failing_metric_leaves_the_last_facts_and_records_the_error(built):
    before = current_facts().count()
    metrics.register_metric("tests.broken", "broken", lambda w: Sql("SELECT no_such_column"))
    try:
        with pytest.raises(Exception, match="no_such_column"):
            services.rebuild_facts()
    finally:
        metrics.unregister_metric("tests.broken")

    failed = FactRun.objects.order_by("-started_at", "-id").first()
    assert failed.status == "failed"
    assert "no_such_column" in failed.error
    assert current_facts().count() == before
    assert set(current_facts().values_list("run_id", flat=True)) == {built.pk}


def test_the_rebuild_command_and_task_rebuild(built, capsys):
    from django.core.management import call_command

    from portal.dashboard import tasks

    call_command("rebuild_facts")
    rows = tasks.rebuild_facts.run(actor_id=None)

    assert built.first_month.strftime("%Y-%m") in capsys.readouterr().out
    assert rows == current_facts().count()
    assert FactRun.objects.filter(status="finished").count() == 3


def test_the_nightly_rebuild_is_on_the_beat_schedule():
    from portal.celery import app

    entry = app.conf.beat_schedule["dashboard.rebuild_facts"]
    assert entry["task"] == "dashboard.rebuild_facts"
