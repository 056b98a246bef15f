"""The staff person list (API and page) walks its scope by key: every person once, no count.

A synthetic population (residents.bulk) lives in both districts, about a third of it with an
earlier, ended registration somewhere else; a block of it shares one name, longer than a page.
What the list must show is computed here from the registrations themselves, not from the
selector under test.
"""

from __future__ import annotations

import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from residents import bulk, selectors, services
from residents.models import Person, Registration
from tests import factories
from tests.residents.conftest import make_application, make_person, register

SAME_NAME = "李明"
PERSONS = 160
COUNTS_PERSONS = re.compile(r'COUNT\(.*\bFROM "residents_(person|registration)"', re.IGNORECASE)


@pytest.fixture(autouse=True)
def _fresh_throttle_counts():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def population(city):
    """PERSONS synthetic persons at addresses of both districts; 60 of them named 李明."""
    addresses = [
        factories.AddressFactory(grid=grid).pk for grids in city["grids"] for grid in grids
    ]
    bulk.load_persons(
        count=PERSONS,
        seed=11,
        address_ids=addresses,
        today=timezone.localdate(),
        write=lambda line: None,
    )
    same = Person.objects.order_by("id").values_list("pk", flat=True)[10:130:2]
    Person.objects.filter(pk__in=list(same)).update(name=SAME_NAME)


def registered_in(*, district=None, grid=None) -> set[int]:
    current = Registration.objects.filter(end_date__isnull=True)
    if district is not None:
        current = current.filter(address__grid__district=district)
    if grid is not None:
        current = current.filter(address__grid=grid)
    return set(current.values_list("person_id", flat=True))


def api_for(user) -> APIClient:
    api = APIClient()
    api.force_authenticate(user)
    return api


def walk_api(api, params=None) -> list[list[dict]]:
    """Every page of the list, following `next` from the first."""
    pages = []
    body = api.get("/api/v1/persons/", params or {}).json()
    pages.append(body["results"])
    while body["next"]:
        cache.clear()  # the walk is one caller's, not a burst the throttle should stop
        body = api.get(body["next"]).json()
        pages.append(body["results"])
    return pages


def ids_of(pages: list[list[dict]]) -> list[int]:
    return [row["id"] for page in pages for row in page]


# --- the API ---------------------------------------------------------------------------------


def test_police_walk_every_person_of_their_districts_once(population, police_a, district_a):
    expected = registered_in(district=district_a)
    assert len(expected) > 60  # several pages of 20

    pages = walk_api(api_for(police_a), {"page_size": 20})

    walked = ids_of(pages)
    assert len(walked) == len(set(walked))
    assert set(walked) == expected
    assert walked == sorted(walked)
    assert all(len(page) <= 20 for page in pages)
    same_name = Person.objects.filter(name=SAME_NAME, pk__in=expected).count()
    assert same_name > 20  # the shared name spans pages
    assert sum(row["name"] == SAME_NAME for page in pages for row in page) == same_name


def test_the_walk_back_by_previous_gives_the_same_pages(population, police_a):
    api = api_for(police_a)
    forward = walk_api(api, {"page_size": 20})
    body = api.get("/api/v1/persons/", {"page_size": 20}).json()
    while body["next"]:
        body = api.get(body["next"]).json()
    backward = [body["results"]]
    while body["previous"]:
        cache.clear()
        body = api.get(body["previous"]).json()
        backward.append(body["results"])

    assert [ids_of([page]) for page in reversed(backward)] == [ids_of([p]) for p in forward]


def test_a_grid_officer_walks_the_persons_of_their_grid_only(population, officer_a, grid_a):
    walked = ids_of(walk_api(api_for(officer_a), {"page_size": 7}))

    assert len(walked) == len(set(walked))
    assert set(walked) == registered_in(grid=grid_a)


def test_another_districts_person_never_appears(population, police_a, district_b):
    elsewhere = registered_in(district=district_b)
    assert elsewhere

    walked = set(ids_of(walk_api(api_for(police_a), {"page_size": 50})))

    assert not walked & elsewhere


def test_the_name_search_pages_through_every_namesake(population, police_a, district_a):
    expected = set(
        Person.objects.filter(
            name__contains=SAME_NAME, pk__in=registered_in(district=district_a)
        ).values_list("pk", flat=True)
    )

    walked = ids_of(walk_api(api_for(police_a), {"name": SAME_NAME, "page_size": 5}))

    assert sorted(walked) == sorted(expected)


def test_the_district_filter_narrows_to_current_registrations(
    population, police_a, district_a, district_b
):
    police_a.districts.add(district_b)

    walked = ids_of(walk_api(api_for(police_a), {"district": district_b.code}))

    assert set(walked) == registered_in(district=district_b)


def test_police_see_masked_numbers_only(population, police_a):
    pages = walk_api(api_for(police_a), {"page_size": 50})
    full = dict(Person.objects.values_list("pk", "id_number"))

    for row in (row for page in pages for row in page):
        assert row["id_number"] != full[row["id"]]
        assert "*" in row["id_number"]
        assert row["birth_date"] is None
        assert row["household"] is False


def test_a_person_under_review_stays_listed_after_moving_away(
    police_a, resident, address_a, grid_b
):
    me = make_person(resident, seq=41)
    register(resident, me, address_a)
    application = make_application(resident, me)
    services.submit_permit_application(actor=resident, application_id=application.pk)
    services.register_residence(
        actor=resident,
        person_id=me.pk,
        address_id=factories.AddressFactory(grid=grid_b).pk,
        start_date=timezone.localdate(),
        reason="work",
        moving=True,
    )

    assert ids_of(walk_api(api_for(police_a))) == [me.pk]


def test_a_page_costs_the_same_queries_and_never_counts(population, police_a):
    api = api_for(police_a)
    first = api.get("/api/v1/persons/", {"page_size": 10}).json()
    deeper = api.get(api.get(first["next"]).json()["next"]).json()
    assert deeper["next"]
    cache.clear()

    counts = []
    for url in ("/api/v1/persons/?page_size=10", first["next"], deeper["next"]):
        with CaptureQueriesContext(connection) as queries:
            assert api.get(url).status_code == 200
        sql = [query["sql"] for query in queries.captured_queries]
        assert not [s for s in sql if re.search(r"\bCOUNT\s*\(", s, re.IGNORECASE)], sql
        counts.append(len(sql))

    assert len(set(counts)) == 1, counts
    assert "count" not in first


def test_the_query_budget_holds_on_a_full_page(population, police_a, django_assert_max_num_queries):
    api = api_for(police_a)
    with django_assert_max_num_queries(6):
        body = api.get("/api/v1/persons/").json()
    assert len(body["results"]) == 50


def test_a_forged_cursor_is_a_404(police_a):
    response = api_for(police_a).get("/api/v1/persons/", {"cursor": "bz1hYmM="})

    assert response.status_code == 404
    assert set(response.json()) == {"code", "message", "fields"}


# --- the staff page --------------------------------------------------------------------------


def walk_page(client) -> list[list[Person]]:
    pages = []
    response = client.get("/staff/persons/")
    pages.append(list(response.context["results"]))
    while response.context["next_page"]:
        cache.clear()
        response = client.get(response.context["next_page"])
        assert response.status_code == 200
        pages.append(list(response.context["results"]))
    return pages


def test_the_staff_page_walks_the_scope_by_key(population, police_a, district_a):
    client = Client()
    client.force_login(police_a)

    pages = walk_page(client)

    walked = [person.pk for page in pages for person in page]
    assert len(pages) > 1
    assert all(len(page) <= 50 for page in pages)
    assert len(walked) == len(set(walked))
    assert set(walked) == registered_in(district=district_a)


def test_the_staff_page_links_pages_both_ways(population, police_a):
    client = Client()
    client.force_login(police_a)
    first = client.get("/staff/persons/")
    assert first.context["previous_page"] is None

    second = client.get(first.context["next_page"])
    html = second.content.decode()

    assert 'rel="prev"' in html
    assert 'rel="next"' in html or second.context["next_page"] is None
    back = client.get(second.context["previous_page"])
    assert [p.pk for p in back.context["results"]] == [p.pk for p in first.context["results"]]


def test_the_staff_page_never_counts_and_costs_the_same_per_page(population, police_a):
    client = Client()
    client.force_login(police_a)
    cache.clear()
    first = client.get("/staff/persons/")  # the session is cached from here on

    counts = []
    for url in ("/staff/persons/", first.context["next_page"]):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        sql = [query["sql"] for query in queries.captured_queries]
        # The layout counts the user's unread notices; nothing counts persons.
        assert not [s for s in sql if COUNTS_PERSONS.search(s)], sql
        counts.append(len(sql))

    assert counts[0] == counts[1]


def test_the_staff_page_searches_by_name_across_pages(population, police_a, district_a):
    client = Client()
    client.force_login(police_a)

    response = client.get("/staff/persons/", {"name": SAME_NAME})

    listed = [person.pk for person in response.context["results"]]
    expected = sorted(
        Person.objects.filter(
            name__contains=SAME_NAME, pk__in=registered_in(district=district_a)
        ).values_list("pk", flat=True)
    )
    assert listed == expected[:50]
    assert all(SAME_NAME in person.name for person in response.context["results"])


def test_the_staff_page_shows_masked_numbers_only(population, police_a):
    client = Client()
    client.force_login(police_a)

    html = client.get("/staff/persons/").content.decode()

    for number in Person.objects.values_list("id_number", flat=True):
        assert number not in html


def test_the_staff_page_with_a_forged_cursor_is_a_404(police_a):
    client = Client()
    client.force_login(police_a)

    assert client.get("/staff/persons/", {"cursor": "bz1hYmM="}).status_code == 404


# --- the name search -------------------------------------------------------------------------

NAMES = [
    "王伟",
    "王伟强",
    "李王伟",
    "欧阳王伟东",
    "欧阳伟",
    "伟",
    "王",
    "张三丰",
    "王_伟",
    "王%伟",
    "司马相如",
]


def persons_named(city, names: list[str]) -> list[Person]:
    address = factories.AddressFactory(grid=city["grids"][0][0]).pk
    bulk.load_persons(
        count=len(names),
        seed=5,
        address_ids=[address],
        today=timezone.localdate(),
        write=lambda line: None,
    )
    persons = list(Person.objects.order_by("id"))
    for person, name in zip(persons, names, strict=True):
        person.name = name
    Person.objects.bulk_update(persons, ["name"])
    return persons


def test_the_name_search_finds_exactly_the_names_holding_the_part(city):
    persons = persons_named(city, NAMES)
    parts = {
        name[i:j] for name in NAMES for i in range(len(name)) for j in range(i + 1, len(name) + 1)
    }
    parts |= {"伟王", "王伟强东", "_", "%", "马相如司", "三丰张"}
    for part in sorted(parts):
        found = set(
            Person.objects.filter(
                selectors.name_contains(part), pk__in=[p.pk for p in persons]
            ).values_list("name", flat=True)
        )
        assert found == {name for name in NAMES if part in name}, part


def test_the_name_search_can_be_answered_from_the_name_indexes(city):
    """With plain index scans and table scans forbidden, the plan reads the three name indexes."""
    persons_named(city, ["王伟强"])
    queryset = Person.objects.filter(selectors.name_contains("伟强"))
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(line for (line,) in cursor.fetchall())
    assert "person_name_prefix" in plan
    assert "person_name_suffix" in plan
    assert "person_name_length" in plan
