"""The resident's phone home: status first, a short menu, greeted by name."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils.formats import date_format

from portal import home, navigation
from portal.workflow.models import Case
from residents import selectors as resident_selectors
from tests import factories
from tests.residents.conftest import make_application, make_person, months_ago, register
from tests.uploads import use_upload_root


@pytest.fixture(autouse=True)
def upload_root(settings, tmp_path):
    use_upload_root(settings, tmp_path / "uploads")


def test_a_residents_menu_has_at_most_six_entries(db):
    for roles in (["resident"], ["resident", "landlord"]):
        user = factories.UserFactory(username="_".join(roles), roles=roles)
        menu = navigation.menu_for(user)
        assert len(menu) <= navigation.MENU_LIMIT, [item.key for item in menu]
        # Nothing is lost: what is not in the menu is listed on the home page.
        grouped = {item.key for _group, items in navigation.grouped_for(user) for item in items}
        assert grouped | {item.key for item in menu} == {i.key for i in navigation.items_for(user)}


def test_the_home_page_greets_the_person_by_name_not_the_username(client, resident):
    make_person(resident, seq=81, name="陈晓红")
    client.force_login(resident)
    body = client.get(reverse("home")).content.decode()
    assert "陈晓红" in body
    assert resident.get_username() not in body


def test_status_comes_first_with_each_application_and_what_it_waits_for(
    client, resident, address_a, police_a
):
    person = make_person(resident, seq=82, name="周杰")
    register(resident, person, address_a, start=months_ago(8))
    application = make_application(resident, person)
    from residents import services as resident_services

    resident_services.submit_permit_application(actor=resident, application_id=application.pk)
    case = Case.objects.get(pk=application.case_id)
    client.force_login(resident)

    body = client.get(reverse("home")).content.decode()

    status = body.index('id="status-title"')
    assert status < body.index('id="services-title"')
    cases = body[body.index('data-home="cases"') :]
    assert case.reference in cases
    assert case.department.display_name in cases
    assert date_format(case.due_date) in cases
    # Registration status and the permit card (no permit yet) are there too.
    assert str(resident_selectors.current_registration(person).address) in body
    assert reverse("residents:permit_guide") in body


def test_a_permit_holder_sees_the_next_endorsement_and_it_is_due_in_its_window(
    client, resident, address_a, police_a, time_machine
):
    from tests.housing.conftest import holder

    person = holder(resident, seq=83, name="吴桐", address=address_a, police=police_a)
    permit = resident_selectors.valid_permit_of(person)
    opens, last_day = resident_selectors.endorsement_window(permit)
    client.force_login(resident)

    body = client.get(reverse("home")).content.decode()
    assert permit.number in body
    assert date_format(opens) in body
    due = body[body.index('data-home="due"') :]
    assert reverse("residents:permit", args=[permit.pk]) not in due.split("</section>")[0]

    time_machine.move_to(opens)
    items = home.things_due(resident, on=opens)
    assert [item.due_on for item in items] == [last_day]
    body = client.get(reverse("home")).content.decode()
    due = body[body.index('data-home="due"') :].split("</section>")[0]
    assert reverse("residents:permit", args=[permit.pk]) in due


def test_things_due_come_from_every_registered_provider(db, resident, monkeypatch):
    monkeypatch.setattr(home, "_due", {})
    home.register_due("test.survey", lambda user, on: [home.DueItem("填写需求调查", "/x/")])
    assert [item.title for item in home.things_due(resident, on=None)] == ["填写需求调查"]
