"""Factories that only make valid objects (real division codes, valid ID numbers)."""

from __future__ import annotations

import datetime as dt

import factory
from stdnum.cn import ric

from portal.accounts.models import Department, Role, User
from portal.areas.models import Address, Area, Level


def make_id_number(*, birth: dt.date, seq: int, region: str = "330304") -> str:
    body = f"{region}{birth:%Y%m%d}{seq:03d}"
    return body + ric.calc_check_digit(body + "0")


class AreaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Area

    name = factory.Sequence(lambda n: f"区域{n}")
    level = Level.CITY
    code = factory.Sequence(lambda n: f"3303{n:08d}")


def build_area_tree(*, city_code: str = "330300000000", districts: int = 2) -> dict:
    """A city with `districts` districts, each with one street, one community and two grids."""
    city, _ = Area.objects.get_or_create(
        code=city_code, defaults={"name": "温州市", "name_en": "Wenzhou", "level": Level.CITY}
    )
    tree: dict = {"city": city, "districts": [], "grids": []}
    for d in range(districts):
        dcode = f"{city_code[:4]}{d + 2:02d}000000"
        district, _ = Area.objects.get_or_create(
            code=dcode,
            defaults={
                "name": f"第{d + 1}区",
                "name_en": f"District {d + 1}",
                "level": Level.DISTRICT,
                "parent": city,
            },
        )
        if district.district_id is None:
            district.district = district
            district.save(update_fields=["district"])
        street, _ = Area.objects.get_or_create(
            code=f"{dcode[:6]}001000",
            defaults={
                "name": f"第{d + 1}街道",
                "level": Level.STREET,
                "parent": district,
                "district": district,
            },
        )
        community, _ = Area.objects.get_or_create(
            code=f"{dcode[:6]}001001",
            defaults={
                "name": f"第{d + 1}社区",
                "level": Level.COMMUNITY,
                "parent": street,
                "district": district,
            },
        )
        grids = []
        for g in range(2):
            grid, _ = Area.objects.get_or_create(
                code=f"{community.code}{g + 1:03d}",
                defaults={
                    "name": f"第{g + 1}网格",
                    "level": Level.GRID,
                    "parent": community,
                    "district": district,
                },
            )
            grids.append(grid)
        tree["districts"].append(district)
        tree["grids"].append(grids)
    return tree


class AddressFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Address

    road = "人民路"
    number = factory.Sequence(lambda n: str(n + 1))
    building = "1"
    unit = "1"
    room = factory.Sequence(lambda n: f"{101 + n}")
    text = factory.LazyAttribute(
        lambda o: Address.compose_text(
            road=o.road, number=o.number, building=o.building, unit=o.unit, room=o.room
        )
    )


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.django.Password("pass-for-tests-2026")
    roles = factory.LazyFunction(lambda: [Role.RESIDENT])


def reviewer(*, department: str, districts: list[Area], username: str) -> User:
    user = UserFactory(
        username=username,
        roles=[Role.REVIEWER],
        department=Department.objects.get(code=department),
    )
    user.districts.set(districts)
    return user


def verified(registration):
    """The registration with its start date verified by a grid officer of its grid, as a late
    declaration of an earlier move-in is once the officer has seen the evidence."""
    from residents import services as resident_services

    if registration.counted_from is None:
        return registration
    grid = registration.address.grid
    verifier = (
        User.objects.filter(grids=grid).order_by("pk").first()
        or User.objects.filter(username=f"verifier_{grid.pk}").first()
        or officer(grids=[grid], username=f"verifier_{grid.pk}")
    )
    return resident_services.verify_registration_start(
        actor=verifier, registration_id=registration.pk, evidence="租赁合同"
    )


def officer(*, grids: list[Area], username: str) -> User:
    user = UserFactory(username=username, roles=[Role.GRID_OFFICER])
    user.grids.set(grids)
    return user
