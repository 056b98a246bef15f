"""The grid officers' field pages and the supervisors' coverage page, through the test client."""

from __future__ import annotations

import datetime as dt
import re
import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from portal import navigation
from portal.accounts.models import Role
from residents import idnumber, services
from residents.models import FieldTask, Person, TaskKind, TaskStatus, Visit, VisitOutcome
from tests import factories
from tests.residents.conftest import make_person, register

NEWCOMER = factories.make_id_number(birth=dt.date(1995, 3, 8), seq=71)


@pytest.fixture
def tenant(other_resident, address_a):
    person = make_person(other_resident, seq=25, name="王芳")
    register(other_resident, person, address_a)
    return person


@pytest.fixture
def officer_client(client, officer_a):
    client.force_login(officer_a)
    return client


@pytest.fixture
def analyst(db):
    return factories.UserFactory(username="analyst_t", roles=[Role.ANALYST])


def address_url(address):
    return reverse("residents:field_address", args=[address.pk])


def visit_form(tenant=None, *, choice="present", client_id=None, **extra):
    data = {
        "client_id": str(client_id or uuid.uuid4()),
        "outcome": VisitOutcome.DONE,
        "note": "",
        "arrivals-TOTAL_FORMS": "3",
        "arrivals-INITIAL_FORMS": "0",
        "arrivals-MIN_NUM_FORMS": "0",
        "arrivals-MAX_NUM_FORMS": "3",
    }
    today = timezone.localdate().isoformat()
    for i in range(3):
        data.update(
            {
                f"arrivals-{i}-name": "",
                f"arrivals-{i}-id_number": "",
                f"arrivals-{i}-start_date": today,
                f"arrivals-{i}-reason": "work",
                f"arrivals-{i}-phone": "",
            }
        )
    if tenant is not None:
        data[f"resident_{tenant.pk}"] = choice
        data[f"departed_on_{tenant.pk}"] = today
    data.update(extra)
    return data


# --- navigation and access -------------------------------------------------------------------------


def test_the_menu_offers_field_pages_to_officers_and_coverage_to_analysts(
    officer_a, analyst, resident
):
    def keys(user):
        return {item.key for item in navigation.items_for(user)}

    assert {"residents.field_home", "residents.field_tasks"} <= keys(officer_a)
    assert "residents.field_coverage" not in keys(officer_a)
    assert "residents.field_coverage" in keys(analyst)
    assert not {"residents.field_home", "residents.field_coverage"} & keys(resident)


@pytest.mark.parametrize(
    "url",
    ["/field/", "/field/tasks/", "/field/coverage/"],
)
def test_a_resident_gets_not_found_on_field_pages(client, resident, url):
    client.force_login(resident)

    assert client.get(url).status_code == 404


def test_coverage_is_not_for_grid_officers(officer_client):
    assert officer_client.get("/field/coverage/").status_code == 404


def test_another_grids_address_grid_and_visit_are_not_found(officer_client, grid_b):
    elsewhere = factories.AddressFactory(grid=grid_b)
    other = factories.officer(grids=[grid_b], username="officer_b")
    theirs, _ = services.record_visit(
        actor=other,
        client_id=uuid.uuid4(),
        address_id=elsewhere.pk,
        outcome=VisitOutcome.DONE,
        note="空置房屋",
    )

    assert officer_client.get(f"/field/grids/{grid_b.pk}/").status_code == 404
    assert officer_client.get(address_url(elsewhere)).status_code == 404
    assert officer_client.post(address_url(elsewhere), visit_form()).status_code == 404
    assert officer_client.get(f"/field/visits/{theirs.pk}/").status_code == 404
    assert Visit.objects.count() == 1


# --- the officer's pages -----------------------------------------------------------------------------


def test_home_shows_the_grids_counts_with_a_constant_number_of_queries(
    officer_client, officer_a, city, grid_a
):
    def fill(grid, seq):
        user = factories.UserFactory(username=f"home{seq}")
        person = make_person(user, seq=seq, name="居民")
        address = factories.AddressFactory(grid=grid)
        register(user, person, address)
        services.record_visit(
            actor=officer_a,
            client_id=uuid.uuid4(),
            address_id=address.pk,
            outcome=VisitOutcome.DONE,
            present=[person.pk],
        )

    fill(grid_a, 301)
    officer_client.get("/field/")  # warm the session and the menu

    with CaptureQueriesContext(connection) as one_grid:
        response = officer_client.get("/field/")
    officer_a.grids.add(city["grids"][0][1])
    for seq in range(311, 316):
        fill(city["grids"][0][1], seq)
    with CaptureQueriesContext(connection) as two_grids:
        officer_client.get("/field/")

    assert response.status_code == 200
    [shown] = response.context["grids"]
    assert (shown["grid"].address_count, shown["grid"].covered_count, shown["coverage"]) == (
        1,
        1,
        1.0,
    )
    assert len(two_grids.captured_queries) == len(one_grid.captured_queries)


def test_the_grid_page_lists_addresses_with_residents_and_finds_by_id_number(
    officer_client, grid_a, tenant, resident, me
):
    register(resident, me, factories.AddressFactory(grid=grid_a, road="解放路"))
    url = reverse("residents:field_grid", args=[grid_a.pk])

    listed = officer_client.get(url).content.decode()
    found = officer_client.get(url, {"q": tenant.id_number}, HTTP_HX_REQUEST="true")

    assert "王芳" in listed
    assert "李明" in listed
    assert tenant.id_number not in listed  # shown masked
    assert found.status_code == 200
    assert "王芳" in found.content.decode()
    assert "李明" not in found.content.decode()
    assert "<html" not in found.content.decode()  # the htmx fragment only


def test_the_address_page_carries_a_visit_form_without_inline_scripts_or_styles(
    officer_client, address_a, tenant
):
    page = officer_client.get(address_url(address_a)).content.decode()

    assert "data-visit-form" in page
    assert 'name="client_id"' in page
    assert f'name="resident_{tenant.pk}"' in page
    assert "/static/js/field" in page
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page)
    assert " style=" not in page


def test_recording_a_visit_on_the_page_shows_its_record(officer_client, address_a, tenant):
    response = officer_client.post(
        address_url(address_a),
        visit_form(
            tenant,
            note="租户在家",
            **{"arrivals-0-name": "赵新", "arrivals-0-id_number": NEWCOMER},
        ),
        follow=True,
    )

    visit = Visit.objects.get()
    assert response.redirect_chain[-1][0] == f"/field/visits/{visit.pk}/"
    page = response.content.decode()
    assert "王芳" in page
    assert "赵新" in page
    assert visit.note == "租户在家"
    assert {e.person.name for e in visit.entries.all()} == {"王芳", "赵新"}


def test_the_same_form_sent_twice_records_one_visit(officer_client, address_a, tenant):
    form = visit_form(tenant)

    first = officer_client.post(address_url(address_a), form)
    second = officer_client.post(address_url(address_a), form)

    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    assert Visit.objects.count() == 1


def test_a_departure_on_the_page_ends_the_registration(officer_client, address_a, tenant):
    officer_client.post(address_url(address_a), visit_form(tenant, choice="departed"))

    assert tenant.registrations.get().end_date == timezone.localdate()


def test_an_invalid_id_number_comes_back_on_its_field_with_a_summary(
    officer_client, address_a, tenant
):
    response = officer_client.post(
        address_url(address_a),
        visit_form(
            tenant,
            **{"arrivals-1-name": "钱二", "arrivals-1-id_number": "110105194912310021"},
        ),
    )

    assert response.status_code == 400
    page = response.content.decode()
    assert "data-error-summary" in page
    assert 'href="#id_arrivals-1-id_number"' in page
    assert not Visit.objects.exists()
    assert not Person.objects.filter(name="钱二").exists()


def test_a_known_id_number_under_another_name_is_shown_on_the_name(
    officer_client, address_a, resident, me
):
    response = officer_client.post(
        address_url(address_a),
        visit_form(**{"arrivals-0-name": "张冒", "arrivals-0-id_number": me.id_number}),
    )

    assert response.status_code == 400
    assert 'href="#id_arrivals-0-name"' in response.content.decode()


def test_nobody_home_on_the_page_puts_a_revisit_on_the_task_list(officer_client, address_a, tenant):
    officer_client.post(
        address_url(address_a),
        visit_form(tenant, choice="not_seen", outcome=VisitOutcome.NOBODY_HOME),
    )

    task = FieldTask.objects.get()
    assert task.kind == TaskKind.REVISIT
    tasks_page = officer_client.get("/field/tasks/").content.decode()
    assert address_a.text in tasks_page


def test_the_visit_form_closes_the_ticked_tasks(officer_client, address_a, tenant):
    task = services.raise_field_task(
        kind=TaskKind.VERIFY_DECLARATION,
        address=address_a,
        person=tenant,
        due_date=timezone.localdate(),
        source="housing",
        source_ref="d-1",
    )

    officer_client.post(
        address_url(address_a), visit_form(tenant, **{f"task_{task.pk}": "租户在住，合同已看"})
    )

    task.refresh_from_db()
    assert task.status == TaskStatus.CLOSED
    closed_page = officer_client.get("/field/tasks/", {"status": "closed"}).content.decode()
    assert address_a.text in closed_page


def test_a_move_is_told_on_the_visit_record(officer_client, address_a, resident, me, grid_b):
    register(resident, me, factories.AddressFactory(grid=grid_b))

    response = officer_client.post(
        address_url(address_a),
        visit_form(**{"arrivals-0-name": "李明", "arrivals-0-id_number": me.id_number}),
        follow=True,
    )

    assert response.status_code == 200
    assert 'class="message message--warning"' in response.content.decode()
    assert (
        Person.objects.get(id_hash=idnumber.keyed_hash(me.id_number))
        .registrations.get(end_date__isnull=True)
        .address
        == address_a
    )


# --- supervisors -------------------------------------------------------------------------------------


def test_analysts_see_coverage_per_grid_and_per_officer(client, analyst, officer_a, address_a):
    services.record_visit(
        actor=officer_a,
        client_id=uuid.uuid4(),
        address_id=address_a.pk,
        outcome=VisitOutcome.DONE,
        note="空置房屋",
    )
    client.force_login(analyst)

    response = client.get("/field/coverage/")

    assert response.status_code == 200
    page = response.content.decode()
    assert "officer_a" in page
    assert "100%" in page


def test_the_visit_form_presets_no_outcome_and_ticks_no_task(officer_client, address_a, tenant):
    services.raise_field_task(
        kind=TaskKind.VERIFY_DECLARATION,
        address=address_a,
        person=tenant,
        due_date=timezone.localdate(),
        source="housing",
        source_ref="d-2",
    )
    page = officer_client.get(address_url(address_a)).content.decode()
    outcome_inputs = re.findall(r'<input[^>]*name="outcome"[^>]*>', page)
    assert len(outcome_inputs) == len(VisitOutcome.values)
    assert not any("checked" in tag for tag in outcome_inputs)
    assert 'type="checkbox"' not in page  # no task ticked, or tickable, without a finding


def test_an_empty_visit_is_refused_on_the_page(officer_client, address_a, tenant):
    response = officer_client.post(address_url(address_a), visit_form(tenant, choice="not_seen"))
    assert response.status_code == 400
    assert "没有记录任何内容" in response.content.decode()
    assert not Visit.objects.exists()
