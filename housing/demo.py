"""The housing part of the demo city.

landlord1 lets two homes in officer1's grids, both through the housing department's safety
check: the flat resident1 and their child rent and the flat resident2 rents (their
registrations there become the tenancies). A third home waits for housing1's safety check in
the workbench.
One affordable-housing project in the first district has 40 flats and a round open for
applications; housing1 reviews.

Homes are found by address, tenancies by person and rounds by project, so a rerun changes
nothing. Everything goes through the housing services, like any other declaration.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from housing import services
from housing.models import (
    ApplicationRound,
    HousingProject,
    HousingUnit,
    RentalHome,
    Tenancy,
    UnitType,
)
from portal.areas.models import Address
from portal.demo import SeedContext
from portal.workflow.models import Status
from residents.models import Person, Registration

OWNER = "陈建国"


def seed(ctx: SeedContext) -> None:
    with transaction.atomic():
        homes = seed_rental_homes(ctx)
        project = seed_affordable_housing(ctx)
    ctx.write(
        _(
            "Housing: landlord1 lets %(homes)d homes with %(tenants)d tenants; "
            "%(project)s has %(units)d flats and an open round."
        )
        % {
            "homes": len(homes),
            "tenants": Tenancy.objects.filter(home__in=homes, end_date__isnull=True).count(),
            "project": project.name,
            "units": project.units.count(),
        }
    )


def _home(
    ctx: SeedContext, address: Address, *, certificate: str, max_occupants: int, approve: bool
) -> RentalHome:
    """landlord1's demo home with this certificate number, registered, submitted and (when
    `approve`) through housing1's safety check."""
    users = ctx.made["users"]
    landlord, reviewer = users["landlord1"], users["housing1"]
    home = RentalHome.objects.filter(
        landlord=landlord, property_certificate=certificate, is_active=True
    ).first()
    if home is None:
        home = services.create_rental_home(
            actor=landlord,
            grid_id=address.grid_id,
            road=address.road,
            number=address.number,
            building=address.building,
            unit=address.unit,
            room=address.room,
            owner_name=OWNER,
            property_certificate=certificate,
            rooms=2,
            floor_area=Decimal("62.50"),
            max_occupants=max_occupants,
        )
    if home.case.status in (Status.DRAFT, Status.RETURNED):
        services.submit_rental_home(actor=landlord, home_id=home.pk)
    if approve and RentalHome.objects.get(pk=home.pk).case.status == Status.SUBMITTED:
        services.approve_rental_home(
            actor=reviewer, home_id=home.pk, reason="消防设施齐全，准予出租。"
        )
    return RentalHome.objects.select_related("case", "address").get(pk=home.pk)


def _declare(ctx: SeedContext, home: RentalHome, persons: list[Person]) -> None:
    """Declare these demo residents, registered at the home's address, as its tenants (their
    registrations are kept as they are); a resident with a current tenancy is left alone."""
    landlord = ctx.made["users"]["landlord1"]
    for person in persons:
        if Tenancy.objects.filter(person=person, end_date__isnull=True).exists():
            continue
        registration = Registration.objects.filter(
            person=person, address=home.address, end_date__isnull=True
        ).first()
        if registration is None:
            continue
        services.declare_tenant(
            actor=landlord,
            home_id=home.pk,
            name=person.name,
            id_number=person.id_number,
            start_date=registration.start_date,
            phone=str(person.phone or ""),
        )


def _occupants(address: Address) -> int:
    return Registration.objects.filter(address=address, end_date__isnull=True).count()


def seed_rental_homes(ctx: SeedContext) -> list[RentalHome]:
    """landlord1's two let homes, and one waiting for its check, in officer1's grids: the
    flat of resident1's family and the flat of resident2 (whose declaration officer1 is to
    verify) become their tenancies. A synthetic population may live there too, so a
    maximum is never below the people registered when the home is first registered."""
    users = ctx.made["users"]
    by_grid = ctx.made["addresses_by_grid"]
    first_grid, second_grid = list(users["officer1"].grids.order_by("code")[:2])
    first, second = by_grid[first_grid.code], by_grid[second_grid.code]

    family_home = _home(
        ctx,
        first[0],
        certificate="浙(2019)温州市不动产权第0031001号",
        max_occupants=max(4, _occupants(first[0])),
        approve=True,
    )
    resident1 = Person.objects.filter(user=users["resident1"]).first()
    if resident1 is not None:
        children = [
            link.dependant for link in resident1.dependant_links.select_related("dependant")
        ]
        _declare(ctx, family_home, [resident1, *children])
    second_home = _home(
        ctx,
        second[0],
        certificate="浙(2019)温州市不动产权第0031002号",
        max_occupants=max(3, _occupants(second[0])),
        approve=True,
    )
    _declare(ctx, second_home, list(Person.objects.filter(user=users["resident2"])))
    _home(
        ctx,
        second[1 % len(second)],
        certificate="浙(2019)温州市不动产权第0031003号",
        max_occupants=max(2, _occupants(second[1 % len(second)])),
        approve=False,
    )
    return [family_home, second_home]


# The flats of the demo project: (unit type, how many, floor area, monthly rent).
DEMO_UNITS = (
    (UnitType.STUDIO, 16, Decimal("32.00"), Decimal("850.00")),
    (UnitType.ONE_BEDROOM, 16, Decimal("48.00"), Decimal("1250.00")),
    (UnitType.TWO_BEDROOM, 8, Decimal("68.00"), Decimal("1700.00")),
)


def seed_affordable_housing(ctx: SeedContext) -> HousingProject:
    """One project with 40 flats in the first district, and a round open for a month."""
    district = ctx.made["districts"][0]
    project, _created = HousingProject.objects.get_or_create(
        name="瓯江人才公寓",
        defaults={
            "name_en": "Oujiang Talent Apartments",
            "district": district,
            "location": "瓯江路188号",
            "description": "面向新市民、青年人的保障性租赁住房，拎包入住。",
        },
    )
    if not project.units.exists():
        units = []
        number = 0
        for unit_type, count, area, rent in DEMO_UNITS:
            for _i in range(count):
                floor, door = divmod(number, 4)
                units.append(
                    HousingUnit(
                        project=project,
                        label=f"1幢{floor + 2}{door + 1:02d}",
                        unit_type=unit_type,
                        floor_area=area,
                        monthly_rent=rent,
                    )
                )
                number += 1
        HousingUnit.objects.bulk_create(units)
    if not ApplicationRound.objects.filter(project=project).exists():
        today = timezone.localdate()
        services.create_round(
            actor=ctx.made["users"]["housing1"],
            project_id=project.pk,
            name="2026年第一批",
            opens_on=today - dt.timedelta(days=10),
            closes_on=today + dt.timedelta(days=20),
            unit_types=[
                (UnitType.STUDIO, 1, 1),
                (UnitType.ONE_BEDROOM, 1, 2),
                (UnitType.TWO_BEDROOM, 2, 4),
            ],
            offer_days=7,
        )
    return project
