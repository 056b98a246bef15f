"""Areas and standard addresses: read-only reference data for any signed-in user."""

from __future__ import annotations

import pytest

from portal.areas import services
from portal.areas.models import Address, Level
from tests import factories
from tests.api.conftest import assert_error_body


@pytest.fixture
def signed_in(api_client, resident):
    api_client.force_authenticate(resident)
    return api_client


def codes(response) -> list[str]:
    return [row["code"] for row in response.json()["results"]]


def test_areas_are_listed_in_code_order_with_their_place_in_the_tree(signed_in, city):
    body = signed_in.get("/api/v1/areas/").json()

    assert body["count"] == 1 + 2 * (1 + 1 + 1 + 2)
    rows = body["results"]
    assert [r["code"] for r in rows] == sorted(r["code"] for r in rows)
    grid = next(r for r in rows if r["code"] == city["grids"][0][0].code)
    assert grid["level"] == "grid"
    assert grid["parent"] == "330302001001"
    assert grid["district"] == city["districts"][0].code


def test_areas_filter_by_level(signed_in, city):
    response = signed_in.get("/api/v1/areas/", {"level": "district"})

    assert codes(response) == [d.code for d in city["districts"]]


def test_areas_filter_by_parent_and_by_district(signed_in, city, district_a):
    children = signed_in.get("/api/v1/areas/", {"parent": city["city"].code})
    in_district = signed_in.get("/api/v1/areas/", {"district": district_a.code})

    assert codes(children) == [d.code for d in city["districts"]]
    assert len(codes(in_district)) == 1 + 1 + 1 + 2
    assert all(code.startswith(district_a.code[:6]) for code in codes(in_district))


def test_areas_search_by_name_or_code_prefix(signed_in, city, district_b):
    by_name = signed_in.get("/api/v1/areas/", {"q": "第2区"})
    by_english_name = signed_in.get("/api/v1/areas/", {"q": "district 2"})
    by_code = signed_in.get("/api/v1/areas/", {"q": district_b.code[:6], "level": "grid"})

    assert codes(by_name) == [district_b.code]
    assert codes(by_english_name) == [district_b.code]
    assert codes(by_code) == [g.code for g in city["grids"][1]]


def test_an_unknown_level_is_refused_in_the_error_format(signed_in, city):
    response = signed_in.get("/api/v1/areas/", {"level": "planet"})

    assert response.status_code == 400
    assert_error_body(response.json(), code="invalid")
    assert list(response.json()["fields"]) == ["level"]


def test_one_area_by_code_includes_its_boundary(signed_in, district_a):
    district_a.boundary = {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 0]]]}
    district_a.save(update_fields=["boundary"])

    body = signed_in.get(f"/api/v1/areas/{district_a.code}/").json()

    assert body["code"] == district_a.code
    assert body["level_label"]
    assert body["boundary"]["type"] == "Polygon"


def test_an_unknown_area_code_is_not_found(signed_in, city):
    response = signed_in.get("/api/v1/areas/330399999999/")

    assert response.status_code == 404
    assert_error_body(response.json(), code="not_found")


def test_area_names_follow_the_language_asked_for(signed_in, district_a):
    chinese = signed_in.get(f"/api/v1/areas/{district_a.code}/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    english = signed_in.get(f"/api/v1/areas/{district_a.code}/", HTTP_ACCEPT_LANGUAGE="en")

    assert chinese.json()["name"] == "第1区"
    assert english.json()["name"] == "District 1"


@pytest.fixture
def addresses(city):
    a1, a2 = city["grids"][0]
    b1 = city["grids"][1][0]
    return {
        "a1": services.create_address(grid=a1, road="人民路", number="1", room="101"),
        "a2": services.create_address(grid=a2, road="人民路", number="2", room="102"),
        "b1": services.create_address(grid=b1, road="解放路", number="8", room="101"),
    }


def ids(response) -> list[int]:
    return [row["id"] for row in response.json()["results"]]


def test_addresses_search_by_words_of_the_address(signed_in, addresses):
    both_words = signed_in.get("/api/v1/addresses/", {"q": "101 人民路"})
    one_word = signed_in.get("/api/v1/addresses/", {"q": "101"})

    assert ids(both_words) == [addresses["a1"].pk]
    assert sorted(ids(one_word)) == sorted([addresses["a1"].pk, addresses["b1"].pk])


def test_addresses_show_their_grid_and_district(signed_in, addresses, city):
    row = signed_in.get(f"/api/v1/addresses/{addresses['b1'].pk}/").json()

    assert row["text"] == "解放路8号101室"
    assert row["grid"]["code"] == city["grids"][1][0].code
    assert row["district"]["code"] == city["districts"][1].code


@pytest.mark.parametrize(
    ("area", "expected"),
    [
        ("grid", ["a1"]),
        ("community", ["a1", "a2"]),
        ("street", ["a1", "a2"]),
        ("district", ["a1", "a2"]),
        ("city", ["a1", "a2", "b1"]),
    ],
)
def test_addresses_filter_by_any_area_containing_them(signed_in, addresses, city, area, expected):
    grid = city["grids"][0][0]
    containing = {
        "grid": grid,
        "community": grid.parent,
        "street": grid.parent.parent,
        "district": grid.district,
        "city": city["city"],
    }[area]

    response = signed_in.get("/api/v1/addresses/", {"area": containing.code})

    assert sorted(ids(response)) == sorted(addresses[key].pk for key in expected)


def test_addresses_filter_by_grid(signed_in, addresses, city):
    response = signed_in.get("/api/v1/addresses/", {"grid": city["grids"][0][1].code})

    assert ids(response) == [addresses["a2"].pk]


def test_an_unknown_area_filter_is_refused_in_the_error_format(signed_in, addresses):
    response = signed_in.get("/api/v1/addresses/", {"area": "330399999999"})

    assert response.status_code == 400
    assert_error_body(response.json(), code="invalid")
    assert list(response.json()["fields"]) == ["area"]


def test_addresses_come_in_pages_of_fifty(signed_in, grid_a):
    Address.objects.bulk_create(
        Address(grid=grid_a, road="长江路", number=str(n), text=f"长江路{n}号") for n in range(55)
    )

    first = signed_in.get("/api/v1/addresses/").json()
    second = signed_in.get(first["next"]).json()

    assert first["count"] == 55
    assert len(first["results"]) == 50
    assert len(second["results"]) == 5
    assert second["next"] is None
    assert not {r["id"] for r in first["results"]} & {r["id"] for r in second["results"]}


def test_an_unknown_address_is_not_found(signed_in, db):
    response = signed_in.get("/api/v1/addresses/999999/")

    assert response.status_code == 404
    assert_error_body(response.json(), code="not_found")


@pytest.mark.parametrize("rows", [3, 30])
def test_address_list_queries_do_not_grow_with_rows(
    signed_in, city, rows, django_assert_max_num_queries
):
    grids = [g for pair in city["grids"] for g in pair]
    for n in range(rows):
        factories.AddressFactory(grid=grids[n % len(grids)])

    # the area named in the filter, the count, the page
    with django_assert_max_num_queries(3):
        response = signed_in.get("/api/v1/addresses/", {"area": city["city"].code})

    assert response.json()["count"] == rows


@pytest.mark.parametrize("rows", [3, 30])
def test_area_list_queries_do_not_grow_with_rows(
    signed_in, city, rows, django_assert_max_num_queries
):
    community = city["grids"][0][0].parent
    for n in range(rows):
        factories.AreaFactory(
            code=f"{community.code}{100 + n:03d}",
            level=Level.GRID,
            parent=community,
            district=community.district,
        )

    # the count, the page
    with django_assert_max_num_queries(2):
        response = signed_in.get("/api/v1/areas/", {"level": "grid"})

    assert response.json()["count"] == rows + 4
