"""The field API for grid officers and supervisors, from the outside."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.core.cache import cache
from django.utils import timezone
from rest_framework.test import APIClient

from portal.accounts.models import Role
from residents import selectors, services
from residents.models import FieldTask, Person, TaskKind, TaskStatus, Visit, VisitOutcome
from tests import factories
from tests.residents.conftest import make_person, register

NEWCOMER = factories.make_id_number(birth=dt.date(1995, 3, 8), seq=71)


@pytest.fixture(autouse=True)
def _fresh_throttle_counts():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def as_officer(api, officer_a):
    api.force_authenticate(officer_a)
    return api


@pytest.fixture
def tenant(other_resident, address_a):
    person = make_person(other_resident, seq=25, name="王芳")
    register(other_resident, person, address_a)
    return person


def assert_error(response, *, status: int, code: str | None = None, field: str | None = None):
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"code", "message", "fields"}
    if code:
        assert body["code"] == code
    if field:
        assert field in body["fields"], body
    return body


def visit_body(address, **extra):
    return {"client_id": str(uuid.uuid4()), "address": address.pk, "outcome": "done", **extra}


def populate(grid, *, count: int, seq: int, officer):
    for i in range(count):
        user = factories.UserFactory(username=f"api{seq + i}")
        person = make_person(user, seq=seq + i, name=f"居民{i}")
        address = factories.AddressFactory(grid=grid)
        register(user, person, address)
        services.raise_field_task(
            kind=TaskKind.VERIFY_DISCREPANCY,
            address=address,
            person=person,
            due_date=timezone.localdate(),
            source="reconciliation",
            source_ref=f"row-{seq + i}",
        )
        services.record_visit(
            actor=officer,
            client_id=uuid.uuid4(),
            address_id=address.pk,
            outcome=VisitOutcome.DONE,
            present=[person.pk],
        )


# --- grids and addresses ------------------------------------------------------------------------


def test_the_officer_lists_their_grids_with_counts(as_officer, tenant, grid_a):
    body = as_officer.get("/api/v1/field/grids/").json()

    [grid] = body["results"]
    assert grid["id"] == grid_a.pk
    assert grid["address_count"] == 1
    assert grid["resident_count"] == 1
    assert grid["coverage"] == 0.0


def test_the_grids_list_has_a_query_budget(
    as_officer, officer_a, city, grid_a, django_assert_max_num_queries
):
    second = city["grids"][0][1]
    officer_a.grids.add(second)
    populate(grid_a, count=3, seq=201, officer=officer_a)
    populate(second, count=3, seq=211, officer=officer_a)

    with django_assert_max_num_queries(3):
        body = as_officer.get("/api/v1/field/grids/").json()

    assert [g["covered_count"] for g in body["results"]] == [3, 3]


def test_addresses_are_listed_with_their_residents_and_a_query_budget(
    as_officer, officer_a, grid_a, django_assert_max_num_queries
):
    populate(grid_a, count=5, seq=221, officer=officer_a)

    with django_assert_max_num_queries(4):
        body = as_officer.get("/api/v1/field/addresses/", {"grid": grid_a.pk}).json()

    assert body["count"] == 5
    first = body["results"][0]
    assert first["residents"][0]["id_number"].count("*") == 10
    assert first["open_task_count"] == 1
    assert first["last_visited_at"] is not None


def test_an_address_list_names_a_bounded_number_of_residents_beside_their_count(
    as_officer, grid_a, monkeypatch
):
    monkeypatch.setattr(selectors, "RESIDENTS_LISTED_PER_ADDRESS", 2)
    address = factories.AddressFactory(grid=grid_a)
    for i in range(3):
        user = factories.UserFactory(username=f"dorm{i}")
        register(user, make_person(user, seq=240 + i, name=f"住户{i}"), address)

    body = as_officer.get("/api/v1/field/addresses/", {"grid": grid_a.pk}).json()

    listed = next(a for a in body["results"] if a["id"] == address.pk)
    assert [r["name"] for r in listed["residents"]] == ["住户0", "住户1"]
    assert listed["resident_count"] == 3


def test_addresses_are_found_by_exact_id_number_within_the_officers_grids(
    as_officer, tenant, grid_b, resident, me
):
    register(resident, me, factories.AddressFactory(grid=grid_b))

    mine = as_officer.get("/api/v1/field/addresses/", {"q": tenant.id_number}).json()
    theirs = as_officer.get("/api/v1/field/addresses/", {"q": me.id_number}).json()
    other_grid = as_officer.get("/api/v1/field/addresses/", {"grid": grid_b.pk}).json()

    assert [a["residents"][0]["name"] for a in mine["results"]] == ["王芳"]
    assert theirs["count"] == 0
    assert other_grid["count"] == 0


def test_someone_who_is_not_an_officer_lists_nothing(api, resident, tenant):
    api.force_authenticate(resident)

    assert api.get("/api/v1/field/grids/").json()["count"] == 0
    assert api.get("/api/v1/field/addresses/").json()["count"] == 0
    assert api.get("/api/v1/field/tasks/").json()["count"] == 0


def test_the_field_api_needs_a_signed_in_user(api):
    response = api.get("/api/v1/field/grids/")

    assert_error(response, status=403)


# --- visits --------------------------------------------------------------------------------------


def test_a_visit_is_recorded_once_and_a_repeat_answers_200_with_the_first(
    as_officer, address_a, tenant
):
    body = visit_body(
        address_a,
        present=[tenant.pk],
        arrivals=[{"name": "赵新", "id_number": NEWCOMER, "reason": "work"}],
        note="在家",
    )

    first = as_officer.post("/api/v1/field/visits/", body, format="json")
    again = as_officer.post("/api/v1/field/visits/", body, format="json")

    assert first.status_code == 201, first.content
    assert again.status_code == 200, again.content
    assert again.json() == first.json()
    assert first.json()["client_id"] == body["client_id"]
    assert {(e["name"], e["finding"]) for e in first.json()["entries"]} == {
        ("王芳", "present"),
        ("赵新", "arrived"),
    }
    assert Visit.objects.count() == 1


def test_a_move_from_another_district_is_reported_in_the_notices(
    as_officer, address_a, resident, me, grid_b
):
    register(resident, me, factories.AddressFactory(grid=grid_b))

    response = as_officer.post(
        "/api/v1/field/visits/",
        visit_body(address_a, arrivals=[{"name": "李明", "id_number": me.id_number}]),
        format="json",
    )

    assert response.status_code == 201, response.content
    [entry] = response.json()["entries"]
    assert entry["finding"] == "moved_in"
    [notice] = response.json()["notices"]
    assert "李明" in notice


def test_a_visit_outside_the_officers_grids_is_a_404(as_officer, grid_b):
    response = as_officer.post(
        "/api/v1/field/visits/",
        visit_body(factories.AddressFactory(grid=grid_b)),
        format="json",
    )

    assert_error(response, status=404, code="not_found")
    assert not Visit.objects.exists()


def test_an_invalid_id_number_is_a_400_on_the_arrival(as_officer, address_a):
    response = as_officer.post(
        "/api/v1/field/visits/",
        visit_body(address_a, arrivals=[{"name": "赵新", "id_number": "110105194912310021"}]),
        format="json",
    )

    assert_error(response, status=400, field="arrivals.0.id_number")
    assert not Visit.objects.exists()
    assert not Person.objects.exists()


def test_a_departure_before_the_arrival_is_a_400(as_officer, address_a, tenant):
    start = tenant.registrations.get().start_date
    response = as_officer.post(
        "/api/v1/field/visits/",
        visit_body(
            address_a,
            departures=[{"person": tenant.pk, "end_date": str(start - dt.timedelta(days=1))}],
        ),
        format="json",
    )

    assert_error(response, status=400, field="departures.0.end_date")
    assert tenant.registrations.get().end_date is None


def test_a_malformed_visit_is_a_400_in_the_one_error_format(as_officer, address_a):
    response = as_officer.post(
        "/api/v1/field/visits/",
        {"client_id": "not-a-uuid", "address": address_a.pk, "outcome": "done"},
        format="json",
    )

    assert_error(response, status=400, code="invalid", field="client_id")


def test_another_officers_client_id_is_a_409(api, as_officer, address_a, grid_a):
    body = visit_body(address_a, note="空置房屋")
    as_officer.post("/api/v1/field/visits/", body, format="json")
    colleague = factories.officer(grids=[grid_a], username="officer_a2")
    api.force_authenticate(colleague)

    response = api.post("/api/v1/field/visits/", body, format="json")

    assert_error(response, status=409, code="client_id_used")


def test_a_resident_cannot_record_a_visit(api, resident, address_a):
    api.force_authenticate(resident)

    response = api.post("/api/v1/field/visits/", visit_body(address_a), format="json")

    assert_error(response, status=403, code="not_allowed")


def test_a_browser_session_must_send_the_csrf_token_in_a_header(officer_a, address_a):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(officer_a)
    client.get("/field/")  # sets the CSRF cookie
    token = client.cookies["csrftoken"].value

    without = client.post(
        "/api/v1/field/visits/", visit_body(address_a, note="空置房屋"), format="json"
    )
    with_header = client.post(
        "/api/v1/field/visits/",
        visit_body(address_a, note="空置房屋"),
        format="json",
        HTTP_X_CSRFTOKEN=token,
    )

    assert without.status_code == 403
    assert with_header.status_code == 201, with_header.content


def test_visits_are_listed_for_the_grid_only(
    api, as_officer, address_a, grid_b, django_assert_max_num_queries
):
    for _ in range(3):
        as_officer.post(
            "/api/v1/field/visits/", visit_body(address_a, note="空置房屋"), format="json"
        )
    other = factories.officer(grids=[grid_b], username="officer_b")

    with django_assert_max_num_queries(6):
        mine = as_officer.get("/api/v1/field/visits/").json()
    api.force_authenticate(other)
    theirs = api.get("/api/v1/field/visits/").json()

    assert mine["count"] == 3
    assert theirs["count"] == 0


# --- tasks ---------------------------------------------------------------------------------------


def test_tasks_list_open_ones_soonest_first_with_overdue_marked(
    as_officer, address_a, grid_b, django_assert_max_num_queries
):
    today = timezone.localdate()
    later = services.raise_field_task(
        kind=TaskKind.VERIFY_DECLARATION,
        address=address_a,
        due_date=today + dt.timedelta(days=3),
        source="housing",
        source_ref="d-1",
    )
    late = services.raise_field_task(
        kind=TaskKind.VERIFY_DISCREPANCY,
        address=address_a,
        due_date=today - dt.timedelta(days=1),
        source="reconciliation",
        source_ref="r-1",
    )
    services.raise_field_task(
        kind=TaskKind.VERIFY_DISCREPANCY,
        address=factories.AddressFactory(grid=grid_b),
        due_date=today,
        source="reconciliation",
        source_ref="r-2",
    )

    with django_assert_max_num_queries(3):
        body = as_officer.get("/api/v1/field/tasks/").json()
    overdue = as_officer.get("/api/v1/field/tasks/", {"overdue": "true"}).json()

    assert [(t["id"], t["overdue"]) for t in body["results"]] == [
        (late.pk, True),
        (later.pk, False),
    ]
    assert [t["id"] for t in overdue["results"]] == [late.pk]


def test_closed_tasks_are_listed_on_request(as_officer, officer_a, address_a):
    task = services.raise_field_task(
        kind=TaskKind.VERIFY_DECLARATION,
        address=address_a,
        due_date=timezone.localdate(),
        source="housing",
        source_ref="d-9",
    )
    as_officer.post(
        "/api/v1/field/visits/",
        visit_body(address_a, task_findings=[{"task": task.pk, "finding": "已核实在住"}]),
        format="json",
    )

    open_tasks = as_officer.get("/api/v1/field/tasks/").json()
    closed = as_officer.get("/api/v1/field/tasks/", {"status": "closed"}).json()

    assert open_tasks["count"] == 0
    assert [t["id"] for t in closed["results"]] == [task.pk]
    assert FieldTask.objects.get().status == TaskStatus.CLOSED


# --- supervisors ---------------------------------------------------------------------------------


def test_analysts_read_coverage_per_grid_and_per_officer(
    api, officer_a, grid_a, district_a, django_assert_max_num_queries
):
    populate(grid_a, count=2, seq=231, officer=officer_a)
    factories.AddressFactory(grid=grid_a)
    analyst = factories.UserFactory(username="analyst_t", roles=[Role.ANALYST])
    api.force_authenticate(analyst)

    with django_assert_max_num_queries(4):
        grids = api.get("/api/v1/field/coverage/grids/", {"district": district_a.code}).json()
    officers = api.get("/api/v1/field/coverage/officers/").json()

    by_id = {g["id"]: g for g in grids["results"]}
    assert set(by_id) == {grid_a.pk, grid_a.parent.children.exclude(pk=grid_a.pk).get().pk}
    assert (by_id[grid_a.pk]["covered_count"], by_id[grid_a.pk]["address_count"]) == (2, 3)
    assert by_id[grid_a.pk]["officers"] == ["officer_a"]
    assert [(o["username"], o["recent_visits"]) for o in officers["results"]] == [("officer_a", 2)]


def test_coverage_is_refused_to_anyone_but_supervisors(as_officer):
    assert_error(as_officer.get("/api/v1/field/coverage/grids/"), status=403)
    assert_error(as_officer.get("/api/v1/field/coverage/officers/"), status=403)


def test_an_empty_visit_is_refused_by_the_api(as_officer, address_a, tenant):
    response = as_officer.post("/api/v1/field/visits/", visit_body(address_a), format="json")
    assert_error(response, status=400, field="visit")
    assert not Visit.objects.exists()
