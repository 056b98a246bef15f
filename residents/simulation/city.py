"""The simulated city's places and people in the database: areas, addresses, accounts, persons.

Each run gets its own street (division code under a 'simulated' district 99 of the city) with
its communities, grids, addresses, grid officers and the accounts residents and landlords
declare through. Persons the simulator makes are marked (`SimulatedPerson`), so the
registry of real persons is never mixed with them: `real_persons` counts the unmarked ones.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator
from dataclasses import dataclass

from django.db import connection
from stdnum.cn import ric

from portal.accounts.models import Role, User
from portal.areas.models import Address, Area, Level
from residents import bulk, idnumber
from residents.models import Person, SimulatedPerson, SimulationRun

GRIDS_PER_COMMUNITY = 10
DEFAULT_CITY = ("330300000000", "模拟市")


@dataclass
class Places:
    city_code: str
    grid_ids: list[int]
    address_ids: list[int]  # position -> Address id
    grid_of: list[int]  # position -> grid position
    officers: list[list[User]]  # grid position -> its officers
    resident: User  # the account residents declare through (they have no logins)
    landlord: User


def real_persons() -> int:
    return Person.objects.filter(simulated__isnull=True).count()


def _area(code: str, name: str, level: str, parent: Area | None, district: Area | None) -> Area:
    area, _created = Area.objects.get_or_create(
        code=code, defaults={"name": name, "level": level, "parent": parent, "district": district}
    )
    return area


def build(
    run: SimulationRun, *, addresses: int, addresses_per_grid: int, officers_per_grid: int
) -> Places:
    city = Area.objects.filter(level=Level.CITY).order_by("code").first()
    if city is None:
        city = _area(DEFAULT_CITY[0], DEFAULT_CITY[1], Level.CITY, None, None)
    district = _area(f"{city.code[:4]}99000000", "模拟区", Level.DISTRICT, city, None)
    if district.district_id is None:
        Area.objects.filter(pk=district.pk).update(district=district)
    street = _area(
        f"{city.code[:4]}99{run.pk % 1000:03d}000",
        f"模拟街道{run.pk}",
        Level.STREET,
        district,
        district,
    )
    grids_needed = max(1, -(-addresses // addresses_per_grid))
    grids: list[Area] = []
    for g in range(grids_needed):
        c = g // GRIDS_PER_COMMUNITY
        community = _area(
            f"{street.code[:9]}{c + 1:03d}", f"模拟社区{c + 1}", Level.COMMUNITY, street, district
        )
        grids.append(
            _area(
                f"{community.code}{g % GRIDS_PER_COMMUNITY + 1:03d}",
                f"网格{g + 1}",
                Level.GRID,
                community,
                district,
            )
        )
    rows = []
    for position in range(addresses):
        grid = grids[position // addresses_per_grid]
        road, number = f"模拟路{run.pk}", str(position + 1)
        rows.append(
            Address(
                grid=grid,
                road=road,
                number=number,
                text=Address.compose_text(road=road, number=number, building="", unit="", room=""),
            )
        )
    Address.objects.bulk_create(rows, batch_size=5000, ignore_conflicts=True)
    by_number = dict(
        Address.objects.filter(grid__in=grids, road=f"模拟路{run.pk}").values_list("number", "id")
    )
    address_ids = [by_number[str(p + 1)] for p in range(addresses)]
    officers: list[list[User]] = []
    for g, grid in enumerate(grids):
        mine = []
        for k in range(officers_per_grid):
            user, _created = User.objects.get_or_create(
                username=f"sim{run.pk}-officer-{g + 1}-{k + 1}",
                defaults={"roles": [Role.GRID_OFFICER]},
            )
            user.grids.add(grid)
            mine.append(user)
        officers.append(mine)
    resident, _c = User.objects.get_or_create(
        username=f"sim{run.pk}-residents", defaults={"roles": [Role.RESIDENT]}
    )
    landlord, _c = User.objects.get_or_create(
        username=f"sim{run.pk}-landlords", defaults={"roles": [Role.LANDLORD]}
    )
    return Places(
        city_code=city.code[:6],
        grid_ids=[g.pk for g in grids],
        address_ids=address_ids,
        grid_of=[p // addresses_per_grid for p in range(addresses)],
        officers=officers,
        resident=resident,
        landlord=landlord,
    )


class Identities:
    """Names and ID numbers of the simulated persons, made by residents.bulk.generate (and, for
    newborns, from the birth day), none already in the registry."""

    def __init__(self, *, seed: int, first_day: dt.date) -> None:
        self.rng = random.Random(seed)  # noqa: S311 - made-up persons, not a secret
        self.rows: list[tuple] = []
        self.hashes: list[str] = []
        self._source: Iterator[tuple] = bulk.generate(
            self.rng, count=10**9, address_ids=[0], today=first_day - dt.timedelta(days=1)
        )
        self._newborn_seq = 0

    def ensure(self, count: int) -> None:
        """Have at least `count` identities (person numbers 0..count-1)."""
        while len(self.rows) < count:
            want = count - len(self.rows)
            batch = [next(self._source) for _ in range(want + want // 100 + 10)]
            hashes = [idnumber.keyed_hash(row[2]) for row in batch]
            taken = set(_existing(hashes)) | set(self.hashes)
            for row, key in zip(batch, hashes, strict=True):
                if key not in taken and len(self.rows) < count:
                    self.rows.append(row)
                    self.hashes.append(key)
                    taken.add(key)

    def add_newborn(self, *, person: int, parent: int, born: dt.date) -> None:
        """A newborn's identity: the parent's surname, born on `born`."""
        while len(self.rows) < person:
            self.ensure(person)
        surname = self.rows[parent][1][0]
        while True:
            self._newborn_seq += 1
            body = f"330304{born:%Y%m%d}{self._newborn_seq % 1000:03d}"
            number = body + ric.calc_check_digit(body + "0")
            key = idnumber.keyed_hash(number)
            if key not in self.hashes and not _existing([key]):
                break
        row = (0, surname + "宝宝", number, born, "M", "", "330304000000", "", "")
        self.rows.append(row)
        self.hashes.append(key)


def _existing(hashes: list[str]) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT id_hash FROM residents_person WHERE id_hash = ANY(%s)", [hashes])
        return [h for (h,) in cursor.fetchall()]


def map_persons(
    run: SimulationRun, identities: Identities, person_of: dict[int, int], missing: set[int]
) -> list[tuple[int, int]]:
    """Find the registry's persons of the `missing` identities; mark them simulated; return
    the (identity, person id) pairs found (and take them out of `missing`)."""
    if not missing:
        return []
    index = {identities.hashes[i]: i for i in missing}
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id, id_hash FROM residents_person WHERE id_hash = ANY(%s)", [list(index)]
        )
        found = cursor.fetchall()
        for person_id, key in found:
            person_of[index[key]] = person_id
            missing.discard(index[key])
        if found:
            cursor.execute(
                "INSERT INTO residents_simulatedperson (person_id, run_id) "
                "SELECT unnest(%s::bigint[]), %s ON CONFLICT DO NOTHING",
                [[person_id for person_id, _key in found], run.pk],
            )
    return [(index[key], person_id) for person_id, key in found]


__all__ = ["Identities", "Places", "SimulatedPerson", "build", "map_persons", "real_persons"]
