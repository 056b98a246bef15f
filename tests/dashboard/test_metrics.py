"""The metric registry: domain apps register metrics and dimensions; other platform apps read a
metric's monthly values per area through monthly_values()."""

from __future__ import annotations

import pytest
from django.utils import timezone

from portal.dashboard import metrics, services
from portal.dashboard.metrics import Kind, Window, months_sql
from portal.notices.criteria import Sql


def test_domain_apps_register_their_metrics_and_dimensions():
    codes = {m.code for m in metrics.all_metrics()}

    assert {
        "residents.registered",
        "residents.arrivals",
        "residents.departures",
        "residents.permits_valid",
        "housing.tenants",
        "workflow.submitted",
        "workflow.decided",
    } <= codes
    assert metrics.get_metric("residents.registered").dimensions == (
        "age_sex",
        "origin",
        "reason",
        "tenure",
    )
    for dimension in ("age_sex", "origin", "reason", "tenure", "kind"):
        assert metrics.has_dimension(dimension)
    assert metrics.get_dimension("origin").key_label("34") in {"安徽省", "Anhui"}


def test_unknown_metric_is_a_lookup_error():
    with pytest.raises(LookupError):
        metrics.get_metric("nobody.registered_this")


def test_a_metric_kind_other_than_stock_or_flow_is_refused():
    with pytest.raises(ValueError, match="stock or flow"):
        metrics.register_metric("tests.bad", "bad", lambda w: Sql("SELECT 1"), kind="level")


def test_months_list_counts_the_current_month_up_to_today():
    today = timezone.localdate()
    window = services.fact_window(today=today, months=3)
    sql, params = months_sql(window)

    assert sql.count("(%s::date, %s::date)") == 3
    assert params[-2] == today.replace(day=1)
    assert params[-1] == today
    assert isinstance(window, Window)


def test_a_registered_metric_is_rebuilt_and_read_through_monthly_values(city, grid_a):
    """A test metric counting a constant 3 in one grid shows up at every level above it."""

    def build(window: Window) -> Sql:
        months, params = months_sql(window)
        return Sql(
            f"SELECT %s::bigint, month, '', '', 3 FROM ({months}) AS mo",  # noqa: S608
            [grid_a.pk, *params],
        )

    metrics.register_metric("tests.constant", "constant", build, kind=Kind.FLOW)
    try:
        run = services.rebuild_facts(months=2)
        values = metrics.monthly_values(
            "tests.constant", areas=[grid_a.pk, grid_a.parent_id, city["city"].pk]
        )
    finally:
        metrics.unregister_metric("tests.constant")

    assert run.status == "finished"
    assert len(values) == 6
    assert {v.value for v in values} == {3}
    assert {v.month for v in values} == {run.first_month, run.last_month}
    assert {v.area_id for v in values} == {grid_a.pk, grid_a.parent_id, city["city"].pk}


def test_monthly_values_of_an_unknown_metric_is_refused(city):
    with pytest.raises(LookupError):
        metrics.monthly_values("nobody.knows", areas=[city["city"].pk])
