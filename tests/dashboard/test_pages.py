"""The analyst dashboard and the map, seen from the outside: who sees what (404 outside the
reader's districts), what the pages show, and their query budgets."""

from __future__ import annotations

from unittest import mock

import pytest
from django.urls import reverse

from portal import navigation
from portal.dashboard.models import FactRun
from tests import factories

HOME = reverse("dashboard:home")
MAP = reverse("dashboard:map")


def test_analyst_sees_headline_figures_charts_and_the_areas_below(client, analyst, built, city):
    client.force_login(analyst)

    response = client.get(HOME)

    assert response.status_code == 200
    assert response.context["area"] == city["city"]
    cards = {c["code"]: c["value"] for c in response.context["headline"]["cards"]}
    assert cards["residents.registered"] > 0
    rows = response.context["children"].rows
    assert [row[0] for row in rows] == [d.display_name for d in city["districts"]]
    assert sum(row[1] for row in rows) == cards["residents.registered"]
    charts = response.context["charts"]
    assert len(charts["months"]) == 13
    assert (
        sum(charts["pyramid"]["female"]) - sum(charts["pyramid"]["male"])
        == cards["residents.registered"]
    )
    content = response.content.decode()
    assert 'id="dashboard-data"' in content
    assert "vendor/echarts/echarts.min.js" in content
    assert f"?area={city['districts'][0].code}" in content


def test_drill_down_from_city_to_grid(client, analyst, built, city, grid_a):
    client.force_login(analyst)
    grid_total = client.get(HOME, {"area": grid_a.code}).context["headline"]["cards"][0]["value"]
    community = grid_a.parent

    response = client.get(HOME, {"area": community.code})

    assert [c.code for c in response.context["crumbs"]] == [
        city["city"].code,
        city["districts"][0].code,
        community.parent.code,
        community.code,
    ]
    rows = {row[0]: row[1] for row in response.context["children"].rows}
    assert rows[grid_a.display_name] == grid_total


def test_district_analyst_starts_at_their_district(client, analyst_a, built, district_a):
    client.force_login(analyst_a)

    response = client.get(HOME)

    assert response.context["area"] == district_a
    assert [c.code for c in response.context["crumbs"]] == [district_a.code]


@pytest.mark.parametrize("url", [HOME, MAP])
def test_district_analyst_gets_404_outside_their_districts(
    client, analyst_a, built, city, district_b, grid_b, url
):
    client.force_login(analyst_a)

    for area in (city["city"], district_b, grid_b):
        assert client.get(url, {"area": area.code}).status_code == 404


@pytest.mark.parametrize("table", ["children", "trend", "services", "age_sex", "origin"])
def test_district_analyst_cannot_export_another_district(
    client, analyst_a, built, district_b, table
):
    client.force_login(analyst_a)

    url = reverse("dashboard:export", args=[table])
    assert client.get(url, {"area": district_b.code}).status_code == 404


def test_leader_reads_their_district_but_cannot_rebuild(
    client, leader_a, built, district_a, district_b
):
    client.force_login(leader_a)

    assert client.get(HOME).context["area"] == district_a
    assert client.get(HOME, {"area": district_b.code}).status_code == 404
    assert client.post(reverse("dashboard:rebuild")).status_code == 404
    assert "Rebuild" not in client.get(HOME).content.decode()


@pytest.mark.parametrize("roles", [["resident"], ["reviewer"], ["grid_officer"]])
def test_others_get_404(client, built, roles, departments):
    extra = {"department": departments.get(code="public_security")} if "reviewer" in roles else {}
    user = factories.UserFactory(username="someone", roles=roles, **extra)
    client.force_login(user)

    assert client.get(HOME).status_code == 404
    assert client.get(MAP).status_code == 404
    assert client.get(reverse("dashboard:indicators")).status_code == 404


def test_anonymous_is_sent_to_sign_in(client, built):
    response = client.get(HOME)
    assert response.status_code == 302
    assert "login" in response["Location"]


def test_analyst_rebuilds_on_demand_after_commit(
    client, analyst, built, django_capture_on_commit_callbacks
):
    client.force_login(analyst)

    with (
        mock.patch("portal.dashboard.tasks.rebuild_facts.delay") as delay,
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = client.post(reverse("dashboard:rebuild"))

    assert response.status_code == 302
    delay.assert_called_once_with(actor_id=analyst.pk)


def test_district_analyst_cannot_rebuild_the_city(client, analyst_a, built):
    client.force_login(analyst_a)
    assert client.post(reverse("dashboard:rebuild")).status_code == 404


def test_page_without_facts_says_so(client, analyst, city):
    client.force_login(analyst)

    response = client.get(HOME)

    assert response.status_code == 200
    assert FactRun.objects.count() == 0
    assert "headline" not in response.context


def test_dashboard_query_budget(client, analyst, built, grid_a, django_assert_max_num_queries):
    client.force_login(analyst)
    client.get(HOME)
    with django_assert_max_num_queries(20):
        assert client.get(HOME).status_code == 200
    with django_assert_max_num_queries(20):
        assert client.get(HOME, {"area": grid_a.code}).status_code == 200
    with django_assert_max_num_queries(16):
        assert client.get(MAP).status_code == 200


def test_map_carries_the_children_boundaries_and_values(client, analyst, built, city):
    for index, district in enumerate(city["districts"]):
        district.boundary = {
            "type": "Polygon",
            "coordinates": [[[index, 0], [index + 1, 0], [index + 1, 1], [index, 1], [index, 0]]],
        }
        district.save(update_fields=["boundary"])
    client.force_login(analyst)

    response = client.get(MAP, {"metric": "residents.registered"})

    data = response.context["map"]
    assert [f["properties"]["code"] for f in data["geojson"]["features"]] == [
        d.code for d in city["districts"]
    ]
    total = response.context["children"].rows
    assert [v["value"] for v in data["values"]] == [row[1] for row in total]
    assert data["drillable"] is True
    assert 'id="map-data"' in response.content.decode()


def test_map_by_another_metric(client, analyst, built):
    client.force_login(analyst)

    response = client.get(MAP, {"metric": "residents.arrivals"})

    assert response.context["metric"] == "residents.arrivals"
    assert client.get(MAP, {"metric": "nope"}).context["metric"] == "residents.registered"


def test_dashboard_is_in_the_analyst_and_leader_menus(analyst, leader_a, resident):
    for user in (analyst, leader_a):
        keys = {item.key for item in navigation.items_for(user)}
        assert {"dashboard.home", "dashboard.map", "dashboard.indicators"} <= keys
    assert not {i.key for i in navigation.items_for(resident)} & {"dashboard.home"}
