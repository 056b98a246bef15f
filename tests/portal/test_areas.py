"""Standard addresses: creating them once, finding them by area and by words."""

from __future__ import annotations

import pytest

from portal.areas import selectors, services
from portal.areas.models import Address
from portal.errors import InvalidInput


def test_create_address_writes_the_full_text(grid_a):
    address = services.create_address(
        grid=grid_a, road="人民路", number="12", building="3", unit="2", room="501"
    )

    assert address.text == "人民路12号3幢2单元501室"
    assert address.grid == grid_a
    assert Address.objects.get(pk=address.pk).text == "人民路12号3幢2单元501室"


def test_create_address_leaves_out_the_parts_not_given(grid_a):
    address = services.create_address(grid=grid_a, road="人民路", number="12")

    assert address.text == "人民路12号"


def test_the_same_address_twice_is_one_row(grid_a):
    first = services.create_address(grid=grid_a, road="人民路", number="12", room="501")
    second = services.create_address(grid=grid_a, road=" 人民路 ", number="12号", room="501室")

    assert second.pk == first.pk
    assert Address.objects.count() == 1


def test_parts_written_with_their_word_are_written_once(grid_a):
    address = services.create_address(
        grid=grid_a, road="人民路", number="12号", building="3幢", unit="2单元", room="501室"
    )

    assert (address.number, address.building, address.unit, address.room) == ("12", "3", "2", "501")
    assert address.text == "人民路12号3幢2单元501室"


def test_the_same_coordinates_in_another_grid_are_another_address(grid_a, grid_b):
    a = services.create_address(grid=grid_a, road="人民路", number="12")
    b = services.create_address(grid=grid_b, road="人民路", number="12")

    assert a.pk != b.pk


def test_an_address_outside_a_grid_is_refused(district_a):
    with pytest.raises(InvalidInput) as refused:
        services.create_address(grid=district_a, road="人民路", number="12")

    assert list(refused.value.fields) == ["grid"]
    assert not Address.objects.exists()


def test_road_and_number_are_required(grid_a):
    with pytest.raises(InvalidInput) as refused:
        services.create_address(grid=grid_a, road=" ", number="")

    assert set(refused.value.fields) == {"road", "number"}


def test_a_part_too_long_is_refused_by_name(grid_a):
    with pytest.raises(InvalidInput) as refused:
        services.create_address(grid=grid_a, road="人民路", number="12", room="1" * 21)

    assert list(refused.value.fields) == ["room"]


@pytest.fixture
def spread(city):
    """One address in each of the first district's two grids, and one in the second district."""
    a1, a2 = city["grids"][0]
    return {
        "a1": services.create_address(grid=a1, road="人民路", number="1", room="101"),
        "a2": services.create_address(grid=a2, road="人民路", number="2", room="202"),
        "b1": services.create_address(grid=city["grids"][1][0], road="解放路", number="3"),
    }


@pytest.mark.parametrize(
    ("level", "expected"),
    [
        ("grid", {"a1"}),
        ("community", {"a1", "a2"}),
        ("street", {"a1", "a2"}),
        ("district", {"a1", "a2"}),
        ("city", {"a1", "a2", "b1"}),
    ],
)
def test_addresses_in_area_at_every_level(spread, city, level, expected):
    grid = city["grids"][0][0]
    area = {
        "grid": grid,
        "community": grid.parent,
        "street": grid.parent.parent,
        "district": grid.district,
        "city": city["city"],
    }[level]

    found = set(selectors.addresses_in_area(area))

    assert found == {spread[key] for key in expected}


def test_search_matches_every_word_in_any_order(spread):
    assert list(selectors.search_addresses("101 人民路")) == [spread["a1"]]
    assert list(selectors.search_addresses("人民路")) == [spread["a1"], spread["a2"]]
    assert list(selectors.search_addresses("人民路 303")) == []


def test_search_within_an_area(spread, district_b):
    assert list(selectors.search_addresses("路", area=district_b)) == [spread["b1"]]


def test_an_empty_search_finds_everything(spread):
    assert selectors.search_addresses("  ").count() == 3


def test_areas_are_found_by_name_or_code_prefix(city, district_a):
    assert list(selectors.search_areas("第1区")) == [district_a]
    assert list(selectors.search_areas("District 1")) == [district_a]
    by_prefix = selectors.search_areas(district_a.code[:6])
    assert {a.code[:6] for a in by_prefix} == {district_a.code[:6]}
    assert by_prefix.count() == 1 + 1 + 1 + 2
