"""`manage.py seed_demo`: the demo city, its accounts and residents, and the bulk population."""

from __future__ import annotations

import datetime as dt
import random
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction
from django.utils import timezone
from stdnum.cn import ric

from employment import demo as employment_demo
from housing.models import RentalHome
from portal.accounts.models import Role, User
from portal.areas.models import Address, Area, Level
from portal.demo import DEMO_PASSWORD
from residents import bulk, idnumber
from residents.models import Dependant, Person, Registration, Relation
from tests import factories

PER_GRID = 5


def seed(*args: str) -> str:
    out = StringIO()
    call_command("seed_demo", "--addresses-per-grid", str(PER_GRID), *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def demo_mode(settings):
    settings.DEMO_MODE = True


@pytest.fixture
def seeded(db, demo_mode):
    return seed()


def table_counts() -> dict[str, int]:
    tables = [
        "areas_area",
        "areas_address",
        "accounts_user",
        "accounts_user_districts",
        "accounts_user_grids",
        "residents_person",
        "residents_dependant",
        "residents_registration",
    ]
    with connection.cursor() as cursor:
        counts = {}
        for table in tables:
            cursor.execute(f"SELECT count(*) FROM {table}")  # noqa: S608 - fixed names
            counts[table] = cursor.fetchone()[0]
    return counts


def snapshot() -> dict[str, list]:
    """The seeded data by natural keys (ids and ciphertexts differ between builds)."""
    return {
        "areas": list(
            Area.objects.order_by("code").values_list(
                "code", "name", "name_en", "level", "parent__code", "district__code", "boundary"
            )
        ),
        "addresses": list(
            Address.objects.order_by("grid__code", "text").values_list("grid__code", "text")
        ),
        "users": list(
            User.objects.order_by("username").values_list("username", "roles", "department__code")
        ),
        "persons": sorted(
            (p.id_hash, p.id_number, p.name, str(p.phone), p.education, p.employer)
            for p in Person.objects.all()
        ),
        "registrations": list(
            Registration.objects.order_by(
                "person__id_hash", "start_date", "address__grid__code", "address__text"
            ).values_list(
                "person__id_hash",
                "address__grid__code",
                "address__text",
                "start_date",
                "end_date",
                "reason",
                "source",
            )
        ),
    }


def seed_and_snapshot(*args: str) -> dict[str, list]:
    """Seed inside a savepoint, take the snapshot, then roll the seed back."""
    with transaction.atomic():
        seed(*args)
        taken = snapshot()
        transaction.set_rollback(True)
    return taken


def box(area: Area) -> tuple[float, float, float, float]:
    ring = area.boundary["coordinates"][0]
    xs = [x for x, _y in ring]
    ys = [y for _x, y in ring]
    return min(xs), min(ys), max(xs), max(ys)


def surface(area: Area) -> float:
    west, south, east, north = box(area)
    return (east - west) * (north - south)


# --- the city ------------------------------------------------------------------------------


def test_seed_builds_a_city_of_3_districts_12_streets_40_communities_200_grids(seeded):
    counts = {level: Area.objects.filter(level=level).count() for level in Level.values}
    assert counts == {
        Level.CITY: 1,
        Level.DISTRICT: 3,
        Level.STREET: 12,
        Level.COMMUNITY: 40,
        Level.GRID: 200,
    }
    city = Area.objects.get(level=Level.CITY)
    assert city.code == "331083000000"
    assert city.district is None


def test_division_codes_nest_and_every_area_knows_its_district(seeded):
    for district in Area.objects.filter(level=Level.DISTRICT):
        assert district.district_id == district.pk
        assert district.code[:4] == "3310"
        assert district.code[6:] == "000000"
    for street in Area.objects.filter(level=Level.STREET).select_related("parent"):
        assert street.code[:6] == street.parent.code[:6]
        assert street.code[6] == "0"
        assert street.code[9:] == "000"
        assert street.district_id == street.parent_id
    for community in Area.objects.filter(level=Level.COMMUNITY).select_related("parent"):
        assert community.code[:9] == community.parent.code[:9]
        assert community.code[9] == "0"
        assert community.district_id == community.parent.district_id
    for grid in Area.objects.filter(level=Level.GRID).select_related("parent"):
        assert len(grid.code) == 15
        assert grid.code[:12] == grid.parent.code
        assert grid.district_id == grid.parent.district_id
        assert grid.name
        assert grid.name_en


def test_boundaries_are_closed_polygons_that_tile_their_parent(seeded):
    areas = list(Area.objects.all())
    for area in areas:
        assert area.boundary["type"] == "Polygon"
        ring = area.boundary["coordinates"][0]
        assert len(ring) >= 4
        assert ring[0] == ring[-1]
        assert surface(area) > 0
        lon, lat = ring[0]
        assert 120.9 < lon < 121.5
        assert 27.9 < lat < 28.3
    children: dict[int, list[Area]] = {}
    for area in areas:
        if area.parent_id:
            children.setdefault(area.parent_id, []).append(area)
    for area in areas:
        if area.level == Level.GRID:
            continue
        parts = children[area.pk]
        west, south, east, north = box(area)
        for part in parts:
            pw, ps, pe, pn = box(part)
            assert west <= pw < pe <= east
            assert south <= ps < pn <= north
        assert sum(surface(part) for part in parts) == pytest.approx(surface(area), rel=1e-9)


def test_every_grid_has_its_standard_addresses_written_out(seeded):
    assert Address.objects.count() == 200 * PER_GRID
    for address in Address.objects.all()[:50]:
        assert address.text == Address.compose_text(
            road=address.road,
            number=address.number,
            building=address.building,
            unit=address.unit,
            room=address.room,
        )
        assert address.text.startswith(address.road)
    for grid in Area.objects.filter(level=Level.GRID):
        assert grid.addresses.count() == PER_GRID


# --- the accounts --------------------------------------------------------------------------

DEMO_USERNAMES = [
    "resident1",
    "resident2",
    "landlord1",
    "officer1",
    "police1",
    "housing1",
    "education1",
    "points1",
    "analyst1",
    "admin",
]


@pytest.mark.parametrize("username", DEMO_USERNAMES)
def test_demo_account_logs_in_with_the_demo_password(seeded, client, username):
    assert client.login(username=username, password=DEMO_PASSWORD)


def test_seed_prints_the_demo_logins(seeded):
    assert DEMO_PASSWORD in seeded
    for username in DEMO_USERNAMES:
        assert f"  {username} " in seeded


def test_roles_and_staff_scopes_are_those_of_the_demo(seeded):
    districts = list(Area.objects.filter(level=Level.DISTRICT).order_by("code"))
    first_grids = list(
        Area.objects.filter(level=Level.GRID, district=districts[0]).order_by("code")[:2]
    )
    users = {u.username: u for u in User.objects.filter(username__in=DEMO_USERNAMES)}

    assert users["resident1"].roles == [Role.RESIDENT]
    assert str(users["resident1"].phone)
    assert str(users["resident2"].phone)
    assert set(users["landlord1"].roles) == {Role.LANDLORD, Role.RESIDENT}
    assert list(users["officer1"].grids.order_by("code")) == first_grids
    assert users["officer1"].roles == [Role.GRID_OFFICER]
    assert users["police1"].department.code == "public_security"
    assert list(users["police1"].districts.all()) == districts[:1]
    for username, department in [
        ("housing1", "housing"),
        ("education1", "education"),
        ("points1", "human_resources"),
    ]:
        assert users[username].roles == [Role.REVIEWER]
        assert users[username].department.code == department
        assert list(users[username].districts.order_by("code")) == districts
    assert users["analyst1"].roles == [Role.ANALYST]
    admin = users["admin"]
    assert admin.is_superuser
    assert admin.is_staff
    assert admin.roles == [Role.ADMINISTRATOR]


def test_a_password_changed_after_seeding_is_kept(seeded, client):
    user = User.objects.get(username="analyst1")
    user.set_password("changed-by-operator-1")
    user.save()
    seed()
    assert client.login(username="analyst1", password="changed-by-operator-1")


# --- the demo residents ----------------------------------------------------------------------


def test_resident1_is_registered_two_years_with_a_six_year_old_child(seeded):
    today = timezone.localdate()
    person = Person.objects.get(user__username="resident1")
    current = person.registrations.get(end_date__isnull=True)
    assert current.start_date.replace(year=current.start_date.year + 2) in (
        today,
        today - dt.timedelta(days=1),  # 29 February two years ago
    )
    assert current.address.grid.district.code == "331002000000"
    assert person.employer
    assert person.education
    assert idnumber.parse(person.id_number).birth_date == person.birth_date

    link = Dependant.objects.get(guardian=person)
    child = link.dependant
    assert link.relation == Relation.CHILD
    assert child.user is None
    age = (
        today.year
        - child.birth_date.year
        - ((today.month, today.day) < (child.birth_date.month, child.birth_date.day))
    )
    assert age == 6
    parsed = idnumber.parse(child.id_number)
    assert (parsed.birth_date, parsed.sex) == (child.birth_date, child.sex)
    child_registration = child.registrations.get(end_date__isnull=True)
    assert child_registration.address_id == current.address_id


def test_resident2_arrived_two_months_ago_in_the_first_district(seeded):
    person = Person.objects.get(user__username="resident2")
    current = person.registrations.get(end_date__isnull=True)
    assert current.start_date == timezone.localdate() - dt.timedelta(days=60)
    assert current.address.grid.district.code == "331002000000"
    assert person.registrations.count() == 1


def test_officer1_has_residents_living_in_their_grids(seeded):
    officer = User.objects.get(username="officer1")
    living = Person.objects.filter(
        registrations__end_date__isnull=True,
        registrations__address__grid__in=officer.grids.all(),
    ).distinct()
    assert living.count() >= 8
    assert {"resident1", "resident2"} <= set(
        living.filter(user__isnull=False).values_list("user__username", flat=True)
    )


# --- idempotency and determinism --------------------------------------------------------------


def test_seeding_twice_adds_no_rows(seeded):
    before = table_counts()
    seed()
    assert table_counts() == before


def test_the_same_seed_gives_the_same_data_and_another_seed_other_persons(db, demo_mode):
    first = seed_and_snapshot("--persons", "200")
    again = seed_and_snapshot("--persons", "200")
    other = seed_and_snapshot("--persons", "200", "--seed", "7")
    assert first == again
    assert first["areas"] == other["areas"]
    assert first["persons"] != other["persons"]


def test_seed_refuses_outside_demo_mode(db, settings):
    settings.DEMO_MODE = False
    with pytest.raises(CommandError, match="PORTAL_DEMO_MODE=1"):
        seed()
    assert not User.objects.filter(username="admin").exists()


# --- the synthetic population --------------------------------------------------------------------


def test_persons_option_adds_residents_consistent_with_their_id_numbers(seeded):
    existing = set(Person.objects.values_list("pk", flat=True))
    seed("--persons", "2000")
    added = list(Person.objects.exclude(pk__in=existing).prefetch_related("registrations"))
    assert len(added) == 2000
    today = timezone.localdate()
    with_history = 0
    for person in added:
        parsed = idnumber.parse(person.id_number)  # decrypted through the ORM
        assert parsed.region_known
        assert parsed.birth_date == person.birth_date
        assert dt.date(1950, 1, 1) <= person.birth_date <= dt.date(2020, 12, 31)
        assert parsed.sex == person.sex
        assert person.id_hash == idnumber.keyed_hash(parsed.number)
        assert person.id_masked == idnumber.mask(parsed.number)
        assert person.origin_code == parsed.number[:6] + "000000"
        assert person.name
        assert person.created_at is not None
        registrations = sorted(person.registrations.all(), key=lambda r: r.start_date)
        current = [r for r in registrations if r.end_date is None]
        assert len(current) == 1
        assert person.birth_date <= current[0].start_date <= today
        assert current[0].start_date >= today - dt.timedelta(days=3650)
        if len(registrations) > 1:
            with_history += 1
            ended = registrations[0]
            assert person.birth_date <= ended.start_date <= ended.end_date
            assert ended.end_date < current[0].start_date
    assert 0.2 < with_history / len(added) < 0.45
    with connection.cursor() as cursor:
        cursor.execute("SELECT id_number FROM residents_person WHERE id = %s", [added[0].pk])
        stored = cursor.fetchone()[0]
    assert stored != added[0].id_number
    assert added[0].id_number not in stored


def test_rerunning_the_persons_option_with_the_same_seed_adds_nothing(seeded):
    seed("--persons", "500")
    before = table_counts()
    seed("--persons", "500")
    assert table_counts() == before


def test_a_larger_count_with_the_same_seed_extends_the_same_population(seeded):
    seed("--persons", "300")
    before = table_counts()
    seed("--persons", "500")
    after = table_counts()
    assert after["residents_person"] == before["residents_person"] + 200


def test_generated_id_numbers_are_distinct_and_valid():
    rows = list(
        bulk.generate(
            random.Random(1), count=5000, address_ids=[1, 2, 3], today=dt.date(2026, 1, 1)
        )
    )
    numbers = [row[2] for row in rows]
    assert len(set(numbers)) == 5000
    for number in numbers[:500]:
        idnumber.parse(number, today=dt.date(2026, 1, 1))


def test_every_origin_county_has_a_known_region_code_for_every_birth_year():
    for name, county in bulk.ORIGIN_COUNTIES:
        for year in range(1950, 2021):
            body = f"{bulk.region_for(county, year)}{year}0601001"
            number = body + ric.calc_check_digit(body + "0")
            assert idnumber.parse(number).region_known, (name, year)


def test_demo_persons_have_known_regions_no_synthetic_person_can_take(seeded):
    synthetic = {code for _name, county in bulk.ORIGIN_COUNTIES for _since, code in county}
    persons = list(Person.objects.all())
    workers = len(employment_demo.SHOE_WORKERS) + len(employment_demo.GARMENT_WORKERS)
    assert len(persons) == 9 + workers  # the employers' demo workers are persons too
    for person in persons:
        parsed = idnumber.parse(person.id_number)
        assert parsed.region_known, person.name
        assert parsed.number[:6] not in synthetic
        assert (parsed.birth_date, parsed.sex) == (person.birth_date, person.sex)


def test_a_resident_user_already_linked_to_a_person_keeps_that_person(db, demo_mode):
    user = User.objects.create_user(username="resident1", password="own-password-2026")
    number = factories.make_id_number(birth=dt.date(1980, 1, 1), seq=1, region="110101")
    earlier = Person.objects.create(
        user=user,
        name="早先的人",
        id_number=number,
        id_hash=idnumber.keyed_hash(number),
        id_masked=idnumber.mask(number),
        birth_date=dt.date(1980, 1, 1),
        sex="M",
    )
    seed()
    assert Person.objects.get(user__username="resident1") == earlier
    assert earlier.registrations.filter(end_date__isnull=True).count() == 1


def test_a_crowded_synthetic_city_leaves_landlord1s_flats_to_the_named_households(db, demo_mode):
    # 30,000 synthetic persons over five addresses a grid: about fifty at every address they
    # may take, far beyond what a 62.5 m² flat may house under the occupancy policy.
    seed("--persons", "30000")
    synthetic = {code for _name, county in bulk.ORIGIN_COUNTIES for _since, code in county}
    flats = RentalHome.objects.filter(landlord__username="landlord1").values("address")
    living = Person.objects.filter(
        registrations__end_date__isnull=True, registrations__address__in=flats
    )
    assert living.exists()
    assert not [p.name for p in living if p.id_number[:6] in synthetic]
    assert Person.objects.count() > 30000
